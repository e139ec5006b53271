// The users file under concurrency, abandoned locks, outdated scrypt settings,
// hostile settings and loose permissions (issue 9: defects 1 and 6, hardening).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addUser,
  checkUsersFilePermissions,
  createUsersAuthenticator,
  hashPassword,
  listUsers,
  readUsersFile,
  removeUser,
  updateUser,
  UsersFileError,
  verifyPassword,
  writeUsersFile,
  type PasswordHash,
  type ScryptParams,
} from '../src/server/index.js';
import { scryptObserver } from '../src/server/users.js';
import { main, type Io } from '../src/cli/main.js';

const FAST = { N: 1024 };
const CURRENT = { N: 4096 }; // the "current" settings of the authenticators below: cheap, but other than FAST

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atb-users-h-'));
  file = join(dir, 'users.json');
});
afterEach(() => {
  scryptObserver.onStart = undefined;
  scryptObserver.onDone = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<UsersFileError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsersFileError);
  expect((error as UsersFileError).code).toBe(code);
  return error as UsersFileError;
}

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function writeFileV2(users: Record<string, { chatUserName: string; chatUserUuid: string; password: PasswordHash }>): void {
  writeFileSync(file, JSON.stringify({ version: 2, users }), { mode: 0o600 });
}

describe('changes at the same time are all kept', () => {
  it('keeps 40 concurrent addUser calls and 10 concurrent removes in one process', async () => {
    for (let i = 0; i < 10; i++) await addUser(file, `old${i}`, 'pw', { chatUserUuid: `old-${i}`, scrypt: FAST });
    const results = await Promise.allSettled([
      ...Array.from({ length: 40 }, (_, i) => addUser(file, `u${i}`, `pw${i}`, { chatUserUuid: `uuid-${i}`, scrypt: FAST })),
      ...Array.from({ length: 10 }, (_, i) => removeUser(file, `old${i}`)),
    ]);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const names = (await listUsers(file)).map((u) => u.userAccount);
    expect(names.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `u${i}`).sort());
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(readdirSync(dir)).toEqual(['users.json']);
  });

  it('waits for a lock held by a live process, then gives up with ERR_USERS_FILE_LOCKED and changes nothing', async () => {
    await addUser(file, 'alice', 'pw', { chatUserUuid: 'a', scrypt: FAST });
    const before = readFileSync(file, 'utf8');
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now(), id: 'someone-else' }));
    const error = await expectCode(addUser(file, 'bob', 'pw', { chatUserUuid: 'b', scrypt: FAST, lock: { timeoutMs: 300 } }), 'ERR_USERS_FILE_LOCKED');
    expect(error.message).toContain(`pid ${process.pid}`);
    expect(error.message).toContain(`${file}.lock`);
    await expectCode(removeUser(file, 'alice', { lock: { timeoutMs: 100 } }), 'ERR_USERS_FILE_LOCKED');
    expect(readFileSync(file, 'utf8')).toBe(before);
    // The lock it did not own is still there: a waiter never removes a live holder's lock.
    expect(JSON.parse(readFileSync(`${file}.lock`, 'utf8')).id).toBe('someone-else');
  });

  it('takes over a lock whose process is gone, at once', async () => {
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: deadPid(), host: hostname(), time: Date.now(), id: 'dead' }));
    await addUser(file, 'carol', 'pw', { chatUserUuid: 'c', scrypt: FAST, lock: { timeoutMs: 2000 } });
    expect((await listUsers(file)).map((u) => u.userAccount)).toEqual(['carol']);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('takes over a lock older than staleMs, and an empty lock file after 2 s', async () => {
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.pid, host: 'another-host', time: Date.now() - 5000, id: 'old' }));
    utimesSync(`${file}.lock`, new Date(Date.now() - 5000), new Date(Date.now() - 5000));
    await addUser(file, 'dave', 'pw', { chatUserUuid: 'd', scrypt: FAST, lock: { timeoutMs: 2000, staleMs: 1000 } });
    writeFileSync(`${file}.lock`, ''); // its writer died between creating and filling it
    utimesSync(`${file}.lock`, new Date(Date.now() - 3000), new Date(Date.now() - 3000));
    await removeUser(file, 'dave', { lock: { timeoutMs: 2000 } });
    expect(await listUsers(file)).toEqual([]);
  });

  it('removes temporary files left by killed writers', async () => {
    const orphan = join(dir, `.users.json.${deadPid()}.0123456789ab.tmp`);
    writeFileSync(orphan, '{"version": 2, "us');
    await addUser(file, 'erin', 'pw', { chatUserUuid: 'e', scrypt: FAST });
    expect(readdirSync(dir)).toEqual(['users.json']);
  });

  it('checks its lock options', async () => {
    await expectCode(addUser(file, 'x', 'pw', { chatUserUuid: 'x', lock: { timeoutMs: -1 } }), 'ERR_INVALID_ARGUMENT');
    await expectCode(removeUser(file, 'x', { lock: { staleMs: 10 } }), 'ERR_INVALID_ARGUMENT');
  });

  it('writeUsersFile takes the lock too', async () => {
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now(), id: 'held' }));
    await expectCode(writeUsersFile(file, { version: 2, users: {} }, { lock: { timeoutMs: 100 } }), 'ERR_USERS_FILE_LOCKED');
    expect(existsSync(file)).toBe(false);
  });
});

describe('updateUser', () => {
  it('changes only what it is given; a missing user is ERR_USER_NOT_FOUND', async () => {
    await addUser(file, 'fay', 'pw', { chatUserName: 'fay', chatUserUuid: 'fay', scrypt: FAST });
    const hashBefore = (await readUsersFile(file)).users.fay!.password;
    expect(await updateUser(file, 'fay', { chatUserUuid: 'fay-uuid' })).toEqual({
      replaced: true,
      user: { userAccount: 'fay', chatUserName: 'fay', chatUserUuid: 'fay-uuid' },
    });
    expect((await readUsersFile(file)).users.fay!.password).toEqual(hashBefore);
    await updateUser(file, 'fay', { password: 'new-pw', scrypt: FAST });
    expect(await verifyPassword('new-pw', (await readUsersFile(file)).users.fay!.password)).toBe(true);
    await expectCode(updateUser(file, 'nobody', { chatUserUuid: 'x' }), 'ERR_USER_NOT_FOUND');
  });
});

describe('other scrypt settings', () => {
  type Event = string;
  function watch(): Event[] {
    const events: Event[] = [];
    scryptObserver.onStart = (p: ScryptParams) => events.push(`start N=${p.N}`);
    scryptObserver.onDone = (p: ScryptParams) => events.push(`done N=${p.N}`);
    return events;
  }

  it('a wrong password for a user with other settings does not answer before a hash at the current settings is done', async () => {
    await addUser(file, 'old', 'right', { chatUserUuid: 'o', scrypt: FAST });
    await addUser(file, 'new', 'right', { chatUserUuid: 'n', scrypt: CURRENT });
    const authenticate = createUsersAuthenticator(file, { scrypt: CURRENT });
    await authenticate('warm-up', 'x'); // makes the dummy hash once

    const unknown = watch();
    expect(await authenticate('nobody', 'wrong')).toBeNull();
    unknown.push('answered');
    expect(unknown).toEqual(['start N=4096', 'done N=4096', 'answered']);

    const outdated = watch();
    expect(await authenticate('old', 'wrong')).toBeNull();
    outdated.push('answered');
    // Both the stored (N=1024) hash and a current-settings (N=4096) hash were computed before the answer.
    expect(outdated.slice(0, -1).sort()).toEqual(['done N=1024', 'done N=4096', 'start N=1024', 'start N=4096']);
    expect(outdated.at(-1)).toBe('answered');
    // The file is not touched by a failed login.
    expect((await readUsersFile(file)).users.old!.password.N).toBe(1024);

    const same = watch();
    expect(await authenticate('new', 'wrong')).toBeNull();
    expect(same).toEqual(['start N=4096', 'done N=4096']); // current settings: one hash, like an unknown user
  });

  it('rehashes the user with the current settings at the next successful login, once', async () => {
    await addUser(file, 'old', 'right', { chatUserName: 'old-chat', chatUserUuid: 'o-uuid', scrypt: FAST });
    await addUser(file, 'other', 'pw', { chatUserUuid: 'x', scrypt: FAST });
    const authenticate = createUsersAuthenticator(file, { scrypt: CURRENT });
    expect(await authenticate('old', 'right')).toEqual({ chatUserName: 'old-chat', chatUserUuid: 'o-uuid' });
    const { users } = await readUsersFile(file);
    expect(users.old!.password.N).toBe(4096);
    expect(await verifyPassword('right', users.old!.password)).toBe(true);
    expect(users.other!.password.N).toBe(1024); // only the user who logged in
    expect(users.old!.chatUserUuid).toBe('o-uuid');
    const events = watch();
    expect(await authenticate('old', 'right')).not.toBeNull();
    expect(events).toEqual(['start N=4096', 'done N=4096']); // now current: no second rehash
  });

  it('does not rehash over a change made meanwhile', async () => {
    await addUser(file, 'old', 'right', { chatUserUuid: 'o', scrypt: FAST });
    const changed = await hashPassword('changed-meanwhile', FAST);
    const record = (await readUsersFile(file)).users.old!;
    const authenticate = createUsersAuthenticator(file, { scrypt: CURRENT });
    let starts = 0;
    scryptObserver.onStart = () => {
      // The third computation is the rehash (after the stored hash and the dummy): the user's password is changed
      // by "another process" right then, before the rehash can take the lock.
      if (++starts === 3) writeFileV2({ old: { ...record, password: changed } });
    };
    expect(await authenticate('old', 'right')).not.toBeNull();
    expect(starts).toBe(3);
    expect((await readUsersFile(file)).users.old!.password).toEqual(changed);
  });

  it('reports a rehash that cannot be saved, and still lets the user in', async () => {
    await addUser(file, 'old', 'right', { chatUserUuid: 'o', scrypt: FAST });
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now(), id: 'held' }));
    const warnings: string[] = [];
    const authenticate = createUsersAuthenticator(file, { scrypt: CURRENT, lock: { timeoutMs: 100 }, onWarning: (m) => warnings.push(m) });
    expect(await authenticate('old', 'right')).not.toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not save the rehashed password of user "old".*lock/);
    expect(warnings[0]).not.toContain('right');
  });
});

describe('bounded scrypt settings', () => {
  const base = { algorithm: 'scrypt', keyLength: 32, salt: 'AAAAAAAAAAAAAAAAAAAAAA==', hash: Buffer.alloc(32).toString('base64') };
  it.each([
    ['N = 2^18', { N: 2 ** 18, r: 8, p: 1 }],
    ['r = 17', { N: 1024, r: 17, p: 1 }],
    ['p = 5', { N: 1024, r: 8, p: 5 }],
    ['N·r·p = 2^21', { N: 2 ** 17, r: 16, p: 1 }],
    ['N·r·p = 2^21 by p', { N: 2 ** 16, r: 8, p: 4 }],
    ['the 0.1 maximum (N 2^20, r 32, p 16)', { N: 2 ** 20, r: 32, p: 16 }],
  ])('rejects %s with ERR_USERS_FILE naming the user', async (_what, params) => {
    writeFileSync(file, JSON.stringify({ version: 2, users: { mallory: { chatUserName: 'm', chatUserUuid: 'm', password: { ...base, ...params } } } }));
    const error = await expectCode(readUsersFile(file), 'ERR_USERS_FILE');
    expect(error.message).toContain('user "mallory"');
    expect(error.message).toContain(`${params.N}, ${params.r}, ${params.p}`);
    await expectCode(hashPassword('pw', params), 'ERR_INVALID_ARGUMENT');
  });

  it('accepts settings up to 4 times the default cost', async () => {
    for (const params of [{ N: 2 ** 17, r: 8, p: 1 }, { N: 2 ** 15, r: 8, p: 4 }, { N: 2 ** 16, r: 16, p: 1 }]) {
      writeFileSync(file, JSON.stringify({ version: 2, users: { ok: { chatUserName: 'o', chatUserUuid: 'o', password: { ...base, ...params } } } }));
      expect((await readUsersFile(file)).users.ok!.password.N).toBe(params.N);
    }
  });
});

describe('a users file readable by others', () => {
  it('is reported by checkUsersFilePermissions, and by the authenticator through onWarning, once', async () => {
    expect(await checkUsersFilePermissions(file)).toBeUndefined(); // absent
    await addUser(file, 'gus', 'pw', { chatUserUuid: 'g', scrypt: FAST });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await checkUsersFilePermissions(file)).toBeUndefined();
    chmodSync(file, 0o644);
    const warning = await checkUsersFilePermissions(file);
    expect(warning).toContain(file);
    expect(warning).toContain('0644');
    expect(warning).toContain('all other users');
    expect(warning).toContain(`chmod 600 ${file}`);
    chmodSync(file, 0o640);
    expect(await checkUsersFilePermissions(file)).toMatch(/its group(?! and)/);
    const warnings: string[] = [];
    const authenticate = createUsersAuthenticator(file, { scrypt: FAST, onWarning: (m) => warnings.push(m) });
    await authenticate('gus', 'pw');
    await authenticate('gus', 'pw');
    expect(warnings).toEqual([await checkUsersFilePermissions(file)]);
    // A change keeps the mode the operator chose (issue 14, finding 5): a server may read it through its group.
    await addUser(file, 'hal', 'pw', { chatUserUuid: 'h', scrypt: FAST });
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });
});

describe('serve with a users file readable by others', () => {
  it('warns on standard error when it starts', async () => {
    await addUser(file, 'ivy', 'pw', { chatUserUuid: 'i', scrypt: FAST });
    chmodSync(file, 0o604);
    const out: string[] = [];
    const err: string[] = [];
    const stop = new AbortController();
    const io: Io = {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      env: { AGORA_APP_ID: '970CA35de60c44645bbae8a215061b33', AGORA_APP_CERTIFICATE: '5CFd2fd1755d40ecb72977518be15d3b' },
      signal: stop.signal,
    };
    const done = Promise.resolve(main(['serve', '--port', '0', '--users', file], io));
    for (let i = 0; i < 500 && !out.some((l) => l.includes('listening')); i++) await new Promise((r) => setTimeout(r, 10));
    stop.abort();
    expect(await done).toBe(0);
    expect(err).toContain(`warning: the users file ${file} (mode 0604) can be accessed by all other users, and it holds password hashes: run chmod 600 ${file}`);
  });
});
