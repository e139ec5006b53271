// The `agora-token-builder/client` module in headless Chromium, loaded as the
// token server serves it (/assets/), against a real token server on
// 127.0.0.1: its times, retries, session end and memory. With the real Agora
// Chat SDK: test/e2e-chat-sdk.test.ts. Needs the built dist/ (npm run
// build), as CI does before the tests.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath } from './helpers/chromium.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeToken, verifyToken, type ChatService } from '../src/index.js';
import { addUser, startTokenServer, type RunningTokenServer, type TokenServerOptions } from '../src/server/index.js';

const CHROMIUM = chromiumPath();
const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const SECRET = 'the session secret of the browser tests, 48 bytes';
const UUID = '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b';
// Built at run time so that the test's own source text is not what the heap search finds.
const PASSWORD = ['pw', 'q7Zx', 'unique', String(process.pid)].join('-');

function chatUser(token: string): string {
  const decoded = decodeToken(token);
  if (decoded.version !== '007') throw new Error('expected a 007 token');
  return (decoded.services[0] as ChatService).userId;
}

if (!existsSync(join(import.meta.dirname, '..', 'dist', 'client', 'index.js'))) throw new Error('dist/ is not built: run npm run build first');

describe('the client module in Chromium', () => {
  let dir: string;
  let usersFile: string;
  let context: BrowserContext;
  let page: Page;
  const servers: RunningTokenServer[] = [];

  async function start(options: TokenServerOptions = {}): Promise<RunningTokenServer> {
    const server = await startTokenServer({ appId: APP_ID, appCertificate: APP_CERTIFICATE, usersFile, sessionSecret: SECRET, scrypt: { N: 1024 }, ...options });
    servers.push(server);
    return server;
  }

  /** Opens a document of the server's origin with no script of its own, and loads the module there as `window.mod`. */
  async function open(server: RunningTokenServer): Promise<void> {
    await page.goto(`${server.url}/health`);
    // A module script, so that the module is imported by the browser itself.
    await page.addScriptTag({
      type: 'module',
      content: `
        import * as mod from '/assets/agora-token-builder-client.js';
        Object.assign(window, { mod, events: [] });
      `,
    });
    await page.waitForFunction(() => (globalThis as any).mod !== undefined);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atb-client-'));
    usersFile = join(dir, 'users.json');
    await addUser(usersFile, 'alice', PASSWORD, { chatUserName: 'alice', chatUserUuid: UUID, scrypt: { N: 1024 } });
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30_000,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
  }, 40_000);

  beforeEach(async () => {
    await context.clearCookies();
  });

  afterAll(async () => {
    await context?.close();
    await Promise.all(servers.map((s) => s.close(1000)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("logs in and renews at 80% of the token's life, counted from the token's own issue time: never after it expires", async () => {
    const server = await start({ expire: 3 });
    await open(server);
    const login = await page.evaluate(async (password) => {
      const w = globalThis as any;
      w.client = new w.mod.TokenClient({
        onToken: (token: { accessToken: string }, reason: string) => w.events.push(`${reason}:${token.accessToken}@${Date.now()}`),
        onRenewError: (error: { code: string }) => w.events.push(`error:${error.code}`),
      });
      const sentAt = Date.now();
      const token = await w.client.login('alice', password);
      return { token, sentAt };
    }, PASSWORD);
    const { token } = login;
    expect(token.chatUserName).toBe('alice');
    expect(token.chatUserUuid).toBe(UUID);
    expect(chatUser(token.accessToken)).toBe(UUID);
    // The token's own times (browser and server share this machine's clock):
    // it expires at issueTs + expire, and the client's expiresAt is never
    // later, and early by at most the second the issue time was truncated to.
    const decoded = decodeToken(token.accessToken);
    if (decoded.version !== '007') throw new Error('expected a 007 token');
    const realExpiry = (decoded.issueTs + decoded.expire) * 1000;
    expect(decoded.expire).toBe(3);
    expect(token.expireTimestamp).toBe(decoded.issueTs + 3);
    expect(token.expiresAt - token.issuedAt).toBe(3000);
    expect(token.expiresAt).toBeLessThanOrEqual(realExpiry);
    expect(token.expiresAt).toBeGreaterThanOrEqual(realExpiry - 1000 - (token.receivedAt - login.sentAt));
    expect(token.issuedAt).toBeLessThanOrEqual(token.receivedAt);

    // The timer at 80% of the life from issuedAt: one renewal, before the token expired.
    await expect.poll(() => page.evaluate(() => ((globalThis as any).events as string[]).length), { timeout: 8000, interval: 100 }).toBeGreaterThanOrEqual(2);
    const events = await page.evaluate(() => (globalThis as any).events as string[]);
    expect(events[0]).toBe(`login:${token.accessToken}@${events[0]!.split('@')[1]}`);
    const [renewal, renewedAt] = events[1]!.split('@') as [string, string];
    expect(renewal.startsWith('renew:')).toBe(true);
    const renewed = renewal.slice('renew:'.length);
    expect(renewed).not.toBe(token.accessToken);
    expect(verifyToken(renewed, APP_CERTIFICATE).status).toBe('valid');
    expect(chatUser(renewed)).toBe(UUID);
    expect(Number(renewedAt)).toBeGreaterThanOrEqual(token.issuedAt + 2400 - 20);
    expect(Number(renewedAt)).toBeLessThan(realExpiry);
    await page.evaluate(() => (globalThis as any).client.stop());
  });

  it('retries a failed renewal a bounded number of times with backoff, then tries again at expiry', async () => {
    let lookups = 0;
    // Lookup 1 is the login's; 2-4 are the attempt and 2 retries at 80%, 5 the
    // attempt at expiry: those fail. 6, its first retry, succeeds.
    const failing = new Set([2, 3, 4, 5]);
    const server = await start({
      expire: 4,
      // Five attempts within a second: past the server's per-session renewal limit, which is not what this tests.
      renewalLimit: false,
      findUser: () => {
        lookups += 1;
        if (failing.has(lookups)) throw new Error('the user store is down for a moment');
        return { chatUserName: 'alice', chatUserUuid: UUID, credentialStamp: 'same' };
      },
      onError: () => undefined,
    });
    await open(server);
    const started = Date.now();
    const out = await page.evaluate(async (password) => {
      const w = globalThis as any;
      const log: string[] = [];
      const client = new w.mod.TokenClient({
        retries: 2,
        retryDelay: 100,
        onToken: (_t: unknown, reason: string) => log.push(`${reason}@${Date.now()}`),
        onRenewError: (error: { code: string; status: number }, willRetry: boolean) => log.push(`${error.code}/${error.status}/${willRetry}@${Date.now()}`),
      });
      const first = await client.login('alice', password);
      const deadline = Date.now() + 9000;
      while (!log.some((l) => l.startsWith('renew@')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      client.stop();
      return { log, expiresAt: first.expiresAt as number, issuedAt: first.issuedAt as number };
    }, PASSWORD);
    const kinds = out.log.map((line) => line.split('@')[0]);
    // At 80%: an attempt and 2 retries, all 500s; at expiry: one more 500, then success on its first retry.
    expect(kinds).toEqual(['login', 'internal_error/500/true', 'internal_error/500/true', 'internal_error/500/false', 'internal_error/500/true', 'renew']);
    const times = out.log.map((line) => Number(line.split('@')[1]));
    expect(times[1]).toBeGreaterThanOrEqual(out.issuedAt + 3200 - 50); // not before 80% of 4 s
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(90); // 100 ms, then
    expect(times[3]! - times[2]!).toBeGreaterThanOrEqual(190); // 200 ms: doubling
    expect(times[4]).toBeGreaterThanOrEqual(out.expiresAt - 50); // the next try waits for the expiry
    expect(lookups).toBe(6);
    expect(Date.now() - started).toBeLessThan(12_000);
  });

  it('ends on a revoked session: no retries, onSessionEnd, and logout clears the cookie', async () => {
    let stamp = 'one';
    const server = await start({
      expire: 3600,
      authenticate: (_name, password) => (password === PASSWORD ? { chatUserName: 'alice', chatUserUuid: UUID } : null),
      findUser: () => ({ chatUserName: 'alice', chatUserUuid: UUID, credentialStamp: stamp }),
    });
    await open(server);
    await page.evaluate(async (password) => {
      const w = globalThis as any;
      w.ended = [];
      w.client = new w.mod.TokenClient({ retries: 3, onSessionEnd: (error?: { code: string }) => w.ended.push(error ? error.code : 'logout') });
      await w.client.login('alice', password);
    }, PASSWORD);
    stamp = 'two'; // the password changed on the server
    const revoked = await page.evaluate(async () => {
      const w = globalThis as any;
      const error = await w.client.renew().then(() => null, (e: { code: string; sessionEnded: boolean }) => ({ code: e.code, sessionEnded: e.sessionEnded }));
      return { error, ended: w.ended, token: w.client.token ?? null };
    });
    expect(revoked).toEqual({ error: { code: 'session_revoked', sessionEnded: true }, ended: ['session_revoked'], token: null });

    stamp = 'one';
    const out = await page.evaluate(async (password) => {
      const w = globalThis as any;
      await w.client.login('alice', password);
      const resumed = await new w.mod.TokenClient().resume();
      await w.client.logout();
      const afterLogout = await new w.mod.TokenClient().resume();
      return { resumed: resumed?.chatUserUuid ?? null, afterLogout: afterLogout ?? null, ended: w.ended };
    }, PASSWORD);
    expect(out).toEqual({ resumed: UUID, afterLogout: null, ended: ['session_revoked', 'logout'] });
    expect(await context.cookies()).toEqual([]);
  });

  it('keeps no copy of the password in the page\'s memory after login', async () => {
    const server = await start({ expire: 3600 });
    await open(server);
    await page.evaluate(async (password) => {
      const w = globalThis as any;
      w.client = new w.mod.TokenClient();
      await w.client.login('alice', password);
    }, PASSWORD);
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    const chunks: string[] = [];
    cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    await cdp.detach();
    const snapshot = chunks.join('');
    expect(snapshot.length).toBeGreaterThan(100_000);
    expect(snapshot).toContain('TokenClient'); // the snapshot holds the page's strings
    expect(snapshot).not.toContain(PASSWORD);
    await page.evaluate(() => (globalThis as any).client.stop());
  });
});
