// The Agora Chat user client against a stand-in of the Agora Chat RESTful API
// (test/helpers/agora-chat-standin.ts) that verifies the bearer app token.
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeToken, type DecodedToken007 } from '../src/index.js';
import { AgoraChatError, AgoraChatUserClient, type AgoraChatUserClientOptions } from '../src/server/index.js';
import { startChatStandIn, type ChatStandIn } from './helpers/agora-chat-standin.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const OTHER_CERTIFICATE = '0123456789abcdef0123456789abcdef';
const ORG = '611000000';
const APP = '1000000';

let chat: ChatStandIn;
beforeEach(async () => {
  chat = await startChatStandIn({ appId: APP_ID, appCertificate: APP_CERTIFICATE, org: ORG, app: APP });
});
afterEach(() => chat.close());

function client(options: AgoraChatUserClientOptions = {}): AgoraChatUserClient {
  return new AgoraChatUserClient({ env: {}, appKey: `${ORG}#${APP}`, restUrl: chat.url, appId: APP_ID, appCertificate: APP_CERTIFICATE, ...options });
}

async function chatError(promise: Promise<unknown>, code: string): Promise<AgoraChatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AgoraChatError);
  expect((error as AgoraChatError).code).toBe(code);
  expect((error as AgoraChatError).message).not.toContain(APP_CERTIFICATE);
  for (const request of chat.seen) if (request.token) expect((error as AgoraChatError).message).not.toContain(request.token);
  return error as AgoraChatError;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('AgoraChatUserClient', () => {
  it('registers a new user with a valid app token and answers the UUID Agora Chat assigned', async () => {
    const user = await client().registerUser('alice');
    expect(user.created).toBe(true);
    expect(user.username).toBe('alice');
    expect(user.uuid).toMatch(UUID);
    expect(user.uuid).toBe(chat.users.get('alice'));
    expect(chat.seen).toHaveLength(1);
    const [request] = chat.seen;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(`/${ORG}/${APP}/users`);
    expect(request!.tokenStatus).toBe('valid');
    // The seed's body: an array with the username and a password; the password is random, not a login password.
    const [entity] = request!.body as Array<{ username: string; password: string }>;
    expect(entity!.username).toBe('alice');
    expect(entity!.password.length).toBeGreaterThanOrEqual(32);
    // The app token lasts 600 s by default.
    const decoded = decodeToken(request!.token!) as DecodedToken007;
    expect(decoded.expire).toBe(600);
  });

  it('looks the user up when it is already registered, reusing one app token for both requests', async () => {
    const first = await client().registerUser('bob');
    const c = client();
    const again = await c.registerUser('bob');
    expect(again).toEqual({ username: 'bob', uuid: first.uuid, created: false });
    expect(chat.seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /${ORG}/${APP}/users`,
      `POST /${ORG}/${APP}/users`,
      `GET /${ORG}/${APP}/users/bob`,
    ]);
    expect(chat.seen[1]!.token).toBe(chat.seen[2]!.token);
    await chatError(c.registerUser('bob', { ifExists: 'error' }), 'ERR_CHAT_USER_EXISTS');
    expect(await c.getUser('bob')).toEqual({ username: 'bob', uuid: first.uuid, created: false });
    await chatError(c.getUser('nobody'), 'ERR_CHAT_USER_NOT_FOUND');
  });

  it('renews its app token when four fifths of its life have passed', async () => {
    let now = Date.now();
    const c = client({ appTokenExpire: 600, now: () => now });
    await c.registerUser('carol');
    now += 400_000; // 2/3 of the life: reused
    await c.getUser('carol');
    now += 100_000; // 5/6: renewed
    await c.getUser('carol');
    expect(chat.seen[0]!.token).toBe(chat.seen[1]!.token);
    expect(chat.seen[2]!.token).not.toBe(chat.seen[1]!.token);
    expect(chat.seen.every((r) => r.tokenStatus === 'valid')).toBe(true);
  });

  it('is refused (401 → ERR_CHAT_AUTH) with a wrong certificate or an expired app token: the stand-in checks both', async () => {
    const wrong = await chatError(client({ appCertificate: OTHER_CERTIFICATE }).registerUser('dave'), 'ERR_CHAT_AUTH');
    expect(wrong.status).toBe(401);
    expect(chat.seen[0]!.tokenStatus).toBe('bad-signature');
    const past = Date.now() - 2 * 3600_000;
    await chatError(client({ now: () => past }).registerUser('dave'), 'ERR_CHAT_AUTH');
    expect(chat.seen[1]!.tokenStatus).toBe('expired');
    expect(chat.users.has('dave')).toBe(false);
  });

  it('names a wrong App Key as ERR_CHAT_AUTH too (Agora answers 404 organization_application_not_found)', async () => {
    const error = await chatError(client({ appKey: 'other-org#other-app' }).registerUser('erin'), 'ERR_CHAT_AUTH');
    expect(error.status).toBe(404);
    expect(error.message).toContain('AGORA_CHAT_APP_KEY');
  });

  it('honours Retry-After on 429 and then succeeds', async () => {
    chat.script.push({ kind: 'status', status: 429, body: { error: 'reach_limit', error_description: 'This request has reached api limit' }, headers: { 'retry-after': '1' } });
    const user = await client().registerUser('frank');
    expect(user.created).toBe(true);
    expect(chat.seen).toHaveLength(2);
    // The stand-in saw the retry at least the asked second later (its own clock, not a timed assertion on the client).
    expect(chat.seen[1]!.at - chat.seen[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('gives up with ERR_CHAT_RATE_LIMITED after maxRetries, or at once when Retry-After is longer than it may wait', async () => {
    for (let i = 0; i < 3; i++) chat.script.push({ kind: 'status', status: 429, body: { error: 'reach_limit' }, headers: { 'retry-after': '0' } });
    const error = await chatError(client({ maxRetries: 2 }).registerUser('gina'), 'ERR_CHAT_RATE_LIMITED');
    expect(error.message).toContain('after 3 attempts');
    expect(chat.seen).toHaveLength(3);
    expect(chat.users.has('gina')).toBe(false);

    chat.script.push({ kind: 'status', status: 429, body: { error: 'reach_limit' }, headers: { 'retry-after': '3600' } });
    const long = await chatError(client().registerUser('gina'), 'ERR_CHAT_RATE_LIMITED');
    expect(long.message).toContain('Retry-After: 3600');
    expect(chat.seen).toHaveLength(4);
  });

  it('times out with ERR_CHAT_TIMEOUT when Agora Chat does not answer', async () => {
    chat.script.push({ kind: 'hang' });
    const error = await chatError(client({ timeoutMs: 300 }).registerUser('hank'), 'ERR_CHAT_TIMEOUT');
    expect(error.message).toContain('300 ms');
  });

  it('stops with ERR_CHAT_ABORTED when the caller aborts', async () => {
    chat.script.push({ kind: 'hang' });
    const stop = new AbortController();
    const pending = client().registerUser('ivy', { signal: stop.signal });
    setTimeout(() => stop.abort(), 50);
    await chatError(pending, 'ERR_CHAT_ABORTED');
  });

  it('reports a closed port as ERR_CHAT_UNREACHABLE', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const error = await chatError(client({ restUrl: `http://127.0.0.1:${port}` }).registerUser('jay'), 'ERR_CHAT_UNREACHABLE');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('reports a dropped connection as ERR_CHAT_UNREACHABLE', async () => {
    chat.script.push({ kind: 'destroy' });
    await chatError(client().registerUser('kim'), 'ERR_CHAT_UNREACHABLE');
  });

  it.each([
    ['an HTML page', { kind: 'raw', status: 200, text: '<html>maintenance</html>', contentType: 'text/html' }],
    ['JSON without entities', { kind: 'status', status: 200, body: { action: 'post' } }],
    ['an entity without a uuid', { kind: 'status', status: 200, body: { entities: [{ username: 'lee', type: 'user' }] } }],
    ['a uuid that is not a string', { kind: 'status', status: 200, body: { entities: [{ username: 'lee', uuid: 42 }] } }],
    ['another username', { kind: 'status', status: 200, body: { entities: [{ username: 'mallory', uuid: 'u-1' }] } }],
    ['an empty entities array', { kind: 'status', status: 200, body: { entities: [] } }],
  ] as const)('rejects %s as ERR_CHAT_BAD_RESPONSE', async (_what, answer) => {
    chat.script.push(answer);
    await chatError(client().registerUser('lee'), 'ERR_CHAT_BAD_RESPONSE');
  });

  it('does not follow a redirect (the app token would go elsewhere): ERR_CHAT_BAD_RESPONSE', async () => {
    chat.script.push({ kind: 'status', status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' } });
    const error = await chatError(client().registerUser('oz'), 'ERR_CHAT_BAD_RESPONSE');
    expect(error.status).toBe(302);
    expect(error.message).toContain('redirect');
    expect(chat.seen).toHaveLength(1);
  });

  it('reports other refusals as ERR_CHAT_REFUSED with the status and Agora\'s error code', async () => {
    chat.script.push({ kind: 'status', status: 500, body: { error: 'internal_error', error_description: 'boom' } });
    const error = await chatError(client().registerUser('max'), 'ERR_CHAT_REFUSED');
    expect(error.status).toBe(500);
    expect(error.chatError).toBe('internal_error');
    expect(error.message).toContain('boom');
    chat.script.push({ kind: 'raw', status: 502, text: '<html>bad gateway</html>', contentType: 'text/html' });
    expect((await chatError(client().registerUser('max'), 'ERR_CHAT_REFUSED')).status).toBe(502);
  });

  it('checks its options and the username before sending anything', () => {
    const bad: Array<[AgoraChatUserClientOptions, RegExp]> = [
      [{ appKey: 'no-hash' }, /org_name#app_name/],
      [{ appKey: undefined }, /AGORA_CHAT_APP_KEY/],
      [{ restUrl: undefined }, /AGORA_CHAT_REST_URL/],
      [{ restUrl: 'http://chat.example.com' }, /https/],
      [{ restUrl: 'https://user:pw@chat.example.com' }, /no user/],
      [{ appId: 'not-hex' }, /app token/],
      [{ appCertificate: undefined }, /AGORA_APP_CERTIFICATE/],
      [{ timeoutMs: 0 }, /timeoutMs/],
      [{ maxRetries: 11 }, /maxRetries/],
      [{ appTokenExpire: 86_401 }, /appTokenExpire/],
    ];
    for (const [options, message] of bad) {
      let error: unknown;
      try {
        client(options);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(options)).toBeInstanceOf(AgoraChatError);
      expect((error as AgoraChatError).code).toBe('ERR_INVALID_ARGUMENT');
      expect((error as AgoraChatError).message).toMatch(message);
      expect((error as AgoraChatError).message).not.toContain(APP_CERTIFICATE);
    }
    expect(client({ restUrl: 'a41.chat.agora.io' }).restUrl).toBe('https://a41.chat.agora.io');
  });

  it('rejects usernames Agora Chat does not allow, without a request', async () => {
    for (const name of ['', 'Alice', 'a b', 'x'.repeat(65), 'é', 'a/b']) await chatError(client().registerUser(name), 'ERR_INVALID_ARGUMENT');
    expect(chat.seen).toHaveLength(0);
  });

  it('reads the App Key, REST URL and credentials from the environment', async () => {
    const c = new AgoraChatUserClient({
      env: { AGORA_CHAT_APP_KEY: `${ORG}#${APP}`, AGORA_CHAT_REST_URL: chat.url, AGORA_APP_ID: APP_ID, AGORA_APP_CERTIFICATE: APP_CERTIFICATE },
    });
    expect([c.orgName, c.appName]).toEqual([ORG, APP]);
    expect((await c.registerUser('nina')).uuid).toBe(chat.users.get('nina'));
  });
});

describe('what Agora Chat sends back (issue 14, finding 11)', () => {
  it('gives up an answer past 1 MiB with ERR_CHAT_BAD_RESPONSE, without reading it all', async () => {
    chat.script.push({ kind: 'huge', status: 200, bytes: 256 * 1024 * 1024 });
    const error = await chatError(client().registerUser('big'), 'ERR_CHAT_BAD_RESPONSE');
    expect(error.message).toContain('1048576 bytes');
    // The stand-in was cut off soon after the cap (socket buffers aside), far from its 256 MiB.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(chat.streamed).toBeLessThan(32 * 1024 * 1024);
    // Exactly 1 MiB is still read.
    chat.script.push({ kind: 'raw', status: 200, contentType: 'application/json', text: `{"entities":[{"uuid":"u-1","username":"ok"}]}${' '.repeat(1024 * 1024 - 46)}` });
    expect(await client().registerUser('ok')).toMatchObject({ uuid: 'u-1' });
  });

  it('refuses a declared Content-Length past 1 MiB at once', async () => {
    chat.script.push({ kind: 'raw', status: 200, contentType: 'application/json', text: ' '.repeat(1024 * 1024 + 1) });
    await chatError(client().registerUser('big'), 'ERR_CHAT_BAD_RESPONSE');
  });

  it('never puts the app token, a bearer header or the certificate an endpoint echoes into a message', async () => {
    for (const status of [400, 401, 500]) {
      chat.script.push({ kind: 'echo', status });
      const error = await chatError(client().registerUser('echo'), status === 401 ? 'ERR_CHAT_AUTH' : 'ERR_CHAT_REFUSED');
      const token = chat.seen.at(-1)!.token!;
      expect(token.length).toBeGreaterThan(100);
      for (const text of [error.message, String(error.chatError), JSON.stringify(error)]) {
        expect(text).not.toContain(token);
        expect(text).not.toContain(token.slice(0, 40)); // not even a part cut by an excerpt
        expect(text).not.toContain(APP_CERTIFICATE);
        expect(text.toLowerCase()).not.toContain(APP_CERTIFICATE.toLowerCase());
        expect(text).not.toMatch(/Bearer 0/);
      }
      expect(error.message).toContain('[redacted]');
    }
    // A 429 that echoes the token in Retry-After: the rate-limit message holds none of it.
    for (let i = 0; i < 4; i++) chat.script.push({ kind: 'echo', status: 429 });
    const limited = await chatError(client({ maxRetries: 0 }).registerUser('echo'), 'ERR_CHAT_RATE_LIMITED');
    expect(limited.message).not.toContain(chat.seen.at(-1)!.token!);
  });
});
