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
  normalizeAuthenticatedUser,
  readUsersFile,
  removeUser,
  UsersFileError,
  verifyPassword,
} from '../src/server/index.js';

// Cheap scrypt parameters keep the tests fast; the code paths are the same.
const FAST = { N: 1024 };
// An authenticator whose current parameters are FAST: no rehash, no dummy hash at the default cost.
const CHEAP = { scrypt: FAST };

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
    await addUser(file, 'alice', 'correct horse', { chatUserName: 'alice-chat', chatUserUuid: 'alice-uuid', scrypt: FAST });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('correct horse');
    const json = JSON.parse(text);
    expect(json.version).toBe(2);
    expect(json.users.alice.chatUserName).toBe('alice-chat');
    expect(json.users.alice.chatUserUuid).toBe('alice-uuid');
    expect(json.users.alice.chatUserId).toBeUndefined();
    expect(json.users.alice.password.algorithm).toBe('scrypt');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['users.json']); // the temporary file was renamed away
  });

  it('defaults the chat username to the login name, and needs the UUID of a new user', async () => {
    await addUser(file, 'bob', 'pw', { chatUserUuid: 'bob-uuid', scrypt: FAST });
    expect(await listUsers(file)).toEqual([{ userAccount: 'bob', chatUserName: 'bob', chatUserUuid: 'bob-uuid' }]);
    const error = await expectCode(addUser(file, 'carol', 'pw', { scrypt: FAST }), 'ERR_INVALID_ARGUMENT');
    expect(error.message).toContain('chatUserUuid');
    expect((await listUsers(file)).map((u) => u.userAccount)).toEqual(['bob']);
  });

  it('maps the deprecated chatUserId option to both fields', async () => {
    await addUser(file, 'dan', 'pw', { chatUserId: 'dan-id', scrypt: FAST });
    expect(await listUsers(file)).toEqual([{ userAccount: 'dan', chatUserName: 'dan-id', chatUserUuid: 'dan-id' }]);
  });

  it('replaces a user keeping the fields it is not given, and says it replaced', async () => {
    const first = await addUser(file, 'erin', 'one', { chatUserName: 'erin-chat', chatUserUuid: 'erin-uuid', scrypt: FAST });
    expect(first).toEqual({ replaced: false, user: { userAccount: 'erin', chatUserName: 'erin-chat', chatUserUuid: 'erin-uuid' } });
    const second = await addUser(file, 'erin', 'two', { replace: true, scrypt: FAST });
    expect(second).toEqual({ replaced: true, user: { userAccount: 'erin', chatUserName: 'erin-chat', chatUserUuid: 'erin-uuid' } });
    const third = await addUser(file, 'erin', 'three', { replace: true, chatUserUuid: 'erin-uuid-2', scrypt: FAST });
    expect(third.user).toEqual({ userAccount: 'erin', chatUserName: 'erin-chat', chatUserUuid: 'erin-uuid-2' });
    expect(await createUsersAuthenticator(file, CHEAP)('erin', 'three')).toEqual({ chatUserName: 'erin-chat', chatUserUuid: 'erin-uuid-2' });
  });

  it('refuses to add a user twice unless replace is set', async () => {
    await addUser(file, 'alice', 'one', { chatUserUuid: 'a-1', scrypt: FAST });
    await expectCode(addUser(file, 'alice', 'two', { chatUserUuid: 'a-1', scrypt: FAST }), 'ERR_USER_EXISTS');
    const authenticate = createUsersAuthenticator(file, CHEAP);
    expect(await authenticate('alice', 'one')).toEqual({ chatUserName: 'alice', chatUserUuid: 'a-1' });
    await addUser(file, 'alice', 'two', { scrypt: FAST, replace: true, chatUserName: 'alice-2', chatUserUuid: 'a-2' });
    expect(await authenticate('alice', 'one')).toBeNull();
    expect(await authenticate('alice', 'two')).toEqual({ chatUserName: 'alice-2', chatUserUuid: 'a-2' });
  });

  it('removes users, and says so when the user is not there', async () => {
    await addUser(file, 'alice', 'pw', { chatUserUuid: 'u-1', scrypt: FAST });
    await addUser(file, 'bob', 'pw', { chatUserUuid: 'u-1', scrypt: FAST });
    await removeUser(file, 'alice');
    expect((await listUsers(file)).map((u) => u.userAccount)).toEqual(['bob']);
    await expectCode(removeUser(file, 'alice'), 'ERR_USER_NOT_FOUND');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('lists users sorted by login name, without hashes', async () => {
    for (const name of ['carol', 'alice', 'bob']) await addUser(file, name, 'pw', { chatUserUuid: 'u-1', scrypt: FAST });
    const users = await listUsers(file);
    expect(users.map((u) => u.userAccount)).toEqual(['alice', 'bob', 'carol']);
    expect(JSON.stringify(users)).not.toContain('hash');
  });

  it('reads a missing file as no users', async () => {
    expect(await listUsers(join(dir, 'absent.json'))).toEqual([]);
    expect(await createUsersAuthenticator(join(dir, 'absent.json'), CHEAP)('alice', 'pw')).toBeNull();
  });

  it('treats names like __proto__ as plain names', async () => {
    await addUser(file, '__proto__', 'pw', { chatUserUuid: 'u-1', scrypt: FAST });
    await addUser(file, 'constructor', 'pw2', { chatUserUuid: 'u-2', scrypt: FAST });
    const authenticate = createUsersAuthenticator(file, CHEAP);
    expect(await authenticate('__proto__', 'pw')).toEqual({ chatUserName: '__proto__', chatUserUuid: 'u-1' });
    expect(await authenticate('constructor', 'pw2')).toEqual({ chatUserName: 'constructor', chatUserUuid: 'u-2' });
    expect(await authenticate('toString', 'pw')).toBeNull();
    expect((await listUsers(file)).map((u) => u.userAccount)).toEqual(['__proto__', 'constructor']);
  });

  it('rejects empty names, control characters and over-long names', async () => {
    await expectCode(addUser(file, '', 'pw'), 'ERR_INVALID_ARGUMENT');
    await expectCode(addUser(file, 'a\nb', 'pw'), 'ERR_INVALID_ARGUMENT');
    await expectCode(addUser(file, 'x'.repeat(257), 'pw'), 'ERR_INVALID_ARGUMENT');
    await expectCode(addUser(file, 'ok', 'pw', { chatUserId: '' }), 'ERR_INVALID_ARGUMENT');
    await expectCode(addUser(file, 'ok', 'pw', { chatUserName: '', chatUserUuid: 'u' }), 'ERR_INVALID_ARGUMENT');
    await expectCode(addUser(file, 'ok', 'pw', { chatUserUuid: 'a\u0000b' }), 'ERR_INVALID_ARGUMENT');
  });

  it.each([
    ['not JSON', '{nope'],
    ['the wrong shape', '[]'],
    ['the wrong version', '{"version": 3, "users": {}}'],
    ['a user without a hash', '{"version": 1, "users": {"a": {"chatUserId": "a"}}}'],
    ['a version 2 user without a UUID', '{"version": 2, "users": {"a": {"chatUserName": "a", "password": {}}}}'],
    ['a version 2 user with only the old field', '{"version": 2, "users": {"a": {"chatUserId": "a", "password": {}}}}'],
    [
      'absurd scrypt parameters',
      '{"version": 1, "users": {"a": {"chatUserId": "a", "password": {"algorithm": "scrypt", "N": 1073741824, "r": 8, "p": 1, "keyLength": 32, "salt": "AAAA", "hash": "AAAA"}}}}',
    ],
  ])('reports a file with %s as ERR_USERS_FILE, naming the file', async (_what, text) => {
    writeFileSync(file, text);
    const error = await expectCode(readUsersFile(file), 'ERR_USERS_FILE');
    expect(error.message).toContain(file);
    await expectCode(createUsersAuthenticator(file, CHEAP)('a', 'pw') as Promise<unknown>, 'ERR_USERS_FILE');
  });
});

describe('createUsersAuthenticator', () => {
  it('answers the chat user id for the right password and null otherwise', async () => {
    await addUser(file, 'alice', 'right', { chatUserName: 'alice-chat', chatUserUuid: 'a-uuid', scrypt: FAST });
    const authenticate = createUsersAuthenticator(file, CHEAP);
    expect(await authenticate('alice', 'right')).toEqual({ chatUserName: 'alice-chat', chatUserUuid: 'a-uuid' });
    expect(await authenticate('alice', 'wrong')).toBeNull();
    expect(await authenticate('nobody', 'right')).toBeNull();
  });

  it('sees users added after it was made (the file is read on every login)', async () => {
    const authenticate = createUsersAuthenticator(file, CHEAP);
    expect(await authenticate('late', 'pw')).toBeNull();
    await addUser(file, 'late', 'pw', { chatUserUuid: 'u-1', scrypt: FAST });
    expect(await authenticate('late', 'pw')).toEqual({ chatUserName: 'late', chatUserUuid: 'u-1' });
  });

  it('accepts a users object in memory', async () => {
    const password = await hashPassword('pw', FAST);
    const authenticate = createUsersAuthenticator({ version: 2, users: { demo: { chatUserName: 'demo', chatUserUuid: 'demo-uuid', password } } }, CHEAP);
    expect(await authenticate('demo', 'pw')).toEqual({ chatUserName: 'demo', chatUserUuid: 'demo-uuid' });
    expect(await authenticate('demo', 'nope')).toBeNull();
  });

  it('spends scrypt time on unknown users too, so timing does not tell who exists', async () => {
    await addUser(file, 'alice', 'pw', { chatUserUuid: 'a-uuid' }); // default cost, like the dummy hash
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

describe('a version 1 users file', () => {
  it('keeps every user: the old chatUserId becomes both the chat username and the UUID, and a change writes version 2', async () => {
    const alice = await hashPassword('alice-pw', FAST);
    const bob = await hashPassword('bob-pw', FAST);
    // A version 1 file, as written before chat usernames and UUIDs were stored apart.
    writeFileSync(file, JSON.stringify({ version: 1, users: { alice: { chatUserId: 'alice-old-id', password: alice }, bob: { chatUserId: 'bob', password: bob } } }));
    expect(await listUsers(file)).toEqual([
      { userAccount: 'alice', chatUserName: 'alice-old-id', chatUserUuid: 'alice-old-id' },
      { userAccount: 'bob', chatUserName: 'bob', chatUserUuid: 'bob' },
    ]);
    const authenticate = createUsersAuthenticator(file, CHEAP);
    expect(await authenticate('alice', 'alice-pw')).toEqual({ chatUserName: 'alice-old-id', chatUserUuid: 'alice-old-id' });
    expect(await authenticate('alice', 'bob-pw')).toBeNull();
    await addUser(file, 'carol', 'carol-pw', { chatUserUuid: 'carol-uuid', scrypt: FAST });
    const json = JSON.parse(readFileSync(file, 'utf8'));
    expect(json.version).toBe(2);
    expect(json.users.alice).toMatchObject({ chatUserName: 'alice-old-id', chatUserUuid: 'alice-old-id', password: alice });
    expect(json.users.bob).toMatchObject({ chatUserName: 'bob', chatUserUuid: 'bob', password: bob });
    // The change also stored what the user store needs: a uid and a credential version per user.
    for (const name of ['alice', 'bob', 'carol']) {
      expect(json.users[name].agoraUid).toBeGreaterThanOrEqual(1);
      expect(json.users[name].agoraUid).toBeLessThanOrEqual(0xffffffff);
      expect(json.users[name].credentialVersion).toMatch(/^[A-Za-z0-9_-]{22}$/);
    }
    expect(new Set(['alice', 'bob', 'carol'].map((n) => json.users[n].agoraUid)).size).toBe(3);
    expect(await authenticate('bob', 'bob-pw')).toEqual({ chatUserName: 'bob', chatUserUuid: 'bob' });
  });

  it('is accepted in memory too', async () => {
    const password = await hashPassword('pw', FAST);
    const legacy = { version: 1, users: { demo: { chatUserId: 'demo-id', password } } } as unknown as Parameters<typeof createUsersAuthenticator>[0];
    expect(await createUsersAuthenticator(legacy, CHEAP)('demo', 'pw')).toEqual({ chatUserName: 'demo-id', chatUserUuid: 'demo-id' });
  });
});

describe('normalizeAuthenticatedUser', () => {
  it('keeps a refusal a refusal and maps a legacy { chatUserId } to both fields', () => {
    expect(normalizeAuthenticatedUser(null)).toBeNull();
    expect(normalizeAuthenticatedUser(undefined)).toBeNull();
    expect(normalizeAuthenticatedUser({ chatUserId: 'old' })).toEqual({ chatUserName: 'old', chatUserUuid: 'old' });
    expect(normalizeAuthenticatedUser({ chatUserName: 'n', chatUserUuid: 'u' })).toEqual({ chatUserName: 'n', chatUserUuid: 'u' });
    const both = { chatUserName: 'n', chatUserUuid: 'u', chatUserId: 'old' } as never;
    expect(normalizeAuthenticatedUser(both)).toEqual({ chatUserName: 'n', chatUserUuid: 'u' });
  });

  it.each([
    ['only a chat username', { chatUserName: 'n' }],
    ['only a UUID', { chatUserUuid: 'u' }],
    ['an empty UUID', { chatUserName: 'n', chatUserUuid: '' }],
    ['an empty legacy id', { chatUserId: '' }],
    ['a number', 42],
    ['an empty object', {}],
  ])('rejects %s with ERR_INVALID_ARGUMENT', (_what, value) => {
    let error: unknown;
    try {
      normalizeAuthenticatedUser(value as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsersFileError);
    expect((error as UsersFileError).code).toBe('ERR_INVALID_ARGUMENT');
  });
});
