// The users file as a user store (issue 14, findings 2-6), the scrypt hasher,
// and openUserStore: the store alone, and through the token server.
import { chownSync, chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createFileUserStore,
  createScryptHasher,
  decodePasswordHash,
  encodePasswordHash,
  hashPassword,
  openUserStore,
  readUsersFile,
  startTokenServer,
  UserStoreError,
  type RunningTokenServer,
  type StoredUser,
  type TokenServerOptions,
} from '../src/server/index.js';
import { main } from '../src/cli/main.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const SECRET = 'k3P9x-sZ2qLw8vNc4RtY7uBj1mXe6HdA0fGo5Ki';
const FAST = { N: 1024 };

let dir: string;
let servers: RunningTokenServer[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agora-stores-'));
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  rmSync(dir, { recursive: true, force: true });
});

/** A version 2 users file written directly: `count` users named user0.., each with password `pw-<name>`. */
async function writeUsers(file: string, names: string[], extra: Record<string, unknown> = {}): Promise<void> {
  const users: Record<string, unknown> = {};
  for (const name of names) users[name] = { chatUserName: name, chatUserUuid: `${name}-uuid`, password: await hashPassword(`pw-${name}`, FAST) };
  writeFileSync(file, JSON.stringify({ version: 2, users: { ...users, ...extra } }), { mode: 0o600 });
}

async function start(file: string, warnings: string[] = [], options: TokenServerOptions = {}): Promise<RunningTokenServer> {
  const server = await startTokenServer({
    appId: APP_ID,
    appCertificate: APP_CERTIFICATE,
    sessionSecret: SECRET,
    usersFile: file,
    scrypt: FAST,
    // These tests renew many times in a row on one session: the per-session renewal limit is not what they test.
    renewalLimit: false,
    onWarning: (m) => warnings.push(m),
    onError: (e) => warnings.push(`error: ${String(e)}`),
    ...options,
  });
  servers.push(server);
  return server;
}

function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

async function login(url: string, name: string, password = `pw-${name}`): Promise<{ response: Response; cookie: string }> {
  const response = await post(url, '/token', { userAccount: name, userPassword: password });
  const set = response.headers.get('set-cookie') ?? '';
  return { response, cookie: set.split(';')[0]! };
}

describe('createScryptHasher', () => {
  it('hashes into the encoded form, verifies in both directions, and asks for a rehash when the parameters differ', async () => {
    const hasher = createScryptHasher(FAST);
    const hash = await hasher.hash('correct horse');
    expect(hash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.verify('correct horse', hash)).toEqual({ valid: true });
    expect(await hasher.verify('wrong horse', hash)).toEqual({ valid: false });
    expect(await hasher.verify('anything', undefined)).toEqual({ valid: false });
    const stronger = createScryptHasher({ N: 2048 });
    const upgraded = await stronger.verify('correct horse', hash);
    expect(upgraded.valid).toBe(true);
    expect(upgraded.rehash).toMatch(/^\$scrypt\$ln=11,r=8,p=1\$/);
    expect(await stronger.verify('wrong horse', hash)).toEqual({ valid: false });
  });

  it('reads the users file hash form back exactly, and accepts one spelling only', async () => {
    const hash = await hashPassword('pw', FAST);
    const encoded = encodePasswordHash(hash);
    expect(decodePasswordHash(encoded)).toEqual(hash);
    expect(() => decodePasswordHash(`${encoded}=`)).toThrow(/not an encoded scrypt hash/);
    expect(() => decodePasswordHash(encoded.replace(',r=8,', ',r=08,'))).toThrow(/leading zeros/);
  });

  it('refuses a stored hash beyond the bounds for that user only, without computing it', async () => {
    const hasher = createScryptHasher(FAST);
    const salt = 'c2FsdHNhbHRzYWx0c2FsdA';
    const key = 'a'.repeat(43);
    for (const beyond of [`$scrypt$ln=20,r=8,p=1$${salt}$${key}`, `$scrypt$ln=17,r=16,p=1$${salt}$${key}`, `$scrypt$ln=10,r=8,p=5$${salt}$${key}`]) {
      const error = await hasher.verify('pw', beyond).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserStoreError);
      expect((error as UserStoreError).code).toBe('ERR_USER_STORE');
    }
    expect(await hasher.verify('pw', await hasher.hash('pw'))).toEqual({ valid: true });
  });

  it('stops before hashing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('client gone'));
    await expect(createScryptHasher(FAST).verify('pw', undefined, controller.signal)).rejects.toThrow('client gone');
  });
});

describe('createFileUserStore', () => {
  it('adds, finds, changes, rehashes, lists and removes users with stable uids and credential versions', async () => {
    const file = join(dir, 'users.json');
    const store = createFileUserStore(file);
    const hasher = createScryptHasher(FAST);
    const { user: alice, replaced } = await store.addUser({ userAccount: 'alice', chatUserName: 'alice', chatUserUuid: 'a-uuid', passwordHash: await hasher.hash('a') });
    expect(replaced).toBe(false);
    expect(alice.agoraUid).toBeGreaterThanOrEqual(1);
    expect(alice.agoraUid).toBeLessThanOrEqual(0xffffffff);
    await store.addUser({ userAccount: 'bob', chatUserName: 'bob', chatUserUuid: 'b-uuid', agoraUid: 42, passwordHash: await hasher.hash('b') });
    await expect(store.addUser({ userAccount: 'carl', chatUserName: 'c', chatUserUuid: 'c', agoraUid: 42, passwordHash: await hasher.hash('c') })).rejects.toMatchObject({ code: 'ERR_USER_EXISTS' });
    await expect(store.addUser({ userAccount: 'bob', chatUserName: 'b', chatUserUuid: 'b', passwordHash: await hasher.hash('b') })).rejects.toMatchObject({ code: 'ERR_USER_EXISTS' });
    expect(await store.findUser('bob')).toMatchObject({ userAccount: 'bob', agoraUid: 42 });
    expect(await store.findUser('nobody')).toBeNull();

    // Chat names alone keep the credential version; a new password changes it; the uid stays.
    const renamed = await store.updateUser('alice', { chatUserName: 'alice2' });
    expect(renamed.credentialVersion).toBe(alice.credentialVersion);
    const newPassword = await store.updateUser('alice', { passwordHash: await hasher.hash('a2') });
    expect(newPassword.credentialVersion).not.toBe(alice.credentialVersion);
    expect(newPassword.agoraUid).toBe(alice.agoraUid);
    // Replace keeps the uid, makes a new version.
    const { user: again, replaced: wasThere } = await store.addUser({ userAccount: 'alice', chatUserName: 'alice', chatUserUuid: 'a-uuid', passwordHash: await hasher.hash('a3') }, { replace: true });
    expect(wasThere).toBe(true);
    expect(again.agoraUid).toBe(alice.agoraUid);
    expect(again.credentialVersion).not.toBe(newPassword.credentialVersion);
    // A rehash with a stale version does nothing; with the current one it keeps the version.
    expect(await store.rehashPassword('alice', newPassword.credentialVersion, await hasher.hash('a3'))).toBe(false);
    const stronger = encodePasswordHash(await hashPassword('a3', { N: 2048 }));
    expect(await store.rehashPassword('alice', again.credentialVersion, stronger)).toBe(true);
    expect(await store.findUser('alice')).toMatchObject({ passwordHash: stronger, credentialVersion: again.credentialVersion });

    const listed: StoredUser[] = [];
    for await (const user of store.listUsers()) listed.push(user);
    expect(listed.map((u) => u.userAccount)).toEqual(['alice', 'bob']);
    expect(await store.removeUser('bob')).toBe(true);
    expect(await store.removeUser('bob')).toBe(false);
    await expect(store.updateUser('bob', { chatUserName: 'x' })).rejects.toMatchObject({ code: 'ERR_USER_NOT_FOUND' });
    // What it wrote is a users file the file functions read, with the same uid.
    expect((await readUsersFile(file)).users.alice).toMatchObject({ chatUserName: 'alice', agoraUid: alice.agoraUid });
  });

  it('answers from its copy when the file check is stuck behind password hashes in the thread pool', async () => {
    const file = join(dir, 'users.json');
    await writeUsers(file, ['alice']);
    const store = createFileUserStore(file);
    await store.findUser('alice'); // the first copy
    // Fill libuv's thread pool (4 threads) with 16 hashes: a stat queued now runs after all of them.
    let hashesDone = 0;
    const hashes = Array.from({ length: 16 }, () => hashPassword('busy', { N: 2 ** 16 }).then(() => hashesDone++));
    const found = await store.findUser('alice');
    const doneWhenFound = hashesDone;
    await Promise.all(hashes);
    expect(found).toMatchObject({ chatUserUuid: 'alice-uuid' });
    expect(doneWhenFound).toBeLessThan(4); // before the first four hashes were done, where the stat waits for twelve
  });

  it('sees a change made by another writer at the next lookup', async () => {
    const file = join(dir, 'users.json');
    await writeUsers(file, ['alice']);
    const store = createFileUserStore(file);
    const before = await store.findUser('alice');
    await writeUsers(file, ['alice', 'bob']);
    expect(await store.findUser('bob')).toMatchObject({ chatUserUuid: 'bob-uuid' });
    // A file rewritten with the same users keeps every credential version (they come from the hashes).
    expect((await store.findUser('alice'))!.credentialVersion).not.toBe(before!.credentialVersion); // new hash: new version
  });

  it('keeps the uid and credential version of a version 1 or 2 file across its first rewrite (sessions survive the upgrade)', async () => {
    const file = join(dir, 'users.json');
    await writeUsers(file, ['alice', 'bob']);
    const store = createFileUserStore(file);
    const alice = await store.findUser('alice');
    await store.updateUser('bob', { chatUserName: 'bobby' });
    const json = JSON.parse(readFileSync(file, 'utf8'));
    expect(json.users.alice.agoraUid).toBe(alice!.agoraUid);
    expect(json.users.alice.credentialVersion).toBe(alice!.credentialVersion);
    expect(await createFileUserStore(file).findUser('alice')).toEqual(alice);
  });
});

describe('finding 2: a login or renewal does not read the users file', () => {
  it('parses the file once per change, not per request', async () => {
    const file = join(dir, 'users.json');
    await writeUsers(file, Array.from({ length: 50 }, (_, i) => `user${i}`));
    const server = await start(file);
    const { cookie } = await login(server.url, 'user1');
    const parse = vi.spyOn(JSON, 'parse');
    try {
      for (let i = 0; i < 20; i++) expect((await post(server.url, '/token/renew', {}, { cookie })).status).toBe(200);
      expect((await login(server.url, 'user2')).response.status).toBe(200);
      expect((await login(server.url, 'nobody')).response.status).toBe(401);
      const fileParses = parse.mock.calls.filter(([text]) => typeof text === 'string' && text.includes('"users"'));
      expect(fileParses).toHaveLength(0);
      // A change is read once, then served from memory again.
      await writeUsers(file, [...Array.from({ length: 50 }, (_, i) => `user${i}`), 'late']);
      expect((await login(server.url, 'late')).response.status).toBe(200);
      for (let i = 0; i < 5; i++) await post(server.url, '/token/renew', {}, { cookie });
      expect(parse.mock.calls.filter(([text]) => typeof text === 'string' && text.includes('"users"'))).toHaveLength(1);
    } finally {
      parse.mockRestore();
    }
  });
});

describe('finding 3: a users file missing for a moment', () => {
  it('keeps serving from the last good copy, with one warning, and reads the file again when it is back', async () => {
    const file = join(dir, 'users.json');
    await writeUsers(file, ['alice']);
    const warnings: string[] = [];
    const server = await start(file, warnings);
    const { cookie } = await login(server.url, 'alice');
    renameSync(file, `${file}.moved`);
    for (let i = 0; i < 5; i++) {
      const renewed = await post(server.url, '/token/renew', {}, { cookie });
      expect(renewed.status).toBe(200);
      expect((await login(server.url, 'alice')).response.status).toBe(200);
    }
    expect((await login(server.url, 'alice', 'wrong')).response.status).toBe(401);
    const missing = warnings.filter((w) => w.includes('is missing'));
    expect(missing).toHaveLength(1);
    expect(missing[0]).toContain(file);
    renameSync(`${file}.moved`, file);
    expect((await post(server.url, '/token/renew', {}, { cookie })).status).toBe(200);
    expect(warnings.some((w) => w.includes('read again'))).toBe(true);
  });

  it('keeps the last good copy while the file is not a users file (a half-written edit), warning once', async () => {
    const file = join(dir, 'users.json');
    await writeUsers(file, ['alice']);
    const warnings: string[] = [];
    const server = await start(file, warnings);
    const { cookie } = await login(server.url, 'alice');
    writeFileSync(file, '{"version": 2, "users": {"alice": ');
    for (let i = 0; i < 3; i++) {
      expect((await post(server.url, '/token/renew', {}, { cookie })).status).toBe(200);
      expect((await login(server.url, 'alice')).response.status).toBe(200);
    }
    expect(warnings.filter((w) => w.includes('is not a users file now'))).toHaveLength(1);
    expect(warnings.filter((w) => w.startsWith('error:'))).toEqual([]);
  });

  it('answers 503 with Retry-After, never 401 or 500, while a file never read cannot be read', async () => {
    const file = join(dir, 'users.json');
    mkdirSync(file); // a folder where the file should be: EISDIR
    const warnings: string[] = [];
    const server = await start(file, warnings);
    const response = await post(server.url, '/token', { userAccount: 'alice', userPassword: 'pw-alice' });
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(warnings.filter((w) => w.startsWith('error:'))).toEqual([]);
    rmSync(file, { recursive: true });
    await writeUsers(file, ['alice']);
    expect((await login(server.url, 'alice')).response.status).toBe(200);
  });
});

describe('finding 4: one bad record', () => {
  it('refuses that user only, named in one warning; every other user keeps working', async () => {
    const file = join(dir, 'users.json');
    const heavy = { ...(await hashPassword('pw-mallory', FAST)), N: 2 ** 20 };
    await writeUsers(file, ['alice', 'bob'], { mallory: { chatUserName: 'mallory', chatUserUuid: 'm', password: heavy } });
    const warnings: string[] = [];
    const server = await start(file, warnings);
    for (let i = 0; i < 3; i++) {
      expect((await login(server.url, 'alice')).response.status).toBe(200);
      expect((await login(server.url, 'bob')).response.status).toBe(200);
      expect((await login(server.url, 'mallory')).response.status).toBe(401);
    }
    const named = warnings.filter((w) => w.includes('"mallory"'));
    expect(named).toHaveLength(1);
    expect(named[0]).toMatch(/refused/);
    expect(warnings.filter((w) => w.startsWith('error:'))).toEqual([]);
    // A change to another user keeps the bad record as it was, for the operator to fix.
    await createFileUserStore(file).removeUser('bob');
    expect(JSON.parse(readFileSync(file, 'utf8')).users.mallory.password.N).toBe(2 ** 20);
  });
});

describe('finding 5: users add run as root', () => {
  it('keeps the owner, group and mode of a file a server reads through its group', async () => {
    if (process.getuid?.() !== 0) throw new Error('this test needs root (CI runs as root)');
    const file = join(dir, 'users.json');
    await writeUsers(file, ['alice']);
    chownSync(file, 65534, 65534);
    chmodSync(file, 0o640);
    const io = { out: () => undefined, err: () => undefined, env: {}, readStdin: async () => 'pw-bob\n' };
    expect(await main(['users', 'add', 'bob', '--chat-user-uuid', 'b', '--users', file], io)).toBe(0);
    const info = statSync(file);
    expect([info.uid, info.gid, info.mode & 0o7777]).toEqual([65534, 65534, 0o640]);
    expect(JSON.parse(readFileSync(file, 'utf8')).users.bob.chatUserUuid).toBe('b');
    expect(await main(['users', 'remove', 'alice', '--users', file], io)).toBe(0);
    expect([statSync(file).uid, statSync(file).gid, statSync(file).mode & 0o7777]).toEqual([65534, 65534, 0o640]);
  });
});

describe('finding 6: a symlinked users path', () => {
  it('stays a symlink, writes its target, and shares the target\'s lock', async () => {
    const real = join(dir, 'real', 'users.json');
    mkdirSync(join(dir, 'real'));
    await writeUsers(real, ['alice']);
    const link = join(dir, 'users-link.json');
    symlinkSync(real, link);
    const io = { out: () => undefined, err: () => undefined, env: {}, readStdin: async () => 'pw-bob' };
    expect(await main(['users', 'add', 'bob', '--chat-user-uuid', 'b', '--users', link], io)).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(Object.keys(JSON.parse(readFileSync(real, 'utf8')).users).sort()).toEqual(['alice', 'bob']);
    // A server started with the link sees removals made on the real file.
    const server = await start(link);
    expect((await login(server.url, 'alice')).response.status).toBe(200);
    expect(await main(['users', 'remove', 'alice', '--users', real], io)).toBe(0);
    expect((await login(server.url, 'alice')).response.status).toBe(401);
    // One lock for both paths: a lock held on the real file stops a change through the link.
    writeFileSync(`${real}.lock`, JSON.stringify({ pid: process.pid, host: 'elsewhere', time: Date.now(), id: 'x' }));
    const store = createFileUserStore(link, { lock: { timeoutMs: 200 } });
    await expect(store.removeUser('bob')).rejects.toMatchObject({ code: 'ERR_USER_STORE_UNAVAILABLE' });
    expect(existsSync(`${link}.lock`)).toBe(false);
  });
});

describe('openUserStore', () => {
  it('rejects a corrupt or unreadable file with one message naming it and the problem; a missing file has no users', async () => {
    const file = join(dir, 'users.json');
    writeFileSync(file, '{"version": 2, "users": {');
    await expect(openUserStore(file)).rejects.toMatchObject({ code: 'ERR_USER_STORE', message: `users file ${file}: is not valid JSON` });
    writeFileSync(file, '[]');
    await expect(openUserStore(file)).rejects.toThrow(`users file ${file}: expected an object`);
    rmSync(file);
    mkdirSync(file);
    await expect(openUserStore(file)).rejects.toThrow(`users file ${file}: cannot be read (EISDIR)`);
    const absent = await openUserStore(join(dir, 'absent.json'));
    expect(await absent.findUser('alice')).toBeNull();
  });

  it('says to install pg when it cannot be loaded, never showing the password', async () => {
    vi.resetModules();
    vi.doMock('pg', () => {
      throw new Error('Cannot find package pg');
    });
    try {
      const { openUserStore: open } = await import('../src/server/stores/index.js');
      const error = await open('postgres://agora:s3cret-pass@127.0.0.1:1/agora').catch((e: unknown) => e);
      expect((error as UserStoreError).code).toBe('ERR_USER_STORE');
      expect((error as Error).message).toContain('npm install pg');
      expect((error as Error).message).not.toContain('s3cret-pass');
    } finally {
      vi.doUnmock('pg');
      vi.resetModules();
    }
  });
});
