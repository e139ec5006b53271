// The browser modules the login page loads, served by the token server from
// the package's own built files: the `web` entry (decodes tokens) and the
// `client` entry (logs in and renews). Read once, on first request.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Asset name (under /assets/) → its file in dist/. */
export const ASSETS: ReadonlyMap<string, string> = new Map([
  ['agora-token-builder-web.js', 'web.js'],
  ['agora-token-builder-client.js', 'client/index.js'],
]);

// Where the built files are, from where this code runs: bundled into the
// command line (dist/cli.js), beside it; in the server entry
// (dist/server/index.js or .cjs), one folder up; run from the sources
// (tests), in the built dist/.
const FOLDERS = [new URL('./', import.meta.url), new URL('../', import.meta.url), new URL('../../dist/', import.meta.url)];

const cache = new Map<string, Promise<string | undefined>>();

async function load(file: string): Promise<string | undefined> {
  for (const folder of FOLDERS) {
    try {
      return await readFile(fileURLToPath(new URL(file, folder)), 'utf8');
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** The text of an asset, or undefined when it is unknown or not built. */
export function readAsset(name: string): Promise<string | undefined> {
  const file = ASSETS.get(name);
  if (file === undefined) return Promise.resolve(undefined);
  let text = cache.get(name);
  if (text === undefined) {
    text = load(file).then((found) => {
      if (found === undefined) cache.delete(name); // built later: try again
      return found;
    });
    cache.set(name, text);
  }
  return text;
}
