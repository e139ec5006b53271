// Requests per second of the BUILT token server (dist/server/index.js):
// POST /token (a login: one scrypt password hash, default cost) against
// POST /token/renew (the session cookie: HMACs and a users file read, no
// password hash), at concurrency 1 and 16.
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

if (process.argv[2] === 'serve') {
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
}
