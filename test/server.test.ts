// The token server, started for real on 127.0.0.1 on a free port and called with fetch.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgoraTokenError, decodeToken, verifyToken, type ChatService, type DecodedToken007 } from '../src/index.js';
import {
  addUser,
  createTokenHandler,
  startTokenServer,
  type TokenServerOptions,
} from '../src/server/index.js';
import { ADAPTERS, startWith, type Adapter, type TestServer } from './helpers/servers.js';

/** Decodes a token that must be a 007 one (the chat builders make no other). */
function decode007(token: string): DecodedToken007 {
  const decoded = decodeToken(token);
  if (decoded.version !== '007') throw new Error(`expected a 007 token, got ${decoded.version}`);
  return decoded;
}


const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const OTHER_CERTIFICATE = '0123456789abcdef0123456789abcdef';
const FAST = { N: 1024 }; // cheap scrypt for tests
const SESSION_SECRET = 'a test session secret of at least 32 bytes';
const USERS = [
  { name: 'alice', password: 'alice-password', chatUserName: 'alice-chat', chatUserUuid: '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b' },
  { name: 'bob', password: 'bob-password', chatUserName: 'bob', chatUserUuid: 'b0b00000-0000-11e8-9b1f-1d7a0b5d214b' },
  { name: 'carol', password: 'pässwörd ✓', chatUserName: 'carol-7', chatUserUuid: 'ca7o1000-0000-11e8-9b1f-1d7a0b5d214b' },
  { name: 'dave', password: 'dave-password', chatUserName: 'dave', chatUserUuid: 'dave0000-0000-11e8-9b1f-1d7a0b5d214b' },
];

let dir: string;
let usersFile: string;
const servers: TestServer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atb-server-'));
  usersFile = join(dir, 'users.json');
  for (const u of USERS) await addUser(usersFile, u.name, u.password, { chatUserName: u.chatUserName, chatUserUuid: u.chatUserUuid, scrypt: FAST });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close(1000)));
  rmSync(dir, { recursive: true, force: true });
});

/** A server of the Node adapter or the Fetch handler (see helpers/servers.ts): the shared tests run on both. */
async function startOn(adapter: Adapter, options: TokenServerOptions = {}): Promise<TestServer> {
  // The users file's authenticator with the users' FAST scrypt settings: no rehash, no default-cost dummy hash.
  const running = await startWith(adapter, { appId: APP_ID, appCertificate: APP_CERTIFICATE, usersFile, sessionSecret: SESSION_SECRET, scrypt: FAST, ...options });
  servers.push(running);
  expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  return running;
}

/** The Node adapter only: for what only it has (mounting by hand, graceful close). */
const start = (options: TokenServerOptions = {}) => startOn('node', options);

const TIMEOUT = () => AbortSignal.timeout(10_000);

function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: TIMEOUT(),
  });
}

async function expectError(response: Response, status: number, code: string): Promise<{ code: string; message: string }> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const text = await response.text();
  // An error never carries a token, the certificate or a password.
  expect(text).not.toMatch(/007eJ|"accessToken"/);
  expect(text).not.toContain(APP_CERTIFICATE);
  for (const u of USERS) expect(text).not.toContain(u.password);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error;
}

describe.each(ADAPTERS)('%s', (adapter) => {
  const start = (options: TokenServerOptions = {}) => startOn(adapter, options);

  describe('POST /token', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await start({ expire: 600 });
    });

    it('answers { accessToken, chatUserName, chatUserUuid, expireTimestamp, expiresIn }: the username, and a token built for the UUID', async () => {
      const before = Math.floor(Date.now() / 1000);
      const response = await postJson(server.url, { userAccount: 'alice', userPassword: 'alice-password' });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as { accessToken: string; chatUserName: string; chatUserUuid: string; expireTimestamp: number; expiresIn: number };
      expect(Object.keys(body).sort()).toEqual(['accessToken', 'chatUserName', 'chatUserUuid', 'expireTimestamp', 'expiresIn']);
      expect(body.chatUserName).toBe('alice-chat');
      expect(body.chatUserUuid).toBe('0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b');
      expect(body.expiresIn).toBe(600);

      const decoded = decode007(body.accessToken);
      expect(decoded.appId).toBe(APP_ID);
      expect(decoded.issueTs).toBeGreaterThanOrEqual(before);
      expect(decoded.expire).toBe(600);
      expect(body.expireTimestamp).toBe(decoded.issueTs + 600); // Unix seconds
      expect(decoded.services).toEqual([{ type: 5, userId: '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b', privileges: { 1: 600 } }]);

      expect(verifyToken(body.accessToken, APP_CERTIFICATE).status).toBe('valid');
      expect(verifyToken(body.accessToken, OTHER_CERTIFICATE).status).toBe('bad-signature');
      expect(verifyToken(body.accessToken, APP_CERTIFICATE, { now: body.expireTimestamp }).status).toBe('expired');
    });

    it('accepts a UTF-8 charset parameter and non-ASCII passwords', async () => {
      const response = await postJson(server.url, { userAccount: 'carol', userPassword: 'pässwörd ✓' }, { 'content-type': 'application/json; charset=UTF-8' });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { chatUserName: string }).chatUserName).toBe('carol-7');
    });

    it('answers 401 invalid_credentials, identically, for a wrong password and an unknown user', async () => {
      const wrong = await expectError(await postJson(server.url, { userAccount: 'alice', userPassword: 'nope' }), 401, 'invalid_credentials');
      const unknown = await expectError(await postJson(server.url, { userAccount: 'mallory', userPassword: 'alice-password' }), 401, 'invalid_credentials');
      expect(unknown).toEqual(wrong);
    });

    it('answers 400 invalid_json for a body that is not JSON (or not UTF-8)', async () => {
      await expectError(await postJson(server.url, '{"userAccount": "alice",'), 400, 'invalid_json');
      await expectError(await postJson(server.url, ''), 400, 'invalid_json');
      const latin1 = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]), // {"é":1} in Latin-1
        signal: TIMEOUT(),
      });
      await expectError(latin1, 400, 'invalid_json');
    });

    it.each([
      ['an array', []],
      ['null', null],
      ['a string', 'alice'],
      ['no password', { userAccount: 'alice' }],
      ['no account', { userPassword: 'alice-password' }],
      ['a numeric password', { userAccount: 'alice', userPassword: 1234 }],
      ['an empty account', { userAccount: '', userPassword: 'alice-password' }],
      ['an over-long account', { userAccount: 'a'.repeat(257), userPassword: 'x' }],
    ])('answers 400 invalid_request for %s', async (_what, body) => {
      await expectError(await postJson(server.url, JSON.stringify(body)), 400, 'invalid_request');
    });

    it('answers 413 body_too_large for a body over the limit, declared or streamed', async () => {
      const big = JSON.stringify({ userAccount: 'alice', userPassword: 'x'.repeat(10_000) });
      await expectError(await postJson(server.url, big), 413, 'body_too_large');
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 8; i++) controller.enqueue(new Uint8Array(1024).fill(0x20));
          controller.close();
        },
      });
      const chunked = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
        signal: TIMEOUT(),
      } as RequestInit);
      await expectError(chunked, 413, 'body_too_large');
    });

    it.each([
      ['no content type', undefined],
      ['text/plain', 'text/plain'],
      ['a form', 'application/x-www-form-urlencoded'],
      ['JSON in Latin-1', 'application/json; charset=iso-8859-1'],
    ])('answers 415 unsupported_media_type for %s', async (_what, type) => {
      const response = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: type === undefined ? {} : { 'content-type': type },
        body: type === undefined ? new Uint8Array(Buffer.from('{"userAccount":"alice","userPassword":"alice-password"}')) : '{"userAccount":"alice","userPassword":"alice-password"}',
        signal: TIMEOUT(),
      });
      await expectError(response, 415, 'unsupported_media_type');
    });

    it('answers 405 method_not_allowed with an Allow header for GET /token', async () => {
      const response = await fetch(`${server.url}/token`, { signal: TIMEOUT() });
      expect(response.headers.get('allow')).toBe('POST, OPTIONS');
      await expectError(response, 405, 'method_not_allowed');
    });

    it('answers 404 not_found for an unknown route, and hands out no app token anywhere', async () => {
      for (const path of ['/nope', '/app/token', '/chat/app/token', '/token/app', '/chat/user/uuid/x/token/extra']) {
        await expectError(await fetch(`${server.url}${path}`, { signal: TIMEOUT() }), 404, 'not_found');
      }
    });

    it('answers 404 demo_only for the seed\'s GET /chat/user/uuid/{uuid}/token outside demo mode', async () => {
      await expectError(await fetch(`${server.url}/chat/user/uuid/alice/token`, { signal: TIMEOUT() }), 404, 'demo_only');
    });

    it('answers 500 internal_error, without details, when authenticate throws', async () => {
      const errors: unknown[] = [];
      const failing = await start({
        authenticate: () => {
          throw new Error('database password is hunter2');
        },
        onError: (error) => errors.push(error),
      });
      const error = await expectError(await postJson(failing.url, { userAccount: 'alice', userPassword: 'x' }), 500, 'internal_error');
      expect(error.message).not.toContain('hunter2');
      expect(errors).toHaveLength(1);
    });

    it('serves hundreds of concurrent requests, each answered correctly, in bounded time', async () => {
      const N = 300;
      // The default login queue (64) would answer part of this burst 503; a larger one takes it all.
      const server = await start({ expire: 600, maxQueuedLogins: N });
      const started = performance.now();
      const signal = AbortSignal.timeout(20_000);
      const requests = Array.from({ length: N }, async (_, i) => {
        const user = USERS[i % USERS.length]!;
        const kind = i % 10 === 0 ? 'wrong' : i % 10 === 1 ? 'health' : 'login';
        if (kind === 'health') {
          const response = await fetch(`${server.url}/health`, { signal });
          return response.status === 200 && ((await response.json()) as { status: string }).status === 'ok';
        }
        const password = kind === 'wrong' ? `${user.password}!` : user.password;
        const response = await fetch(`${server.url}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userAccount: user.name, userPassword: password }),
          signal,
        });
        const body = (await response.json()) as { accessToken?: string; chatUserName?: string; error?: { code: string } };
        if (kind === 'wrong') return response.status === 401 && body.error?.code === 'invalid_credentials' && body.accessToken === undefined;
        if (response.status !== 200 || body.chatUserName !== user.chatUserName) return false;
        const verdict = verifyToken(body.accessToken!, APP_CERTIFICATE);
        return verdict.status === 'valid' && ((verdict.token as DecodedToken007).services[0] as ChatService).userId === user.chatUserUuid;
      });
      const results = await Promise.all(requests);
      expect(results.filter((ok) => !ok)).toHaveLength(0);
      expect(results).toHaveLength(N);
      expect(performance.now() - started).toBeLessThan(20_000);
    });
  });

  describe('routes and CORS', () => {
    it('answers GET /health with {"status": "ok"}', async () => {
      const server = await start();
      const response = await fetch(`${server.url}/health`, { signal: TIMEOUT() });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
      await expectError(await fetch(`${server.url}/health`, { method: 'POST', signal: TIMEOUT() }), 405, 'method_not_allowed');
    });

    it('serves the login page at / with a strict CSP, unless page is false', async () => {
      const server = await start();
      const response = await fetch(`${server.url}/`, { signal: TIMEOUT() });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self' 'sha256-[^ ;]+'; style-src 'sha256-/);
      const html = await response.text();
      expect(html).toContain('id="userID"');
      expect(html).toContain('id="password"');
      expect(html).toContain('id="login"');
      expect(html).not.toMatch(/<script src=|https?:\/\//); // nothing loaded from anywhere else
      expect(html).toContain("from './assets/agora-token-builder-client.js'");
      expect(html).toContain('<title>Agora Chat sign-in</title>');
      expect(html).not.toContain('demo-badge');
      const bare = await start({ page: false });
      await expectError(await fetch(`${bare.url}/`, { signal: TIMEOUT() }), 404, 'not_found');
    });

    it('allows the configured origin only', async () => {
      const origin = 'https://app.example.com';
      const server = await start({ allowedOrigin: origin });
      const preflight = await fetch(`${server.url}/token`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
        signal: TIMEOUT(),
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
      expect(preflight.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
      expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');

      const login = await postJson(server.url, { userAccount: 'bob', userPassword: 'bob-password' }, { origin });
      expect(login.status).toBe(200);
      expect(login.headers.get('access-control-allow-origin')).toBe(origin);
      expect(login.headers.get('access-control-allow-credentials')).toBe('true'); // the session cookie may cross

      const evil = 'https://evil.example';
      const refused = await fetch(`${server.url}/token`, {
        method: 'OPTIONS',
        headers: { origin: evil, 'access-control-request-method': 'POST' },
        signal: TIMEOUT(),
      });
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      await expectError(refused, 403, 'origin_not_allowed');
      const noCors = await postJson(server.url, { userAccount: 'bob', userPassword: 'bob-password' }, { origin: evil });
      expect(noCors.headers.get('access-control-allow-origin')).toBeNull(); // the browser keeps the answer from that page
      await noCors.body?.cancel();
    });

    it('sends no CORS headers when no origin is configured', async () => {
      const server = await start();
      const preflight = await fetch(`${server.url}/token`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
        signal: TIMEOUT(),
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      await expectError(preflight, 403, 'origin_not_allowed');
    });
  });

  describe('demo mode', () => {
    it('serves the seed\'s GET /chat/user/uuid/{uuid}/token as a bare token', async () => {
      const server = await start({ demo: true, expire: 60 });
      const response = await fetch(`${server.url}/chat/user/uuid/${encodeURIComponent('0ffe-214b ü')}/token`, { signal: TIMEOUT() });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      const token = await response.text();
      const verdict = verifyToken(token, APP_CERTIFICATE);
      expect(verdict.status).toBe('valid');
      expect(verdict.valid && (verdict.token as DecodedToken007).expire).toBe(60);
      expect(verdict.valid && (verdict.token as DecodedToken007).services).toEqual([{ type: 5, userId: '0ffe-214b ü', privileges: { 1: 60 } }]);
      await expectError(await fetch(`${server.url}/chat/user/uuid//token`, { signal: TIMEOUT() }), 400, 'invalid_request');
      await expectError(await fetch(`${server.url}/chat/user/uuid/%E0%A4%A/token`, { signal: TIMEOUT() }), 400, 'invalid_request');
      await expectError(await fetch(`${server.url}/chat/user/uuid/a/token`, { method: 'POST', signal: TIMEOUT() }), 405, 'method_not_allowed');
    });
  });
});

describe('options', () => {
  it('caps expire at 24 hours unless allowLongExpire, and refuses 0', () => {
    const warnings: string[] = [];
    const base = { appId: APP_ID, appCertificate: APP_CERTIFICATE, usersFile, onWarning: (message: string) => warnings.push(message) };
    expect(() => createTokenHandler({ ...base, expire: 86_400 })).not.toThrow();
    const error = (() => {
      try {
        createTokenHandler({ ...base, expire: 86_401 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AgoraTokenError);
    expect((error as AgoraTokenError).code).toBe('ERR_EXPIRE_LIMIT');
    expect(() => createTokenHandler({ ...base, expire: 172_800, allowLongExpire: true })).not.toThrow();
    expect(() => createTokenHandler({ ...base, expire: 0 })).toThrow(/at least 1 second/);
    expect(() => createTokenHandler({ ...base, expire: 1.5 })).toThrow(AgoraTokenError);
    // The two handlers made (86,400 s and 172,800 s) have no session secret, and say so; the refused ones say nothing.
    expect(warnings).toEqual([expect.stringMatching(/^warning: no session secret/), expect.stringMatching(/^warning: no session secret/)]);
  });

  it('reads the credentials from AGORA_APP_ID and AGORA_APP_CERTIFICATE, and says which is missing, never its value', () => {
    const warnings: string[] = [];
    expect(() =>
      createTokenHandler({ usersFile, env: { AGORA_APP_ID: APP_ID, AGORA_APP_CERTIFICATE: APP_CERTIFICATE }, onWarning: (message) => warnings.push(message) }),
    ).not.toThrow();
    expect(warnings).toEqual([expect.stringMatching(/^warning: no session secret/)]);
    expect(() => createTokenHandler({ usersFile, env: { AGORA_APP_ID: APP_ID } })).toThrow(/appCertificate/);
    let message = '';
    try {
      createTokenHandler({ usersFile, env: { AGORA_APP_ID: APP_ID, AGORA_APP_CERTIFICATE: 'short-secret-value' } });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/appCertificate must be 32 hexadecimal/);
    expect(message).not.toContain('short-secret-value');
  });
});

describe('mounted in an existing app', () => {
  let host: Server;
  let url: string;
  beforeAll(async () => {
    // An Express-like app: the handler is mounted under /agora (the prefix is
    // stripped from req.url), a JSON body parser may run first, and what the
    // handler does not serve falls through to next().
    const handler = createTokenHandler({ appId: APP_ID, appCertificate: APP_CERTIFICATE, usersFile, scrypt: FAST, sessionSecret: SESSION_SECRET });
    host = createServer((req, res) => {
      const next = () => {
        res.writeHead(418, { 'content-type': 'text/plain' }).end('the rest of the app');
      };
      if (req.url === '/parsed/token') {
        // Like express.json(): the stream is consumed and req.body set.
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          (req as IncomingMessage & { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          req.url = '/token';
          handler(req, res, next);
        });
        return;
      }
      if (req.url?.startsWith('/agora/')) {
        req.url = req.url.slice('/agora'.length);
        handler(req, res, next);
        return;
      }
      next();
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => host.close(() => resolve())));

  it('answers its routes under the prefix and passes the rest to next()', async () => {
    const response = await postJson(`${url}/agora`, { userAccount: 'dave', userPassword: 'dave-password' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { chatUserName: string }).chatUserName).toBe('dave');
    const other = await fetch(`${url}/agora/other`, { signal: TIMEOUT() });
    expect(other.status).toBe(418);
    expect(await other.text()).toBe('the rest of the app');
  });

  it('uses req.body when a body parser has already read the stream', async () => {
    const response = await postJson(`${url}/parsed`, { userAccount: 'dave', userPassword: 'dave-password' });
    expect(response.status).toBe(200);
    const wrong = await postJson(`${url}/parsed`, { userAccount: 'dave', userPassword: 'wrong' });
    await expectError(wrong, 401, 'invalid_credentials');
  });
});

describe('graceful close', () => {
  it('finishes the request in flight, then refuses new connections', async () => {
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const server = await start({
      authenticate: async (name) => {
        entered();
        await new Promise((resolve) => setTimeout(resolve, 300));
        return { chatUserId: name };
      },
    });
    const inFlight = postJson(server.url, { userAccount: 'slow', userPassword: 'x' });
    await inside;
    const closed = server.close(5000);
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { chatUserName: string }).chatUserName).toBe('slow');
    await closed;
    await expect(fetch(`${server.url}/health`, { signal: TIMEOUT() })).rejects.toThrow();
  });
});
