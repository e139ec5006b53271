// Requests per second of the BUILT token server (dist/server/index.js):
// POST /token (a login: one scrypt password hash, default cost) against
// POST /token/renew (the session cookie: HMACs and one user store lookup, no
// password hash), at concurrency 1 and 16. Then the user stores side by side:
// renewals per second at 16 connections (spread over many sessions), login
// p50 (one scrypt hash at the default cost) and /health p99 while one client
// renews in a loop, with 2 and 100,000 users in a users file and 1,000,000 in
// PostgreSQL (a cluster made with initdb in a temporary folder, as the
// postgres user; skipped when /usr/lib/postgresql/*/bin/initdb is missing or
// BENCH_PG=off).
//
//   npm run bench            (builds first, runs bench/run.mjs, then this)
//   node bench/server.mjs    (uses the current dist/)
//
// The server runs in a child process on 127.0.0.1 (a free port), so that this
// process's HTTP client does not share its event loop; both share the
// machine. Each case warms up, then runs for BENCH_SERVER_MS (default 3000)
// or BENCH_SERVER_MAX requests (default 20000), whichever ends first. A
// script, not a test: nothing here fails except a request that does.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const APP_ID = '970CA35de60c44645bbae8a215061b33';
const CERT = '5CFd2fd1755d40ecb72977518be15d3b';
const SECRET = 'the session secret of the benchmark, 40 bytes';
const PASSWORD = 'correct horse battery staple';
/**
 * Sessions the store cases renew over (minted by logins with a cheap hash on
 * a second server). The measured server keeps its per-session renewal limit
 * (a burst of 3, then one per 5 s), so each session renews at most BURST
 * times in a run: enough sessions for about 8,000 renewals a second.
 */
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 8192);
const BURST = 3;
const CHEAP = { N: 1024, r: 8, p: 1, keyLength: 32 };

if (process.argv[2] === 'store-server') {
  // A child serving a user store: { location, scrypt?, secret }.
  const config = JSON.parse(process.argv[3]);
  const { openUserStore, startTokenServer } = await import(join(root, 'dist', 'server', 'index.js'));
  const store = await openUserStore(config.location);
  const server = await startTokenServer({
    appId: APP_ID,
    appCertificate: CERT,
    store,
    sessionSecret: SECRET,
    expire: 3600,
    ...(config.scrypt === undefined ? {} : { scrypt: config.scrypt }),
    onWarning: (message) => console.error(`[bench server] ${message}`),
    onError: (error) => console.error(`[bench server] ${error}`),
  });
  process.send({ url: server.url });
  process.on('disconnect', () => void server.close(1000).then(() => store.close?.()).then(() => process.exit(0)));
} else if (process.argv[2] === 'serve') {
  // The child: the token server, its users file with one user, default scrypt cost.
  const { addUser, startTokenServer } = await import(join(root, 'dist', 'server', 'index.js'));
  const usersFile = join(process.argv[3], 'users.json');
  await addUser(usersFile, 'alice', PASSWORD, { chatUserName: 'alice', chatUserUuid: 'a2b6c8f0-3f1e-11ee-9d3c-6f0e7a1b2c3d' });
  // One session renews in a loop here: the per-session renewal limit (3, then 1 per 5 s) is off, to measure the route.
  const server = await startTokenServer({ appId: APP_ID, appCertificate: CERT, usersFile, sessionSecret: SECRET, expire: 3600, renewalLimit: false });
  process.send({ url: server.url });
  process.on('disconnect', () => void server.close(1000).then(() => process.exit(0)));
} else {
  const MS = Number(process.env.BENCH_SERVER_MS ?? 3000);
  const MAX = Number(process.env.BENCH_SERVER_MAX ?? 20000);
  const WARMUP_MS = Number(process.env.BENCH_SERVER_WARMUP_MS ?? 500);
  const dir = mkdtempSync(join(os.tmpdir(), 'atb-bench-server-'));
  const child = fork(fileURLToPath(import.meta.url), ['serve', dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { url } = await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
    });
    const { hostname, port } = new URL(url);
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });

    /** One POST; resolves to the status and the Set-Cookie header. */
    function post(path, body, cookie) {
      return new Promise((resolve, reject) => {
        const payload = JSON.stringify(body);
        const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
        if (cookie) headers.cookie = cookie;
        const req = request({ host: hostname, port, path, method: 'POST', headers, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode, setCookie: res.headers['set-cookie'] }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(payload);
      });
    }

    const login = () => post('/token', { userAccount: 'alice', userPassword: PASSWORD });
    const first = await login();
    if (first.status !== 200) throw new Error(`POST /token answered ${first.status}`);
    const cookie = first.setCookie[0].split(';')[0];
    const renew = () => post('/token/renew', {}, cookie);

    /** Runs `op` from `concurrency` loops for `ms` (or `max` requests in all); returns requests per second. */
    async function run(op, concurrency, ms, max) {
      let done = 0;
      const start = performance.now();
      const deadline = start + ms;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < deadline && done < max) {
            const { status } = await op();
            if (status !== 200) throw new Error(`answered ${status}`);
            done += 1;
          }
        }),
      );
      return done / ((performance.now() - start) / 1000);
    }

    const cases = [
      ['POST /token (scrypt N=2^15)', login],
      ['POST /token/renew (session)', renew],
    ];
    const results = new Map();
    for (const [name, op] of cases) {
      for (const concurrency of [1, 16]) {
        await run(op, concurrency, WARMUP_MS, MAX);
        results.set(`${name}|${concurrency}`, await run(op, concurrency, MS, MAX));
      }
    }
    agent.destroy();

    const cpus = os.cpus();
    console.log(`\ntoken server, requests per second (Node ${process.version}, ${cpus.length} x ${cpus[0]?.model.trim() ?? 'cpu'})`);
    console.log('route'.padEnd(32) + 'c=1'.padStart(10) + 'c=16'.padStart(10));
    for (const [name] of cases) {
      const row = [1, 16].map((c) => results.get(`${name}|${c}`).toFixed(0).padStart(10)).join('');
      console.log(name.padEnd(32) + row);
    }
    for (const c of [1, 16]) {
      const ratio = results.get(`${cases[1][0]}|${c}`) / results.get(`${cases[0][0]}|${c}`);
      console.log(`renew / login at c=${c}: ${ratio.toFixed(1)}x`);
    }
  } finally {
    child.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
  await storesBench();
}

/** Starts a `store-server` child; resolves its URL and a stop function. */
async function storeServer(config) {
  const child = fork(fileURLToPath(import.meta.url), ['store-server', JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { url } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`the bench server exited (${code})`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.disconnect();
      }),
  };
}

function client(url, maxSockets = 64) {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const call = (method, path, body, cookie) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? '' : JSON.stringify(body);
      const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
      if (cookie) headers.cookie = cookie;
      const req = request({ host: hostname, port, path, method, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, setCookie: res.headers['set-cookie'] }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  return { call, close: () => agent.destroy() };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}


/** The users of a store: `count` users `user<i>` sharing ONE default-cost hash, and SESSIONS users `sess<i>` with a cheap one (for minting sessions). */
async function usersFileText(count, hashes) {
  const users = {};
  for (let i = 0; i < count; i++) {
    users[`user${i}`] = { chatUserName: `user${i}`, chatUserUuid: `uuid-${i}`, agoraUid: i + 1, credentialVersion: `v${i}`, password: hashes.standard };
  }
  for (let i = 0; i < SESSIONS; i++) {
    users[`sess${i}`] = { chatUserName: `sess${i}`, chatUserUuid: `s-uuid-${i}`, agoraUid: count + i + 1, credentialVersion: `s${i}`, password: hashes.cheap };
  }
  return JSON.stringify({ version: 2, users });
}

/** A PostgreSQL cluster for the benchmark, like the tests' (initdb as postgres, a free port). */
async function startBenchPostgres() {
  const { execFileSync } = await import('node:child_process');
  const { existsSync, readdirSync, writeFileSync, chmodSync } = await import('node:fs');
  const base = '/usr/lib/postgresql';
  const version = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => b - a)[0] : undefined;
  if (version === undefined || process.env.BENCH_PG === 'off') return undefined;
  const bin = join(base, version, 'bin');
  const pgDir = mkdtempSync(join(os.tmpdir(), 'atb-bench-pg-'));
  chmodSync(pgDir, 0o755);
  writeFileSync(join(pgDir, 'pw'), 'bench-pw\n', { mode: 0o644 });
  const asPostgres = (command, args) => execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('chown', ['postgres:postgres', pgDir]);
  asPostgres(join(bin, 'initdb'), ['-D', join(pgDir, 'data'), '-U', 'agora', '--auth=scram-sha-256', `--pwfile=${join(pgDir, 'pw')}`, '--no-sync', '-E', 'UTF8', '--locale=C']);
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = probe.address().port;
  await new Promise((resolve) => probe.close(resolve));
  const options = `-p ${port} -k ${pgDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB`;
  asPostgres(join(bin, 'pg_ctl'), ['-D', join(pgDir, 'data'), '-o', options, '-l', join(pgDir, 'log'), '-w', 'start']);
  execFileSync('runuser', ['-u', 'postgres', '--', join(bin, 'psql'), '-q', '-h', pgDir, '-p', String(port), '-U', 'agora', '-d', 'postgres', '-c', 'CREATE DATABASE agora'], {
    env: { ...process.env, PGPASSWORD: 'bench-pw' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    url: `postgres://agora:bench-pw@127.0.0.1:${port}/agora`,
    close() {
      try {
        asPostgres(join(bin, 'pg_ctl'), ['-D', join(pgDir, 'data'), '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(pgDir, { recursive: true, force: true });
      }
    },
  };
}

/** One store case: a measured server (default scrypt) and a minting server (cheap scrypt) on the same store and secret. */
async function measureStore(location, count) {
  const measured = await storeServer({ location });
  const minting = await storeServer({ location, scrypt: CHEAP });
  const mint = client(minting.url, 8);
  const http = client(measured.url, 64);
  try {
    // Sessions: SESSIONS logins of the cheap users on the minting server; the cookies are good on both.
    const cookies = [];
    for (let i = 0; i < SESSIONS; i += 8) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(8, SESSIONS - i) }, (_, j) => mint.call('POST', '/token', { userAccount: `sess${i + j}`, userPassword: 'session-password' })),
      );
      for (const answer of batch) {
        if (answer.status !== 200) throw new Error(`minting a session answered ${answer.status}`);
        cookies.push(answer.setCookie[0].split(';')[0]);
      }
    }
    // Each session renews at most BURST times (under the per-session limit); the flood ends when all have.
    let next = 0;
    let budget = cookies.length * BURST;
    const renew = () => http.call('POST', '/token/renew', {}, cookies[next++ % cookies.length]);
    const MS = Number(process.env.BENCH_SERVER_MS ?? 3000);
    // Renewals per second at 16 connections.
    const flood = async (concurrency, ms) => {
      let done = 0;
      const start = performance.now();
      const deadline = start + ms;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < deadline && next < budget) {
            const { status } = await renew();
            if (status !== 200) throw new Error(`renew answered ${status}`);
            done++;
          }
        }),
      );
      return done / ((performance.now() - start) / 1000);
    };
    await flood(16, 500);
    // The warm-up used some sessions' burst: start again from fresh ones.
    cookies.splice(0, Math.min(next, cookies.length));
    next = 0;
    budget = cookies.length * BURST;
    if (budget < 1000) throw new Error('too few sessions left for the renewal flood: raise BENCH_SESSIONS');
    // /health sampled on a connection of its own while the 16 connections renew.
    const healthDuringFlood = [];
    let flooding = true;
    const sampler = (async () => {
      const probe = client(measured.url, 1);
      try {
        while (flooding) {
          const start = performance.now();
          const { status } = await probe.call('GET', '/health');
          if (status !== 200) throw new Error(`/health answered ${status}`);
          healthDuringFlood.push(performance.now() - start);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      } finally {
        probe.close();
      }
    })();
    const renewals = await flood(16, MS);
    flooding = false;
    await sampler;
    // Login p50: default-cost hashes, one at a time.
    const logins = [];
    for (let i = 0; i < 15; i++) {
      const start = performance.now();
      const { status } = await http.call('POST', '/token', { userAccount: `user${(i * 7919) % count}`, userPassword: PASSWORD });
      if (status !== 200) throw new Error(`login answered ${status}`);
      logins.push(performance.now() - start);
    }
    // /health p99 while one client renews in a loop with its one cookie (answered 429 past its burst, as in production).
    let stop = false;
    const looping = cookies[cookies.length - 1];
    const loop = (async () => {
      while (!stop) await http.call('POST', '/token/renew', {}, looping);
    })();
    const health = [];
    const end = performance.now() + MS;
    while (performance.now() < end) {
      const start = performance.now();
      const { status } = await http.call('GET', '/health');
      if (status !== 200) throw new Error(`/health answered ${status}`);
      health.push(performance.now() - start);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    stop = true;
    await loop;
    return { renewals, loginP50: percentile(logins, 50), healthP99: percentile(health, 99), healthP50: percentile(health, 50), floodHealthP99: percentile(healthDuringFlood, 99) };
  } finally {
    mint.close();
    http.close();
    await Promise.all([measured.stop(), minting.stop()]);
  }
}

async function storesBench() {
  const { hashPassword, encodePasswordHash } = await import(join(root, 'dist', 'server', 'index.js'));
  const hashes = { standard: await hashPassword(PASSWORD), cheap: await hashPassword('session-password', CHEAP) };
  const { writeFileSync } = await import('node:fs');
  const dir = mkdtempSync(join(os.tmpdir(), 'atb-bench-stores-'));
  const rows = [];
  try {
    // BENCH_STORES picks cases (file2, file100k, pg); default all.
    const only = new Set((process.env.BENCH_STORES ?? 'file2,file100k,pg').split(','));
    for (const count of [2, 100_000].filter((n) => only.has(n === 2 ? 'file2' : 'file100k'))) {
      const file = join(dir, `users-${count}.json`);
      writeFileSync(file, await usersFileText(count, hashes), { mode: 0o600 });
      rows.push([`users file, ${count.toLocaleString('en-US')} users`, await measureStore(file, count)]);
    }
    const database = !only.has('pg') ? undefined : await startBenchPostgres().catch((error) => {
      console.error(`PostgreSQL case skipped: ${error.message}`);
      return undefined;
    });
    if (database === undefined) {
      if (only.has('pg')) rows.push(['PostgreSQL, 1,000,000 users', undefined]);
    } else {
      try {
        const { default: pg } = await import('pg');
        const { openUserStore } = await import(join(root, 'dist', 'server', 'index.js'));
        const store = await openUserStore(database.url); // creates the table
        await store.close();
        const db = new pg.Client({ connectionString: database.url });
        await db.connect();
        const COUNT = Number(process.env.BENCH_PG_USERS ?? 1_000_000);
        // ONE precomputed hash for every user: no scrypt per row.
        await db.query(
          "INSERT INTO agora_users (user_account, chat_user_name, chat_user_uuid, agora_uid, password_hash, credential_version) " +
            "SELECT 'user' || i, 'user' || i, 'uuid-' || i, i + 1, $1, 'v' || i FROM generate_series(0, $2::int - 1) AS i",
          [encodePasswordHash(hashes.standard), COUNT],
        );
        await db.query(
          "INSERT INTO agora_users (user_account, chat_user_name, chat_user_uuid, agora_uid, password_hash, credential_version) " +
            "SELECT 'sess' || i, 'sess' || i, 's-uuid-' || i, $3::int + i + 1, $1, 's' || i FROM generate_series(0, $2::int - 1) AS i",
          [encodePasswordHash(hashes.cheap), SESSIONS, COUNT],
        );
        await db.query('ANALYZE agora_users');
        await db.end();
        rows.push([`PostgreSQL, ${COUNT.toLocaleString('en-US')} users`, await measureStore(database.url, COUNT)]);
      } finally {
        database.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nuser stores (renewals over ${SESSIONS} sessions, under the per-session limit; login: scrypt N=2^15;`);
  console.log('/health p50 and p99 while one client renews in a loop; /health p99 during the c=16 renewal flood)');
  console.log('store'.padEnd(34) + 'renew/s c=16'.padStart(14) + 'login p50'.padStart(12) + '/health p50'.padStart(13) + '/health p99'.padStart(13) + 'in flood p99'.padStart(14));
  for (const [name, r] of rows) {
    if (r === undefined) {
      console.log(`${name.padEnd(34)}${'skipped (no PostgreSQL)'.padStart(14)}`);
      continue;
    }
    console.log(
      name.padEnd(34) +
        r.renewals.toFixed(0).padStart(14) +
        `${r.loginP50.toFixed(0)} ms`.padStart(12) +
        `${r.healthP50.toFixed(1)} ms`.padStart(13) +
        `${r.healthP99.toFixed(1)} ms`.padStart(13) +
        `${r.floodHealthP99.toFixed(1)} ms`.padStart(14),
    );
  }
}
