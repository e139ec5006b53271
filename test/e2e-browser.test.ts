// The sign-in page at / in headless Chromium, against a real token server:
// a failed sign-in, a sign-in that shows the chat username and UUID apart,
// a renewal at 80% of the token's life through the session (no password),
// a reload that resumes the session, and sign-out. The page loads the
// client and web modules from the server (/assets/), so dist/ must be built
// (npm run build, as CI does first). Finds Chromium as test/helpers/chromium.ts says (CHROMIUM,
// then PATH, then /usr/bin/chromium) and drives it through playwright-core;
// never downloads a browser. Set E2E_SCREENSHOTS=DIR to
// keep screenshots of the states (sign-in, renewal, expiry recovery,
// sign-out failure).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath } from './helpers/chromium.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeToken, verifyToken, type ChatService } from '../src/index.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { addUser, createTokenHandler, startTokenServer, type RunningTokenServer } from '../src/server/index.js';

const CHROMIUM = chromiumPath();
const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const UUID = '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b';
const EXPIRE = 5; // seconds: the page renews after 4 s (80%)
const SHOTS = process.env.E2E_SCREENSHOTS;

if (!existsSync(join(import.meta.dirname, '..', 'dist', 'client', 'index.js'))) throw new Error('dist/ is not built: run npm run build first');

function chatUser(token: string): string {
  const decoded = decodeToken(token);
  if (decoded.version !== '007') throw new Error('expected a 007 token');
  return (decoded.services[0] as ChatService).userId;
}

describe('the sign-in page in headless Chromium', () => {
  let dir: string;
  let usersFile: string;
  let server: RunningTokenServer;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  async function shot(name: string): Promise<void> {
    if (SHOTS === undefined) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atb-e2e-'));
    usersFile = join(dir, 'users.json');
    await addUser(usersFile, 'alice', 'alice-password', { chatUserName: 'alice', chatUserUuid: UUID, scrypt: { N: 1024 } });
    server = await startTokenServer({
      appId: APP_ID,
      appCertificate: APP_CERTIFICATE,
      usersFile,
      expire: EXPIRE,
      scrypt: { N: 1024 },
      sessionSecret: 'the session secret of the page tests, over 32 bytes',
    });
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 900, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30_000,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // Every error counts: a fresh visit probes for a session with GET /session, whose "none" is a 200.
      if (message.type() === 'error') errors.push(message.text());
    });
  }, 40_000);

  beforeEach(() => {
    errors = [];
  });

  afterAll(async () => {
    await context?.close();
    await server?.close(1000);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is a sign-in page: its title and heading say so, with no demo badge', async () => {
    const requests: string[] = [];
    const record = (request: { method(): string; url(): string }) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`);
    page.on('request', record);
    await page.goto(`${server.url}/`);
    expect(await page.title()).toBe('Agora Chat sign-in');
    expect(await page.textContent('h1')).toBe('Agora Chat sign-in');
    expect(await page.locator('#demo-badge').count()).toBe(0);
    await expect.poll(() => page.textContent('#log')).toBe(''); // no session: nothing to resume
    expect(await page.isVisible('#login-form')).toBe(true);
    expect(await page.isVisible('#signed-in')).toBe(false);
    await shot('1-signed-out');
    page.off('request', record);
    // A fresh visit asks whether there is a session (a 200 either way), and renews nothing.
    expect(requests.filter((r) => !r.startsWith('GET /assets/'))).toEqual(['GET /', 'GET /session']);
    expect(errors).toEqual([]);
  });

  it('shows a failed sign-in next to the form and clears the password field', async () => {
    await page.goto(`${server.url}/`);
    await page.fill('#userID', 'alice');
    await page.fill('#password', 'wrong');
    await page.click('#login');
    await expect.poll(() => page.isVisible('#login-error'), { timeout: 10_000 }).toBe(true);
    expect(await page.textContent('#login-error')).toBe('Wrong username or password.');
    // The error sits inside the form, next to the fields.
    expect(await page.locator('#login-form #login-error').count()).toBe(1);
    expect(await page.inputValue('#password')).toBe('');
    expect(await page.inputValue('#userID')).toBe('alice');
    expect(await page.isVisible('#signed-in')).toBe(false);
    await shot('2-failed-sign-in');
    // The one error in the console: the wrong password's 401 from POST /token.
    expect(errors).toEqual([expect.stringMatching(/status of 401/)]);
  });

  it('signs in, shows the chat username and UUID apart, renews through the session, resumes after a reload, signs out', async () => {
    await page.goto(`${server.url}/`);
    await page.fill('#userID', 'alice');
    await page.fill('#password', 'alice-password');
    await page.click('#login');

    await expect.poll(() => page.isVisible('#signed-in'), { timeout: 10_000 }).toBe(true);
    expect(await page.inputValue('#password')).toBe(''); // the page keeps no password
    // Nor does its script: a heap snapshot after login holds no copy of it.
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    const chunks: string[] = [];
    cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    await cdp.detach();
    const snapshot = chunks.join('');
    expect(snapshot).toContain('TokenClient');
    expect(snapshot).not.toContain('alice-password');
    expect(await page.isVisible('#login-form')).toBe(false);
    expect(await page.textContent('#chat-user-name')).toBe('alice');
    expect(await page.textContent('#chat-user-uuid')).toBe(UUID);
    expect(await page.textContent('#countdown')).toMatch(/^[1-5] s$/);
    const first = (await page.textContent('#token'))!.trim();
    expect(verifyToken(first, APP_CERTIFICATE).status).toBe('valid');
    expect(chatUser(first)).toBe(UUID);
    // Decoded in the page by the web entry, served by the token server.
    await expect.poll(() => page.textContent('#token-user')).toBe(UUID);
    expect(await page.textContent('#app-id')).toBe(APP_ID);
    expect(await page.textContent('#issued')).toContain(`valid ${EXPIRE} s`);

    // At 80% of 5 s, the client module renews through the session.
    await expect.poll(() => page.textContent('#renewals'), { timeout: 10_000, interval: 200 }).toBe('1');
    expect(await page.textContent('#log')).toContain('Token renewed (#1)');
    const second = (await page.textContent('#token'))!.trim();
    expect(second).not.toBe(first);
    expect(verifyToken(second, APP_CERTIFICATE).status).toBe('valid');
    expect(chatUser(second)).toBe(UUID);
    await page.click('summary'); // open the token details for the screenshot
    await shot('3-signed-in-after-renewal');

    const cookies = await context.cookies();
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite, c.path])).toEqual([['agora_session', true, 'Strict', '/']]);

    // A reload resumes the session without a password.
    await page.reload();
    await expect.poll(() => page.isVisible('#signed-in'), { timeout: 10_000 }).toBe(true);
    expect(await page.textContent('#log')).toContain('Session resumed for alice');
    expect(await page.textContent('#chat-user-uuid')).toBe(UUID);

    await page.click('#logout');
    await expect.poll(() => page.isVisible('#login-form'), { timeout: 10_000 }).toBe(true);
    expect(await page.isVisible('#signed-in')).toBe(false);
    expect(await page.textContent('#log')).toContain('Signed out');
    expect(await context.cookies()).toEqual([]);
    await page.reload();
    await expect.poll(() => page.textContent('#log')).toBe('');
    expect(await page.isVisible('#signed-in')).toBe(false);
    expect(errors).toEqual([]);
  });

  it('signs in and renews through a handler mounted in Express at /agora, opened without the trailing slash', async () => {
    await context.clearCookies();
    const app = express();
    app.use(
      '/agora',
      createTokenHandler({ appId: APP_ID, appCertificate: APP_CERTIFICATE, usersFile, expire: EXPIRE, scrypt: { N: 1024 }, sessionSecret: 'the session secret of the page tests, over 32 bytes' }),
    );
    const host = createServer(app);
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
      await page.goto(`${base}/agora`);
      expect(page.url()).toBe(`${base}/agora/`); // redirected: the page's relative URLs resolve under /agora/
      await page.fill('#userID', 'alice');
      await page.fill('#password', 'alice-password');
      await page.click('#login');
      await expect.poll(() => page.isVisible('#signed-in'), { timeout: 10_000 }).toBe(true);
      expect(await page.textContent('#chat-user-uuid')).toBe(UUID);
      await expect.poll(() => page.textContent('#token-user')).toBe(UUID); // the web module loaded from /agora/assets/
      await expect.poll(() => page.textContent('#renewals'), { timeout: 10_000, interval: 200 }).toBe('1');
      const renewed = (await page.textContent('#token'))!.trim();
      expect(verifyToken(renewed, APP_CERTIFICATE).status).toBe('valid');
      expect(chatUser(renewed)).toBe(UUID);
      await page.click('#logout');
      await expect.poll(() => page.isVisible('#login-form'), { timeout: 10_000 }).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      host.closeAllConnections();
      await new Promise<void>((resolve) => host.close(() => resolve()));
    }
  });

  it('says so when sign-out fails (a proxy\'s 503, then no network), stays signed in, and signs out on the next try', async () => {
    await page.goto(`${server.url}/`);
    await page.fill('#userID', 'alice');
    await page.fill('#password', 'alice-password');
    await page.click('#login');
    await expect.poll(() => page.isVisible('#signed-in'), { timeout: 10_000 }).toBe(true);
    let mode: 'proxy' | 'network' | 'through' = 'proxy';
    await page.route('**/logout', (route) => {
      if (mode === 'proxy') return route.fulfill({ status: 503, contentType: 'text/html', body: '<h1>503 Service Unavailable</h1>' });
      if (mode === 'network') return route.abort('connectionreset');
      return route.fallback();
    });
    try {
      await page.click('#logout');
      await expect.poll(() => page.isVisible('#logout-error'), { timeout: 5000 }).toBe(true);
      expect(await page.textContent('#logout-error')).toBe('Sign-out failed: the server answered 503. You are still signed in; try again.');
      expect(await page.textContent('#log')).toContain('Sign-out failed: POST logout answered 503 without JSON (http_503)');
      expect(await page.isVisible('#signed-in')).toBe(true);
      expect(await page.isVisible('#login-form')).toBe(false);
      expect(await page.textContent('#log')).not.toContain('Signed out');
      expect((await context.cookies()).map((c) => c.name)).toEqual(['agora_session']);
      await shot('4-sign-out-failed');

      mode = 'network';
      await page.click('#logout');
      await expect.poll(() => page.textContent('#logout-error')).toBe('Sign-out failed: the server could not be reached. You are still signed in; try again.');
      expect(await page.textContent('#log')).toContain('(network_error)');
      expect(await page.isVisible('#signed-in')).toBe(true);
      // A reload would resume: the session is still there.
      expect((await context.cookies()).map((c) => c.name)).toEqual(['agora_session']);

      mode = 'through';
      await page.click('#logout');
      await expect.poll(() => page.isVisible('#login-form'), { timeout: 5000 }).toBe(true);
      expect(await page.isVisible('#logout-error')).toBe(false);
      expect(await page.textContent('#log')).toContain('Signed out');
      expect(await context.cookies()).toEqual([]);
    } finally {
      await page.unroute('**/logout');
    }
    // The browser's own lines for the failed requests; nothing else.
    expect(errors.filter((e) => !/status of 503|ERR_CONNECTION_RESET/.test(e))).toEqual([]);
  });

  it('shows the token expiring while renewals fail (503 with Retry-After), then renewed after expiry', async () => {
    await page.goto(`${server.url}/`);
    let failing = true;
    await page.route('**/token/renew', (route) =>
      failing
        ? route.fulfill({
            status: 503,
            contentType: 'application/json; charset=utf-8',
            headers: { 'retry-after': '2' },
            body: JSON.stringify({ error: { code: 'store_unavailable', message: 'the user store is unavailable; try again shortly' } }),
          })
        : route.fallback(),
    );
    try {
      await page.fill('#userID', 'alice');
      await page.fill('#password', 'alice-password');
      await page.click('#login');
      await expect.poll(() => page.isVisible('#signed-in'), { timeout: 10_000 }).toBe(true);
      const first = (await page.textContent('#token'))!.trim();
      await expect.poll(() => page.textContent('#countdown'), { timeout: 10_000, interval: 100 }).toBe('expired, renewing…');
      expect(await page.textContent('#countdown-label')).toBe('Token');
      expect(await page.textContent('#log')).toContain('Renewal failed: the user store is unavailable; try again shortly (store_unavailable), retrying in 2 s');
      await shot('5-expired-while-renewal-fails');
      failing = false;
      await expect.poll(() => page.textContent('#renewals'), { timeout: 10_000, interval: 100 }).toBe('1');
      expect(await page.textContent('#log')).toContain('Token renewed (#1) after the previous one expired');
      expect(await page.textContent('#countdown')).toMatch(/^[1-5] s$/);
      expect(await page.textContent('#countdown-label')).toBe('Token expires in');
      const second = (await page.textContent('#token'))!.trim();
      expect(second).not.toBe(first);
      expect(verifyToken(second, APP_CERTIFICATE).status).toBe('valid');
      await shot('6-renewed-after-expiry');
    } finally {
      await page.unroute('**/token/renew');
    }
    await page.click('#logout');
    await expect.poll(() => page.isVisible('#login-form'), { timeout: 5000 }).toBe(true);
    expect(errors.filter((e) => !/status of 503/.test(e))).toEqual([]);
  });

  it('wears a demo badge in demo mode only', async () => {
    const demo = await startTokenServer({ appId: APP_ID, appCertificate: APP_CERTIFICATE, demo: true, authenticate: () => null, onWarning: () => undefined });
    try {
      await page.goto(`${demo.url}/`);
      expect(await page.textContent('#demo-badge')).toBe('Demo');
      expect(await page.title()).toBe('Agora Chat sign-in');
    } finally {
      await demo.close(1000);
    }
  });
});
