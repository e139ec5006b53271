// The client module with the REAL Agora Chat Web SDK (`agora-chat` 1.4.0,
// the pinned devDependency) in headless Chromium, as an app would load them:
// one bundle (esbuild) of `import AgoraChat from 'agora-chat'` and
// `import { TokenClient } from 'agora-token-builder/client'`, on a page of
// the token server's origin, against a real token server on 127.0.0.1.
// Agora is played at the network level by test/helpers/agora-chat-network.ts
// (the SDK's DNS/config fetch, the msync WebSocket login in the SDK's own
// protobuf schema, the REST call behind renewToken), which verifies every
// token it receives with the certificate and the user's UUID and refuses bad
// ones. Short token lifetimes (the server's `expire`) keep each scenario to
// a few seconds. Needs the built dist/ (npm run build).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath } from './helpers/chromium.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyToken } from '../src/index.js';
import { addUser, startTokenServer, type RunningTokenServer, type TokenServerOptions } from '../src/server/index.js';
import { installChatNetwork, type ChatNetwork } from './helpers/agora-chat-network.js';

const CHROMIUM = chromiumPath();
const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const APP_KEY = 'standin-org#standin-app';
const SECRET = 'the session secret of the chat SDK tests, 48 bytes';
const UUID = '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b';
const CHAT_USER = 'alice-chat';
const PASSWORD = ['pw', 'sdk', String(process.pid)].join('-');
const ROOT = join(import.meta.dirname, '..');

if (!existsSync(join(ROOT, 'dist', 'client', 'index.js'))) throw new Error('dist/ is not built: run npm run build first');

/** What the page records: one line per event, `kind:detail@Date.now()`. */
interface PageLog {
  events: string[];
}

describe('the client module with the real Agora Chat SDK', () => {
  let dir: string;
  let usersFile: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let network: ChatNetwork;
  let bundle: string;
  const servers: RunningTokenServer[] = [];
  /** Requests that reached the server's findUser: once per login (the session's fingerprint) and once per renewal. */
  let lookups = 0;
  /** POST /token/renew requests the server answered: the lookups past the one login of each scenario. */
  const renewalsServed = () => lookups - 1;

  async function start(options: TokenServerOptions = {}): Promise<RunningTokenServer> {
    const server = await startTokenServer({
      appId: APP_ID,
      appCertificate: APP_CERTIFICATE,
      usersFile,
      sessionSecret: SECRET,
      scrypt: { N: 1024 },
      findUser: () => {
        lookups += 1;
        return { chatUserName: CHAT_USER, chatUserUuid: UUID, credentialStamp: 'stamp' };
      },
      ...options,
    });
    servers.push(server);
    return server;
  }

  /** A fresh context with Agora's stand-in, and a page of the token server's origin running the app bundle. */
  async function open(server: RunningTokenServer): Promise<void> {
    context = await browser.newContext();
    network = await installChatNetwork(context, { appId: APP_ID, appCertificate: APP_CERTIFICATE, appKey: APP_KEY, users: new Map([[CHAT_USER, UUID]]), pageOrigin: server.url });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${server.url}/health`);
    await page.addScriptTag({ content: bundle });
    await page.waitForFunction(() => (globalThis as any).app !== undefined);
  }

  /**
   * Signs in as an app does: the password to the token server, the token to
   * the SDK (`conn.open({ user, accessToken })`), then `attach`. Everything
   * the SDK and the module report goes to `window.log.events`.
   */
  async function signIn(options: { renewAt?: number; retries?: number; retryDelay?: number } = {}): Promise<{ accessToken: string; expiresAt: number; issuedAt: number }> {
    return page.evaluate(
      async ({ password, appKey, options }) => {
        const w = globalThis as any;
        const { AgoraChat, TokenClient } = w.app;
        const log = { events: [] as string[] };
        const note = (line: string) => log.events.push(`${line}@${Date.now()}`);
        w.log = log;
        // The app's own SDK logs stay quiet: only errors.
        AgoraChat.logger.setLevel?.(4);
        const conn = new AgoraChat.connection({ appKey });
        conn.addEventHandler('test', {
          onConnected: () => note('sdk:connected'),
          onDisconnected: () => note('sdk:disconnected'),
          onReconnecting: () => note('sdk:reconnecting'),
          onTokenWillExpire: () => note('sdk:willExpire'),
          onTokenExpired: () => note('sdk:expired'),
          onError: (error: { type: number; message: string }) => note(`sdk:error:${error.type}:${error.message}`),
        });
        const tokens = new TokenClient({
          ...options,
          onToken: (token: { accessToken: string }, reason: string) => note(`token:${reason}:${token.accessToken}`),
          onRenewError: (error: { code: string; status: number; retryAfter?: number }, willRetry: boolean) =>
            note(`renewError:${error.code}:${error.status}:${error.retryAfter ?? '-'}:${willRetry}`),
          onHandOver: (action: string, token: { accessToken: string }) => note(`handOver:${action}:${token.accessToken}`),
          onSessionEnd: (error?: { code: string }) => note(`sessionEnd:${error?.code ?? 'logout'}`),
        });
        const token = await tokens.login('alice', password);
        await conn.open({ user: token.chatUserName, accessToken: token.accessToken });
        tokens.attach(conn);
        Object.assign(w, { conn, tokens });
        return { accessToken: token.accessToken, expiresAt: token.expiresAt, issuedAt: token.issuedAt };
      },
      { password: PASSWORD, appKey: APP_KEY, options },
    );
  }

  const events = async (): Promise<string[]> => page.evaluate(() => ((globalThis as any).log as PageLog).events.slice());
  const kinds = (lines: string[], prefix: string) => lines.filter((line) => line.startsWith(prefix));
  const at = (line: string) => Number(line.slice(line.lastIndexOf('@') + 1));
  const tokenOf = (line: string) => line.slice(0, line.lastIndexOf('@')).split(':').pop()!;
  const state = () =>
    page.evaluate(() => {
      const w = globalThis as any;
      return { opened: w.conn.isOpened() as boolean, sdkToken: w.conn.token as string, clientToken: (w.tokens.token?.accessToken ?? null) as string | null };
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atb-chat-sdk-'));
    usersFile = join(dir, 'users.json');
    await addUser(usersFile, 'alice', PASSWORD, { chatUserName: CHAT_USER, chatUserUuid: UUID, scrypt: { N: 1024 } });
    const built = await build({
      stdin: {
        // The app: the SDK and the client module, imported by name as an app does.
        contents: "import AgoraChat from 'agora-chat';\nimport { TokenClient } from 'agora-token-builder/client';\nwindow.app = { AgoraChat, TokenClient };\n",
        resolveDir: ROOT,
        loader: 'js',
      },
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'chrome120',
      logLevel: 'error',
    });
    bundle = built.outputFiles[0]!.text;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30_000,
    });
  }, 60_000);

  beforeEach(() => {
    lookups = 0;
  });

  afterEach(async () => {
    // The stand-in saw nothing it does not play, and the page stops its timers.
    expect(network.unexpected).toEqual([]);
    await page.evaluate(() => {
      const w = globalThis as any;
      w.tokens?.stop();
      w.conn?.close();
    });
    await context.close();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.close(1000)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("renews at the SDK's onTokenWillExpire: the SDK's renewToken takes each new token, one renewal per cycle", async () => {
    const server = await start({ expire: 8 });
    await open(server);
    // The module's own timer at 99% (it counts from up to a second before
    // the token was issued, never late): the SDK's event at 80% comes first.
    const first = await signIn({ renewAt: 0.99 });
    expect(first.expiresAt - first.issuedAt).toBe(8000);

    await expect.poll(async () => kinds(await events(), 'handOver:renewToken').length, { timeout: 16_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    const lines = await events();
    const renewed = kinds(lines, 'token:renew');
    const willExpire = kinds(lines, 'sdk:willExpire');
    expect(renewed.length).toBeGreaterThanOrEqual(2);
    // Each renewal follows an onTokenWillExpire of the SDK, before the token expired.
    expect(at(renewed[0]!)).toBeGreaterThanOrEqual(at(willExpire[0]!));
    expect(at(renewed[0]!)).toBeLessThan(first.expiresAt);
    expect(at(renewed[1]!)).toBeGreaterThanOrEqual(at(willExpire[1]!));
    // One renewal per cycle: as many requests as SDK events and tokens, no double.
    expect(renewalsServed()).toBe(renewed.length);
    expect(willExpire.length).toBe(renewed.length);
    // The stand-in: one login with the first token, then the REST check of each renewed one, all valid.
    const seen = network.seen.map((s) => [s.kind, s.verdict]);
    expect(seen.slice(0, 3)).toEqual([
      ['login', 'valid'],
      ['renew', 'valid'],
      ['renew', 'valid'],
    ]);
    expect(network.seen[0]!.token).toBe(first.accessToken);
    expect(network.seen[1]!.token).toBe(tokenOf(renewed[0]!));
    expect(network.seen[2]!.token).toBe(tokenOf(renewed[1]!));
    expect(kinds(lines, 'sdk:expired')).toEqual([]);
    expect(kinds(lines, 'renewError')).toEqual([]);
    // Online, with a current token of this user (the client goes on renewing every 3 s of these 5 s tokens).
    const now = await state();
    expect(now.opened).toBe(true);
    expect(kinds(await events(), 'token:renew').map(tokenOf)).toContain(now.sdkToken);
    expect(verifyToken(now.sdkToken, APP_CERTIFICATE).status).toBe('valid');
  }, 20_000);

  it('keeps the user online when renewal fails until after expiry: logs in again with the fresh token, which Agora accepts', async () => {
    const server = await start({ expire: 3 });
    await open(server);
    // The token server's store is down until a second after the token expired:
    // 503 store_unavailable with Retry-After: 1, as the server answers then.
    let failUntil = Infinity;
    let refused = 0;
    await page.route('**/token/renew', async (route) => {
      if (Date.now() < failUntil) {
        refused += 1;
        return route.fulfill({
          status: 503,
          contentType: 'application/json; charset=utf-8',
          headers: { 'retry-after': '1' },
          body: JSON.stringify({ error: { code: 'store_unavailable', message: 'the user store is unavailable; try again shortly' } }),
        });
      }
      return route.fallback();
    });
    const first = await signIn({ retries: 5, retryDelay: 100 });
    failUntil = first.expiresAt + 1000;

    await expect.poll(async () => kinds(await events(), 'handOver:open').length, { timeout: 12_000, interval: 100 }).toBe(1);
    await expect.poll(async () => (await state()).opened, { timeout: 5000 }).toBe(true);
    const lines = await events();
    const renewed = kinds(lines, 'token:renew');
    expect(renewed).toHaveLength(1);
    const fresh = tokenOf(renewed[0]!);
    // The SDK closed the connection at expiry, before the renewal succeeded.
    const expired = kinds(lines, 'sdk:expired');
    expect(expired).toHaveLength(1);
    expect(at(renewed[0]!)).toBeGreaterThan(at(expired[0]!));
    // The failures were reported, with the server's code and Retry-After, and waited for.
    const errors = kinds(lines, 'renewError');
    expect(errors.length).toBe(refused);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    for (const line of errors) expect(line).toMatch(/^renewError:store_unavailable:503:1:true@/);
    for (let i = 1; i < errors.length; i++) expect(at(errors[i]!) - at(errors[i - 1]!)).toBeGreaterThanOrEqual(950);
    // Exactly two logins reached Agora, both accepted: the first token, then the fresh one.
    expect(network.seen.filter((s) => s.kind === 'login').map((s) => [s.token, s.verdict])).toEqual([
      [first.accessToken, 'valid'],
      [fresh, 'valid'],
    ]);
    expect(kinds(lines, 'handOver:open')[0]).toContain(fresh);
    // The SDK's two events and the module's own timers all fired while the renewal was failing: they shared it.
    expect(kinds(lines, 'sdk:willExpire')).toHaveLength(1);
    expect(renewalsServed()).toBe(1);
    expect(kinds(lines, 'sdk:connected')).toHaveLength(2);
    expect(lines.filter((l) => l.includes('Currently logging in') || l.includes('has logged in'))).toEqual([]);
    const now = await state();
    expect(now).toEqual({ opened: true, sdkToken: fresh, clientToken: fresh });
  }, 20_000);

  it('hands the renewed token over after a network drop, once the SDK has reconnected', async () => {
    const server = await start({ expire: 8 });
    await open(server);
    // Renewal due at half the life (4 s); the SDK's own event comes at 80% (6.4 s).
    const first = await signIn({ renewAt: 0.5, retries: 6, retryDelay: 300 });
    const renewDue = first.issuedAt + 4000;

    // 1 s before the renewal is due, the network goes: Agora's socket drops, and the token server is unreachable.
    await page.waitForTimeout(Math.max(0, renewDue - 1000 - Date.now()));
    network.drop();
    await context.setOffline(true);
    await expect.poll(async () => kinds(await events(), 'renewError:network_error').length, { timeout: 5000, interval: 50 }).toBeGreaterThanOrEqual(1);
    // The network is back for the token server first: the renewal's retry gets
    // a token while the SDK is still reconnecting, and the client waits.
    await context.setOffline(false);
    await expect.poll(async () => kinds(await events(), 'handOver:wait').length, { timeout: 5000, interval: 50 }).toBe(1);
    expect((await state()).opened).toBe(false);
    // Then Agora is reachable again: the SDK's next reconnect (every 1-2 s) succeeds with its own token.
    network.restore();

    await expect.poll(async () => kinds(await events(), 'handOver:renewToken').length, { timeout: 8000, interval: 100 }).toBe(1);
    const lines = await events();
    const renewed = kinds(lines, 'token:renew');
    expect(renewed).toHaveLength(1);
    const fresh = tokenOf(renewed[0]!);
    expect(kinds(lines, 'sdk:reconnecting').length).toBeGreaterThanOrEqual(1);
    // The token waited for the reconnect, then went to renewToken (not a second open by the module).
    const waited = kinds(lines, 'handOver:wait');
    expect(waited).toHaveLength(1);
    const reconnected = kinds(lines, 'sdk:connected');
    expect(reconnected).toHaveLength(2);
    const handed = kinds(lines, 'handOver:renewToken')[0]!;
    expect(at(handed)).toBeGreaterThanOrEqual(at(reconnected[1]!));
    expect(at(waited[0]!)).toBeLessThanOrEqual(at(reconnected[1]!));
    // Agora saw: the login, the SDK's own reconnect with the first (still valid) token, then the fresh one checked.
    const logins = network.seen.filter((s) => s.kind === 'login');
    expect(logins.every((s) => s.token === first.accessToken && s.verdict === 'valid')).toBe(true);
    expect(logins.length).toBe(2);
    expect(network.seen.filter((s) => s.kind === 'renew').map((s) => [s.token, s.verdict])).toEqual([[fresh, 'valid']]);
    expect(renewalsServed()).toBe(1);
    expect(await state()).toEqual({ opened: true, sdkToken: fresh, clientToken: fresh });
  }, 20_000);

  it('logs in with the fresh token when Agora stays unreachable until after the expiry, retrying until it is back', async () => {
    const server = await start({ expire: 5 });
    await open(server);
    const first = await signIn({ renewAt: 0.6, retries: 6, retryDelay: 300 });
    // Agora goes away before the renewal is due; the token server stays reachable.
    await page.waitForTimeout(Math.max(0, first.issuedAt + 2000 - Date.now()));
    network.drop();
    await expect.poll(async () => kinds(await events(), 'handOver:wait').length, { timeout: 5000, interval: 50 }).toBe(1);
    // The SDK closes at the expiry; the client's first login fails (Agora is still away), then Agora is back.
    await expect.poll(async () => kinds(await events(), 'renewError:sdk_error').length, { timeout: 6000, interval: 50 }).toBeGreaterThanOrEqual(1);
    network.restore();
    // The client's next try comes after its back-off (300 ms doubling), and a try the SDK started while Agora
    // was away may take seconds to fail: allow for both on a loaded machine.
    await expect.poll(async () => kinds(await events(), 'handOver:open').length, { timeout: 20_000, interval: 100 }).toBe(1);
    const lines = await events();
    // The client logged in once, with its newest token (renewed meanwhile, as the SDK's events and its timers asked).
    const opened = kinds(lines, 'handOver:open');
    expect(opened).toHaveLength(1);
    const fresh = tokenOf(opened[0]!);
    expect(kinds(lines, 'token:renew').map(tokenOf)).toContain(fresh);
    // The SDK reports the first token's expiry, and again for any token the client handed it that expired
    // while Agora was still away (on a loaded machine, recovery can outlast a 5 s token); once the user is
    // back online with the fresh token, nothing expires.
    const expired = kinds(lines, 'sdk:expired');
    expect(expired.length).toBeGreaterThanOrEqual(1);
    expect(at(opened[0]!)).toBeGreaterThan(at(expired[0]!));
    expect(expired.every((line) => at(line) < at(opened[0]!))).toBe(true);
    expect(kinds(lines, 'renewError:sdk_error')[0]).toMatch(/:true@/);
    // Agora accepted the first token, then the fresh one last. On a loaded machine a login the SDK had under
    // way when Agora came back may also land, with a token the client had handed it: a token of this user
    // from the token server, never anything else.
    const accepted = network.seen.filter((s) => s.verdict === 'valid' && s.kind === 'login').map((s) => s.token);
    expect(accepted[0]).toBe(first.accessToken);
    expect(accepted.at(-1)).toBe(fresh);
    const served = new Set([first.accessToken, ...kinds(lines, 'token:renew').map(tokenOf)]);
    expect(accepted.every((token) => served.has(token))).toBe(true);
    // Online, with a current token of this user (the client goes on renewing every 3 s of these 5 s tokens).
    const now = await state();
    expect(now.opened).toBe(true);
    expect(kinds(await events(), 'token:renew').map(tokenOf)).toContain(now.sdkToken);
    expect(verifyToken(now.sdkToken, APP_CERTIFICATE).status).toBe('valid');
  }, 40_000);

  it('reports a failed sign-out and stays signed in; after a sign-out that worked, it neither renews nor logs in again', async () => {
    const server = await start({ expire: 3 });
    await open(server);
    await signIn({ retryDelay: 100 });
    // A proxy answers 503 to POST /logout, then the network fails.
    let mode: 'proxy' | 'network' | 'through' = 'proxy';
    await page.route('**/logout', (route) => {
      if (mode === 'proxy') return route.fulfill({ status: 503, contentType: 'text/html', body: '<h1>503 Service Unavailable</h1>' });
      if (mode === 'network') return route.abort('connectionreset');
      return route.fallback();
    });
    const tryLogout = () =>
      page.evaluate(async () => {
        const w = globalThis as any;
        try {
          await w.tokens.logout();
          return 'ok';
        } catch (error) {
          const e = error as { code: string; status: number };
          return `${e.code}/${e.status}`;
        }
      });
    expect(await tryLogout()).toBe('http_503/503');
    mode = 'network';
    expect(await tryLogout()).toBe('network_error/0');
    // Still signed in: the client keeps its token, the cookie is there, the server still knows the session.
    const still = await page.evaluate(async () => {
      const w = globalThis as any;
      return { token: w.tokens.token !== undefined, session: await new w.app.TokenClient().session() };
    });
    expect(still.token).toBe(true);
    expect(still.session).toMatchObject({ userAccount: 'alice', chatUserName: CHAT_USER, chatUserUuid: UUID });
    expect((await context.cookies()).map((c) => c.name)).toEqual(['agora_session']);
    expect(kinds(await events(), 'sessionEnd')).toEqual([]);

    // Now it works: the app signs out of the token server, then closes the chat connection.
    mode = 'through';
    expect(await tryLogout()).toBe('ok');
    await page.evaluate(() => (globalThis as any).conn.close());
    const servedBefore = renewalsServed();
    await page.waitForTimeout(3500); // past the token's renewal time and expiry
    const lines = await events();
    expect(kinds(lines, 'sessionEnd')).toHaveLength(1);
    expect(kinds(lines, 'sessionEnd')[0]).toMatch(/^sessionEnd:logout@/);
    expect(renewalsServed()).toBe(servedBefore);
    expect(kinds(lines, 'handOver')).toEqual([]);
    expect(network.seen.filter((s) => s.kind === 'login')).toHaveLength(1);
    expect(await context.cookies()).toEqual([]);
    expect((await state()).opened).toBe(false);
  }, 20_000);

  it('refuses what Agora would refuse: the stand-in rejects an expired token and one built for another user', async () => {
    const server = await start({ expire: 1 });
    await open(server);
    const outcome = await page.evaluate(
      async ({ password, appKey }) => {
        const w = globalThis as any;
        const { AgoraChat, TokenClient } = w.app;
        AgoraChat.logger.setLevel?.(4);
        const token = await new TokenClient().login('alice', password);
        await new Promise((r) => setTimeout(r, 1500)); // the 1 s token has expired
        const conn = new AgoraChat.connection({ appKey });
        const expired = await conn.open({ user: token.chatUserName, accessToken: token.accessToken }).then(
          () => 'opened',
          (e: { type: number; message: string }) => `${e.type}:${e.message}`,
        );
        conn.close();
        const fresh = await new TokenClient().login('alice', password);
        const other = new AgoraChat.connection({ appKey });
        // A real token of alice's UUID, presented for another chat user.
        const wrongUser = await other.open({ user: 'bob-chat', accessToken: fresh.accessToken }).then(
          () => 'opened',
          (e: { type: number; message: string }) => `${e.type}:${e.message}`,
        );
        other.close();
        return { expired, wrongUser };
      },
      { password: PASSWORD, appKey: APP_KEY },
    );
    expect(outcome.expired).toMatch(/token expired/i);
    expect(outcome.wrongUser).not.toBe('opened');
    expect(network.seen.map((s) => s.verdict)).toEqual(['expired', 'unknown-user']);
  }, 20_000);
});
