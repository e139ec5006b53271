// Runs a core call on the Web platform: its result, or its error, arrives as
// a promise. Shared by the web entry and its builder classes.
import { runWithPlatform } from './platform.js';
import { webPlatform } from './web.js';

export async function onWeb<T>(call: () => T): Promise<Awaited<T>> {
  return runWithPlatform(webPlatform, call) as Awaited<T>;
}
