// The token server under abuse (issue 9, defects 4 and 5, and the timeout
// hardening): malformed request targets, aborted bodies, a full login queue,
// logins whose clients have gone, shutdown under a backlog of logins, and a
// slowloris connection. Servers listen on 127.0.0.1, port 0, and stop themselves.
import { connect, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  hashPassword,
  startTokenServer,
  verifyPassword,
  type PasswordHash,
  type RunningTokenServer,
  type TokenServerOptions,
} from '../src/server/index.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';

const servers: RunningTokenServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close(1000)));
});

/** The warning of a server started without a session secret. */
const NO_SESSION_SECRET = /^warning: no session secret \(AGORA_SESSION_SECRET or sessionSecret\): using a random one/;

async function start(options: TokenServerOptions): Promise<RunningTokenServer> {
  const warnings: string[] = [];
  const running = await startTokenServer({
    appId: APP_ID,
    appCertificate: APP_CERTIFICATE,
    usersFile: 'no-such-file.json',
    onWarning: (message) => warnings.push(message),
    ...options,
  });
  servers.push(running);
  // These servers have no session secret (sessions are not what this file tests): each says so once, at start.
  expect(warnings).toEqual([expect.stringMatching(NO_SESSION_SECRET)]);
  return running;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `condition` holds, for at most `ms`. */
async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(10);
  }
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends raw bytes and resolves with everything the server writes until it closes the connection. */
async function raw(port: number, text: string): Promise<{ status: number; headers: string; body: string }> {
  const socket = await open(port);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(text);
  await new Promise((resolve) => socket.once('close', resolve));
  const response = Buffer.concat(chunks).toString('utf8');
  const [head = '', body = ''] = response.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body };
}

const login = (name: string, password: string) => JSON.stringify({ userAccount: name, userPassword: password });

function loginRequest(name: string, password = 'pw'): string {
  const body = login(name, password);
  return `POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

function postLogin(url: string, name: string, password = 'pw'): Promise<Response> {
  return fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: login(name, password),
    signal: AbortSignal.timeout(20_000),
  });
}

/** An authenticator that counts its calls and holds each one until `release()`. */
function gatedAuthenticator() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const calls: string[] = [];
  const signals: AbortSignal[] = [];
  return {
    calls,
    signals,
    release: () => open(),
    authenticate: async (name: string, _password: string, signal: AbortSignal) => {
      calls.push(name);
      signals.push(signal);
      await gate;
      return { chatUserId: name };
    },
  };
}

describe('malformed request targets', () => {
  it('answers 400 invalid_request to //[ and //x:99999, and logs nothing', async () => {
    const errors: unknown[] = [];
    const server = await start({ onError: (error) => errors.push(error) });
    for (const target of ['//[', '//x:99999', '//', '//[::1', 'http://[', '*']) {
      const response = await raw(server.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(response.status, target).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'invalid_request' } });
    }
    expect(errors).toEqual([]);
  });

  it('serves the login page at / only: //anything is 404', async () => {
    const server = await start({});
    const page = await raw(server.port, 'GET /?from=test HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(page.status).toBe(200);
    expect(page.headers.toLowerCase()).toContain('content-type: text/html');
    for (const target of ['//anything', '//evil.example/', '//x/token']) {
      const response = await raw(server.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(response.status, target).toBe(404);
      expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('does not log a request body the client aborted', async () => {
    const errors: unknown[] = [];
    const auth = gatedAuthenticator();
    const server = await start({ onError: (error) => errors.push(error), authenticate: auth.authenticate });
    for (let i = 0; i < 20; i += 1) {
      const socket = await open(server.port);
      socket.write('POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"userAcc');
      await sleep(5);
      socket.destroy();
    }
    await sleep(300);
    expect(errors).toEqual([]);
    expect(auth.calls).toEqual([]);
  });
});

describe('the login queue', () => {
  it('answers 503 server_busy with Retry-After when maxQueuedLogins logins already wait', async () => {
    const auth = gatedAuthenticator();
    const server = await start({ authenticate: auth.authenticate, maxConcurrentLogins: 1, maxQueuedLogins: 1 });
    let received = 0;
    server.server.on('request', () => (received += 1));
    const first = postLogin(server.url, 'first');
    await until(() => auth.calls.length === 1);
    const second = postLogin(server.url, 'second');
    await until(() => received === 2);
    await sleep(150); // the second login reads its small body and waits for a turn
    const third = await postLogin(server.url, 'third');
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(await third.json()).toMatchObject({ error: { code: 'server_busy' } });
    auth.release();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(auth.calls).toEqual(['first', 'second']);
  });

  it('answers 503 at once with no waiting room (maxQueuedLogins 0) while a login is being checked', async () => {
    const auth = gatedAuthenticator();
    const server = await start({ authenticate: auth.authenticate, maxConcurrentLogins: 1, maxQueuedLogins: 0 });
    const first = postLogin(server.url, 'first');
    await until(() => auth.calls.length === 1);
    const busy = await postLogin(server.url, 'second');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    auth.release();
    expect((await first).status).toBe(200);
    expect((await postLogin(server.url, 'third')).status).toBe(200);
    expect(auth.calls).toEqual(['first', 'third']);
  });

  it('does not check (hash) a login whose client has gone, and tells a running check by its signal', async () => {
    const auth = gatedAuthenticator();
    const server = await start({ authenticate: auth.authenticate, maxConcurrentLogins: 1, maxQueuedLogins: 50 });
    // One login holds the only turn; its client hangs up while it is being checked.
    const holder = await open(server.port);
    holder.write(loginRequest('holder'));
    await until(() => auth.calls.length === 1);
    // Twenty more wait for a turn, then their clients hang up too.
    const waiting = await Promise.all(Array.from({ length: 20 }, () => open(server.port)));
    waiting.forEach((socket, i) => socket.write(loginRequest(`gone-${i}`)));
    await sleep(300);
    for (const socket of waiting) socket.destroy();
    holder.destroy();
    await until(() => auth.signals[0]!.aborted);
    await sleep(200);
    auth.release();
    // A login that stays is served; none of the abandoned ones was ever checked.
    const response = await postLogin(server.url, 'stays');
    expect(response.status).toBe(200);
    expect(auth.calls).toEqual(['holder', 'stays']);
  });

  it('closes within its drain limit under a backlog of 300 logins with a real password hash', async () => {
    const hash: PasswordHash = await hashPassword('the right password');
    let checks = 0;
    const server = await start({
      maxQueuedLogins: 1000,
      authenticate: async (_name, password) => {
        checks += 1;
        return (await verifyPassword(password, hash)) ? { chatUserId: 'x' } : null;
      },
    });
    let received = 0;
    server.server.on('request', () => (received += 1));
    const backlog = Array.from({ length: 300 }, (_, i) =>
      postLogin(server.url, `user-${i}`, 'wrong password').then(
        (response) => response.status,
        () => 'reset',
      ),
    );
    // Every login has reached the server: a few are being hashed, the rest wait for a turn.
    await until(() => received === 300, 20_000);
    const drainLimit = 1000;
    const started = performance.now();
    await server.close(drainLimit);
    const took = performance.now() - started;
    // The stated bound, with a generous margin for a loaded machine; not a speed measurement.
    expect(took).toBeLessThan(drainLimit + 1500);
    const outcomes = await Promise.all(backlog);
    const checksWhenClosed = checks;
    // The queue was dropped: far fewer hashes than logins, and none start after close.
    expect(checksWhenClosed).toBeLessThan(100);
    await sleep(300);
    expect(checks).toBe(checksWhenClosed);
    for (const outcome of outcomes) expect([401, 503, 'reset']).toContain(outcome);
    // The waiting ones are answered 503 (server_busy, shutting down) rather than hashed.
    expect(outcomes.filter((outcome) => outcome === 503).length).toBeGreaterThanOrEqual(300 - checksWhenClosed - 10);
  }, 30_000);
});

describe('HTTP time limits', () => {
  it('cuts a slowloris connection (headers never finished) within headersTimeout + 2 s', async () => {
    const headersTimeout = 1000;
    const server = await start({ headersTimeout });
    const socket = await open(server.port);
    const started = performance.now();
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 200);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('close', resolve));
    clearInterval(trickle);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(headersTimeout - 50);
    expect(took).toBeLessThan(headersTimeout + 2000);
    expect(Buffer.concat(received).toString('utf8')).toMatch(/^HTTP\/1\.1 408/);
  }, 15_000);

  it('checks the drain limit given to close()', async () => {
    const server = await start({});
    for (const bad of [-1, 1.5, NaN, '5000', null]) {
      expect(() => server.close(bad as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', argument: 'timeoutMs' }));
    }
    await server.close(0);
  });

  it('rejects time limits out of range, and a requestTimeout below headersTimeout', async () => {
    await expect(start({ headersTimeout: 10 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'headersTimeout' });
    await expect(start({ headersTimeout: 20_000, requestTimeout: 15_000 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      argument: 'requestTimeout',
    });
  });
});
