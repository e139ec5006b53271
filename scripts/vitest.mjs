#!/usr/bin/env node
// `npm test`: vitest, without colour codes when the output is not a terminal
// (vitest colours whenever TERM is set, even into a file or a pipe) or when
// NO_COLOR is set. FORCE_COLOR=1 keeps colours on.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const env = { ...process.env };
if (env.FORCE_COLOR === undefined && !(process.stdout.isTTY && process.stderr.isTTY)) env.NO_COLOR = '1';
// Node warns when both are set; NO_COLOR wins.
if (env.NO_COLOR !== undefined) delete env.FORCE_COLOR;

const require = createRequire(import.meta.url);
const manifest = require.resolve('vitest/package.json');
const bin = JSON.parse(readFileSync(manifest, 'utf8')).bin.vitest;
const run = spawnSync(process.execPath, [join(dirname(manifest), bin), ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(run.status ?? 1);
