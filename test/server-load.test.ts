// Logins must not starve everything else (issue 14, finding 8): on a host
// with many CPUs (32, simulated) the default login concurrency leaves libuv
// threads free, a renewal and /health answer while logins are being hashed
// even with maxConcurrentLogins 32, and a login whose client has gone is
// never hashed. Measured by counts and order, not by time.
import { connect, type Socket } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createMemoryUserStore, type PasswordHasher } from '../src/handler.js';
import { startTokenServer, type RunningTokenServer, type TokenServerOptions } from '../src/server/index.js';
import { defaultLoginConcurrency } from '../src/server/handler.js';
import { createScryptHasher } from '../src/server/password.js';

vi.mock('node:os', async (importOriginal) => ({ ...(await importOriginal<typeof import('node:os')>()), availableParallelism: () => 32 }));

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const SECRET = 'k9#Qm2!vT7zL0pW4xR8nB3yF6jH1sD5g';
const servers: RunningTokenServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close(1000)));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(10);
  }
}

async function start(options: TokenServerOptions): Promise<RunningTokenServer> {
  const server = await startTokenServer({ appId: APP_ID, appCertificate: APP_CERTIFICATE, sessionSecret: SECRET, maxQueuedLogins: 1000, ...options });
  servers.push(server);
  return server;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function loginRequest(name: string, password: string): string {
  const body = JSON.stringify({ userAccount: name, userPassword: password });
  return `POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
}

/** The threads libuv has here: UV_THREADPOOL_SIZE, else 4. */
const UV_THREADS = Number(process.env.UV_THREADPOOL_SIZE) || 4;

describe('the default login concurrency', () => {
  it('is the CPUs, less than libuv\'s threads by 2, at least 1', () => {
    expect(defaultLoginConcurrency(32, undefined)).toBe(2);
    expect(defaultLoginConcurrency(32, '16')).toBe(14);
    expect(defaultLoginConcurrency(8, '64')).toBe(8);
    expect(defaultLoginConcurrency(1, undefined)).toBe(1);
    expect(defaultLoginConcurrency(32, '2')).toBe(1);
    expect(defaultLoginConcurrency(32, 'lots')).toBe(2);
  });

  it('on a 32-CPU host, hashes at most that many logins at once, and none whose client has gone', async () => {
    let open_!: () => void;
    const gate = new Promise<void>((resolve) => (open_ = resolve));
    const started: string[] = [];
    const signals: AbortSignal[] = [];
    // A hasher that holds every check until released: what started is what would have been hashed.
    const held: PasswordHasher = {
      hash: async () => 'unused',
      verify: async (password, _hash, signal) => {
        started.push(password);
        signals.push(signal!);
        await gate;
        return { valid: false };
      },
    };
    const server = await start({ store: createMemoryUserStore(), passwordHasher: held });
    let received = 0;
    server.server.on('request', () => (received += 1));
    const sockets = await Promise.all(Array.from({ length: 40 }, () => open(server.port)));
    sockets.forEach((socket, i) => socket.write(loginRequest(`user-${i}`, `pw-${i}`)));
    await until(() => received === 40);
    await sleep(200); // every body read: the ones past the limit wait for a turn
    const expected = Math.max(1, Math.min(32, UV_THREADS - 2));
    expect(started).toHaveLength(expected);
    // Every client hangs up; the running checks see their signal abort.
    for (const socket of sockets) socket.destroy();
    await until(() => signals.every((signal) => signal.aborted));
    open_();
    await sleep(300);
    expect(started).toHaveLength(expected); // none of the 40 - expected waiting logins was checked
  });
});

describe('under a login flood with maxConcurrentLogins 32', () => {
  it('answers a renewal and /health while the logins are still being hashed', async () => {
    const hasher = createScryptHasher({ N: 2 ** 14 });
    const store = createMemoryUserStore();
    await store.addUser({ userAccount: 'alice', chatUserName: 'alice', chatUserUuid: 'alice-uuid', passwordHash: await hasher.hash('alice-pw') });
    let hashesDone = 0;
    const counting: PasswordHasher = {
      hash: (password) => hasher.hash(password),
      verify: async (password, hash, signal) => {
        try {
          return await hasher.verify(password, hash, signal);
        } finally {
          hashesDone += 1;
        }
      },
    };
    const server = await start({ store, passwordHasher: counting, maxConcurrentLogins: 32 });
    const first = await post(server.url, '/token', { userAccount: 'alice', userPassword: 'alice-pw' });
    expect(first.status).toBe(200);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    hashesDone = 0;
    // 40 wrong-password logins at once: 32 hashes queued on libuv's threads, 8 waiting for a turn.
    const flood = Array.from({ length: 40 }, () => post(server.url, '/token', { userAccount: 'alice', userPassword: 'wrong' }).then((r) => r.status));
    await until(() => hashesDone >= 1);
    const renewal = await post(server.url, '/token/renew', {}, { cookie });
    const doneAtRenewal = hashesDone;
    const health = await fetch(`${server.url}/health`);
    const doneAtHealth = hashesDone;
    expect(renewal.status).toBe(200);
    expect(health.status).toBe(200);
    // The renewal and /health need no thread of libuv's pool: they answer before the flood is through.
    expect(doneAtRenewal).toBeLessThan(20);
    expect(doneAtHealth).toBeLessThan(20);
    expect(await Promise.all(flood)).toEqual(Array.from({ length: 40 }, () => 401));
    expect(hashesDone).toBe(40);
  }, 60_000);
});
