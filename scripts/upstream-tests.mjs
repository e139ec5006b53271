#!/usr/bin/env node
// Runs the test files that ship inside the npm packages agora-token 2.0.6 and
// agora-access-token 2.0.4, unchanged, twice each: against the original
// package, and with the modules they test mapped to this package's compat
// entry points (agora-token-builder/compat/agora-token and
// /compat/agora-access-token, of the BUILT package). Fails on any test that
// passes on the original but not on compat.
//
//   npm run build && npm run test:upstream
//   node scripts/upstream-tests.mjs --package DIR   # a packed package, extracted
//
// The packages are fetched with `npm pack` into a temporary folder; their
// runner, nodeunit 0.11.3 (agora-token's package.json: "nodeunit test/*.js";
// agora-access-token's test files say "run with nodeunit"), is installed there
// from scripts/upstream/package-lock.json. Their own dependencies (crc-32,
// cuint, md5) come from this repository's node_modules, as our lockfile pins
// them. Needs the npm registry; writes nothing outside the temporary folder.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const here = join(root, 'scripts', 'upstream');

const args = process.argv.slice(2);
const packageIndex = args.indexOf('--package');
const ours = resolve(packageIndex >= 0 ? args[packageIndex + 1] ?? '' : root);
const keep = args.includes('--keep');

/** The upstream packages, the number of test files each ships, and what compat replaces in each. */
const UPSTREAM = [
  {
    name: 'agora-token',
    version: '2.0.6',
    testFiles: 12,
    // original module (relative to the package) -> [compat entry, { export name in the original: export name in compat } | '*']
    compat: {
      'index.js': ['agora-token', '*'],
      'src/RtcTokenBuilder2.js': ['agora-token', { RtcTokenBuilder: 'RtcTokenBuilder', Role: 'RtcRole' }],
      'src/RtmTokenBuilder2.js': ['agora-token', { RtmTokenBuilder: 'RtmTokenBuilder' }],
      'src/ChatTokenBuilder.js': ['agora-token', { ChatTokenBuilder: 'ChatTokenBuilder' }],
      'src/ApaasTokenBuilder.js': ['agora-token', { ApaasTokenBuilder: 'ApaasTokenBuilder' }],
      'src/EducationTokenBuilder.js': ['agora-token', { EducationTokenBuilder: 'EducationTokenBuilder' }],
      'src/FpaTokenBuilder.js': ['agora-token', { FpaTokenBuilder: 'FpaTokenBuilder' }],
      'src/ConvoAITokenBuilder.js': ['agora-token', { ConvoAITokenBuilder: 'ConvoAITokenBuilder' }],
      'src/SttTokenBuilder.js': ['agora-token', { SttTokenBuilder: 'SttTokenBuilder' }],
      // agora-token still ships the legacy 006 builders of agora-access-token.
      'src/RtcTokenBuilder.js': ['agora-access-token', { RtcTokenBuilder: 'RtcTokenBuilder', Role: 'RtcRole' }],
      'src/RtmTokenBuilder.js': ['agora-access-token', { RtmTokenBuilder: 'RtmTokenBuilder', Role: 'RtmRole' }],
    },
  },
  {
    name: 'agora-access-token',
    version: '2.0.4',
    testFiles: 3,
    compat: {
      'index.js': ['agora-access-token', '*'],
      'src/RtcTokenBuilder.js': ['agora-access-token', { RtcTokenBuilder: 'RtcTokenBuilder', Role: 'RtcRole' }],
      'src/RtmTokenBuilder.js': ['agora-access-token', { RtmTokenBuilder: 'RtmTokenBuilder', Role: 'RtmRole' }],
    },
  },
];
// Not mapped, in both runs the original: src/AccessToken.js and src/AccessToken2.js (token classes
// the tests use to parse what the builders made; compat offers builders, not these classes),
// src/DynamicKey5.js and src/SignalingToken.js (older formats compat does not offer).

/** The package modules compat does not replace: the same file in both runs. */
const NOT_REPLACED = new Set(['src/AccessToken.js', 'src/AccessToken2.js', 'src/DynamicKey5.js', 'src/SignalingToken.js']);

function fail(message) {
  console.error(`upstream tests: ${message}`);
  process.exit(2);
}

function run(command, commandArgs, cwd) {
  const result = spawnSync(command, commandArgs, { cwd, encoding: 'utf8' });
  if (result.status !== 0) {
    fail(`${command} ${commandArgs.join(' ')} failed (exit ${result.status}):\n${result.stderr || result.stdout}`);
  }
  return result.stdout;
}

for (const entry of ['agora-token', 'agora-access-token']) {
  if (!existsSync(join(ours, 'dist', 'compat', `${entry}.cjs`))) {
    fail(`${join(ours, 'dist', 'compat', `${entry}.cjs`)} is missing: run npm run build first (or pass --package DIR)`);
  }
}

const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'agora-upstream-tests-'));
process.on('exit', () => {
  if (!keep) rmSync(work, { recursive: true, force: true });
});

// 1. The packages, as published.
const packed = join(work, 'packed');
mkdirSync(packed);
run('npm', ['pack', ...UPSTREAM.map((u) => `${u.name}@${u.version}`), '--pack-destination', packed, '--silent'], work);
for (const u of UPSTREAM) {
  u.dir = join(work, 'original', u.name);
  mkdirSync(u.dir, { recursive: true });
  run('tar', ['-xzf', join(packed, `${u.name}-${u.version}.tgz`), '-C', u.dir, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(join(u.dir, 'package.json'), 'utf8'));
  if (manifest.version !== u.version) fail(`npm pack gave ${u.name} ${manifest.version}, expected ${u.version}`);
  u.depsFrom = join(root, 'node_modules', u.name);
  if (!existsSync(u.depsFrom)) fail(`${u.depsFrom} is missing: run npm ci (it is a devDependency)`);
  u.files = readdirSync(join(u.dir, 'test')).filter((f) => f.endsWith('.js')).sort();
  if (u.files.length !== u.testFiles) fail(`${u.name} ships ${u.files.length} test files, expected ${u.testFiles}: ${u.files.join(', ')}`);
}

// 2. Their runner, pinned by its own lockfile.
const runner = join(work, 'runner');
mkdirSync(runner);
for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(here, file), join(runner, file));
// --ignore-scripts: nodeunit's dependency ejs has a postinstall that only prints a banner.
run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], runner);
const nodeunitDir = join(runner, 'node_modules', 'nodeunit');
const nodeunitVersion = JSON.parse(readFileSync(join(nodeunitDir, 'package.json'), 'utf8')).version;

// 3. The compat shims: this package as `agora-token-builder`, resolved through its "exports".
const shimRoot = join(work, 'shims');
mkdirSync(join(shimRoot, 'node_modules'), { recursive: true });
symlinkSync(ours, join(shimRoot, 'node_modules', 'agora-token-builder'), 'dir');
for (const u of UPSTREAM) {
  u.shims = {};
  for (const [module, [entry, names]] of Object.entries(u.compat)) {
    const shim = join(shimRoot, u.name, module.replace(/\.js$/, '.cjs'));
    mkdirSync(dirname(shim), { recursive: true });
    const target = JSON.stringify(`agora-token-builder/compat/${entry}`);
    const body =
      names === '*'
        ? `module.exports = require(${target});\n`
        : `const compat = require(${target});\nmodule.exports = {\n${Object.entries(names)
            .map(([original, ours]) => `  ${original}: compat.${ours},\n`)
            .join('')}};\n`;
    writeFileSync(shim, `// ${u.name}/${module} -> ${target}\n'use strict';\n${body}`);
    u.shims[join(u.dir, module)] = shim;
  }
}

// 4. Every file, once per mode, each in a process of its own.
function runFile(u, file, mode) {
  const result = join(work, `result-${u.name}-${mode}-${file}.json`);
  const child = spawnSync(
    process.execPath,
    ['--require', join(here, 'hook.cjs'), join(here, 'driver.cjs'), nodeunitDir, join(u.dir, 'test', file)],
    {
      cwd: u.dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        NO_COLOR: '1',
        UPSTREAM_RESULT: result,
        UPSTREAM_PACKAGE_ROOT: u.dir,
        UPSTREAM_DEPS_FROM: u.depsFrom,
        UPSTREAM_SHIMS: mode === 'compat' ? JSON.stringify(u.shims) : '{}',
      },
    },
  );
  if (!existsSync(result)) {
    return { tests: [], crashed: `no result (exit ${child.status}, signal ${child.signal}): ${(child.stderr || '').split('\n')[0]}` };
  }
  const parsed = JSON.parse(readFileSync(result, 'utf8'));
  if (!parsed.finished && parsed.crashed === undefined) parsed.crashed = `the run did not finish (exit ${child.status}, signal ${child.signal})`;
  return parsed;
}

const suite = (file) => file.replace(/\.js$/, '');
const pad = (text, n) => String(text).padEnd(n);
const regressions = [];
const failingOnOriginal = [];
const crashes = [];
const totals = { original: [0, 0], compat: [0, 0] };

console.log(`upstream tests: ${UPSTREAM.map((u) => `${u.name} ${u.version} (${u.files.length} files)`).join(', ')}; runner nodeunit ${nodeunitVersion}`);
console.log(`compat: ${ours === root ? 'this checkout' : ours} (agora-token-builder/compat/*)`);
console.log('');
console.log(`${pad('suite', 44)}${pad('original', 14)}${pad('compat', 10)}modules mapped to compat`);
for (const u of UPSTREAM) {
  for (const file of u.files) {
    const results = { original: runFile(u, file, 'original'), compat: runFile(u, file, 'compat') };
    const cells = [];
    for (const mode of ['original', 'compat']) {
      const r = results[mode];
      const passed = r.tests.filter((t) => t.passed).length;
      totals[mode][0] += passed;
      totals[mode][1] += r.tests.length;
      cells.push(r.crashed ? `crashed` : `${passed}/${r.tests.length}`);
      if (r.crashed) crashes.push(`${u.name} › ${suite(file)} (${mode}): ${r.crashed}`);
    }
    // The mapping must take: on compat, no original builder module may be loaded, only the
    // classes compat does not replace.
    const loaded = results.compat.loaded ?? { original: [], compat: [] };
    const stray = loaded.original.filter((m) => !NOT_REPLACED.has(m));
    if (stray.length > 0) crashes.push(`${u.name} › ${suite(file)} (compat): loaded the original ${stray.join(', ')}`);
    const via = loaded.compat.length === 0 ? '(none)' : loaded.compat.map((m) => m.replace(/^src\//, '').replace(/\.js$/, '')).join(', ');
    console.log(`${pad(`${u.name} › ${suite(file)}`, 44)}${pad(cells[0], 14)}${pad(cells[1], 10)}${via}`);
    const compatByName = new Map(results.compat.tests.map((t) => [t.name, t]));
    for (const t of results.original.tests) {
      const label = `${u.name} › ${suite(file)} › ${t.name}`;
      if (!t.passed) {
        failingOnOriginal.push(`${label}: ${t.error}`);
        continue;
      }
      const c = compatByName.get(t.name);
      if (c === undefined) regressions.push(`${label}: did not run on compat${results.compat.crashed ? ` (${results.compat.crashed})` : ''}`);
      else if (!c.passed) regressions.push(`${label}: ${c.error}`);
    }
  }
}

console.log(`${pad('total (tests passed/run)', 44)}${pad(`${totals.original[0]}/${totals.original[1]}`, 14)}${totals.compat[0]}/${totals.compat[1]}`);
console.log('');
console.log(`failing on the original packages themselves (${failingOnOriginal.length}; not counted against compat, see README):`);
for (const line of failingOnOriginal) console.log(`  ${line}`);
if (crashes.length > 0) {
  console.log(`crashed runs (${crashes.length}):`);
  for (const line of crashes) console.log(`  ${line}`);
}
console.log(`regressions, passing on the original but not on compat (${regressions.length}):`);
for (const line of regressions) console.log(`  ${line}`);
console.log('');
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (regressions.length > 0 || crashes.length > 0) {
  console.log(`upstream tests: FAILED, ${regressions.length} regression(s), ${crashes.length} crashed run(s) (${seconds} s)`);
  process.exit(1);
}
console.log(`upstream tests: every test that passes on the originals passes on compat (${seconds} s)`);
