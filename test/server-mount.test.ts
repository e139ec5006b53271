// Mounted under a path, the service works in every framework: the page's
// scripts and API calls are relative, and the mount path without its
// trailing slash is redirected (308) to it. Express (app.use('/agora', …)),
// plain node:http with basePath, and the Fetch handler with basePath.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchHandler, createMemoryUserStore, type UserStore } from '../src/handler.js';
import { createTokenHandler } from '../src/server/index.js';
import { readAsset } from '../src/server/assets.js';
import { createScryptHasher } from '../src/server/password.js';
import { serveFetch, type TestServer } from './helpers/servers.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const SECRET = 'k9#Qm2!vT7zL0pW4xR8nB3yF6jH1sD5g';
const TIMEOUT = () => AbortSignal.timeout(10_000);
const hasher = createScryptHasher({ N: 1024 });

let store: UserStore;
const closers: Array<() => Promise<void>> = [];
beforeAll(async () => {
  store = createMemoryUserStore();
  await store.addUser({ userAccount: 'alice', chatUserName: 'alice', chatUserUuid: 'alice-uuid', passwordHash: await hasher.hash('alice-pw') });
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

const options = () => ({ appId: APP_ID, appCertificate: APP_CERTIFICATE, sessionSecret: SECRET, store, passwordHasher: hasher });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** What every mount must do, given the base URL of the app and the mount path. */
async function expectMountedAt(base: string, mount: string): Promise<void> {
  // The mount path without its slash: a redirect to it with the slash (the query kept), not a broken page.
  const bare = await fetch(`${base}${mount}?from=test`, { redirect: 'manual', signal: TIMEOUT() });
  expect(bare.status).toBe(308);
  expect(bare.headers.get('location')).toBe(`${mount}/?from=test`);
  const page = await fetch(`${base}${mount}`, { signal: TIMEOUT() }); // followed
  expect(page.status).toBe(200);
  expect(page.url).toBe(`${base}${mount}/`);
  const html = await page.text();
  // Every URL in the page is relative: no absolute path that would leave the mount.
  expect(html).toContain("from './assets/agora-token-builder-client.js'");
  expect(html).not.toMatch(/["'`]\/(assets|token|session|logout)/);
  // What those relative URLs resolve to, under the mount.
  const script = await fetch(new URL('./assets/agora-token-builder-client.js', page.url), { signal: TIMEOUT() });
  expect(script.status).toBe(200);
  expect(await script.text()).toContain('TokenClient');
  const login = await fetch(new URL('token', page.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userAccount: 'alice', userPassword: 'alice-pw' }),
    signal: TIMEOUT(),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const renewed = await fetch(new URL('token/renew', page.url), { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{}', signal: TIMEOUT() });
  expect(renewed.status).toBe(200);
  expect(((await renewed.json()) as { chatUserUuid: string }).chatUserUuid).toBe('alice-uuid');
}

describe('mounted under /agora', () => {
  it('in Express (app.use), with and without express.json() before it; the rest of the app is untouched', async () => {
    const app = express();
    app.use('/agora', createTokenHandler(options()));
    app.use('/parsed', express.json(), createTokenHandler(options()));
    app.get('/other', (_req, res) => void res.send('the rest of the app'));
    const base = await listen(createServer(app));
    await expectMountedAt(base, '/agora');
    await expectMountedAt(base, '/parsed');
    expect(await (await fetch(`${base}/other`, { signal: TIMEOUT() })).text()).toBe('the rest of the app');
    // A route the handler does not serve goes on to Express (its 404 page, not the handler's JSON).
    const unknown = await fetch(`${base}/agora/nope`, { signal: TIMEOUT() });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('in plain node:http, with basePath', async () => {
    const handler = createTokenHandler({ ...options(), basePath: '/agora' });
    const base = await listen(createServer((req, res) => handler(req, res, () => res.writeHead(418).end('not mine'))));
    await expectMountedAt(base, '/agora');
    const other = await fetch(`${base}/agorax`, { signal: TIMEOUT() });
    expect(other.status).toBe(418); // a path that only starts like the mount is not under it
    expect((await fetch(`${base}/token`, { method: 'POST', signal: TIMEOUT() })).status).toBe(418);
  });

  it('as a Fetch handler, with basePath (a trailing slash in it is the same)', async () => {
    for (const basePath of ['/agora', '/agora/']) {
      const server: TestServer = await serveFetch(createFetchHandler({ ...options(), basePath, assets: readAsset }));
      closers.push(() => server.close());
      await expectMountedAt(server.url, '/agora');
      const outside = await fetch(`${server.url}/token`, { method: 'POST', signal: TIMEOUT() });
      expect(outside.status).toBe(404);
      expect(((await outside.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });

  it('deeper: /apps/chat/agora in Express', async () => {
    const app = express();
    const router = express.Router();
    router.use('/agora', createTokenHandler(options()));
    app.use('/apps/chat', router);
    const base = await listen(createServer(app));
    await expectMountedAt(base, '/apps/chat/agora');
  });
});
