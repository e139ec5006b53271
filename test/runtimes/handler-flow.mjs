// The token service's flow on one runtime (scripts/runtimes.mjs): a Fetch
// handler from the built agora-token-builder/handler over a memory store
// and the PBKDF2 hasher; then login -> the token verifies for the user's
// UUID -> renew with the cookie -> GET /session -> logout -> the user is
// removed -> a renewal with the login's cookie is session_revoked.
// The examples of docs/deploy.md run the same flow (deploy-examples.mjs),
// under their mount path and without the removal, as their store is the
// example's own.
// Plain JavaScript with Web APIs only: it runs in Node, Bun, Deno and workerd.

export const APP_ID = '970CA35de60c44645bbae8a215061b33';
export const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
export const UUID = '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b';
export const SESSION_SECRET = 'k9#Qm2!vT7zL0pW4xR8nB3yF6jH1sD5g';

/** The checks runHandlerFlow makes; a row must pass all of them. */
export const HANDLER_FLOW_CHECKS = 7;
/** The checks it makes without `removeAlice` (a docs/deploy.md example: its store is out of reach). */
export const DEPLOY_FLOW_CHECKS = 6;

/**
 * The service: creating the handler is synchronous and does nothing else
 * (workerd allows it at module scope); the user is added on first use.
 */
export function createService(handlerModule) {
  const store = handlerModule.createMemoryUserStore();
  const passwordHasher = handlerModule.createPbkdf2Hasher({ iterations: 1000 });
  const handler = handlerModule.createFetchHandler({
    appId: APP_ID,
    appCertificate: APP_CERTIFICATE,
    sessionSecret: SESSION_SECRET,
    store,
    passwordHasher,
    onWarning: () => undefined,
  });
  let ready;
  const seed = () =>
    (ready ??= passwordHasher.hash('alice-password').then((passwordHash) =>
      store.addUser({ userAccount: 'alice', chatUserName: 'alice', chatUserUuid: UUID, passwordHash }),
    ));
  return {
    async fetch(request) {
      await seed();
      return handler(request);
    },
    async removeAlice() {
      await seed();
      return store.removeUser('alice');
    },
  };
}

/**
 * Runs the flow. `call(path, init)` sends a request to the service and
 * resolves its Response; `prefix` is the path the service is mounted
 * under ('' by default, '/agora' for example); `removeAlice()` removes the
 * user from its store (without it, that check is not made); `lib` is an
 * entry with verifyToken and decodeToken (sync or async).
 */
export async function runHandlerFlow({ call: callService, prefix = '', removeAlice, lib }) {
  const call = (path, init) => callService(`${prefix}${path}`, init);
  const failures = [];
  let passed = 0;
  const check = async (name, body) => {
    try {
      await body();
      passed += 1;
    } catch (error) {
      failures.push(`${name}: ${error?.message ?? error}`);
    }
  };
  const equal = (what, got, expected) => {
    if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
  };
  const json = { 'content-type': 'application/json' };
  const tokenFor = async (token) => {
    equal('verdict', (await lib.verifyToken(token, APP_CERTIFICATE)).status, 'valid');
    const decoded = await lib.decodeToken(token);
    return decoded.services[0].userId;
  };
  let cookie = '';
  await check('POST /token: a chat token that verifies, built for the UUID, and a session cookie', async () => {
    const response = await call('/token', { method: 'POST', headers: json, body: JSON.stringify({ userAccount: 'alice', userPassword: 'alice-password' }) });
    equal('status', response.status, 200);
    cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
    if (!cookie.startsWith('agora_session=v1.')) throw new Error(`no session cookie: ${cookie}`);
    const body = await response.json();
    equal('chatUserUuid', body.chatUserUuid, UUID);
    equal('token user', await tokenFor(body.accessToken), UUID);
  });
  await check('a wrong password: 401 invalid_credentials', async () => {
    const response = await call('/token', { method: 'POST', headers: json, body: JSON.stringify({ userAccount: 'alice', userPassword: 'wrong' }) });
    equal('status', response.status, 401);
    equal('code', (await response.json()).error.code, 'invalid_credentials');
  });
  await check('POST /token/renew with the cookie: a new token for the UUID', async () => {
    const response = await call('/token/renew', { method: 'POST', headers: { ...json, cookie }, body: '{}' });
    equal('status', response.status, 200);
    equal('token user', await tokenFor((await response.json()).accessToken), UUID);
  });
  await check('GET /session: the signed-in user', async () => {
    const response = await call('/session', { headers: { cookie } });
    equal('status', response.status, 200);
    const { session } = await response.json();
    equal('session', [session?.userAccount, session?.chatUserUuid], ['alice', UUID]);
  });
  await check('POST /logout: 204, the cookie expired', async () => {
    const response = await call('/logout', { method: 'POST', headers: { ...json, cookie }, body: '{}' });
    equal('status', response.status, 204);
    if (!/^agora_session=; .*Max-Age=0/.test(response.headers.get('set-cookie') ?? '')) throw new Error('the cookie is not expired');
  });
  if (removeAlice !== undefined) {
    await check('the user removed: a renewal with the login cookie is 401 session_revoked', async () => {
      equal('removed', await removeAlice(), true);
      const response = await call('/token/renew', { method: 'POST', headers: { ...json, cookie }, body: '{}' });
      equal('status', response.status, 401);
      equal('code', (await response.json()).error.code, 'session_revoked');
    });
  }
  await check('GET /health', async () => {
    const response = await call('/health', {});
    equal('body', await response.json(), { status: 'ok' });
  });
  return { passed, failed: failures.length, failures };
}
