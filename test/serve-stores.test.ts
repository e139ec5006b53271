// `serve` and the users commands of the BUILT command line with the user
// stores: findings 7 and 10 of issue 14, and users copy. Needs dist/ (npm test builds it).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, login, post, serve, type Served } from './helpers/serve.js';

const SECRET = 'k3P9x-sZ2qLw8vNc4RtY7uBj1mXe6HdA0fGo5Ki';
let dir: string;
let running: Served[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agora-serve-'));
});
afterEach(async () => {
  await Promise.all(running.map((s) => s.stop()));
  running = [];
  rmSync(dir, { recursive: true, force: true });
});

async function started(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const s = await serve(args, { AGORA_SESSION_SECRET: SECRET, ...env });
  running.push(s);
  return s;
}

describe('finding 7: serve on a corrupt or unreadable users file', () => {
  it.each([
    ['not JSON', (file: string) => writeFileSync(file, '{"version": 2, "users": {'), 'is not valid JSON'],
    ['not a users file', (file: string) => writeFileSync(file, '{"version": 9}'), 'expected an object'],
    ['a folder', (file: string) => mkdirSync(file), 'cannot be read (EISDIR)'],
  ])('refuses to start on %s: exit 1, one line naming the file and the problem', async (_, make, problem) => {
    const file = join(dir, 'users.json');
    make(file);
    const result = await cli(['serve', '--port', '0', '--users', file], {
      env: { AGORA_APP_ID: '970CA35de60c44645bbae8a215061b33', AGORA_APP_CERTIFICATE: '5CFd2fd1755d40ecb72977518be15d3b', AGORA_SESSION_SECRET: SECRET },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toContain(problem);
  });

  it('starts on a missing file with a warning naming its full path', async () => {
    const s = await started(['--users', 'nowhere/users.json']);
    expect(s.output()).toMatch(/warning: the users file nowhere\/users\.json \(\/.*nowhere\/users\.json\) does not exist yet/);
  });
});

describe('finding 10: serve --secure-cookie and --trust-proxy', () => {
  async function withUser(): Promise<string> {
    const file = join(dir, 'users.json');
    const added = await cli(['users', 'add', 'alice', '--chat-user-uuid', 'a-uuid', '--users', file], { input: 'alice-pw' });
    expect(added.code).toBe(0);
    return file;
  }

  it('marks the session cookie Secure with --secure-cookie or AGORA_SECURE_COOKIE=1, and not by default', async () => {
    const file = await withUser();
    const plain = await started(['--users', file]);
    expect((await login(plain.url, 'alice', 'alice-pw')).setCookie).not.toMatch(/;\s*Secure/i);
    for (const [args, env] of [[['--secure-cookie'], {}], [[], { AGORA_SECURE_COOKIE: '1' }]] as const) {
      const s = await started(['--users', file, ...args], env);
      const { response, setCookie } = await login(s.url, 'alice', 'alice-pw');
      expect(response.status).toBe(200);
      expect(setCookie).toMatch(/;\s*Secure/i);
    }
  });

  it('trusts X-Forwarded-Proto only with --trust-proxy or AGORA_TRUST_PROXY=true', async () => {
    const file = await withUser();
    const forwarded = { 'x-forwarded-proto': 'https' };
    const untrusting = await started(['--users', file]);
    expect((await login(untrusting.url, 'alice', 'alice-pw', forwarded)).setCookie).not.toMatch(/;\s*Secure/i);
    for (const [args, env] of [[['--trust-proxy'], {}], [[], { AGORA_TRUST_PROXY: 'true' }]] as const) {
      const s = await started(['--users', file, ...args], env);
      expect((await login(s.url, 'alice', 'alice-pw', forwarded)).setCookie).toMatch(/;\s*Secure/i);
      expect((await login(s.url, 'alice', 'alice-pw')).setCookie).not.toMatch(/;\s*Secure/i);
    }
  });

  it('refuses an environment value it cannot read as yes or no', async () => {
    const result = await cli(['serve', '--demo', '--port', '0'], { env: { AGORA_SECURE_COOKIE: 'maybe' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('AGORA_SECURE_COOKIE');
  });
});

describe('AGORA_USERS and users copy between files', () => {
  it('takes the location from AGORA_USERS before AGORA_USERS_FILE, and copies users with their hashes and uids', async () => {
    const first = join(dir, 'first.json');
    const other = join(dir, 'other.json');
    expect((await cli(['users', 'add', 'alice', '--chat-user-uuid', 'a'], { input: 'alice-pw', env: { AGORA_USERS: first, AGORA_USERS_FILE: other } })).code).toBe(0);
    expect(JSON.parse(readFileSync(first, 'utf8')).users.alice.chatUserUuid).toBe('a');
    const copy = join(dir, 'copy.json');
    const copied = await cli(['users', 'copy', '--from', first, '--to', copy]);
    expect(copied).toMatchObject({ code: 0, stdout: `copied 1 user from ${first} to ${copy}\n` });
    const a = JSON.parse(readFileSync(first, 'utf8')).users.alice;
    const b = JSON.parse(readFileSync(copy, 'utf8')).users.alice;
    expect(b.password).toEqual(a.password);
    expect(b.agoraUid).toBe(a.agoraUid);
    // A second copy without --replace changes nothing and says why.
    const again = await cli(['users', 'copy', '--from', first, '--to', copy]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('ERR_USER_EXISTS');
    const s = await started(['--users', copy]);
    expect((await login(s.url, 'alice', 'alice-pw')).response.status).toBe(200);
    expect((await post(s.url, '/token', { userAccount: 'alice', userPassword: 'wrong' })).status).toBe(401);
  });
});
