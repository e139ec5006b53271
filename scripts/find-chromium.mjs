#!/usr/bin/env node
// Where the browser tests and the runtime matrix find Chromium, in this order:
//   1. the CHROMIUM environment variable (a path to the executable);
//   2. the first of `chromium`, `chromium-browser`, `google-chrome` on PATH;
//   3. /usr/bin/chromium (Debian's package).
// No browser is ever downloaded. Run as a script, it prints the path found
// (exit 0) or says what to do (exit 1). test/helpers/chromium.ts gives the
// tests the same function with types.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The names looked up on PATH, in order. */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome'];
/** The last place looked at. */
export const CHROMIUM_DEFAULT = '/usr/bin/chromium';

function executable(file) {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds Chromium: `{ path, from }` where `from` says which rule found it, or
 * `{ path: undefined, message }` with a message that names the three places.
 * A CHROMIUM variable that names no executable file is an error of its own
 * (never silently passed over).
 */
export function findChromium(env = process.env, isExecutable = executable) {
  const set = env.CHROMIUM;
  if (set !== undefined && set !== '') {
    if (isExecutable(set)) return { path: set, from: 'CHROMIUM' };
    return { path: undefined, message: `CHROMIUM=${set} is not an executable file: point CHROMIUM at the Chromium executable, or unset it to search PATH and ${CHROMIUM_DEFAULT}` };
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const name of CHROMIUM_NAMES) {
    for (const dir of dirs) {
      const file = join(dir, name);
      if (isExecutable(file)) return { path: file, from: 'PATH' };
    }
  }
  if (isExecutable(CHROMIUM_DEFAULT)) return { path: CHROMIUM_DEFAULT, from: 'default' };
  return {
    path: undefined,
    message:
      `Chromium not found. Looked at: the CHROMIUM environment variable (not set), ` +
      `${CHROMIUM_NAMES.join(', ')} on PATH, and ${CHROMIUM_DEFAULT}. ` +
      `Set CHROMIUM=/path/to/chromium (for example the binary inside Chromium.app on macOS), ` +
      `or install it (Debian: apt-get install chromium).`,
  };
}

/** Like findChromium, but returns the path or throws an Error with the message. */
export function chromiumPath(env = process.env) {
  const found = findChromium(env);
  if (found.path === undefined) throw new Error(found.message);
  return found.path;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const found = findChromium();
  if (found.path === undefined) {
    console.error(found.message);
    process.exit(1);
  }
  console.log(found.path);
}
