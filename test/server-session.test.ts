// Sessions of the token server: the cookie of POST /token, POST /token/renew
// without a password, POST /logout, and what ends a session. Servers run for
// real on 127.0.0.1 on free ports and are called with fetch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgoraTokenError, decodeToken, verifyToken, type ChatService } from '../src/index.js';
import { addUser, removeUser, type TokenServerOptions } from '../src/server/index.js';
import { ADAPTERS, startWith, type Adapter, type TestServer } from './helpers/servers.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const SECRET = 'the session secret of these tests, 44 bytes';
const OTHER_SECRET = 'another session secret, also over 32 bytes long';
const FAST = { N: 1024 };
const ALICE = { name: 'alice', password: 'alice-password', chatUserName: 'alice-chat', chatUserUuid: '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b' };
const TIMEOUT = () => AbortSignal.timeout(10_000);

let dir: string;
let usersFile: string;
const servers: TestServer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atb-session-'));
  usersFile = join(dir, 'users.json');
  await addUser(usersFile, ALICE.name, ALICE.password, { chatUserName: ALICE.chatUserName, chatUserUuid: ALICE.chatUserUuid, scrypt: FAST });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close(1000)));
  rmSync(dir, { recursive: true, force: true });
});

/** A server of the Node adapter or the Fetch handler (see helpers/servers.ts): every test here runs on both. */
async function startOn(adapter: Adapter, options: TokenServerOptions = {}): Promise<TestServer> {
  const running = await startWith(adapter, { appId: APP_ID, appCertificate: APP_CERTIFICATE, usersFile, sessionSecret: SECRET, expire: 600, scrypt: FAST, ...options });
  servers.push(running);
  return running;
}

function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: TIMEOUT(),
  });
}

/** The Set-Cookie header split into its value and lower-cased attributes. */
function parseSetCookie(response: Response): { name: string; value: string; attributes: Map<string, string> } {
  const header = response.headers.get('set-cookie');
  expect(header).not.toBeNull();
  const [pair, ...rest] = header!.split(';').map((part) => part.trim());
  const at = pair!.indexOf('=');
  const attributes = new Map(rest.map((attribute) => {
    const [key, value = ''] = attribute.split('=');
    return [key!.toLowerCase(), value];
  }));
  return { name: pair!.slice(0, at), value: pair!.slice(at + 1), attributes };
}

async function login(url: string, user = ALICE, headers: Record<string, string> = {}): Promise<{ response: Response; cookie: string }> {
  const response = await post(url, '/token', { userAccount: user.name, userPassword: user.password }, headers);
  expect(response.status).toBe(200);
  const { name, value } = parseSetCookie(response);
  return { response, cookie: `${name}=${value}` };
}

async function expectError(response: Response, status: number, code: string): Promise<string> {
  expect(response.status).toBe(status);
  const text = await response.text();
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(ALICE.password);
  expect(text).not.toContain('agora_session=');
  expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe(code);
  return text;
}

interface TokenBody {
  accessToken: string;
  chatUserName: string;
  chatUserUuid: string;
  expireTimestamp: number;
  expiresIn: number;
}

function tokenUser(token: string): string {
  const decoded = decodeToken(token);
  if (decoded.version !== '007') throw new Error('expected a 007 token');
  return (decoded.services[0] as ChatService).userId;
}

describe.each(ADAPTERS)('%s', (adapter) => {
  const start = (options: TokenServerOptions = {}) => startOn(adapter, options);

  describe('the session cookie of POST /token', () => {
    it('is HttpOnly, SameSite=Strict, Path=/, lasts 12 hours by default, and is not Secure over plain http', async () => {
      const server = await start();
      const { response } = await login(server.url);
      const cookie = parseSetCookie(response);
      expect(cookie.name).toBe('agora_session');
      expect(cookie.value).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/); // version, payload, HMAC-SHA256 in base64url
      expect(cookie.attributes.has('httponly')).toBe(true);
      expect(cookie.attributes.get('samesite')).toBe('Strict');
      expect(cookie.attributes.get('path')).toBe('/');
      expect(cookie.attributes.get('max-age')).toBe(String(12 * 60 * 60));
      expect(cookie.attributes.has('secure')).toBe(false);
      // The cookie holds no password and no hash of it: only names, times and an HMAC fingerprint.
      const payload = Buffer.from(cookie.value.split('.')[1]!, 'base64url').toString('utf8');
      expect(payload).not.toContain(ALICE.password);
      expect(Object.keys(JSON.parse(payload) as object).sort()).toEqual(['a', 'exp', 'f', 'iat', 'n', 'u']);
    });

    it('is Secure with secureCookie, and with trustProxy behind X-Forwarded-Proto: https only', async () => {
      const secure = await start({ secureCookie: true });
      expect(parseSetCookie((await login(secure.url)).response).attributes.has('secure')).toBe(true);
      const proxied = await start({ trustProxy: true });
      expect(parseSetCookie((await login(proxied.url, ALICE, { 'x-forwarded-proto': 'https' })).response).attributes.has('secure')).toBe(true);
      expect(parseSetCookie((await login(proxied.url, ALICE, { 'x-forwarded-proto': 'http' })).response).attributes.has('secure')).toBe(false);
      const direct = await start();
      expect(parseSetCookie((await login(direct.url, ALICE, { 'x-forwarded-proto': 'https' })).response).attributes.has('secure')).toBe(false);
    });

    it('lasts sessionLifetime seconds (or AGORA_SESSION_LIFETIME)', async () => {
      const server = await start({ sessionLifetime: 120 });
      expect(parseSetCookie((await login(server.url)).response).attributes.get('max-age')).toBe('120');
      const fromEnv = await start({ env: { AGORA_SESSION_LIFETIME: '900' } });
      expect(parseSetCookie((await login(fromEnv.url)).response).attributes.get('max-age')).toBe('900');
      await expect(start({ env: { AGORA_SESSION_LIFETIME: '2h' } })).rejects.toThrow(/AGORA_SESSION_LIFETIME/);
    });

    it('is not set by a failed login', async () => {
      const server = await start();
      const response = await post(server.url, '/token', { userAccount: 'alice', userPassword: 'wrong' });
      expect(response.headers.get('set-cookie')).toBeNull();
      await expectError(response, 401, 'invalid_credentials');
    });
  });

  describe('POST /token/renew', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await start();
    });

    it('answers the body of POST /token for a valid session, with a fresh token for the UUID', async () => {
      const { response, cookie } = await login(server.url);
      const first = (await response.json()) as TokenBody;
      await new Promise((resolve) => setTimeout(resolve, 1100)); // a new issueTs
      const renewed = await post(server.url, '/token/renew', {}, { cookie });
      expect(renewed.status).toBe(200);
      expect(renewed.headers.get('cache-control')).toBe('no-store');
      expect(renewed.headers.get('set-cookie')).toBeNull(); // the session keeps its end
      const body = (await renewed.json()) as TokenBody;
      expect(Object.keys(body).sort()).toEqual(Object.keys(first).sort());
      expect(body.chatUserName).toBe(ALICE.chatUserName);
      expect(body.chatUserUuid).toBe(ALICE.chatUserUuid);
      expect(body.expiresIn).toBe(600);
      expect(body.accessToken).not.toBe(first.accessToken);
      expect(body.expireTimestamp).toBeGreaterThan(first.expireTimestamp);
      expect(verifyToken(body.accessToken, APP_CERTIFICATE).status).toBe('valid');
      expect(tokenUser(body.accessToken)).toBe(ALICE.chatUserUuid);
    });

    it('accepts an empty body as well as {}', async () => {
      const { cookie } = await login(server.url);
      expect((await post(server.url, '/token/renew', undefined, { cookie })).status).toBe(200);
    });

    it('answers 401 no_session without a cookie, and session_invalid for a tampered or foreign one (and expires it)', async () => {
      await expectError(await post(server.url, '/token/renew', {}), 401, 'no_session');
      const { cookie } = await login(server.url);
      const [name, value] = cookie.split('=') as [string, string];
      const [version, payload, signature] = value.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, u: 'someone-else' })).toString('base64url');
      for (const bad of [`${version}.${forged}.${signature}`, `${version}.${payload}.${signature.slice(0, -2)}AA`, 'v1.x.y', 'garbage', `v2.${payload}.${signature}`]) {
        const response = await post(server.url, '/token/renew', {}, { cookie: `${name}=${bad}` });
        expect(parseSetCookie(response).attributes.get('max-age')).toBe('0');
        await expectError(response, 401, 'session_invalid');
      }
      const other = await start({ sessionSecret: OTHER_SECRET });
      await expectError(await post(other.url, '/token/renew', {}, { cookie }), 401, 'session_invalid');
    });

    it('is accepted by every server with the same secret (stateless: no server-side store)', async () => {
      const a = await start();
      const b = await start();
      const { cookie } = await login(a.url);
      const response = await post(b.url, '/token/renew', {}, { cookie });
      expect(response.status).toBe(200);
      expect(tokenUser(((await response.json()) as TokenBody).accessToken)).toBe(ALICE.chatUserUuid);
    });

    it('answers 401 session_expired after the session lifetime', async () => {
      const short = await start({ sessionLifetime: 1 });
      const { cookie } = await login(short.url);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      await expectError(await post(short.url, '/token/renew', {}, { cookie }), 401, 'session_expired');
    });

    it('ends the session at once when the password changes or the user is removed', async () => {
      const file = join(dir, `revoke-${adapter}.json`);
      await addUser(file, 'erin', 'erin-password', { chatUserUuid: 'erin-uuid', scrypt: FAST });
      await addUser(file, 'finn', 'finn-password', { chatUserUuid: 'finn-uuid', scrypt: FAST });
      const revoking = await start({ usersFile: file });
      const erin = await login(revoking.url, { ...ALICE, name: 'erin', password: 'erin-password' });
      const finn = await login(revoking.url, { ...ALICE, name: 'finn', password: 'finn-password' });
      expect((await post(revoking.url, '/token/renew', {}, { cookie: erin.cookie })).status).toBe(200);

      await addUser(file, 'erin', 'a new password', { replace: true, scrypt: FAST });
      await expectError(await post(revoking.url, '/token/renew', {}, { cookie: erin.cookie }), 401, 'session_revoked');
      await removeUser(file, 'finn');
      await expectError(await post(revoking.url, '/token/renew', {}, { cookie: finn.cookie }), 401, 'session_revoked');
      // A new login with the new password works again.
      const again = await login(revoking.url, { ...ALICE, name: 'erin', password: 'a new password' });
      expect((await post(revoking.url, '/token/renew', {}, { cookie: again.cookie })).status).toBe(200);
    });

    it('takes the chat names from the users file when they change, without ending the session', async () => {
      const file = join(dir, `rename-${adapter}.json`);
      await addUser(file, 'gus', 'gus-password', { chatUserUuid: 'gus-uuid-1', scrypt: FAST });
      const renaming = await start({ usersFile: file });
      const { cookie } = await login(renaming.url, { ...ALICE, name: 'gus', password: 'gus-password' });
      // Editing the record keeps the hash (the stamp); only the names change.
      const { readUsersFile, writeUsersFile } = await import('../src/server/index.js');
      const current = await readUsersFile(file);
      await writeUsersFile(file, { version: 2, users: { gus: { ...current.users.gus!, chatUserName: 'gus-renamed', chatUserUuid: 'gus-uuid-2' } } });
      const body = (await (await post(renaming.url, '/token/renew', {}, { cookie })).json()) as TokenBody;
      expect(body.chatUserName).toBe('gus-renamed');
      expect(tokenUser(body.accessToken)).toBe('gus-uuid-2');
    });

    it('never calls authenticate (no password, no password hash); custom findUser decides, and its stamp ends sessions', async () => {
      let authenticateCalls = 0;
      let stamp = 'stamp-1';
      const users = new Map([['hana', { chatUserName: 'hana', chatUserUuid: 'hana-uuid' }]]);
      const custom = await start({
        authenticate: (name, password) => {
          authenticateCalls += 1;
          return password === 'hana-password' ? users.get(name) : null;
        },
        findUser: (name) => {
          const user = users.get(name);
          return user && { ...user, credentialStamp: stamp };
        },
      });
      const { cookie } = await login(custom.url, { ...ALICE, name: 'hana', password: 'hana-password' });
      expect(authenticateCalls).toBe(1);
      // Two renewals, then the revoked one: the third of the per-session burst of 3.
      for (let i = 0; i < 2; i++) expect((await post(custom.url, '/token/renew', {}, { cookie })).status).toBe(200);
      expect(authenticateCalls).toBe(1);
      stamp = 'stamp-2';
      await expectError(await post(custom.url, '/token/renew', {}, { cookie }), 401, 'session_revoked');
    });

    it('with a custom authenticate and no findUser, renews for the login\'s chat names (a legacy { chatUserId } too)', async () => {
      const legacy = await start({ authenticate: (name) => ({ chatUserId: `${name}-id` }) });
      const { cookie } = await login(legacy.url, { ...ALICE, name: 'ivy' });
      const body = (await (await post(legacy.url, '/token/renew', {}, { cookie })).json()) as TokenBody;
      expect(body.chatUserName).toBe('ivy-id');
      expect(body.chatUserUuid).toBe('ivy-id');
      expect(tokenUser(body.accessToken)).toBe('ivy-id');
    });

    it('answers 500 internal_error, without details, when findUser throws', async () => {
      const errors: unknown[] = [];
      const failing = await start({
        authenticate: () => ({ chatUserName: 'x', chatUserUuid: 'x' }),
        findUser: () => {
          throw new Error(`database down, password ${ALICE.password}`);
        },
        onError: (error) => errors.push(error),
      });
      const text = await expectError(await post(failing.url, '/token', { userAccount: 'x', userPassword: 'y' }), 500, 'internal_error');
      expect(text).not.toContain('database');
      expect(errors).toHaveLength(1);
    });

    it('keeps the CSRF defences of POST /token: JSON only, exact-origin CORS with credentials', async () => {
      const { cookie } = await login(server.url);
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const response = await fetch(`${server.url}/token/renew`, { method: 'POST', headers: { 'content-type': type, cookie }, body: '{}', signal: TIMEOUT() });
        await expectError(response, 415, 'unsupported_media_type');
      }
      const notJson = await fetch(`${server.url}/token/renew`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{', signal: TIMEOUT() });
      await expectError(notJson, 400, 'invalid_json');

      const origin = 'https://app.example.com';
      const cors = await start({ allowedOrigin: origin });
      for (const path of ['/token/renew', '/logout']) {
        const preflight = await fetch(`${cors.url}${path}`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
          signal: TIMEOUT(),
        });
        expect(preflight.status).toBe(204);
        expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
        expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
        expect(preflight.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
        const evil = await fetch(`${cors.url}${path}`, {
          method: 'OPTIONS',
          headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
          signal: TIMEOUT(),
        });
        expect(evil.headers.get('access-control-allow-origin')).toBeNull();
        expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
        await expectError(evil, 403, 'origin_not_allowed');
      }
    });

    it('answers 405 with an Allow header for GET', async () => {
      for (const path of ['/token/renew', '/logout']) {
        const response = await fetch(`${server.url}${path}`, { signal: TIMEOUT() });
        expect(response.headers.get('allow')).toBe('POST, OPTIONS');
        await expectError(response, 405, 'method_not_allowed');
      }
    });
  });

  describe('POST /logout', () => {
    it('answers 204 and expires the cookie, with or without a session; JSON only', async () => {
      const server = await start();
      const { cookie } = await login(server.url);
      const response = await post(server.url, '/logout', {}, { cookie });
      expect(response.status).toBe(204);
      const cleared = parseSetCookie(response);
      expect(cleared.name).toBe('agora_session');
      expect(cleared.value).toBe('');
      expect(cleared.attributes.get('max-age')).toBe('0');
      expect(cleared.attributes.has('httponly')).toBe(true);
      expect((await post(server.url, '/logout', {})).status).toBe(204);
      const form = await fetch(`${server.url}/logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: 'a=1', signal: TIMEOUT() });
      await expectError(form, 415, 'unsupported_media_type');
    });
  });

  describe('the session secret', () => {
    const base = { appId: APP_ID, appCertificate: APP_CERTIFICATE, usersFile: 'unused.json' };

    it('comes from AGORA_SESSION_SECRET: servers sharing it accept each other\'s sessions', async () => {
      const a = await start({ sessionSecret: undefined, env: { AGORA_SESSION_SECRET: OTHER_SECRET } });
      const b = await start({ sessionSecret: OTHER_SECRET });
      const { cookie } = await login(a.url);
      expect((await post(b.url, '/token/renew', {}, { cookie })).status).toBe(200);
    });

    it('without one, is made at start and the server warns that sessions end at restart', async () => {
      const warnings: string[] = [];
      const a = await start({ sessionSecret: undefined, env: {}, onWarning: (message) => warnings.push(message) });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/session secret/);
      expect(warnings[0]).toMatch(/restart/);
      const b = await start({ sessionSecret: undefined, env: {}, onWarning: () => undefined });
      const { cookie } = await login(a.url);
      expect((await post(a.url, '/token/renew', {}, { cookie })).status).toBe(200);
      await expectError(await post(b.url, '/token/renew', {}, { cookie }), 401, 'session_invalid');
    });

    it('is refused when shorter than 32 bytes, and the message does not contain it', async () => {
      const { createTokenHandler } = await import('../src/server/index.js');
      const short = 'short-secret-1234';
      let caught: unknown;
      try {
        createTokenHandler({ ...base, sessionSecret: short });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AgoraTokenError);
      expect((caught as AgoraTokenError).code).toBe('ERR_INVALID_ARGUMENT');
      expect((caught as AgoraTokenError).argument).toBe('sessionSecret');
      expect((caught as Error).message).not.toContain(short);
      expect(() => createTokenHandler({ ...base, sessionSecret: SECRET, sessionLifetime: 0 })).toThrow(/sessionLifetime/);
    });
  });

  describe('the users file', () => {
    it('is checked at the first login: one warning when others can read it', async () => {
      const { chmodSync } = await import('node:fs');
      const file = join(dir, `open-${adapter}.json`);
      await addUser(file, 'alice', ALICE.password, { chatUserName: ALICE.chatUserName, chatUserUuid: ALICE.chatUserUuid, scrypt: FAST });
      chmodSync(file, 0o644);
      const warnings: string[] = [];
      const server = await start({ usersFile: file, onWarning: (message) => warnings.push(message) });
      expect(warnings).toEqual([]);
      await login(server.url);
      await login(server.url);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(file);
      expect(warnings[0]).toMatch(/chmod 600/);
    });
  });

  describe('GET /assets/', () => {
    it('serves the built client and web modules as JavaScript, and nothing else', async () => {
      const server = await start();
      const client = await fetch(`${server.url}/assets/agora-token-builder-client.js`, { signal: TIMEOUT() });
      expect(client.status).toBe(200);
      expect(client.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(client.headers.get('x-content-type-options')).toBe('nosniff');
      const text = await client.text();
      expect(text).toMatch(/export \{[^}]*TokenClient/);
      expect(text).not.toMatch(/from ["']node:|require\(/); // loads in a browser as is
      for (const path of ['/assets/', '/assets/../package.json', '/assets/index.js', '/assets/client/index.js']) {
        expect((await fetch(`${server.url}${path}`, { signal: TIMEOUT() })).status).toBe(404);
      }
      const bare = await start({ page: false });
      expect((await fetch(`${bare.url}/assets/agora-token-builder-client.js`, { signal: TIMEOUT() })).status).toBe(404);
    });
  });
});
