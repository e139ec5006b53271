#!/usr/bin/env node
// Builds dist/ with tsup only when it is missing or older than a source:
// anything under src/, tsup.config.ts, tsconfig.json or package.json. For
// `npm run demo` and `npm start`, so that a second run starts at once.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Built files whose age stands for the build's (the library, and the command line of the second tsup config). */
const OUTPUTS = ['dist/index.js', 'dist/index.cjs', 'dist/web.js', 'dist/cli.js'];
const INPUTS = ['src', 'tsup.config.ts', 'tsconfig.json', 'package.json'];

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function isStale() {
  if (!OUTPUTS.every((file) => existsSync(join(ROOT, file)))) return true;
  const built = Math.min(...OUTPUTS.map((file) => statSync(join(ROOT, file)).mtimeMs));
  return Math.max(...INPUTS.map((input) => newest(join(ROOT, input)))) > built;
}

if (isStale()) {
  const tsupDir = join(ROOT, 'node_modules', 'tsup');
  const bin = JSON.parse(readFileSync(join(tsupDir, 'package.json'), 'utf8')).bin.tsup;
  const tsup = spawnSync(process.execPath, [join(tsupDir, bin), '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (tsup.status !== 0) process.exit(tsup.status ?? 1);
}
