// The Fetch handler entry (agora-token-builder/handler) is portable: nothing
// it loads imports a Node built-in or reads process.env, and creating a
// handler does no I/O, starts no timer and draws no random number (workerd
// refuses those at module scope).
import { build } from 'esbuild';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFetchHandler, createMemoryUserStore } from '../src/handler.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';

describe('the handler entry', () => {
  it('bundles for a neutral platform (no node: built-in reachable), with no process.env and no require', async () => {
    // With platform "neutral" esbuild knows no built-ins: a node: import anywhere fails the build.
    const result = await build({
      entryPoints: [new URL('../src/handler.ts', import.meta.url).pathname],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      minify: true,
      write: false,
      logLevel: 'silent',
    });
    const code = new TextDecoder().decode(result.outputFiles[0]!.contents);
    expect(code).not.toMatch(/["']node:/);
    expect(code).not.toContain('process.env');
    expect(code).not.toMatch(/\brequire\(/);
    expect(code).toContain('createFetchHandler');
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('creates a handler without timers, random draws, WebCrypto calls or fetches', () => {
    const calls = [
      vi.spyOn(globalThis, 'setTimeout'),
      vi.spyOn(globalThis, 'setInterval'),
      vi.spyOn(globalThis, 'fetch'),
      vi.spyOn(globalThis.crypto, 'getRandomValues'),
      vi.spyOn(globalThis.crypto, 'randomUUID'),
      vi.spyOn(globalThis.crypto.subtle, 'importKey'),
      vi.spyOn(globalThis.crypto.subtle, 'sign'),
      vi.spyOn(globalThis.crypto.subtle, 'digest'),
    ];
    const warnings: string[] = [];
    // No session secret: the random one is drawn at the first request, not now.
    const handler = createFetchHandler({
      appId: APP_ID,
      appCertificate: APP_CERTIFICATE,
      store: createMemoryUserStore(),
      passwordHasher: { hash: async () => 'x', verify: async () => ({ valid: false }) },
      onWarning: (message) => warnings.push(message),
    });
    expect(typeof handler).toBe('function');
    for (const spy of calls) expect(spy).not.toHaveBeenCalled();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/no session secret \(sessionSecret\)/);
  });

  it('refuses options it cannot serve: no credentials, a store without a hasher, no way to check logins', () => {
    const store = createMemoryUserStore();
    expect(() => createFetchHandler({ appCertificate: APP_CERTIFICATE, store })).toThrow(/appId must be given/);
    expect(() => createFetchHandler({ appId: APP_ID, appCertificate: APP_CERTIFICATE, store })).toThrow(/passwordHasher must be given with store/);
    expect(() => createFetchHandler({ appId: APP_ID, appCertificate: APP_CERTIFICATE })).toThrow(/store and passwordHasher, or authenticate/);
    expect(() => createFetchHandler({ appId: APP_ID, appCertificate: APP_CERTIFICATE, authenticate: () => null, basePath: 'agora' })).toThrow(/basePath/);
    expect(() => createFetchHandler({ appId: APP_ID, appCertificate: APP_CERTIFICATE, authenticate: () => null, usersFile: 'x' } as never)).toThrow(/usersFile/);
  });
});
