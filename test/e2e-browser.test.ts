// The seed's web flow end to end: the page at / in headless Chromium logs in
// through POST /token, shows the decoded token, and renews it at 80% of its
// life. Uses Debian's /usr/bin/chromium through playwright-core; never
// downloads a browser.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToken, verifyToken, type ChatService, type DecodedToken007 } from '../src/index.js';
import { addUser, startTokenServer, type RunningTokenServer } from '../src/server/index.js';

/** Decodes a token that must be a 007 one (the chat builders make no other). */
function decode007(token: string): DecodedToken007 {
  const decoded = decodeToken(token);
  if (decoded.version !== '007') throw new Error(`expected a 007 token, got ${decoded.version}`);
  return decoded;
}


const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`e2e-browser: SKIPPED, ${CHROMIUM} is missing (install it with: apt-get install -y chromium)`);
}

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const EXPIRE = 5; // seconds: the page renews after 4 s (80%)

describe.skipIf(!hasChromium)('the login page in headless Chromium', () => {
  let dir: string;
  let server: RunningTokenServer;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atb-e2e-'));
    const usersFile = join(dir, 'users.json');
    await addUser(usersFile, 'alice', 'alice-password', { chatUserId: 'alice-chat-uuid', scrypt: { N: 1024 } });
    server = await startTokenServer({ appId: APP_ID, appCertificate: APP_CERTIFICATE, usersFile, expire: EXPIRE });
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: 30_000,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
  }, 40_000);

  afterAll(async () => {
    await context?.close();
    await server?.close(1000);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong password and shows why', async () => {
    await page.goto(`${server.url}/`);
    await page.fill('#userID', 'alice');
    await page.fill('#password', 'wrong');
    await page.click('#login');
    await expect.poll(() => page.textContent('#log'), { timeout: 10_000 }).toContain('Login failed: HTTP 401');
    expect(await page.isVisible('#result')).toBe(false);
  });

  it('logs in, shows the decoded token, and renews it before it expires', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${server.url}/`);
    await page.fill('#userID', 'alice');
    await page.fill('#password', 'alice-password');
    await page.click('#login');

    await expect.poll(() => page.textContent('#log'), { timeout: 10_000 }).toContain('Logged in as alice-chat-uuid');
    const first = (await page.textContent('#token'))!.trim();
    const decoded = decode007(first);
    expect(await page.textContent('#chat-user')).toBe('alice-chat-uuid');
    expect(await page.textContent('#token-user')).toBe('alice-chat-uuid');
    expect(await page.textContent('#app-id')).toBe(APP_ID);
    expect(await page.textContent('#issued')).toContain(`issueTs ${decoded.issueTs}`);
    expect(await page.textContent('#expires')).toContain(`expire ${EXPIRE} s`);
    expect(await page.textContent('#countdown')).toMatch(/^[1-5] s$/);
    expect(verifyToken(first, APP_CERTIFICATE).status).toBe('valid');

    // At 80% of 5 s the page logs "about to expire" and fetches a new token.
    await expect.poll(() => page.textContent('#log'), { timeout: 10_000, interval: 200 }).toContain('Token renewed (#1)');
    const log = (await page.textContent('#log'))!;
    expect(log).toContain('Token is about to expire');
    expect(log).not.toContain('The token has expired'); // renewed in time
    expect(await page.textContent('#renewals')).toBe('1');

    const second = (await page.textContent('#token'))!.trim();
    expect(second).not.toBe(first);
    const verdict = verifyToken(second, APP_CERTIFICATE);
    expect(verdict.status).toBe('valid');
    expect(verdict.valid && ((verdict.token as DecodedToken007).services[0] as ChatService).userId).toBe('alice-chat-uuid');
    expect(verdict.valid && (verdict.token as DecodedToken007).issueTs).toBeGreaterThanOrEqual(decoded.issueTs + 3);
    expect(errors).toEqual([]);
  });

  it('renews when the token has expired, if renewing at 80% failed (the seed\'s onTokenExpired)', async () => {
    // A second server whose authenticate fails on the second call only: the
    // renewal at 80% gets a 500, the one at expiry succeeds.
    let calls = 0;
    const flaky = await startTokenServer({
      appId: APP_ID,
      appCertificate: APP_CERTIFICATE,
      expire: 3,
      authenticate: (name) => {
        calls += 1;
        if (calls === 2) throw new Error('the user store is down for a moment');
        return { chatUserId: name };
      },
    });
    try {
      await page.goto(`${flaky.url}/`);
      await page.fill('#userID', 'bob');
      await page.fill('#password', 'any');
      await page.click('#login');
      await expect.poll(() => page.textContent('#log'), { timeout: 10_000 }).toContain('Logged in as bob');
      const first = (await page.textContent('#token'))!.trim();
      await expect.poll(() => page.textContent('#log'), { timeout: 10_000, interval: 200 }).toContain('Token renewed (#1)');
      const log = (await page.textContent('#log'))!;
      // Newest first: renewed, after "has expired", after the failed renewal, after "about to expire".
      const order = ['Token renewed (#1)', 'The token has expired', 'Renewal failed: HTTP 500', 'Token is about to expire', 'Logged in as bob'];
      const positions = order.map((text) => log.indexOf(text));
      expect(positions.every((at) => at >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      const second = (await page.textContent('#token'))!.trim();
      expect(second).not.toBe(first);
      expect(verifyToken(second, APP_CERTIFICATE).status).toBe('valid');
      expect(calls).toBe(3);
    } finally {
      await flaky.close(1000);
    }
  });
});
