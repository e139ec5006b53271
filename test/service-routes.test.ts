// The routes of Agora's Chat App Server, off by default: POST /register
// (registers the chat user, stores the user with a password hash, answers
// like a login) and POST /token/rtc (an RTC token for the user's agoraUid,
// only with authorizeChannel). Both adapters; the Node adapter's default
// registration goes to an Agora Chat stand-in that checks the app token.
import { afterAll, describe, expect, it } from 'vitest';
import { decodeToken, verifyToken, type DecodedToken007, type RtcService } from '../src/index.js';
import { createMemoryUserStore, type ChannelUser, type UserStore } from '../src/handler.js';
import { createScryptHasher } from '../src/server/password.js';
import type { TokenServerOptions } from '../src/server/index.js';
import { startChatStandIn } from './helpers/agora-chat-standin.js';
import { ADAPTERS, startWith, type TestServer } from './helpers/servers.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const SECRET = 'k9#Qm2!vT7zL0pW4xR8nB3yF6jH1sD5g';
const TIMEOUT = () => AbortSignal.timeout(10_000);
const hasher = createScryptHasher({ N: 1024 });

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: TIMEOUT() });
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

function decode007(token: string): DecodedToken007 {
  const decoded = decodeToken(token);
  if (decoded.version !== '007') throw new Error('expected a 007 token');
  return decoded;
}

async function aliceStore(): Promise<UserStore> {
  const store = createMemoryUserStore();
  await store.addUser({ userAccount: 'alice', chatUserName: 'alice', chatUserUuid: 'alice-uuid', agoraUid: 4_000_000_001, passwordHash: await hasher.hash('alice-pw') });
  return store;
}

describe.each(ADAPTERS)('%s', (adapter) => {
  async function start(options: TokenServerOptions): Promise<TestServer> {
    const server = await startWith(adapter, { appId: APP_ID, appCertificate: APP_CERTIFICATE, sessionSecret: SECRET, passwordHasher: hasher, ...options });
    closers.push(() => server.close(1000));
    return server;
  }

  describe('POST /register', () => {
    it('does not exist unless allowed', async () => {
      const server = await start({ store: await aliceStore() });
      const response = await post(server.url, '/register', { userAccount: 'newbie', userPassword: 'newbie-pw' });
      expect(response.status).toBe(404);
      expect(await errorCode(response)).toBe('not_found');
    });

    it('registers the chat user, stores the user with a hash, and answers like a login; then 409 for the same name', async () => {
      const store = await aliceStore();
      const registered: string[] = [];
      const server = await start({
        store,
        allowRegistration: true,
        registerChatUser: async (name) => {
          registered.push(name);
          return { chatUserUuid: `${name}-uuid-from-chat` };
        },
      });
      const response = await post(server.url, '/register', { userAccount: 'newbie', userPassword: 'newbie-pw' });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { accessToken: string; chatUserName: string; chatUserUuid: string; expiresIn: number };
      expect(Object.keys(body).sort()).toEqual(['accessToken', 'chatUserName', 'chatUserUuid', 'expireTimestamp', 'expiresIn']);
      expect(body.chatUserName).toBe('newbie');
      expect(body.chatUserUuid).toBe('newbie-uuid-from-chat');
      expect(verifyToken(body.accessToken, APP_CERTIFICATE).status).toBe('valid');
      expect(decode007(body.accessToken).services).toEqual([{ type: 5, userId: 'newbie-uuid-from-chat', privileges: { 1: body.expiresIn } }]);
      expect(registered).toEqual(['newbie']);
      const stored = (await store.findUser('newbie'))!;
      expect(stored.passwordHash).not.toContain('newbie-pw');
      expect(stored.agoraUid).toBeGreaterThan(0);
      // A session, as after a login.
      const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
      expect((await post(server.url, '/token/renew', {}, { cookie })).status).toBe(200);
      // The password logs in.
      expect((await post(server.url, '/token', { userAccount: 'newbie', userPassword: 'newbie-pw' })).status).toBe(200);
      // Taken names: 409, and Agora Chat is not asked again.
      for (const name of ['newbie', 'alice']) {
        const again = await post(server.url, '/register', { userAccount: name, userPassword: 'another-pw' });
        expect(again.status).toBe(409);
        expect(await errorCode(again)).toBe('user_exists');
      }
      expect(registered).toEqual(['newbie']);
    });

    it('asks canRegister (an invitation here): 403 registration_closed without it', async () => {
      const server = await start({
        store: await aliceStore(),
        allowRegistration: true,
        canRegister: (request) => request.headers.get('x-invitation') === 'let-me-in',
        registerChatUser: async (name) => ({ chatUserUuid: `${name}-uuid` }),
      });
      const refused = await post(server.url, '/register', { userAccount: 'newbie', userPassword: 'newbie-pw' });
      expect(refused.status).toBe(403);
      expect(await errorCode(refused)).toBe('registration_closed');
      const invited = await post(server.url, '/register', { userAccount: 'newbie', userPassword: 'newbie-pw' }, { 'x-invitation': 'let-me-in' });
      expect(invited.status).toBe(200);
    });

    it('keeps the login\'s body rules, and answers 502 (storing nothing) when Agora Chat fails', async () => {
      const store = await aliceStore();
      const errors: unknown[] = [];
      const server = await start({
        store,
        allowRegistration: true,
        onError: (error) => errors.push(error),
        registerChatUser: async () => {
          throw new Error('Agora Chat answered 503');
        },
      });
      expect(await errorCode(await post(server.url, '/register', { userAccount: 'newbie' }))).toBe('invalid_request');
      expect(await errorCode(await post(server.url, '/register', { userAccount: 'x'.repeat(257), userPassword: 'pw' }))).toBe('invalid_request');
      expect(await errorCode(await post(server.url, '/register', { userAccount: 'n', userPassword: 'x'.repeat(10_000) }))).toBe('body_too_large');
      const failed = await post(server.url, '/register', { userAccount: 'newbie', userPassword: 'newbie-pw' });
      expect(failed.status).toBe(502);
      expect(await errorCode(failed)).toBe('chat_registration_failed');
      expect(await store.findUser('newbie')).toBeNull();
      expect(errors).toHaveLength(1);
    });
  });

  describe('POST /token/rtc', () => {
    async function signedIn(options: TokenServerOptions) {
      const server = await start({ store: await aliceStore(), ...options });
      const login = await post(server.url, '/token', { userAccount: 'alice', userPassword: 'alice-pw' });
      expect(login.status).toBe(200);
      return { server, cookie: login.headers.get('set-cookie')!.split(';')[0]! };
    }

    it('does not exist without authorizeChannel', async () => {
      const { server, cookie } = await signedIn({});
      const response = await post(server.url, '/token/rtc', { channelName: 'room', role: 'publisher' }, { cookie });
      expect(response.status).toBe(404);
    });

    it('answers an RTC token for the user\'s agoraUid in the channel, when authorizeChannel allows it', async () => {
      const asked: Array<[ChannelUser, string, string]> = [];
      const { server, cookie } = await signedIn({
        expire: 600,
        authorizeChannel: (user, channel, role) => {
          asked.push([user, channel, role]);
          return channel === 'room-1';
        },
      });
      const response = await post(server.url, '/token/rtc', { channelName: 'room-1', role: 'publisher' }, { cookie });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { accessToken: string; channelName: string; uid: number; role: string; expiresIn: number; expireTimestamp: number };
      expect(body).toMatchObject({ channelName: 'room-1', uid: 4_000_000_001, role: 'publisher', expiresIn: 600 });
      expect(asked).toEqual([[{ userAccount: 'alice', chatUserName: 'alice', chatUserUuid: 'alice-uuid', agoraUid: 4_000_000_001 }, 'room-1', 'publisher']]);
      expect(verifyToken(body.accessToken, APP_CERTIFICATE).status).toBe('valid');
      const decoded = decode007(body.accessToken);
      expect(decoded.expire).toBe(600);
      expect(body.expireTimestamp).toBe(decoded.issueTs + 600);
      const rtc = decoded.services[0] as RtcService;
      expect(rtc.type).toBe(1);
      expect(rtc.channelName).toBe('room-1');
      expect(rtc.uid).toBe('4000000001');
      // A publisher may join and publish audio, video and data.
      expect(Object.keys(rtc.privileges).sort()).toEqual(['1', '2', '3', '4']);

      const subscriber = (await (await post(server.url, '/token/rtc', { channelName: 'room-1', role: 'subscriber' }, { cookie })).json()) as { accessToken: string };
      expect(Object.keys((decode007(subscriber.accessToken).services[0] as RtcService).privileges)).toEqual(['1']);

      const refused = await post(server.url, '/token/rtc', { channelName: 'room-2', role: 'publisher' }, { cookie });
      expect(refused.status).toBe(403);
      expect(await errorCode(refused)).toBe('channel_not_allowed');
    });

    it('needs a session, a valid body, and caps the token at the session end', async () => {
      const { server, cookie } = await signedIn({ sessionLifetime: 45, expire: 3600, authorizeChannel: () => true });
      const none = await post(server.url, '/token/rtc', { channelName: 'room', role: 'publisher' });
      expect(none.status).toBe(401);
      expect(await errorCode(none)).toBe('no_session');
      for (const body of [{ channelName: 'room' }, { channelName: '', role: 'publisher' }, { channelName: 'x'.repeat(65), role: 'publisher' }, { channelName: 'room', role: 'admin' }]) {
        const bad = await post(server.url, '/token/rtc', body, { cookie });
        expect(bad.status).toBe(400);
        expect(await errorCode(bad)).toBe('invalid_request');
      }
      const capped = (await (await post(server.url, '/token/rtc', { channelName: 'room', role: 'subscriber' }, { cookie })).json()) as { accessToken: string; expiresIn: number };
      expect(capped.expiresIn).toBeLessThanOrEqual(45);
      expect(capped.expiresIn).toBeGreaterThan(40);
      expect(decode007(capped.accessToken).expire).toBe(capped.expiresIn);
    });

    it('ends with the user: a removed user gets session_revoked', async () => {
      const store = await aliceStore();
      const server = await start({ store, authorizeChannel: () => true });
      const login = await post(server.url, '/token', { userAccount: 'alice', userPassword: 'alice-pw' });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      await store.removeUser('alice');
      const response = await post(server.url, '/token/rtc', { channelName: 'room', role: 'publisher' }, { cookie });
      expect(response.status).toBe(401);
      expect(await errorCode(response)).toBe('session_revoked');
    });
  });
});

describe('POST /register on the Node adapter, with Agora Chat configured in the environment', () => {
  it('registers the chat user through the REST API (a stand-in that checks the app token)', async () => {
    const chat = await startChatStandIn({ appId: APP_ID, appCertificate: APP_CERTIFICATE, org: 'org', app: 'app' });
    closers.push(() => chat.close());
    const store = createMemoryUserStore();
    const server = await startWith('node', {
      appId: APP_ID,
      appCertificate: APP_CERTIFICATE,
      sessionSecret: SECRET,
      store,
      passwordHasher: hasher,
      allowRegistration: true,
      env: { AGORA_CHAT_APP_KEY: 'org#app', AGORA_CHAT_REST_URL: chat.url },
    });
    closers.push(() => server.close(1000));
    const response = await post(server.url, '/register', { userAccount: 'newbie', userPassword: 'newbie-pw' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { chatUserUuid: string; accessToken: string };
    expect(chat.users.get('newbie')).toBe(body.chatUserUuid);
    expect(chat.seen.every((request) => request.tokenStatus === 'valid')).toBe(true);
    expect((await store.findUser('newbie'))!.chatUserUuid).toBe(body.chatUserUuid);
    // A name Agora Chat does not take as a username: 400, nothing stored.
    const upper = await post(server.url, '/register', { userAccount: 'Not A Chat Name', userPassword: 'pw-pw-pw' });
    expect(upper.status).toBe(400);
    expect(await errorCode(upper)).toBe('invalid_request');
    expect(await store.findUser('Not A Chat Name')).toBeNull();
  });

  it('refuses allowRegistration at once without a way to register chat users or a store', async () => {
    const { createTokenHandler } = await import('../src/server/index.js');
    const base = { appId: APP_ID, appCertificate: APP_CERTIFICATE, sessionSecret: SECRET, env: {} };
    expect(() => createTokenHandler({ ...base, store: createMemoryUserStore(), allowRegistration: true })).toThrow(/registerChatUser/);
    expect(() => createTokenHandler({ ...base, authenticate: () => null, allowRegistration: true, registerChatUser: async () => ({ chatUserUuid: 'x' }) })).toThrow(/store/);
  });
});
