#!/usr/bin/env node
// The runtime matrix (issue 7): runs the vectors and a build/decode/verify
// smoke test (test/runtimes/smoke.mjs) against the BUILT package (dist/, run
// `npm run build` first) on every runtime docs/web.md claims, its Worker
// and browser examples as written, the token service, and the examples of
// docs/deploy.md that need these engines, as written. Rows (runtime | entry):
//
//   node, bun, deno          | root, web, compat/agora-token, compat/agora-access-token
//   workerd+nodejs_compat    | root, web, compat/agora-token, compat/agora-access-token  (miniflare)
//   workerd (no Node APIs)   | web, docs/web.md Worker                                   (miniflare)
//   chromium (headless)      | web, docs/web.md renewal  (esbuild --platform=browser)
//   node, bun, deno, workerd | handler: the token service (test/runtimes/handler-flow.mjs):
//                            |   login, verify for the UUID, renew, session, logout, a removed
//                            |   user's renewal is session_revoked, health (Bun.serve,
//                            |   Deno.serve; workerd without nodejs_compat)
//   workerd                  | docs/deploy.md Worker     (no nodejs_compat, secrets as bindings)
//   bun                      | docs/deploy.md Bun.serve  (on 127.0.0.1, called with fetch)
//   deno                     | docs/deploy.md Deno.serve (--allow-net=127.0.0.1 --allow-env)
//
// The docs/deploy.md rows take the example's block as written
// (test/runtimes/deploy-examples.mjs extracts and bundles it, with a
// memory store as its users module) and run the same flow, less the
// removal (its store is the example's own). The other examples of
// docs/deploy.md (Next.js, Hono, Express) need only devDependencies and run
// in vitest: test/deploy-examples.test.ts, with the same module and flow.
//
// Bun, Deno and miniflare (workerd) are not devDependencies, so that npm ci
// stays light: they are pinned by scripts/runtimes/package-lock.json and
// installed on the first run into node_modules/.cache/runtimes (npm ci there,
// with their install scripts allowed by scripts/runtimes/package.json);
// Chromium is found by scripts/find-chromium.mjs (CHROMIUM, then PATH, then
// /usr/bin/chromium) and driven through playwright-core. Prints one line per
// runtime and entry, then a table, and exits non-zero if any row is missing,
// failed, or passed fewer checks than it must.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { builtinModules, createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { findChromium } from './find-chromium.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RUNTIMES_DIR = fileURLToPath(new URL('../test/runtimes/', import.meta.url));
const COMPAT_ENTRIES = ['compat/agora-token', 'compat/agora-access-token'];
/** workerd's date of the pinned miniflare; flags behave as on that date. */
const COMPATIBILITY_DATE = '2026-04-01';

const smoke = await import(new URL('smoke.mjs', `file://${RUNTIMES_DIR}`).href);
const flow = await import(new URL('handler-flow.mjs', `file://${RUNTIMES_DIR}`).href);
const deploy = await import(new URL('deploy-examples.mjs', `file://${RUNTIMES_DIR}`).href);
// Every vectors file runs everywhere: a file in vectors/ that the checks do not read fails the run.
const onDisk = readdirSync(`${ROOT}vectors`).filter((name) => name.endsWith('.json')).sort();
if (JSON.stringify(onDisk) !== JSON.stringify([...smoke.VECTOR_FILES].sort())) {
  console.error(`vectors/ holds ${onDisk.join(', ')}, but test/runtimes/smoke.mjs runs ${smoke.VECTOR_FILES.join(', ')}: update VECTOR_FILES`);
  process.exit(1);
}
const vectors = smoke.VECTOR_FILES.map((name) => JSON.parse(readFileSync(`${ROOT}vectors/${name}`, 'utf8')));
const ENTRY_CHECKS = smoke.expectedChecks(vectors);

/** Every row the matrix must produce, with the number of checks it must pass. */
const MATRIX = [
  ...['node', 'bun', 'deno'].flatMap((runtime) => [
    { runtime, entry: 'root', expected: ENTRY_CHECKS },
    { runtime, entry: 'web', expected: ENTRY_CHECKS },
    ...COMPAT_ENTRIES.map((entry) => ({ runtime, entry, expected: smoke.COMPAT_CHECKS[entry].length })),
  ]),
  { runtime: 'workerd+nodejs_compat', entry: 'root', expected: ENTRY_CHECKS },
  { runtime: 'workerd+nodejs_compat', entry: 'web', expected: ENTRY_CHECKS },
  ...COMPAT_ENTRIES.map((entry) => ({ runtime: 'workerd+nodejs_compat', entry, expected: smoke.COMPAT_CHECKS[entry].length })),
  { runtime: 'workerd', entry: 'web', expected: ENTRY_CHECKS },
  { runtime: 'workerd', entry: 'docs/web.md Worker', expected: 3 },
  { runtime: 'chromium', entry: 'web', expected: ENTRY_CHECKS },
  { runtime: 'chromium', entry: 'docs/web.md renewal', expected: 2 },
  ...['node', 'bun', 'deno', 'workerd'].map((runtime) => ({ runtime, entry: 'handler', expected: flow.HANDLER_FLOW_CHECKS })),
  // docs/deploy.md's examples that need these engines (the others run in vitest: test/deploy-examples.test.ts).
  { runtime: 'workerd', entry: 'docs/deploy.md Worker', expected: flow.DEPLOY_FLOW_CHECKS },
  { runtime: 'bun', entry: 'docs/deploy.md Bun.serve', expected: flow.DEPLOY_FLOW_CHECKS },
  { runtime: 'deno', entry: 'docs/deploy.md Deno.serve', expected: flow.DEPLOY_FLOW_CHECKS },
];

/** The ESM file of an entry ("root", "web", "compat/...") by the package's "exports". */
const { entryFile, selfReference } = deploy;

const fromError = (what, error) => ({ passed: 0, failed: 1, failures: [`${what}: ${error?.stack ?? error}`] });

// ---------------------------------------------------------------- Node, Bun, Deno

/** No colour, no update checks, no telemetry: the runtimes use no network. */
const RUNTIME_ENV = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', DO_NOT_TRACK: '1' };

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: RUNTIME_ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => resolve({ code: -1, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function localRuntime(runtime, command, prefix, entries) {
  const main = `${RUNTIMES_DIR}main.mjs`;
  const rows = [];
  // One process per entry: the web entry must load without the root entry having loaded Node's modules first.
  for (const group of [['root', ...COMPAT_ENTRIES], ['web']]) {
    const wanted = group.filter((entry) => entries.includes(entry));
    const args = [...prefix, main, runtime, ...wanted.map((entry) => (entry === 'root' ? '.' : entry))];
    const { code, stdout, stderr } = await run(command, args);
    const results = stdout
      .split('\n')
      .filter((line) => line.startsWith('RUNTIME-RESULT '))
      .map((line) => JSON.parse(line.slice('RUNTIME-RESULT '.length)));
    for (const entry of wanted) {
      const result = results.find((r) => r.entry === entry);
      rows.push({ runtime, entry, ...(result ?? fromError(`${command} exited ${code}`, stderr.trim() || stdout.trim())) });
    }
  }
  return rows;
}

// ---------------------------------------------------------------- the engines, on demand

const ENGINES_SOURCE = `${ROOT}scripts/runtimes/`;
const ENGINES = `${ROOT}node_modules/.cache/runtimes/`;

/**
 * Installs Bun, Deno and miniflare at the versions of scripts/runtimes/package-lock.json
 * into node_modules/.cache/runtimes, unless that lockfile is installed there already.
 */
function ensureEngines() {
  const lock = readFileSync(`${ENGINES_SOURCE}package-lock.json`, 'utf8');
  const installed = existsSync(`${ENGINES}package-lock.json`) ? readFileSync(`${ENGINES}package-lock.json`, 'utf8') : '';
  const complete = ['node_modules/.bin/bun', 'node_modules/.bin/deno', 'node_modules/miniflare/package.json'].every((file) => existsSync(`${ENGINES}${file}`));
  if (installed === lock && complete) return;
  const versions = JSON.parse(readFileSync(`${ENGINES_SOURCE}package.json`, 'utf8')).dependencies;
  process.stderr.write(
    `installing the runtime matrix's engines (${Object.entries(versions).map(([name, version]) => `${name} ${version}`).join(', ')}) into node_modules/.cache/runtimes; later runs reuse them\n`,
  );
  rmSync(ENGINES, { recursive: true, force: true });
  mkdirSync(ENGINES, { recursive: true });
  copyFileSync(`${ENGINES_SOURCE}package.json`, `${ENGINES}package.json`);
  copyFileSync(`${ENGINES_SOURCE}package-lock.json`, `${ENGINES}package-lock.json`);
  // Its own project root: its package.json's allowScripts lets bun, deno and workerd fetch their engines.
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: ENGINES, stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
  if (npm.status !== 0) throw new Error(`npm ci in node_modules/.cache/runtimes failed (exit ${npm.status ?? npm.signal})`);
}

function bin(name) {
  const file = `${ENGINES}node_modules/.bin/${name}`;
  if (!existsSync(file)) throw new Error(`${name} is missing from node_modules/.cache/runtimes: delete that folder and run npm run test:runtimes again`);
  return file;
}

/** An engine's version line, for the report. */
function versionOf(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', env: RUNTIME_ENV });
  return (result.stdout || result.stderr || '').split('\n')[0].trim() || 'unknown';
}

/** miniflare, from the engines folder. */
async function importMiniflare() {
  const require = createRequire(`${ENGINES}package.json`);
  return import(pathToFileURL(require.resolve('miniflare')).href);
}

// ---------------------------------------------------------------- bundles (esbuild)

/** Keeps every Node built-in external under its `node:` name (the form workerd's nodejs_compat knows). */
const nodeBuiltins = {
  name: 'node-builtins',
  setup(b) {
    const names = new Set(builtinModules);
    b.onResolve({ filter: /^[a-z_/:]+$/ }, (args) => {
      const bare = args.path.replace(/^node:/, '');
      return names.has(bare) ? { path: `node:${bare}`, external: true } : undefined;
    });
  },
};

async function bundle(contents, { platform, plugins = [] }) {
  const result = await build({
    stdin: { contents, resolveDir: RUNTIMES_DIR, sourcefile: 'matrix-entry.mjs', loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform,
    target: 'es2022',
    logLevel: 'silent',
    plugins: [selfReference, ...plugins],
  });
  return result.outputFiles[0].text;
}

/** Module code that imports the entries and runs their checks; `finish(results)` is the code's ending. */
function checksModule(entries, finish) {
  const imports = entries.map((entry, i) => `import * as entry${i} from ${JSON.stringify(entryFile(entry))};`);
  const rootIndex = entries.indexOf('root');
  return [
    `import { runEntryChecks, runCompatChecks } from './smoke.mjs';`,
    ...smoke.VECTOR_FILES.map((name, i) => `import vectors${i} from '../../vectors/${name}';`),
    `const vectors = [${smoke.VECTOR_FILES.map((_, i) => `vectors${i}`).join(', ')}];`,
    ...imports,
    `async function runAll() {`,
    `  const results = [];`,
    ...entries.map((entry, i) =>
      COMPAT_ENTRIES.includes(entry)
        ? `  results.push({ entry: ${JSON.stringify(entry)}, ...(await runCompatChecks(${JSON.stringify(entry)}, entry${i}, entry${rootIndex})) });`
        : `  results.push({ entry: ${JSON.stringify(entry)}, ...(await runEntryChecks(entry${i}, vectors)) });`,
    ),
    `  return results;`,
    `}`,
    finish,
  ].join('\n');
}

// ---------------------------------------------------------------- workerd (miniflare)

async function dispose(mf) {
  try {
    await mf?.dispose();
  } catch {
    // A runtime that failed to start has nothing left to stop.
  }
}

/** Runs a module Worker in workerd; returns the Miniflare instance (dispose it). */
async function worker(script, { nodejsCompat, bindings = {} }) {
  const { Miniflare, Log, LogLevel } = await importMiniflare();
  const mf = new Miniflare({
    // One module given as such: workerd itself resolves its imports, and
    // refuses `node:` ones unless nodejs_compat is on ("No such module").
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: script }],
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: nodejsCompat ? ['nodejs_compat'] : [],
    cf: false, // a placeholder Request.cf, instead of fetching one from workers.cloudflare.com
    bindings,
    log: new Log(LogLevel.WARN),
  });
  try {
    await mf.ready;
  } catch (error) {
    await dispose(mf);
    throw error;
  }
  return mf;
}

const WORKER_FINISH = `export default {
  async fetch() {
    const globals = { process: typeof process, Buffer: typeof Buffer };
    return new Response(JSON.stringify({ globals, results: await runAll() }), { headers: { 'content-type': 'application/json' } });
  },
};`;

async function workerdChecks(runtime, entries, nodejsCompat) {
  let mf;
  try {
    const script = await bundle(checksModule(entries, WORKER_FINISH), {
      platform: nodejsCompat ? 'node' : 'browser',
      // Without nodejs_compat, a `node:` import stays in the script, where workerd refuses it at load.
      plugins: [nodeBuiltins],
    });
    mf = await worker(script, { nodejsCompat });
    const response = await mf.dispatchFetch('http://localhost/');
    const body = await response.json();
    const rows = body.results.map((r) => ({ runtime, ...r }));
    if (!nodejsCompat) {
      // Proof that this isolate has no Node APIs: the web entry ran without them.
      const leaked = Object.entries(body.globals).filter(([, type]) => type !== 'undefined');
      for (const row of rows) {
        if (leaked.length > 0) {
          row.failed += 1;
          row.failures.push(`the isolate has Node globals ${leaked.map(([name]) => name).join(', ')}: nodejs_compat is on`);
        }
      }
    }
    return rows;
  } catch (error) {
    return entries.map((entry) => ({ runtime, entry, ...fromError('workerd', error) }));
  } finally {
    await dispose(mf);
  }
}

/** The first ```js block after a heading of docs/web.md, as written. */
function readmeBlock(heading) {
  const guide = readFileSync(`${ROOT}docs/web.md`, 'utf8');
  const at = guide.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`docs/web.md has no heading "${heading}"`);
  const match = /```js\n([\s\S]*?)```/.exec(guide.slice(at));
  if (match === null) throw new Error(`docs/web.md has no js block after "${heading}"`);
  return match[1];
}

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';

/** The Worker of docs/web.md, as written, in workerd without nodejs_compat, checked from outside with the root entry. */
async function readmeWorker() {
  const runtime = 'workerd';
  const entry = 'docs/web.md Worker';
  let mf;
  try {
    const root = await import(entryFile('root'));
    const script = await bundle(readmeBlock('## Cloudflare Worker'), { platform: 'browser', plugins: [nodeBuiltins] });
    mf = await worker(script, { nodejsCompat: false, bindings: { AGORA_APP_ID: APP_ID, AGORA_APP_CERTIFICATE: APP_CERTIFICATE } });
    const results = [];
    const check = async (name, body) => {
      try {
        await body();
        results.push({ name, ok: true });
      } catch (error) {
        results.push({ name, ok: false, message: error.message });
      }
    };
    const expectEqual = (what, got, expected) => {
      if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
    };
    await check('GET /?userId=alice answers a chat user token for alice that verifies', async () => {
      const response = await mf.dispatchFetch('http://localhost/?userId=alice');
      expectEqual('status', response.status, 200);
      const { token, expiresIn } = await response.json();
      expectEqual('verdict', root.verifyToken(token, APP_CERTIFICATE).status, 'valid');
      const decoded = root.decodeToken(token);
      expectEqual('services', decoded.services, [{ type: 5, privileges: { 1: expiresIn }, userId: 'alice' }]);
      expectEqual('expire', decoded.expire, expiresIn);
    });
    await check('the token is signed with env.AGORA_APP_CERTIFICATE only', async () => {
      const { token } = await (await mf.dispatchFetch('http://localhost/?userId=bob')).json();
      expectEqual('verdict with another certificate', root.verifyToken(token, '0123456789abcdef0123456789abcdef').status, 'bad-signature');
    });
    await check('no userId: 400 with ERR_INVALID_ARGUMENT and no secret in the body', async () => {
      const response = await mf.dispatchFetch('http://localhost/');
      const text = await response.text();
      expectEqual('status', response.status, 400);
      expectEqual('code', JSON.parse(text).error, 'ERR_INVALID_ARGUMENT');
      if (text.includes(APP_CERTIFICATE)) throw new Error('the body contains the certificate');
    });
    const failures = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.message}`);
    return [{ runtime, entry, passed: results.length - failures.length, failed: failures.length, failures }];
  } catch (error) {
    return [{ runtime, entry, ...fromError('docs/web.md Worker', error) }];
  } finally {
    await dispose(mf);
  }
}

/** The token service in workerd without nodejs_compat: the handler made at module scope, the flow driven from outside. */
async function workerdHandler() {
  const runtime = 'workerd';
  const entry = 'handler';
  let mf;
  try {
    const root = await import(entryFile('root'));
    // The Worker creates the handler at module scope, where workerd refuses I/O, timers and random draws.
    // One extra route lets the flow remove the user from the Worker's memory store.
    const script = await bundle(
      [
        `import * as handlerModule from 'agora-token-builder/handler';`,
        `import { createService } from './handler-flow.mjs';`,
        `const service = createService(handlerModule);`,
        `export default {`,
        `  async fetch(request) {`,
        `    if (new URL(request.url).pathname === '/__remove-alice') return new Response(JSON.stringify(await service.removeAlice()));`,
        `    const globals = [typeof process, typeof Buffer].join(',');`,
        `    if (globals !== 'undefined,undefined') return new Response('Node globals: ' + globals, { status: 500 });`,
        `    return service.fetch(request);`,
        `  },`,
        `};`,
      ].join('\n'),
      { platform: 'browser', plugins: [nodeBuiltins] },
    );
    mf = await worker(script, { nodejsCompat: false });
    const call = (path, init) => mf.dispatchFetch(`http://localhost${path}`, init);
    const result = await flow.runHandlerFlow({ call, removeAlice: async () => (await call('/__remove-alice', {})).json(), lib: root });
    return [{ runtime, entry, ...result }];
  } catch (error) {
    return [{ runtime, entry, ...fromError('workerd handler', error) }];
  } finally {
    await dispose(mf);
  }
}

/** The token service on Node, Bun (Bun.serve) and Deno (Deno.serve): test/runtimes/handler-main.mjs. */
async function localHandler(runtime, command, prefix) {
  const { code, stdout, stderr } = await run(command, [...prefix, `${RUNTIMES_DIR}handler-main.mjs`, runtime]);
  const line = stdout.split('\n').find((l) => l.startsWith('RUNTIME-RESULT '));
  if (line === undefined) return [{ runtime, entry: 'handler', ...fromError(`${command} exited ${code}`, stderr.trim() || stdout.trim()) }];
  return [JSON.parse(line.slice('RUNTIME-RESULT '.length))];
}

// ---------------------------------------------------------------- docs/deploy.md

/** docs/deploy.md's Cloudflare Worker as written, in workerd without nodejs_compat, its secrets as env bindings. */
async function deployWorker() {
  const runtime = 'workerd';
  const entry = 'docs/deploy.md Worker';
  let mf;
  try {
    const root = await import(entryFile('root'));
    // Without nodejs_compat, a `node:` import would stay in the script, where workerd refuses it at load.
    const script = await deploy.bundleDeployExample('worker', { platform: 'browser' });
    mf = await worker(script, { nodejsCompat: false, bindings: { ...deploy.DEPLOY_ENV } });
    const call = (path, init) => mf.dispatchFetch(`http://localhost${path}`, init);
    return [{ runtime, entry, ...(await flow.runHandlerFlow({ call, lib: root })) }];
  } catch (error) {
    return [{ runtime, entry, ...fromError(entry, error) }];
  } finally {
    await dispose(mf);
  }
}

/** docs/deploy.md's Bun.serve or Deno.serve example as written: served by the runtime on 127.0.0.1, called from Node with fetch. */
async function deployServer(runtime, entry, command, prefix) {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/atb-deploy-`);
  let server;
  try {
    const root = await import(entryFile('root'));
    const file = `${dir}/${runtime}.mjs`;
    writeFileSync(file, await deploy.bundleDeployExample(runtime, { platform: 'neutral' }));
    server = await deploy.startServer(command, [...prefix, file], { cwd: dir, env: { ...RUNTIME_ENV, ...deploy.DEPLOY_ENV, PORT: '0' } });
    const call = (path, init) => fetch(`${server.url}${path}`, init);
    return [{ runtime, entry, ...(await flow.runHandlerFlow({ call, lib: root })) }];
  } catch (error) {
    return [{ runtime, entry, ...fromError(entry, error) }];
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- Chromium

/** The renewal snippet of docs/web.md: its scheduleRenewal is called with tokens built in the page; setTimeout is watched. */
const RENEWAL_HARNESS = (snippetFile) => `
import { ChatTokenBuilder2 } from 'agora-token-builder/web';
import { scheduleRenewal } from ${JSON.stringify(snippetFile)};
async function runRenewal() {
  const failures = [];
  const delays = [];
  const realSetTimeout = window.setTimeout;
  window.setTimeout = (callback, delay) => { delays.push(delay); return 0; };
  try {
    const now = Math.floor(Date.now() / 1000);
    // Issued 100 s ago for 1000 s: 80% of its life is at issueTs + 800, about 700 s from now.
    const fresh = await ChatTokenBuilder2.buildUserToken(${JSON.stringify(APP_ID)}, ${JSON.stringify(APP_CERTIFICATE)}, 'alice', 1000, { issueTs: now - 100 });
    const started = Date.now();
    await scheduleRenewal(fresh, () => {});
    const expected = (now + 700) * 1000 - started;
    if (delays.length !== 1 || Math.abs(delays[0] - expected) > 1000) failures.push('a fresh token: expected one timer of about ' + expected + ' ms, got ' + JSON.stringify(delays));
    // Issued 900 s ago for 1000 s: past 80% already, renew at once.
    delays.length = 0;
    const old = await ChatTokenBuilder2.buildUserToken(${JSON.stringify(APP_ID)}, ${JSON.stringify(APP_CERTIFICATE)}, 'alice', 1000, { issueTs: now - 900 });
    await scheduleRenewal(old, () => {});
    if (delays.length !== 1 || delays[0] !== 0) failures.push('a token past 80%: expected one timer of 0 ms, got ' + JSON.stringify(delays));
  } catch (error) {
    failures.push('threw ' + error);
  } finally {
    window.setTimeout = realSetTimeout;
  }
  return { entry: 'docs/web.md renewal', passed: 2 - failures.length, failed: failures.length, failures };
}
window.__renewal = runRenewal();
`;

async function chromiumChecks() {
  const runtime = 'chromium';
  const entries = ['web', 'docs/web.md renewal'];
  const found = findChromium();
  if (found.path === undefined) return entries.map((entry) => ({ runtime, entry, ...fromError('chromium', found.message) }));
  let server;
  let browser;
  const pageErrors = [];
  try {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/atb-runtimes-`);
    let renewal;
    try {
      const snippet = `${dir}/renewal.mjs`;
      writeFileSync(snippet, readmeBlock('## In a browser'));
      renewal = await bundle(RENEWAL_HARNESS(snippet), { platform: 'browser' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const checks = await bundle(checksModule(['web'], 'window.__matrix = runAll();'), { platform: 'browser' });
    const files = {
      '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>runtimes</title><script type="module" src="/checks.js"></script><script type="module" src="/renewal.js"></script>'],
      '/checks.js': ['text/javascript', checks],
      '/renewal.js': ['text/javascript', renewal],
    };
    server = createServer((request, response) => {
      const file = files[request.url];
      response.writeHead(file ? 200 : 404, { 'content-type': file ? file[0] : 'text/plain' });
      response.end(file ? file[1] : 'not found');
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: found.path,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30_000,
    });
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    // http://127.0.0.1 is a secure context, so crypto.subtle is there as on an https page.
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => window.__matrix !== undefined && window.__renewal !== undefined, null, { timeout: 30_000 });
    const results = [...(await page.evaluate(() => window.__matrix)), await page.evaluate(() => window.__renewal)];
    return results.map((r) => ({ runtime, ...r }));
  } catch (error) {
    const detail = pageErrors.length > 0 ? `${error.message}; page errors: ${pageErrors.join('; ')}` : error;
    return entries.map((entry) => ({ runtime, entry, ...fromError('chromium', detail) }));
  } finally {
    await browser?.close();
    server?.close();
  }
}

// ---------------------------------------------------------------- the matrix

const started = performance.now();
const rows = [];
async function timed(label, task) {
  const t0 = performance.now();
  try {
    rows.push(...(await task()));
  } catch (error) {
    rows.push({ runtime: label, entry: '?', ...fromError(label, error) });
  }
  process.stderr.write(`  ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}

const ALL = ['root', 'web', ...COMPAT_ENTRIES];
ensureEngines();
const miniflareVersion = JSON.parse(readFileSync(`${ENGINES}node_modules/miniflare/package.json`, 'utf8')).version;
const workerdVersion = JSON.parse(readFileSync(`${ENGINES}node_modules/workerd/package.json`, 'utf8')).version;
const chromium = findChromium();
console.log('versions:');
console.log(`  node     ${process.version}`);
console.log(`  bun      ${versionOf(bin('bun'), ['--version'])}`);
console.log(`  deno     ${versionOf(bin('deno'), ['--version'])}`);
console.log(`  workerd  ${workerdVersion} (miniflare ${miniflareVersion}, compatibility date ${COMPATIBILITY_DATE})`);
console.log(`  chromium ${chromium.path === undefined ? 'not found' : `${versionOf(chromium.path, ['--version'])} (${chromium.path})`}`);
await timed('node', () => localRuntime('node', process.execPath, [], ALL));
await timed('bun', () => localRuntime('bun', bin('bun'), ['run', '--no-install'], ALL));
await timed('deno', () => localRuntime('deno', bin('deno'), ['run', '--quiet', '--no-prompt', `--allow-read=${ROOT}`], ALL));
await timed('workerd+nodejs_compat', () => workerdChecks('workerd+nodejs_compat', ['root', ...COMPAT_ENTRIES], true));
await timed('workerd+nodejs_compat web', () => workerdChecks('workerd+nodejs_compat', ['web'], true));
await timed('workerd', () => workerdChecks('workerd', ['web'], false));
await timed('workerd docs/web.md Worker', readmeWorker);
await timed('chromium', chromiumChecks);
await timed('node handler', () => localHandler('node', process.execPath, []));
await timed('bun handler', () => localHandler('bun', bin('bun'), ['run', '--no-install']));
await timed('deno handler', () => localHandler('deno', bin('deno'), ['run', '--quiet', '--no-prompt', `--allow-read=${ROOT}`, '--allow-net=127.0.0.1']));
await timed('workerd handler', workerdHandler);
await timed('workerd docs/deploy.md Worker', deployWorker);
await timed('bun docs/deploy.md Bun.serve', () => deployServer('bun', 'docs/deploy.md Bun.serve', bin('bun'), ['run', '--no-install']));
await timed('deno docs/deploy.md Deno.serve', () =>
  // The flags docs/deploy.md names, the network narrowed to the loopback.
  deployServer('deno', 'docs/deploy.md Deno.serve', bin('deno'), ['run', '--no-prompt', '--allow-net=127.0.0.1', '--allow-env']),
);

let ok = true;
const table = [];
for (const want of MATRIX) {
  const row = rows.find((r) => r.runtime === want.runtime && r.entry === want.entry);
  let verdict = 'ok';
  if (row === undefined) verdict = 'MISSING';
  else if (row.failed > 0) verdict = 'FAILED';
  else if (row.passed < want.expected) verdict = `ONLY ${row.passed} OF ${want.expected}`;
  if (verdict !== 'ok') ok = false;
  console.log(`${want.runtime} (${want.entry}): ${row?.passed ?? 0} passed, ${row?.failed ?? 0} failed${verdict === 'ok' ? '' : `  <- ${verdict}`}`);
  for (const failure of (row?.failures ?? []).slice(0, 10)) console.log(`    ${failure.split('\n').join('\n    ')}`);
  table.push([want.runtime, want.entry, String(row?.passed ?? 0), String(want.expected), String(row?.failed ?? 0), verdict]);
}
for (const row of rows) {
  if (!MATRIX.some((want) => want.runtime === row.runtime && want.entry === row.entry)) {
    ok = false;
    console.log(`${row.runtime} (${row.entry}): not in the matrix  <- UNEXPECTED`);
    for (const failure of row.failures ?? []) console.log(`    ${failure}`);
  }
}

const header = ['runtime', 'entry', 'passed', 'of', 'failed', 'result'];
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
const line = (cells) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
console.log(`\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}`);
for (const cells of table) console.log(line(cells));
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`\nruntimes: ${table.filter((r) => r[5] === 'ok').length} of ${MATRIX.length} rows passed in ${seconds} s`);
process.exit(ok ? 0 : 1);
