import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addUser,
  createUsersAuthenticator,
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  listUsers,
  readUsersFile,
  removeUser,
  UsersFileError,
  verifyPassword,
} from '../src/server/index.js';

// Cheap scrypt parameters keep the tests fast; the code paths are the same.
const FAST = { N: 1024 };

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atb-users-'));
  file = join(dir, 'users.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function expectCode(promise: Promise<unknown>, code: string): Promise<UsersFileError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsersFileError);
  expect((error as UsersFileError).code).toBe(code);
  return error as UsersFileError;
}

describe('hashPassword / verifyPassword', () => {
  it('stores the scrypt parameters and a random salt with every hash', async () => {
    const a = await hashPassword('s3cret', FAST);
    const b = await hashPassword('s3cret', FAST);
    expect(a).toMatchObject({ algorithm: 'scrypt', N: 1024, r: 8, p: 1, keyLength: 32 });
    expect(Buffer.from(a.salt, 'base64')).toHaveLength(16);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(await verifyPassword('s3cret', a)).toBe(true);
    expect(await verifyPassword('s3cret', b)).toBe(true);
    expect(await verifyPassword('s3cret ', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('uses N = 2^15, r = 8, p = 1 by default', async () => {
    expect(DEFAULT_SCRYPT_PARAMS).toEqual({ N: 32768, r: 8, p: 1, keyLength: 32 });
    const hash = await hashPassword('default cost');
    expect(hash.N).toBe(32768);
    expect(await verifyPassword('default cost', hash)).toBe(true);
  });

  it('normalises the password to NFC, so both spellings of é match', async () => {
    const hash = await hashPassword('caf\u00e9', FAST);
    expect(await verifyPassword('cafe\u0301', hash)).toBe(true);
  });

  it('rejects empty or oversized passwords and unsafe parameters', async () => {
    await expectCode(hashPassword(''), 'ERR_INVALID_ARGUMENT');
    await expectCode(hashPassword('x'.repeat(1025)), 'ERR_INVALID_ARGUMENT');
    await expectCode(hashPassword('x', { N: 1000 }), 'ERR_INVALID_ARGUMENT');
    await expectCode(hashPassword('x', { N: 2 ** 21 }), 'ERR_INVALID_ARGUMENT');
  });
});

describe('the users file', () => {
  it('is created by addUser as JSON with mode 0600, holding hashes and no password', async () => {
    await addUser(file, 'alice', 'correct horse', { chatUserId: 'alice-uuid', scrypt: FAST });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('correct horse');
    const json = JSON.parse(text);
    expect(json.version).toBe(1);
    expect(json.users.alice.chatUserId).toBe('alice-uuid');
    expect(json.users.alice.password.algorithm).toBe('scrypt');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['users.json']); // the temporary file was renamed away
  });

  it('defaults the chat user id to the login name', async () => {
    await addUser(file, 'bob', 'pw', { scrypt: FAST });
    expect(await listUsers(file)).toEqual([{ userAccount: 'bob', chatUserId: 'bob' }]);
  });

  it('refuses to add a user twice unless replace is set', async () => {
    await addUser(file, 'alice', 'one', { scrypt: FAST });
    await expectCode(addUser(file, 'alice', 'two', { scrypt: FAST }), 'ERR_USER_EXISTS');
    const authenticate = createUsersAuthenticator(file);
    expect(await authenticate('alice', 'one')).toEqual({ chatUserId: 'alice' });
    await addUser(file, 'alice', 'two', { scrypt: FAST, replace: true, chatUserId: 'alice-2' });
    expect(await authenticate('alice', 'one')).toBeNull();
    expect(await authenticate('alice', 'two')).toEqual({ chatUserId: 'alice-2' });
  });

  it('removes users, and says so when the user is not there', async () => {
    await addUser(file, 'alice', 'pw', { scrypt: FAST });
    await addUser(file, 'bob', 'pw', { scrypt: FAST });
    await removeUser(file, 'alice');
    expect((await listUsers(file)).map((u) => u.userAccount)).toEqual(['bob']);
    await expectCode(removeUser(file, 'alice'), 'ERR_USER_NOT_FOUND');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('lists users sorted by login name, without hashes', async () => {
    for (const name of ['carol', 'alice', 'bob']) await addUser(file, name, 'pw', { scrypt: FAST });
    const users = await listUsers(file);
    expect(users.map((u) => u.userAccount)).toEqual(['alice', 'bob', 'carol']);
    expect(JSON.stringify(users)).not.toContain('hash');
  });

  it('reads a missing file as no users', async () => {
    expect(await listUsers(join(dir, 'absent.json'))).toEqual([]);
    expect(await createUsersAuthenticator(join(dir, 'absent.json'))('alice', 'pw')).toBeNull();
  });

  it('treats names like __proto__ as plain names', async () => {
    await addUser(file, '__proto__', 'pw', { scrypt: FAST });
    await addUser(file, 'constructor', 'pw2', { scrypt: FAST });
    const authenticate = createUsersAuthenticator(file);
    expect(await authenticate('__proto__', 'pw')).toEqual({ chatUserId: '__proto__' });
    expect(await authenticate('constructor', 'pw2')).toEqual({ chatUserId: 'constructor' });
    expect(await authenticate('toString', 'pw')).toBeNull();
    expect((await listUsers(file)).map((u) => u.userAccount)).toEqual(['__proto__', 'constructor']);
  });

  it('rejects empty names, control characters and over-long names', async () => {
    await expectCode(addUser(file, '', 'pw'), 'ERR_INVALID_ARGUMENT');
    await expectCode(addUser(file, 'a\nb', 'pw'), 'ERR_INVALID_ARGUMENT');
    await expectCode(addUser(file, 'x'.repeat(257), 'pw'), 'ERR_INVALID_ARGUMENT');
    await expectCode(addUser(file, 'ok', 'pw', { chatUserId: '' }), 'ERR_INVALID_ARGUMENT');
  });

  it.each([
    ['not JSON', '{nope'],
    ['the wrong shape', '[]'],
    ['the wrong version', '{"version": 2, "users": {}}'],
    ['a user without a hash', '{"version": 1, "users": {"a": {"chatUserId": "a"}}}'],
    [
      'absurd scrypt parameters',
      '{"version": 1, "users": {"a": {"chatUserId": "a", "password": {"algorithm": "scrypt", "N": 1073741824, "r": 8, "p": 1, "keyLength": 32, "salt": "AAAA", "hash": "AAAA"}}}}',
    ],
  ])('reports a file with %s as ERR_USERS_FILE, naming the file', async (_what, text) => {
    writeFileSync(file, text);
    const error = await expectCode(readUsersFile(file), 'ERR_USERS_FILE');
    expect(error.message).toContain(file);
    await expectCode(createUsersAuthenticator(file)('a', 'pw') as Promise<unknown>, 'ERR_USERS_FILE');
  });
});

describe('createUsersAuthenticator', () => {
  it('answers the chat user id for the right password and null otherwise', async () => {
    await addUser(file, 'alice', 'right', { chatUserId: 'a-uuid', scrypt: FAST });
    const authenticate = createUsersAuthenticator(file);
    expect(await authenticate('alice', 'right')).toEqual({ chatUserId: 'a-uuid' });
    expect(await authenticate('alice', 'wrong')).toBeNull();
    expect(await authenticate('nobody', 'right')).toBeNull();
  });

  it('sees users added after it was made (the file is read on every login)', async () => {
    const authenticate = createUsersAuthenticator(file);
    expect(await authenticate('late', 'pw')).toBeNull();
    await addUser(file, 'late', 'pw', { scrypt: FAST });
    expect(await authenticate('late', 'pw')).toEqual({ chatUserId: 'late' });
  });

  it('accepts a users object in memory', async () => {
    const password = await hashPassword('pw', FAST);
    const authenticate = createUsersAuthenticator({ version: 1, users: { demo: { chatUserId: 'demo', password } } });
    expect(await authenticate('demo', 'pw')).toEqual({ chatUserId: 'demo' });
    expect(await authenticate('demo', 'nope')).toBeNull();
  });

  it('spends scrypt time on unknown users too, so timing does not tell who exists', async () => {
    await addUser(file, 'alice', 'pw'); // default cost, like the dummy hash
    const authenticate = createUsersAuthenticator(file);
    await authenticate('warm-up', 'x'); // the dummy hash is made once
    const time = async (name: string) => {
      const start = performance.now();
      await authenticate(name, 'wrong');
      return performance.now() - start;
    };
    const known = await time('alice');
    const unknown = await time('nobody');
    // Both run one scrypt at N = 2^15 (tens of milliseconds); a skipped hash would take well under 2 ms.
    expect(unknown).toBeGreaterThan(known / 4);
  });
});
