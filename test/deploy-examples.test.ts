// The examples of docs/deploy.md, run as written: each block is bundled by
// esbuild with `agora-token-builder/...` resolved to the built dist/ (as an
// installed package would be) and `./users.js` / `@/lib/users` to a memory
// store with one user, then served as its platform serves it: workerd
// (miniflare, no nodejs_compat), Bun, Deno, Node (Next.js's route exports,
// Hono's app.fetch, Express). Each must log alice in with a token that
// verifies for her UUID, renew through the session and log out.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToken, verifyToken, type ChatService } from '../src/index.js';
import { createPbkdf2Hasher } from '../src/handler.js';
import { addUser } from '../src/server/index.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const SECRET = 'k9#Qm2!vT7zL0pW4xR8nB3yF6jH1sD5g';
const UUID = '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b';
const ENV = { AGORA_APP_ID: APP_ID, AGORA_APP_CERTIFICATE: APP_CERTIFICATE, AGORA_SESSION_SECRET: SECRET };
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { import: { default: string } }> };

/** The code block after `<!-- example: name -->` in docs/deploy.md. */
function example(name: string): { code: string; lang: string } {
  const doc = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');
  const match = new RegExp(`<!-- example: ${name} -->\\n\`\`\`(\\w+)\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (match === null) throw new Error(`docs/deploy.md has no example "${name}"`);
  return { lang: match[1]!, code: match[2]! };
}

let dir: string;
let usersStub: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // Inside the repository, so that Node finds express and hono in its node_modules.
  dir = mkdtempSync(join(ROOT, '.deploy-examples-'));
  const passwordHash = await createPbkdf2Hasher().hash('alice-password');
  usersStub = join(dir, 'users-stub.js');
  writeFileSync(
    usersStub,
    [
      `import { createMemoryUserStore } from 'agora-token-builder/handler';`,
      `export const store = createMemoryUserStore([{ userAccount: 'alice', chatUserName: 'alice', chatUserUuid: ${JSON.stringify(UUID)}, passwordHash: ${JSON.stringify(passwordHash)} }]);`,
      `export const createUserStore = () => store;`,
    ].join('\n'),
  );
}, 30_000);

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** `agora-token-builder/x` to the built file, as package.json "exports" says; the users module to the stub. */
const resolver: Plugin = {
  name: 'examples',
  setup(b) {
    b.onResolve({ filter: /^agora-token-builder(\/.*)?$/ }, (args) => {
      const key = args.path === 'agora-token-builder' ? '.' : `./${args.path.slice('agora-token-builder/'.length)}`;
      return { path: join(ROOT, pkg.exports[key]!.import.default) };
    });
    b.onResolve({ filter: /^(\.\/users\.js|@\/lib\/users)$/ }, () => ({ path: usersStub }));
  },
};

async function bundle(name: string, platform: 'neutral' | 'browser' | 'node', external: string[] = []): Promise<string> {
  const { code, lang } = example(name);
  const result = await build({
    stdin: { contents: code, loader: lang === 'ts' ? 'ts' : 'js', resolveDir: ROOT, sourcefile: `${name}.${lang}` },
    bundle: true,
    format: 'esm',
    platform,
    mainFields: ['module', 'main'],
    external,
    write: false,
    logLevel: 'silent',
    plugins: [resolver],
  });
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, result.outputFiles[0]!.text);
  return file;
}

type Call = (path: string, init?: RequestInit) => Promise<Response>;

/** Login (a token that verifies for the UUID), renewal with the cookie, logout. */
async function flow(call: Call, prefix = ''): Promise<void> {
  const json = { 'content-type': 'application/json' };
  const login = await call(`${prefix}/token`, { method: 'POST', headers: json, body: JSON.stringify({ userAccount: 'alice', userPassword: 'alice-password' }) });
  expect(login.status).toBe(200);
  const body = (await login.json()) as { accessToken: string; chatUserUuid: string };
  expect(body.chatUserUuid).toBe(UUID);
  expect(verifyToken(body.accessToken, APP_CERTIFICATE).status).toBe('valid');
  const decoded = decodeToken(body.accessToken);
  expect(decoded.version === '007' && (decoded.services[0] as ChatService).userId).toBe(UUID);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const wrong = await call(`${prefix}/token`, { method: 'POST', headers: json, body: JSON.stringify({ userAccount: 'alice', userPassword: 'nope' }) });
  expect(wrong.status).toBe(401);
  const renewed = await call(`${prefix}/token/renew`, { method: 'POST', headers: { ...json, cookie }, body: '{}' });
  expect(renewed.status).toBe(200);
  expect(verifyToken(((await renewed.json()) as { accessToken: string }).accessToken, APP_CERTIFICATE).status).toBe('valid');
  const logout = await call(`${prefix}/logout`, { method: 'POST', headers: { ...json, cookie }, body: '{}' });
  expect(logout.status).toBe(204);
}

/** Starts a server process and resolves the first http:// URL it prints. */
function serve(command: string, args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(command, args, { cwd: dir, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
}

const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

describe('docs/deploy.md, each example as written', () => {
  it('Cloudflare Worker: workerd without nodejs_compat, secrets from env', async () => {
    const file = await bundle('worker', 'browser');
    const { Miniflare } = await import('miniflare');
    const mf = new Miniflare({
      modules: [{ type: 'ESModule', path: 'worker.mjs', contents: readFileSync(file, 'utf8') }],
      compatibilityDate: '2026-04-01',
      cf: false,
      bindings: ENV,
    });
    try {
      await flow((path, init) => mf.dispatchFetch(`http://localhost${path}`, init as never) as unknown as Promise<Response>);
    } finally {
      await mf.dispose();
    }
  }, 60_000);

  it('Next.js route handler: GET, POST and OPTIONS exports under /api/agora', async () => {
    const file = await bundle('nextjs', 'neutral');
    const previous = { ...process.env };
    Object.assign(process.env, ENV);
    try {
      const route = (await import(pathToFileURL(file).href)) as Record<'GET' | 'POST' | 'OPTIONS', (request: Request) => Promise<Response>>;
      const call: Call = (path, init = {}) => route[(init.method ?? 'GET') as 'GET' | 'POST'](new Request(`https://app.example.com${path}`, init));
      await flow(call, '/api/agora');
      expect((await (await call('/api/agora/health')).json()) as unknown).toEqual({ status: 'ok' });
      expect((await route.OPTIONS(new Request('https://app.example.com/api/agora/token', { method: 'OPTIONS', headers: { origin: 'https://evil.example' } }))).status).toBe(403);
    } finally {
      process.env = previous;
    }
  });

  it('Bun.serve', async () => {
    const file = await bundle('bun', 'neutral');
    const url = await serve(bin('bun'), ['run', '--no-install', file], { ...ENV, PORT: '0' });
    await flow((path, init) => fetch(`${url}${path}`, init));
  }, 60_000);

  it('Deno.serve', async () => {
    const file = await bundle('deno', 'neutral');
    const url = await serve(bin('deno'), ['run', '--no-prompt', '--allow-net=127.0.0.1', '--allow-env', file], { ...ENV, PORT: '0' });
    await flow((path, init) => fetch(`${url}${path}`, init));
  }, 60_000);

  it('Hono: mounted at /agora, the rest of the app untouched', async () => {
    const file = await bundle('hono', 'neutral');
    const previous = { ...process.env };
    Object.assign(process.env, ENV);
    try {
      const app = ((await import(pathToFileURL(file).href)) as { default: { fetch: (request: Request) => Promise<Response> } }).default;
      const call: Call = (path, init) => app.fetch(new Request(`http://localhost${path}`, init));
      await flow(call, '/agora');
      expect(await (await call('/')).text()).toBe('the rest of the app');
    } finally {
      process.env = previous;
    }
  });

  it('Express: the Node adapter at /agora, users file and secrets from the environment', async () => {
    const usersFile = join(dir, 'users.json');
    await addUser(usersFile, 'alice', 'alice-password', { chatUserName: 'alice', chatUserUuid: UUID, scrypt: { N: 1024 } });
    const file = await bundle('express', 'node', ['express']);
    const url = await serve(process.execPath, [file], { ...ENV, AGORA_USERS_FILE: usersFile, PORT: '0' });
    await flow((path, init) => fetch(`${url}${path}`, init), '/agora');
    const bare = await fetch(`${url}/agora`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/agora/');
    expect(await (await fetch(`${url}/`)).text()).toBe('the rest of the app');
  }, 60_000);
});
