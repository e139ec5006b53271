// Throughput of the BUILT package (dist/index.js) against the npm package
// `agora-token`, pair by pair in one process, plus the cost of a cold import.
//
//   npm run bench            (builds first)
//   node bench/run.mjs       (uses the current dist/)
//
// Each pair is warmed up, then measured in interleaved rounds (A B, B A, A B,
// ...) so that machine noise lands on both sides; the figure per side is the
// median over the rounds. This is a script, not a test: nothing here fails.
// Knobs: BENCH_ROUNDS (20), BENCH_ROUND_MS (250), BENCH_WARMUP_MS (500),
// BENCH_IMPORT_RUNS (21).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

const ours = await import(join(root, 'dist', 'index.js'));
const { ChatTokenBuilder, RtcTokenBuilder: TheirRtcTokenBuilder2, RtcRole: TheirRtcRole } = require('agora-token');
const legacy = require('agora-access-token');
const { AccessToken2: TheirAccessToken2 } = require('agora-token/src/AccessToken2');
const theirVersion = JSON.parse(readFileSync(require.resolve('agora-token/package.json'), 'utf8')).version;
const legacyVersion = JSON.parse(readFileSync(require.resolve('agora-access-token/package.json'), 'utf8')).version;

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const CERT = '5CFd2fd1755d40ecb72977518be15d3b';
const USER_ID = 'a2b6c8f0-3f1e-11ee-9d3c-6f0e7a1b2c3d'; // the shape of an Agora Chat user UUID
const EXPIRE = 3600;

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 250);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 500);

let sink = 0;

/** Runs `op` for about `ms` milliseconds; returns operations per second. */
function measure(op, ms) {
  const budget = BigInt(Math.round(ms * 1e6));
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  let count = 0;
  let batch = 16;
  while (elapsed < budget) {
    for (let i = 0; i < batch; i++) sink += op(count + i);
    count += batch;
    elapsed = process.hrtime.bigint() - start;
    if (batch < 4096) batch *= 2;
  }
  return count / (Number(elapsed) / 1e9);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function comparePair(name, oursOp, theirsOp) {
  measure(oursOp, WARMUP_MS);
  measure(theirsOp, WARMUP_MS);
  const a = [];
  const b = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      a.push(measure(oursOp, ROUND_MS));
      b.push(measure(theirsOp, ROUND_MS));
    } else {
      b.push(measure(theirsOp, ROUND_MS));
      a.push(measure(oursOp, ROUND_MS));
    }
  }
  const oursOps = median(a);
  const theirsOps = median(b);
  const roundRatios = a.map((x, i) => x / b[i]);
  return {
    name,
    oursOps,
    theirsOps,
    ratio: oursOps / theirsOps,
    minRatio: Math.min(...roundRatios),
    maxRatio: Math.max(...roundRatios),
  };
}

// Sanity: both sides do the same work and agree on the result.
{
  const check = ChatTokenBuilder.buildUserToken(APP_ID, CERT, USER_ID, EXPIRE);
  const mine = ours.ChatTokenBuilder2.buildUserToken(APP_ID, CERT, USER_ID, EXPIRE);
  if (ours.verifyToken(check, CERT).status !== 'valid') throw new Error('agora-token built a token we do not verify');
  const parsed = new TheirAccessToken2();
  if (!parsed.from_string(mine) || !parsed.verifySignature(CERT)) throw new Error('agora-token does not verify our token');
}

// A pool of distinct tokens (issueTs and salt differ), so no cache on either side sees a repeat.
const now = Math.floor(Date.now() / 1000);
const POOL = Array.from({ length: 64 }, (_, i) =>
  ours.ChatTokenBuilder2.buildUserToken(APP_ID, CERT, `${USER_ID.slice(0, -2)}${String(i).padStart(2, '0')}`, EXPIRE, {
    issueTs: now - i * 7,
    salt: 1 + ((i * 2_654_435_761) % 99_999_999),
  }),
);
const poolOp = (verify) => (i) => verify(POOL[i & 63]);

const CHANNEL = '7d72365eb983485397e3e3f9d460bdda';
const UID = 2882341273;
// 006 takes an absolute expiry time; one hour from now, so both sides accept it.
const EXPIRES_AT = Math.floor(Date.now() / 1000) + 3600;

const results = [
  comparePair(
    'ChatTokenBuilder2.buildUserToken',
    () => ours.ChatTokenBuilder2.buildUserToken(APP_ID, CERT, USER_ID, EXPIRE).length,
    () => ChatTokenBuilder.buildUserToken(APP_ID, CERT, USER_ID, EXPIRE).length,
  ),
  comparePair(
    'decode + verify (64 distinct tokens)',
    poolOp((token) => (ours.verifyToken(token, CERT).valid ? 1 : 0)),
    poolOp((token) => {
      const parsed = new TheirAccessToken2();
      return parsed.from_string(token) && parsed.verifySignature(CERT) ? 1 : 0;
    }),
  ),
  comparePair(
    'decode + verify (one token, repeated)',
    () => (ours.verifyToken(POOL[0], CERT).valid ? 1 : 0),
    () => {
      const parsed = new TheirAccessToken2();
      return parsed.from_string(POOL[0]) && parsed.verifySignature(CERT) ? 1 : 0;
    },
  ),
  comparePair(
    'RtcTokenBuilder2.buildTokenWithUid (publisher)',
    () => ours.RtcTokenBuilder2.buildTokenWithUid(APP_ID, CERT, CHANNEL, UID, ours.RtcRole.PUBLISHER, EXPIRE, EXPIRE).length,
    () => TheirRtcTokenBuilder2.buildTokenWithUid(APP_ID, CERT, CHANNEL, UID, TheirRtcRole.PUBLISHER, EXPIRE, EXPIRE).length,
  ),
];

// The legacy 006 builders against agora-access-token, pair by pair.
const legacyResults = [
  comparePair(
    '006 RtcTokenBuilder.buildTokenWithUid (publisher)',
    () => ours.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, CHANNEL, UID, ours.RtcRole006.PUBLISHER, EXPIRES_AT).length,
    () => legacy.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, CHANNEL, UID, legacy.RtcRole.PUBLISHER, EXPIRES_AT).length,
  ),
  comparePair(
    '006 RtcTokenBuilder.buildTokenWithAccount (publisher)',
    () => ours.RtcTokenBuilder.buildTokenWithAccount(APP_ID, CERT, CHANNEL, 'test_user', ours.RtcRole006.PUBLISHER, EXPIRES_AT).length,
    () => legacy.RtcTokenBuilder.buildTokenWithAccount(APP_ID, CERT, CHANNEL, 'test_user', legacy.RtcRole.PUBLISHER, EXPIRES_AT).length,
  ),
  comparePair(
    '006 RtmTokenBuilder.buildToken',
    () => ours.RtmTokenBuilder.buildToken(APP_ID, CERT, 'test_user', ours.RtmRole006.Rtm_User, EXPIRES_AT).length,
    () => legacy.RtmTokenBuilder.buildToken(APP_ID, CERT, 'test_user', legacy.RtmRole.Rtm_User, EXPIRES_AT).length,
  ),
];

// Cold import: a fresh `node` that imports the package root, against a bare `node`.
function spawnMs(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return ms;
}
const IMPORT_RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 21);
const BARE = ['-e', '0'];
const PACKAGE = ['-e', "import('./dist/index.js')"];
// Node's own cost of a first dynamic import (the ESM loader), paid by any package.
const EMPTY_MODULE = ['-e', "import('data:text/javascript,')"];
const spawned = { bare: [], pkg: [], empty: [] };
for (const args of [BARE, PACKAGE, EMPTY_MODULE]) spawnMs(args); // warm the file cache
for (let i = 0; i < IMPORT_RUNS; i++) {
  // Rotate the order so drift in machine load spreads over all three.
  const order = [
    ['bare', BARE],
    ['pkg', PACKAGE],
    ['empty', EMPTY_MODULE],
  ];
  for (let k = 0; k < i % 3; k++) order.push(order.shift());
  for (const [key, args] of order) spawned[key].push(spawnMs(args));
}
const bareMs = median(spawned.bare);
const importMs = median(spawned.pkg);
const emptyMs = median(spawned.empty);

// Cross-check, less exposed to process start-up noise: the time import() takes inside the child.
function importInsideMs(specifier) {
  const code = `const t=process.hrtime.bigint();import(${JSON.stringify(specifier)}).then(()=>process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6)))`;
  const result = spawnSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`importing ${specifier} failed: ${result.stderr}`);
  return Number(result.stdout);
}
const inside = { pkg: [], empty: [] };
for (let i = 0; i < IMPORT_RUNS; i++) {
  inside.pkg.push(importInsideMs('./dist/index.js'));
  inside.empty.push(importInsideMs('data:text/javascript,'));
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const cpus = os.cpus();
console.log(`node ${process.version} (zlib ${process.versions.zlib}), ${os.platform()} ${os.release()} ${os.arch()}`);
console.log(`CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} cores; ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM`);
console.log(`agora-token-builder (dist) vs agora-token ${theirVersion}; ${ROUNDS} interleaved rounds of ${ROUND_MS} ms per side, median`);
console.log('');
function printTable(theirs, rows) {
  const header = ['operation', 'agora-token-builder ops/s', `${theirs} ops/s`, 'ratio', 'per-round range'];
  const cells = rows.map((r) => [
    r.name,
    fmt(r.oursOps),
    fmt(r.theirsOps),
    `${r.ratio.toFixed(2)}x`,
    `${r.minRatio.toFixed(2)}x..${r.maxRatio.toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const row of cells) console.log(line(row));
  console.log('');
}
printTable('agora-token', results);
console.log(`agora-token-builder (dist) vs agora-access-token ${legacyVersion}, same rounds`);
printTable('agora-access-token', legacyResults);
console.log(
  `cold import of the package root: ${(importMs - bareMs).toFixed(1)} ms over bare node ` +
    `(median of ${IMPORT_RUNS}: ${importMs.toFixed(1)} ms with the import, ${bareMs.toFixed(1)} ms bare)`,
);
console.log(
  `  of which Node's ESM loader (importing an empty module): ${(emptyMs - bareMs).toFixed(1)} ms; ` +
    `the package itself: ${(importMs - emptyMs).toFixed(1)} ms`,
);
console.log(
  `  timed inside the child (median of ${IMPORT_RUNS}): import('./dist/index.js') ${median(inside.pkg).toFixed(1)} ms, ` +
    `import of an empty module ${median(inside.empty).toFixed(1)} ms`,
);
const aims = [
  ...[...results, ...legacyResults].map((r) => `${r.name} ${r.ratio >= 2 ? 'meets' : 'misses'} 2x`),
  `cold import ${importMs - bareMs <= 3 ? 'meets' : 'misses'} 3 ms`,
];
console.log(`aims: ${aims.join('; ')}`);
if (sink === -1) console.log(''); // keeps the measured results alive
