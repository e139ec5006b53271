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
const web = await import(join(root, 'dist', 'web.js'));
const nodeCrypto = await import('node:crypto');
const { deflateSync, inflateSync } = await import('node:zlib');
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

/** Like measure, for an operation that returns a promise: one at a time, awaited. */
async function measureAsync(op, ms) {
  const budget = BigInt(Math.round(ms * 1e6));
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  let count = 0;
  while (elapsed < budget) {
    for (let i = 0; i < 16; i++) sink += await op(count + i);
    count += 16;
    elapsed = process.hrtime.bigint() - start;
  }
  return count / (Number(elapsed) / 1e9);
}

/**
 * Ours against theirs in interleaved rounds; with `floor`, the floor takes
 * part in the same rounds (ours / floor is then the time ratio, 1 = at the floor).
 */
function comparePair(name, oursOp, theirsOp, floorOp) {
  const sides = floorOp ? [oursOp, theirsOp, floorOp] : [oursOp, theirsOp];
  for (const op of sides) measure(op, WARMUP_MS);
  const ops = sides.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order so drift in machine load spreads over every side.
    for (let k = 0; k < sides.length; k++) {
      const side = (k + round) % sides.length;
      ops[side].push(measure(sides[side], ROUND_MS));
    }
  }
  const [a, b, f] = ops;
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
    ...(f ? { floorOps: median(f), overFloor: median(f) / oursOps } : {}),
  };
}

// The floor: the native work no implementation of the format can skip, done
// the cheapest way Node offers, written out here independently of the
// library: HMAC-SHA256 from two one-shot crypto.hash calls (RFC 2104) into
// reused buffers, and zlib with small output chunks.
const hash = nodeCrypto.hash;
const floorInner = Buffer.alloc(1024);
const floorOuter = Buffer.alloc(96);
function floorHmac(key, message) {
  for (let i = 0; i < 64; i++) {
    const k = i < key.length ? key[i] : 0;
    floorInner[i] = k ^ 0x36;
    floorOuter[i] = k ^ 0x5c;
  }
  floorInner.set(message, 64);
  floorOuter.write(hash('sha256', floorInner.subarray(0, 64 + message.length), 'latin1'), 64, 'latin1');
  return Buffer.from(hash('sha256', floorOuter, 'latin1'), 'latin1');
}
if (!floorHmac(Buffer.from('key'), Buffer.from('message')).equals(nodeCrypto.createHmac('sha256', 'key').update('message').digest())) {
  throw new Error('the floor HMAC is not HMAC-SHA256');
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

// Build floor: the two HMACs a build cannot cache (signing key, signature),
// deflateSync of the content and base64 of the result.
const SAMPLE_CONTENT = Buffer.from(
  new ours.AccessToken2(APP_ID, CERT, EXPIRE, { issueTs: now, salt: 1 })
    .addService({ type: 5, userId: USER_ID, privileges: { 1: EXPIRE } })
    .content(),
);
const INNER_KEY = floorHmac(Buffer.from([1, 2, 3, 4]), Buffer.from(CERT));
function buildFloor(i) {
  const signingKey = floorHmac(Buffer.from([i & 0xff, 0, 0, 1]), INNER_KEY);
  const signature = floorHmac(signingKey, SAMPLE_CONTENT.subarray(34));
  return signature[0] + deflateSync(SAMPLE_CONTENT).toString('base64').length;
}
// Verify floor: inflateSync of the token body and the three HMACs (issueTs differs per token).
const POOL_COMPRESSED = POOL.map((token) => Buffer.from(token.slice(3), 'base64'));
const verifyFloor = (i) => {
  const content = inflateSync(POOL_COMPRESSED[i & 63], { chunkSize: 1024 });
  const innerKey = floorHmac(Buffer.from([i & 0xff, 1, 2, 3]), Buffer.from(CERT));
  const signingKey = floorHmac(Buffer.from([1, 2, 3, 4]), innerKey);
  return floorHmac(signingKey, content.subarray(34))[0];
};

const results = [
  comparePair(
    'ChatTokenBuilder2.buildUserToken',
    () => ours.ChatTokenBuilder2.buildUserToken(APP_ID, CERT, USER_ID, EXPIRE).length,
    () => ChatTokenBuilder.buildUserToken(APP_ID, CERT, USER_ID, EXPIRE).length,
    buildFloor,
  ),
  comparePair(
    'decode + verify (64 distinct tokens)',
    poolOp((token) => (ours.verifyToken(token, CERT).valid ? 1 : 0)),
    poolOp((token) => {
      const parsed = new TheirAccessToken2();
      return parsed.from_string(token) && parsed.verifySignature(CERT) ? 1 : 0;
    }),
    verifyFloor,
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

// The web entry on Node (Web platform APIs: crypto.subtle, compression streams):
// reported beside the root's figures, not a target.
const webResults = [];
for (const [name, op, rootOps] of [
  [
    'ChatTokenBuilder2.buildUserToken',
    async () => (await web.ChatTokenBuilder2.buildUserToken(APP_ID, CERT, USER_ID, EXPIRE)).length,
    results[0].oursOps,
  ],
  [
    'decode + verify (64 distinct tokens)',
    async (i) => ((await web.verifyToken(POOL[i & 63], CERT)).valid ? 1 : 0),
    results[1].oursOps,
  ],
]) {
  await measureAsync(op, WARMUP_MS);
  const rounds = [];
  for (let round = 0; round < Math.max(3, ROUNDS >> 1); round++) rounds.push(await measureAsync(op, ROUND_MS));
  webResults.push({ name, ops: median(rounds), rootOps });
}

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
console.log('against the floor measured in the same rounds (time per operation, ours / floor; aim: at most 1.25x):');
for (const r of results.filter((x) => x.floorOps !== undefined)) {
  console.log(
    `  ${r.name}: floor ${(1e6 / r.floorOps).toFixed(2)} µs, ours ${(1e6 / r.oursOps).toFixed(2)} µs, ` +
      `${r.overFloor.toFixed(2)}x the floor; ${r.ratio.toFixed(2)}x agora-token (aim: at least 2.2x)`,
  );
}
console.log('');
console.log('the web entry (agora-token-builder/web) on this Node, awaited one at a time (reported, not a target):');
for (const r of webResults) {
  console.log(`  ${r.name}: ${fmt(r.ops)} ops/s (${(1e6 / r.ops).toFixed(1)} µs), ${(r.ops / r.rootOps).toFixed(2)}x the root entry`);
}
console.log('');
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
  ...results.slice(0, 2).map((r) => `${r.name} ${r.ratio >= 2.2 ? 'meets' : 'misses'} 2.2x`),
  ...results.slice(0, 2).map((r) => `${r.name} ${r.overFloor <= 1.25 ? 'meets' : 'misses'} 1.25x floor`),
  ...[...results.slice(2), ...legacyResults].map((r) => `${r.name} ${r.ratio >= 2 ? 'meets' : 'misses'} 2x`),
  `cold import ${importMs - bareMs <= 3 ? 'meets' : 'misses'} 3 ms`,
];
console.log(`aims: ${aims.join('; ')}`);
if (sink === -1) console.log(''); // keeps the measured results alive
