// The token service over a user store, run against both the Node adapter and
// the Fetch handler: one store read per decision, 503 while the store cannot
// answer, GET /session, tokens capped at the session's end, the strict
// cookie signature, the weak-secret warning and the per-session renewal limit.
import { afterAll, describe, expect, it } from 'vitest';
import { decodeToken, verifyToken, type DecodedToken007 } from '../src/index.js';
import { createMemoryUserStore, UserStoreError, type PasswordHasher, type StoredUser, type UserStore } from '../src/handler.js';
import { createScryptHasher } from '../src/server/password.js';
import type { TokenServerOptions } from '../src/server/index.js';
import { RenewalLimiter } from '../src/service/rate-limit.js';
import { ADAPTERS, startWith, type Adapter, type TestServer } from './helpers/servers.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const SECRET = 'k9#Qm2!vT7zL0pW4xR8nB3yF6jH1sD5g';
const TIMEOUT = () => AbortSignal.timeout(10_000);
const hasher = createScryptHasher({ N: 1024 });

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close(1000)));
});

interface Counted {
  store: UserStore;
  calls: { findUser: string[]; rehash: Array<[string, string]> };
}

/** A memory store that counts its reads and rehashes. */
async function countedStore(users: Array<{ name: string; password: string }> = [{ name: 'alice', password: 'alice-pw' }]): Promise<Counted> {
  const inner = createMemoryUserStore();
  for (const u of users) {
    await inner.addUser({ userAccount: u.name, chatUserName: `${u.name}-chat`, chatUserUuid: `${u.name}-uuid`, passwordHash: await hasher.hash(u.password) });
  }
  const calls: Counted['calls'] = { findUser: [], rehash: [] };
  const store: UserStore = {
    ...inner,
    findUser: async (account) => {
      calls.findUser.push(account);
      return inner.findUser(account);
    },
    rehashPassword: async (account, version, hash) => {
      calls.rehash.push([account, version]);
      return inner.rehashPassword(account, version, hash);
    },
  };
  return { store, calls };
}

function post(url: string, path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: TIMEOUT() });
}

async function login(url: string, name = 'alice', password = 'alice-pw'): Promise<{ response: Response; cookie: string }> {
  const response = await post(url, '/token', { userAccount: name, userPassword: password });
  const cookie = response.headers.get('set-cookie')?.split(';')[0] ?? '';
  return { response, cookie };
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

function decode007(token: string): DecodedToken007 {
  const decoded = decodeToken(token);
  if (decoded.version !== '007') throw new Error('expected a 007 token');
  return decoded;
}

/** The store's unavailable error, as a database store rejects while the database is down. */
const unavailable = () => new UserStoreError('ERR_USER_STORE_UNAVAILABLE', 'users database: connection refused');

describe.each(ADAPTERS)('%s', (adapter: Adapter) => {
  async function start(options: TokenServerOptions): Promise<TestServer> {
    const server = await startWith(adapter, { appId: APP_ID, appCertificate: APP_CERTIFICATE, sessionSecret: SECRET, passwordHasher: hasher, ...options });
    servers.push(server);
    return server;
  }

  describe('a user store', () => {
    it('is read once per login and once per renewal', async () => {
      const { store, calls } = await countedStore();
      const server = await start({ store });
      const { response, cookie } = await login(server.url);
      expect(response.status).toBe(200);
      expect(calls.findUser).toEqual(['alice']);
      expect((await post(server.url, '/token/renew', {}, { cookie })).status).toBe(200);
      expect(calls.findUser).toEqual(['alice', 'alice']);
    });

    it('stamps the session with the record the password was checked against: a change right after the read revokes it', async () => {
      const inner = createMemoryUserStore();
      await inner.addUser({ userAccount: 'alice', chatUserName: 'alice', chatUserUuid: 'alice-uuid', passwordHash: await hasher.hash('old-pw') });
      const newHash = await hasher.hash('new-pw');
      let changeAfterRead = true;
      const store: UserStore = {
        ...inner,
        // The operator changes the password just after the login's read (the audit's race).
        findUser: async (account) => {
          const user = await inner.findUser(account);
          if (changeAfterRead) {
            changeAfterRead = false;
            await inner.updateUser(account, { passwordHash: newHash });
          }
          return user;
        },
      };
      const server = await start({ store });
      const { response, cookie } = await login(server.url, 'alice', 'old-pw');
      expect(response.status).toBe(200); // checked against the record it read
      const renewal = await post(server.url, '/token/renew', {}, { cookie });
      expect(renewal.status).toBe(401);
      expect(await errorCode(renewal)).toBe('session_revoked');
    });

    it('checks an unknown user against no hash (one verify), and answers as for a wrong password', async () => {
      const verified: Array<string | undefined> = [];
      const counting: PasswordHasher = {
        hash: (password) => hasher.hash(password),
        verify: (password, hash, signal) => {
          verified.push(hash);
          return hasher.verify(password, hash, signal);
        },
      };
      const { store } = await countedStore();
      const server = await start({ store, passwordHasher: counting });
      const unknown = await post(server.url, '/token', { userAccount: 'mallory', userPassword: 'alice-pw' });
      const wrong = await post(server.url, '/token', { userAccount: 'alice', userPassword: 'nope' });
      expect(unknown.status).toBe(401);
      expect(await unknown.json()).toEqual(await wrong.json());
      expect(verified).toHaveLength(2);
      expect(verified[0]).toBeUndefined();
      expect(typeof verified[1]).toBe('string');
    });

    it('saves a rehash through rehashPassword with the version it read, and the session still renews', async () => {
      const { store, calls } = await countedStore();
      const before = (await store.findUser('alice'))!;
      calls.findUser.length = 0;
      const rehashing: PasswordHasher = {
        hash: (password) => hasher.hash(password),
        verify: async (password, hash, signal) => {
          const result = await hasher.verify(password, hash, signal);
          return result.valid ? { valid: true, rehash: await hasher.hash(password) } : result;
        },
      };
      const server = await start({ store, passwordHasher: rehashing });
      const { response, cookie } = await login(server.url);
      expect(response.status).toBe(200);
      expect(calls.rehash).toEqual([['alice', before.credentialVersion]]);
      const after = (await store.findUser('alice'))!;
      expect(after.passwordHash).not.toBe(before.passwordHash);
      expect(after.credentialVersion).toBe(before.credentialVersion);
      expect((await post(server.url, '/token/renew', {}, { cookie })).status).toBe(200);
    });

    it('answers 503 store_unavailable with Retry-After while the store cannot answer, never 401, and keeps the cookie', async () => {
      const { store } = await countedStore();
      let down = false;
      const flaky: UserStore = { ...store, findUser: (account) => (down ? Promise.reject(unavailable()) : store.findUser(account)) };
      const server = await start({ store: flaky });
      const { cookie } = await login(server.url);
      down = true;
      for (const response of [
        await post(server.url, '/token', { userAccount: 'alice', userPassword: 'alice-pw' }),
        await post(server.url, '/token/renew', {}, { cookie }),
        await fetch(`${server.url}/session`, { headers: { cookie }, signal: TIMEOUT() }),
      ]) {
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('5');
        expect(response.headers.get('set-cookie')).toBeNull();
        expect(await errorCode(response)).toBe('store_unavailable');
      }
      down = false;
      expect((await post(server.url, '/token/renew', {}, { cookie })).status).toBe(200);
    });

    it('answers 500 internal_error for any other store failure, and tells onError', async () => {
      const { store } = await countedStore();
      const errors: unknown[] = [];
      const broken: UserStore = { ...store, findUser: () => Promise.reject(new UserStoreError('ERR_USER_STORE', 'users file x.json: not JSON')) };
      const server = await start({ store: broken, onError: (error) => errors.push(error) });
      const response = await post(server.url, '/token', { userAccount: 'alice', userPassword: 'alice-pw' });
      expect(response.status).toBe(500);
      expect(await errorCode(response)).toBe('internal_error');
      expect(errors).toHaveLength(1);
    });
  });

  describe('GET /session', () => {
    it('answers {"session": null} without a cookie, and the user and session end with one', async () => {
      const { store } = await countedStore();
      const server = await start({ store, sessionLifetime: 600 });
      const none = await fetch(`${server.url}/session`, { signal: TIMEOUT() });
      expect(none.status).toBe(200);
      expect(none.headers.get('set-cookie')).toBeNull();
      expect(none.headers.get('cache-control')).toBe('no-store');
      expect(await none.json()).toEqual({ session: null });
      const before = Math.floor(Date.now() / 1000);
      const { cookie } = await login(server.url);
      const info = await fetch(`${server.url}/session`, { headers: { cookie }, signal: TIMEOUT() });
      const body = (await info.json()) as { session: { expiresAt: number } };
      expect(body).toEqual({ session: { userAccount: 'alice', chatUserName: 'alice-chat', chatUserUuid: 'alice-uuid', expiresAt: body.session.expiresAt } });
      expect(body.session.expiresAt).toBeGreaterThanOrEqual(before + 600);
      expect(body.session.expiresAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 600);
      const post = await fetch(`${server.url}/session`, { method: 'POST', signal: TIMEOUT() });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
      expect((await fetch(`${server.url}/session`, { method: 'HEAD', signal: TIMEOUT() })).status).toBe(200);
    });

    it('answers {"session": null} and clears the cookie for a tampered cookie and for a removed user', async () => {
      const { store } = await countedStore();
      const server = await start({ store });
      const { cookie } = await login(server.url);
      const tampered = await fetch(`${server.url}/session`, { headers: { cookie: `${cookie.slice(0, -2)}AA` }, signal: TIMEOUT() });
      expect(await tampered.json()).toEqual({ session: null });
      expect(tampered.headers.get('set-cookie')).toMatch(/^agora_session=; Path=\/; Max-Age=0;/);
      await store.removeUser('alice');
      const removed = await fetch(`${server.url}/session`, { headers: { cookie }, signal: TIMEOUT() });
      expect(await removed.json()).toEqual({ session: null });
      expect(removed.headers.get('set-cookie')).toMatch(/^agora_session=; Path=\/; Max-Age=0;/);
    });
  });

  describe('tokens end with the session', () => {
    it('caps the login token at a session shorter than expire', async () => {
      const { store } = await countedStore();
      const server = await start({ store, sessionLifetime: 60, expire: 3600 });
      const { response } = await login(server.url);
      const body = (await response.json()) as { accessToken: string; expiresIn: number; expireTimestamp: number };
      const decoded = decode007(body.accessToken);
      expect(decoded.expire).toBe(60);
      expect(body.expiresIn).toBe(60);
      expect(body.expireTimestamp).toBe(decoded.issueTs + 60);
      expect(verifyToken(body.accessToken, APP_CERTIFICATE).status).toBe('valid');
    });

    it('caps a renewed token at the session end: never valid after it', async () => {
      const { store } = await countedStore();
      const server = await start({ store, sessionLifetime: 30, expire: 86_400 });
      const { cookie } = await login(server.url);
      const info = (await (await fetch(`${server.url}/session`, { headers: { cookie }, signal: TIMEOUT() })).json()) as { session: { expiresAt: number } };
      const renewed = (await (await post(server.url, '/token/renew', {}, { cookie })).json()) as { accessToken: string; expireTimestamp: number; expiresIn: number };
      const decoded = decode007(renewed.accessToken);
      expect(decoded.issueTs + decoded.expire).toBe(info.session.expiresAt);
      expect(renewed.expireTimestamp).toBe(info.session.expiresAt);
      expect(renewed.expiresIn).toBeLessThanOrEqual(30);
      expect(verifyToken(renewed.accessToken, APP_CERTIFICATE, { now: info.session.expiresAt }).status).toBe('expired');
    });
  });

  describe('the session cookie', () => {
    it('has one accepted spelling of its signature: padding, the standard alphabet and unused bits are refused', async () => {
      const { store } = await countedStore();
      const server = await start({ store, renewalLimit: false });
      const { cookie } = await login(server.url);
      const [name, value] = [cookie.slice(0, cookie.indexOf('=')), cookie.slice(cookie.indexOf('=') + 1)];
      const [version, payload, signature] = value.split('.') as [string, string, string];
      expect(signature).toHaveLength(43); // 32 bytes: the last character carries 2 unused bits
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(signature.at(-1)!);
      const variants = [
        `${signature}=`,
        `${signature.slice(0, -1)}${alphabet[last ^ 1]}`, // same bytes to a lenient decoder
        `${signature.slice(0, -1)}${alphabet[last ^ 2]}`,
        `${signature}.`,
      ];
      // The standard alphabet's spelling of the same bytes, where the signature has - or _.
      if (/[-_]/.test(signature)) variants.push(signature.replaceAll('-', '+').replaceAll('_', '/'));
      expect((await post(server.url, '/token/renew', {}, { cookie })).status).toBe(200);
      for (const variant of variants) {
        const response = await post(server.url, '/token/renew', {}, { cookie: `${name}=${version}.${payload}.${variant}` });
        expect(response.status, variant).toBe(401);
        expect(await errorCode(response)).toBe('session_invalid');
      }
    });

    it('warns, naming the variable, when the session secret is weak (few distinct bytes, a repeated pattern)', async () => {
      const { store } = await countedStore();
      for (const weak of ['a'.repeat(40), 'abc123XY'.repeat(5)]) {
        const warnings: string[] = [];
        await start({ store, sessionSecret: weak, onWarning: (message) => warnings.push(message) });
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/sessionSecret/);
        if (adapter === 'node') expect(warnings[0]).toMatch(/AGORA_SESSION_SECRET/);
        expect(warnings[0]).toMatch(/weak/);
        expect(warnings[0]).not.toContain(weak);
      }
      const warnings: string[] = [];
      await start({ store, sessionSecret: SECRET, onWarning: (message) => warnings.push(message) });
      expect(warnings).toEqual([]);
    });
  });

  describe('the per-session renewal limit', () => {
    it('allows a burst of 3, then answers 429 renew_rate_limited with Retry-After; other sessions are not affected', async () => {
      const { store } = await countedStore([{ name: 'alice', password: 'alice-pw' }, { name: 'bob', password: 'bob-pw' }]);
      const server = await start({ store });
      const alice = await login(server.url);
      const bob = await login(server.url, 'bob', 'bob-pw');
      for (let i = 0; i < 3; i++) expect((await post(server.url, '/token/renew', {}, { cookie: alice.cookie })).status).toBe(200);
      const limited = await post(server.url, '/token/renew', {}, { cookie: alice.cookie });
      expect(limited.status).toBe(429);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(5);
      expect(await errorCode(limited)).toBe('renew_rate_limited');
      expect((await post(server.url, '/token/renew', {}, { cookie: bob.cookie })).status).toBe(200);
    });

    it('is configurable, and off with renewalLimit: false', async () => {
      const { store } = await countedStore();
      const one = await start({ store, renewalLimit: { burst: 1, intervalSeconds: 60 } });
      const a = await login(one.url);
      expect((await post(one.url, '/token/renew', {}, { cookie: a.cookie })).status).toBe(200);
      const limited = await post(one.url, '/token/renew', {}, { cookie: a.cookie });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(50);
      const off = await start({ store, renewalLimit: false });
      const b = await login(off.url);
      for (let i = 0; i < 10; i++) expect((await post(off.url, '/token/renew', {}, { cookie: b.cookie })).status).toBe(200);
    });
  });
});

describe('RenewalLimiter', () => {
  it('refills one renewal per interval, up to the burst', () => {
    const limiter = new RenewalLimiter(3, 5000);
    expect([0, 0, 0].map(() => limiter.take('s', 1000))).toEqual([0, 0, 0]);
    expect(limiter.take('s', 1000)).toBe(5);
    expect(limiter.take('s', 3500)).toBe(3); // half a renewal refilled
    expect(limiter.take('s', 6000)).toBe(0);
    expect(limiter.take('s', 1_000_000)).toBe(0); // long idle: the full burst again, no more
    expect(limiter.take('s', 1_000_000)).toBe(0);
    expect(limiter.take('s', 1_000_000)).toBe(0);
    expect(limiter.take('s', 1_000_000)).toBeGreaterThan(0);
  });

  it('remembers a bounded number of sessions, forgetting the least recently used', () => {
    const limiter = new RenewalLimiter(1, 60_000, 100);
    for (let i = 0; i < 1000; i++) limiter.take(`session-${i}`, 0);
    expect(limiter.size).toBe(100);
    // The most recent ones are remembered (limited), the oldest forgotten (a fresh burst).
    expect(limiter.take('session-999', 0)).toBeGreaterThan(0);
    expect(limiter.take('session-0', 0)).toBe(0);
  });
});

export type { StoredUser };
