// This package's own folder and manifest, found at run time from this module:
// dist/cli.js in the package (or the packed tarball), src/cli in the repository.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'agora-token-builder';

/** The folder of the package.json named agora-token-builder above this module, and that manifest. */
export function packageRoot(): { dir: string; manifest: { name: string; version?: string } } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (manifest.name === NAME) return { dir, manifest: { ...manifest, name: NAME } };
      } catch {
        // not ours; keep looking
      }
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find the package.json of ${NAME}`);
}

/** The version in this package's package.json. */
export function packageVersion(): string {
  const { version } = packageRoot().manifest;
  if (typeof version !== 'string') throw new Error(`the package.json of ${NAME} has no version`);
  return version;
}
