// The built command line as separate processes: many `users add` and
// `users remove` at once (issue 9, defect 1), a writer killed mid-write, and
// `users add --register` against the Agora Chat stand-in (issue 8).
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildForTest, cacheFolder } from './helpers/build.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addUser, hashPassword, listUsers, readUsersFile } from '../src/server/index.js';
import { startChatStandIn, type ChatStandIn } from './helpers/agora-chat-standin.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const FAST = { N: 1024 };

let buildDir: string;
let cli: string;
let serverModule: string;
let dir: string;

beforeAll(async () => {
  buildDir = cacheFolder('atb-users-proc-');
  await buildForTest({ cli: 'src/cli/bin.ts', server: 'src/server/index.ts' }, buildDir);
  cli = join(buildDir, 'cli.js');
  serverModule = join(buildDir, 'server.js');
}, 60_000);
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));
beforeEach(() => {
  dir = mkdtempSync(join(buildDir, 'run-'));
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

describe('many processes at once', () => {
  it('keeps every one of 20 concurrent `users add` and 8 concurrent `users remove`, each reporting success', async () => {
    const file = join(dir, 'u.json');
    for (let i = 1; i <= 8; i++) await addUser(file, `r${i}`, 'pw', { chatUserUuid: `r-${i}`, scrypt: FAST });
    const adds = Array.from({ length: 20 }, (_, k) => run(['users', 'add', `u${k + 1}`, '--chat-user-uuid', `uuid-${k + 1}`, '--users', file], { input: 'pw' }));
    const removes = Array.from({ length: 8 }, (_, k) => run(['users', 'remove', `r${k + 1}`, '--users', file]));
    const results = await Promise.all([...adds, ...removes]);
    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    expect(results.slice(0, 20).every((r) => r.stdout.startsWith('added u'))).toBe(true);
    const names = (await listUsers(file)).map((u) => u.userAccount).sort();
    expect(names).toEqual(Array.from({ length: 20 }, (_, k) => `u${k + 1}`).sort());
    expect(readdirSync(dir)).toEqual(['u.json']); // no lock or temporary file left behind
    expect(statSync(file).mode & 0o777).toBe(0o600);
  }, 120_000);

  it('never leaves a corrupt file when a writer is killed mid-write, and the next change goes through', async () => {
    const file = join(dir, 'big.json');
    // A big file, so that a write takes long enough to be interrupted.
    const password = await hashPassword('pw', FAST);
    const users: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++) users[`user${i}`] = { chatUserName: `user${i}`, chatUserUuid: `uuid-${i}`, password };
    writeFileSync(file, JSON.stringify({ version: 2, users }), { mode: 0o600 });
    // A writer that rewrites the whole file in a loop (each time one more user), until it is killed.
    const script =
      `const m = await import(${JSON.stringify(serverModule)});` +
      `const path = ${JSON.stringify(file)};` +
      'for (let i = 0; ; i++) { const f = await m.readUsersFile(path);' +
      ' await m.writeUsersFile(path, { version: 2, users: { ...f.users, [`extra${i}`]: f.users.user0 } }); process.stdout.write("w"); }';
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let writes = 0;
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (writes += d.length));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      // Let it complete a few writes, then kill it at a moment of its loop that differs each round.
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (writes >= 2 + round) {
            clearInterval(check);
            setTimeout(resolve, round * 7);
          }
        }, 2);
      });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      expect(stderr).toBe('');
      // Whatever moment it was killed at, the file is whole and valid.
      const file2 = await readUsersFile(file);
      expect(Object.keys(file2.users).length).toBeGreaterThanOrEqual(3000);
    }
    // The killed writer's lock (its pid is gone) and temporary files do not block or linger.
    const added = await run(['users', 'add', 'after', '--chat-user-uuid', 'after-uuid', '--users', file], { input: 'pw' });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect((await readUsersFile(file)).users.after?.chatUserUuid).toBe('after-uuid');
    expect(readdirSync(dir)).toEqual(['big.json']);
  }, 120_000);
});

describe('users add --register', () => {
  let chat: ChatStandIn;
  const ORG = 'org1';
  const APP = 'app1';
  beforeAll(async () => {
    chat = await startChatStandIn({ appId: APP_ID, appCertificate: APP_CERTIFICATE, org: ORG, app: APP });
  });
  afterAll(() => chat.close());

  function env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      AGORA_APP_ID: APP_ID,
      AGORA_APP_CERTIFICATE: APP_CERTIFICATE,
      AGORA_CHAT_APP_KEY: `${ORG}#${APP}`,
      AGORA_CHAT_REST_URL: chat.url,
      ...extra,
    };
  }

  it('registers the chat username in Agora Chat and stores the UUID it answers; the login password never leaves', async () => {
    const file = join(dir, 'users.json');
    const result = await run(['users', 'add', 'alice', '--register', '--users', file], { input: 'alice-login-password\n', env: env() });
    expect(result.code).toBe(0);
    const uuid = chat.users.get('alice');
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.stderr).toBe(`registered alice in Agora Chat (UUID ${uuid})\n`);
    expect(result.stdout).toBe(`added alice (chat username alice, chat UUID ${uuid}) to ${file}\n`);
    expect((await readUsersFile(file)).users.alice).toMatchObject({ chatUserName: 'alice', chatUserUuid: uuid });
    const sent = chat.seen.at(-1)!;
    expect(sent.tokenStatus).toBe('valid');
    expect(JSON.stringify(sent.body)).not.toContain('alice-login-password');
    expect(JSON.stringify(sent)).not.toContain(APP_CERTIFICATE);
  });

  it('finds an already registered username, with another login name and --chat-user-name', async () => {
    const file = join(dir, 'users.json');
    chat.users.set('bob.chat', '11111111-2222-3333-4444-555555555555');
    const result = await run(['users', 'add', 'Bob', '--register', '--chat-user-name', 'bob.chat', '--users', file], { input: 'pw', env: env() });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('bob.chat was already registered in Agora Chat (UUID 11111111-2222-3333-4444-555555555555)\n');
    expect(await listUsers(file)).toEqual([{ userAccount: 'Bob', chatUserName: 'bob.chat', chatUserUuid: '11111111-2222-3333-4444-555555555555' }]);
  });

  it('stores the UUID of a version 1 user with --replace --keep-password, keeping the password', async () => {
    const file = join(dir, 'users.json');
    const password = await hashPassword('carol-pw', FAST);
    writeFileSync(file, JSON.stringify({ version: 1, users: { carol: { chatUserId: 'carol', password } } }), { mode: 0o600 });
    const result = await run(['users', 'add', 'carol', '--register', '--replace', '--keep-password', '--users', file], { env: env() });
    expect(result.stderr).toMatch(/^registered carol in Agora Chat/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('replaced carol');
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored.version).toBe(2);
    expect(stored.users.carol).toMatchObject({ chatUserName: 'carol', chatUserUuid: chat.users.get('carol'), password });
  });

  it.each([
    ['Agora Chat refuses the app token (wrong certificate)', { AGORA_APP_CERTIFICATE: '0123456789abcdef0123456789abcdef' }, 'ERR_CHAT_AUTH', 1],
    ['Agora Chat is unreachable', { AGORA_CHAT_REST_URL: 'http://127.0.0.1:9' }, 'ERR_CHAT_UNREACHABLE', 1],
    ['the App Key is missing', { AGORA_CHAT_APP_KEY: '' }, 'ERR_INVALID_ARGUMENT', 2],
    ['the REST URL is plain http to another host', { AGORA_CHAT_REST_URL: 'http://chat.example.com' }, 'ERR_INVALID_ARGUMENT', 2],
  ])('leaves the users file unchanged when %s', async (_what, override, code, status) => {
    const file = join(dir, 'users.json');
    await addUser(file, 'keep', 'pw', { chatUserUuid: 'keep-uuid', scrypt: FAST });
    const before = readFileSync(file, 'utf8');
    const result = await run(['users', 'add', 'dave', '--register', '--users', file], { input: 'dave-pw', env: env(override) });
    expect(result.code).toBe(status);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^error: ${code}: `));
    expect(result.stderr).not.toContain(APP_CERTIFICATE);
    expect(result.stderr).not.toContain('dave-pw');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(chat.users.has('dave')).toBe(false);
  });

  it('leaves the users file unchanged when Agora Chat keeps rate-limiting', async () => {
    const file = join(dir, 'users.json');
    for (let i = 0; i < 4; i++) chat.script.push({ kind: 'status', status: 429, body: { error: 'reach_limit' }, headers: { 'retry-after': '0' } });
    const result = await run(['users', 'add', 'erin', '--register', '--users', file], { input: 'pw', env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: ERR_CHAT_RATE_LIMITED: .*after 4 attempts.*the users were not changed\n$/);
    expect(() => statSync(file)).toThrow();
  });

  it('refuses --register with --chat-user-uuid, and chat options without --register', async () => {
    const file = join(dir, 'users.json');
    const both = await run(['users', 'add', 'x', '--register', '--chat-user-uuid', 'u', '--users', file], { input: 'pw', env: env() });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/either --chat-user-uuid or --register/);
    const stray = await run(['users', 'add', 'x', '--chat-user-uuid', 'u', '--chat-app-key', 'a#b', '--users', file], { input: 'pw', env: env() });
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/--chat-app-key is used with --register only/);
    const seen = chat.seen.length;
    const upper = await run(['users', 'add', 'Carol', '--register', '--users', file], { input: 'pw', env: env() });
    expect(upper.code).toBe(2);
    expect(upper.stderr).toMatch(/"Carol" is not an Agora Chat username .*--chat-user-name/);
    expect(chat.seen.length).toBe(seen); // nothing was sent
  });

  it('warns on stderr when the users file is readable by others', async () => {
    const file = join(dir, 'users.json');
    await addUser(file, 'gus', 'pw', { chatUserUuid: 'g', scrypt: FAST });
    chmodSync(file, 0o644);
    const listed = await run(['users', 'list', '--users', file]);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toBe(`warning: the users file ${file} (mode 0644) can be accessed by its group and all other users, and it holds password hashes: run chmod 600 ${file}\n`);
  });
});
