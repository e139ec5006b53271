// The examples of docs/deploy.md, as written, for the two places that run
// them: test/deploy-examples.test.ts (vitest: the Next.js route exports,
// Hono, Express, which need only devDependencies) and scripts/runtimes.mjs
// (the runtime matrix: the Cloudflare Worker in workerd without
// nodejs_compat, Bun.serve, Deno.serve, on the engines it installs).
//
// Each example is the code block after `<!-- example: name -->` in
// docs/deploy.md, bundled by esbuild with `agora-token-builder/...` resolved
// to the BUILT file (dist/, by package.json "exports", as an installed
// package would be) and the reader's users module (`./users.js`,
// `@/lib/users`) to a memory store holding one user, alice. Both drivers
// then run the token service's flow of handler-flow.mjs against it.
// Node only (esbuild, child processes): this file drives; it does not run
// inside the runtimes.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { APP_CERTIFICATE, APP_ID, SESSION_SECRET, UUID } from './handler-flow.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));

/** The secrets every example reads from its platform's environment. */
export const DEPLOY_ENV = Object.freeze({ AGORA_APP_ID: APP_ID, AGORA_APP_CERTIFICATE: APP_CERTIFICATE, AGORA_SESSION_SECRET: SESSION_SECRET });

/** alice's password in the users module the examples import. */
export const PASSWORD = 'alice-password';

/** The built ESM file of an entry ("root", "web", "handler", "compat/...") by the package's "exports". */
export function entryFile(entry) {
  const key = entry === 'root' ? '.' : `./${entry}`;
  const target = pkg.exports[key]?.import?.default;
  if (target === undefined) throw new Error(`package.json "exports" has no import of ${key}`);
  const file = fileURLToPath(new URL(target, pathToFileURL(ROOT)));
  if (!existsSync(file)) throw new Error(`${target} is missing: run \`npm run build\` first`);
  return file;
}

/** An esbuild plugin: `agora-token-builder/...` (as the docs import it) to the built file. */
export const selfReference = {
  name: 'self-reference',
  setup(b) {
    b.onResolve({ filter: /^agora-token-builder(\/.*)?$/ }, (args) => ({
      path: entryFile(args.path === pkg.name ? 'root' : args.path.slice(pkg.name.length + 1)),
    }));
  },
};

/** The code block after `<!-- example: name -->` in docs/deploy.md, and its language. */
export function deployExample(name) {
  const doc = readFileSync(`${ROOT}docs/deploy.md`, 'utf8');
  const match = new RegExp(`<!-- example: ${name} -->\\n\`\`\`(\\w+)\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (match === null) throw new Error(`docs/deploy.md has no example "${name}"`);
  return { lang: match[1], code: match[2] };
}

let stub;
/** The users module: a memory store with alice, her password hashed by the built createPbkdf2Hasher. */
async function usersStub() {
  stub ??= (async () => {
    const handler = await import(pathToFileURL(entryFile('handler')).href);
    const passwordHash = await handler.createPbkdf2Hasher().hash(PASSWORD);
    return [
      `import { createMemoryUserStore } from 'agora-token-builder/handler';`,
      `export const store = createMemoryUserStore([{ userAccount: 'alice', chatUserName: 'alice', chatUserUuid: ${JSON.stringify(UUID)}, passwordHash: ${JSON.stringify(passwordHash)} }]);`,
      `export const createUserStore = () => store;`,
    ].join('\n');
  })();
  return stub;
}

/**
 * One example of docs/deploy.md bundled into one ESM module (its text).
 * `platform` is esbuild's; `external` names packages left to the runtime
 * (Express: `express`, found in the repository's node_modules).
 */
export async function bundleDeployExample(name, { platform, external = [] }) {
  const { code, lang } = deployExample(name);
  const users = await usersStub();
  const result = await build({
    stdin: { contents: code, loader: lang === 'ts' ? 'ts' : 'js', resolveDir: ROOT, sourcefile: `docs/deploy.md#${name}.${lang}` },
    bundle: true,
    format: 'esm',
    platform,
    target: 'es2022',
    mainFields: ['module', 'main'],
    external,
    write: false,
    logLevel: 'silent',
    plugins: [
      selfReference,
      {
        name: 'users-module',
        setup(b) {
          b.onResolve({ filter: /^(\.\/users\.js|@\/lib\/users)$/ }, () => ({ path: 'users.js', namespace: 'deploy-users' }));
          b.onLoad({ filter: /.*/, namespace: 'deploy-users' }, () => ({ contents: users, loader: 'js', resolveDir: ROOT }));
        },
      },
    ],
  });
  return result.outputFiles[0].text;
}

/**
 * Starts a server process (an example that listens, with PORT=0) and
 * resolves the first http://127.0.0.1:port it prints, and `stop()`.
 */
export function startServer(command, args, { cwd, env, timeoutMs = 20_000 }) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = async (message) => {
      clearTimeout(timer);
      await stop();
      reject(new Error(`${message}: ${output.trim()}`));
    };
    const timer = setTimeout(() => void fail(`${command} printed no http://127.0.0.1 URL in ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${match[1]}`, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => void fail(error.message));
    child.once('exit', (code, signal) => void fail(`${command} exited (${code ?? signal}) before it listened`));
  });
}
