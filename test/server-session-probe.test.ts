// GET /session: the probe the sign-in page (and TokenClient.resume) makes on
// every visit. Always a 200, so that "no session" is not an error in the
// browser's console: {"session": null}, or who is signed in and until when,
// never a token. A real server on 127.0.0.1, called with fetch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, startTokenServer, type RunningTokenServer } from '../src/server/index.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const UUID = '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b';

describe('GET /session', () => {
  let dir: string;
  let server: RunningTokenServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atb-probe-'));
    const usersFile = join(dir, 'users.json');
    await addUser(usersFile, 'alice', 'alice-password', { chatUserName: 'alice-chat', chatUserUuid: UUID, scrypt: { N: 1024 } });
    server = await startTokenServer({ appId: APP_ID, appCertificate: APP_CERTIFICATE, usersFile, sessionSecret: 'the secret of the probe tests, over 32 bytes', sessionLifetime: 3600, scrypt: { N: 1024 } });
  });

  afterAll(async () => {
    await server?.close(1000);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const probe = (cookie?: string) => fetch(`${server.url}/session`, { headers: cookie === undefined ? {} : { cookie }, signal: AbortSignal.timeout(10_000) });

  it('answers 200 {"session": null} without a session, and for a cookie that is not valid', async () => {
    for (const cookie of [undefined, 'agora_session=', 'agora_session=v1.forged.signature']) {
      const response = await probe(cookie);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({ session: null });
    }
  });

  it('answers who is signed in and when the session ends, and no token', async () => {
    const before = Math.floor(Date.now() / 1000);
    const login = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userAccount: 'alice', userPassword: 'alice-password' }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const response = await probe(cookie);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { session: { expiresAt: number } };
    expect(body).toEqual({ session: { userAccount: 'alice', chatUserName: 'alice-chat', chatUserUuid: UUID, expiresAt: expect.any(Number) } });
    expect(body.session.expiresAt).toBeGreaterThanOrEqual(before + 3600);
    expect(body.session.expiresAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 3600);
  });

  it('allows GET and HEAD only', async () => {
    expect((await fetch(`${server.url}/session`, { method: 'HEAD' })).status).toBe(200);
    const post = await fetch(`${server.url}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });
});
