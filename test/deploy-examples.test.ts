// The examples of docs/deploy.md that need only devDependencies, run as
// written: the Next.js route exports, Hono's app.fetch and Express (the
// Node adapter). Each block is bundled by test/runtimes/deploy-examples.mjs
// (`agora-token-builder/...` to the built dist/, the users module to a
// memory store holding alice) and must pass the token service's flow of
// test/runtimes/handler-flow.mjs under its mount path: login with a token
// that verifies for alice's UUID, a wrong password refused, renewal with the
// session cookie, the session, logout, health. The Cloudflare Worker,
// Bun.serve and Deno.serve examples need engines that are not
// devDependencies: the runtime matrix runs them (`npm run test:runtimes`,
// rows "docs/deploy.md ..."). Needs dist/ (`npm run build`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToken, verifyToken } from '../src/index.js';
import { addUser } from '../src/server/index.js';
import { bundleDeployExample, DEPLOY_ENV, PASSWORD, startServer } from './runtimes/deploy-examples.mjs';
import { runHandlerFlow, UUID } from './runtimes/handler-flow.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const lib = { verifyToken, decodeToken };
/** What a flow without the removal passes: every one of its six checks. */
const ALL_PASSED = { passed: 6, failed: 0, failures: [] };

type Call = (path: string, init: RequestInit) => Promise<Response>;

let dir: string;
const stops: Array<() => Promise<void>> = [];

beforeAll(() => {
  // Inside the repository, so that Node finds express in its node_modules.
  dir = mkdtempSync(join(ROOT, '.deploy-examples-'));
});

afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
  rmSync(dir, { recursive: true, force: true });
});

/** Bundles an example into a file of the temporary folder. */
async function bundleToFile(name: string, platform: 'neutral' | 'node', external: string[] = []): Promise<string> {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, await bundleDeployExample(name, { platform, external }));
  return file;
}

/** Imports a module with the examples' secrets in process.env (they read it at module scope). */
async function importWithEnv<T>(file: string): Promise<T> {
  const previous = { ...process.env };
  Object.assign(process.env, DEPLOY_ENV);
  try {
    return (await import(pathToFileURL(file).href)) as T;
  } finally {
    process.env = previous;
  }
}

describe('docs/deploy.md, each example as written', () => {
  it('Next.js route handler: GET, POST and OPTIONS exports under /api/agora', async () => {
    const route = await importWithEnv<Record<'GET' | 'POST' | 'OPTIONS', (request: Request) => Promise<Response>>>(await bundleToFile('nextjs', 'neutral'));
    const call: Call = (path, init) => route[(init.method ?? 'GET') as 'GET' | 'POST'](new Request(`https://app.example.com${path}`, init));
    expect(await runHandlerFlow({ call, prefix: '/api/agora', lib })).toEqual(ALL_PASSED);
    // Outside the mount: not the service's.
    expect((await call('/api/other/health', {})).status).toBe(404);
    const preflight = await route.OPTIONS(new Request('https://app.example.com/api/agora/token', { method: 'OPTIONS', headers: { origin: 'https://evil.example' } }));
    expect(preflight.status).toBe(403);
  });

  it('Hono: mounted at /agora, the rest of the app untouched', async () => {
    const app = (await importWithEnv<{ default: { fetch: (request: Request) => Promise<Response> } }>(await bundleToFile('hono', 'neutral'))).default;
    const call: Call = (path, init) => app.fetch(new Request(`http://localhost${path}`, init));
    expect(await runHandlerFlow({ call, prefix: '/agora', lib })).toEqual(ALL_PASSED);
    expect(await (await call('/', {})).text()).toBe('the rest of the app');
  });

  it('Express: the Node adapter at /agora, users file and secrets from the environment', async () => {
    const usersFile = join(dir, 'users.json');
    await addUser(usersFile, 'alice', PASSWORD, { chatUserName: 'alice', chatUserUuid: UUID, scrypt: { N: 1024 } });
    const file = await bundleToFile('express', 'node', ['express']);
    const { url, stop } = await startServer(process.execPath, [file], { cwd: dir, env: { ...process.env, ...DEPLOY_ENV, AGORA_USERS_FILE: usersFile, PORT: '0' } });
    stops.push(stop);
    expect(await runHandlerFlow({ call: (path, init) => fetch(`${url}${path}`, init), prefix: '/agora', lib })).toEqual(ALL_PASSED);
    const bare = await fetch(`${url}/agora`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/agora/');
    expect(await (await fetch(`${url}/`)).text()).toBe('the rest of the app');
  }, 60_000);
});
