// Builds of the command line (and some entries) for tests that spawn them as
// a user would, each in a fresh folder under node_modules/.cache: inside this
// package, so a built CLI finds the package's vectors and devDependencies above it.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'tsup';

/** A new empty folder under node_modules/.cache, named from `prefix`. */
export function cacheFolder(prefix: string): string {
  const cache = new URL('../../node_modules/.cache/', import.meta.url).pathname;
  mkdirSync(cache, { recursive: true });
  return mkdtempSync(join(cache, prefix));
}

/** Builds `entry` (name → source file) as ESM for Node into `outDir`, quietly, without declarations. */
export async function buildForTest(entry: Record<string, string>, outDir: string, banner?: string): Promise<void> {
  await build({
    entry,
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    config: false,
    silent: true,
    dts: false,
    sourcemap: false,
    clean: false,
    ...(banner === undefined ? {} : { banner: { js: banner } }),
  });
}
