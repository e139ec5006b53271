// The PostgreSQL user store against a REAL PostgreSQL server (Debian's
// package; test/helpers/postgres.ts makes a cluster in a temporary folder):
// the store alone, and token-server processes of the built CLI sharing one
// database. Needs dist/ (npm test builds it).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresUserStore,
  createScryptHasher,
  openUserStore,
  UserStoreError,
  type StoredUser,
  type UserStore,
} from '../src/server/index.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';
import { cli, login, post, serve, type Served } from './helpers/serve.js';

const SECRET = 'k3P9x-sZ2qLw8vNc4RtY7uBj1mXe6HdA0fGo5Ki';
const FAST = { N: 1024 };

let db: TestPostgres;
let dir: string;
beforeAll(async () => {
  db = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'agora-pg-test-'));
}, 120_000);
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A URL to a table of its own, so tests do not see each other's users. */
function fresh(table: string): { store: UserStore; url: string; table: string } {
  return { store: createPostgresUserStore({ url: db.url, table }), url: db.url, table };
}

async function query(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

describe('createPostgresUserStore', () => {
  it('creates its table with a schema version on first use, with the columns of Agora\'s Chat App Server sample', async () => {
    const { store } = fresh('first_use');
    try {
      expect(await store.findUser('alice')).toBeNull();
      const columns = await query("SELECT column_name FROM information_schema.columns WHERE table_name = 'first_use' ORDER BY ordinal_position");
      expect(columns.rows.map((r) => r.column_name)).toEqual([
        'user_account',
        'chat_user_name',
        'chat_user_uuid',
        'agora_uid',
        'password_hash',
        'credential_version',
        'created_at',
        'updated_at',
      ]);
      expect((await query('SELECT version FROM first_use_schema')).rows).toEqual([{ version: 1 }]);
      // A schema newer than this library knows is refused with one clear error.
      await query('UPDATE first_use_schema SET version = 99');
      const other = createPostgresUserStore({ url: db.url, table: 'first_use' });
      const error = await other.findUser('alice').catch((e: unknown) => e);
      expect((error as UserStoreError).code).toBe('ERR_USER_STORE');
      expect((error as Error).message).toMatch(/schema version 99.*upgrade/);
      await other.close?.();
    } finally {
      await store.close?.();
    }
  });

  it('adds, finds, replaces (keeping the uid), updates, rehashes, lists in order and removes', async () => {
    const { store } = fresh('crud');
    const hasher = createScryptHasher(FAST);
    try {
      const { user: alice } = await store.addUser({ userAccount: 'alice', chatUserName: 'alice', chatUserUuid: 'a', passwordHash: await hasher.hash('a') });
      expect(alice.agoraUid).toBeGreaterThanOrEqual(1);
      await store.addUser({ userAccount: 'bob', chatUserName: 'bob', chatUserUuid: 'b', agoraUid: 4294967295, passwordHash: await hasher.hash('b') });
      await expect(store.addUser({ userAccount: 'bob', chatUserName: 'x', chatUserUuid: 'x', passwordHash: await hasher.hash('x') })).rejects.toMatchObject({ code: 'ERR_USER_EXISTS' });
      await expect(store.addUser({ userAccount: 'carl', chatUserName: 'c', chatUserUuid: 'c', agoraUid: 4294967295, passwordHash: await hasher.hash('c') })).rejects.toMatchObject({ code: 'ERR_USER_EXISTS' });
      expect(await store.findUser('bob')).toMatchObject({ agoraUid: 4294967295, chatUserUuid: 'b' });
      const replaced = await store.addUser({ userAccount: 'alice', chatUserName: 'alice', chatUserUuid: 'a2', passwordHash: await hasher.hash('a2') }, { replace: true });
      expect(replaced.replaced).toBe(true);
      expect(replaced.user.agoraUid).toBe(alice.agoraUid);
      expect(replaced.user.credentialVersion).not.toBe(alice.credentialVersion);
      const renamed = await store.updateUser('alice', { chatUserName: 'alice-chat' });
      expect(renamed.credentialVersion).toBe(replaced.user.credentialVersion);
      const changed = await store.updateUser('alice', { passwordHash: await hasher.hash('a3') });
      expect(changed.credentialVersion).not.toBe(renamed.credentialVersion);
      expect(await store.rehashPassword('alice', renamed.credentialVersion, await hasher.hash('a3'))).toBe(false);
      expect(await store.rehashPassword('alice', changed.credentialVersion, await hasher.hash('a3'))).toBe(true);
      expect((await store.findUser('alice'))!.credentialVersion).toBe(changed.credentialVersion);
      for (const name of ['Zed', 'zed', 'adam', 'Émile']) await store.addUser({ userAccount: name, chatUserName: 'n', chatUserUuid: 'n', passwordHash: await hasher.hash('n') });
      const names: string[] = [];
      for await (const user of store.listUsers()) names.push(user.userAccount);
      expect(names).toEqual(['Zed', 'adam', 'alice', 'bob', 'zed', 'Émile']);
      expect(await store.removeUser('bob')).toBe(true);
      expect(await store.removeUser('bob')).toBe(false);
      await expect(store.updateUser('bob', {})).rejects.toMatchObject({ code: 'ERR_USER_NOT_FOUND' });
    } finally {
      await store.close?.();
    }
  });

  it('lists more users than one page holds', async () => {
    const { store } = fresh('many');
    try {
      await store.findUser('x'); // creates the table
      await query("INSERT INTO many SELECT 'u' || lpad(i::text, 5, '0'), 'n', 'u', i, '$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$' || repeat('a', 43), 'v' FROM generate_series(1, 2345) AS i");
      let count = 0;
      let last = '';
      for await (const user of store.listUsers()) {
        expect(user.userAccount > last).toBe(true);
        last = user.userAccount;
        count++;
      }
      expect(count).toBe(2345);
    } finally {
      await store.close?.();
    }
  });
});

describe('PostgreSQL down and back', () => {
  it('rejects with ERR_USER_STORE_UNAVAILABLE (never the password) while down, warns once, and recovers by itself', async () => {
    const warnings: string[] = [];
    const store = createPostgresUserStore({ url: db.url, table: 'outage', connectionTimeoutMs: 2000, onWarning: (m) => warnings.push(m) });
    const hasher = createScryptHasher(FAST);
    try {
      await store.addUser({ userAccount: 'alice', chatUserName: 'alice', chatUserUuid: 'a', passwordHash: await hasher.hash('a') });
      await db.stop();
      try {
        for (let i = 0; i < 3; i++) {
          const error = await store.findUser('alice').catch((e: unknown) => e);
          expect(error).toBeInstanceOf(UserStoreError);
          expect((error as UserStoreError).code).toBe('ERR_USER_STORE_UNAVAILABLE');
          expect((error as Error).message).not.toContain(db.password);
          expect((error as Error).message).toContain(`postgres://agora@127.0.0.1:${db.port}/agora`);
        }
        expect(warnings.filter((w) => w.includes('cannot be reached'))).toHaveLength(1);
        expect(warnings.join('\n')).not.toContain(db.password);
      } finally {
        await db.start();
      }
      expect(await store.findUser('alice')).toMatchObject({ chatUserUuid: 'a' });
      expect(warnings.at(-1)).toContain('reachable again');
      // A restart between two requests: the pooled connections are gone, the next request still succeeds.
      await Promise.all([store.findUser('alice'), store.findUser('alice'), store.findUser('alice')]);
      await db.stop();
      await db.start();
      expect(await store.findUser('alice')).toMatchObject({ chatUserUuid: 'a' });
    } finally {
      await store.close?.();
    }
  }, 60_000);
});

describe('token-server processes sharing one database (built CLI)', () => {
  const servers: Served[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('add on one, log in on the other, renew across them; a password change or removal revokes on both; 503 while the database is down', async () => {
    const url = db.url;
    const env = { AGORA_USERS: url };
    const added = await cli(['users', 'add', 'alice', '--chat-user-uuid', 'alice-uuid'], { input: 'alice-pw', env });
    expect(added).toMatchObject({ code: 0 });
    expect(added.stdout + added.stderr).not.toContain(db.password);
    expect(added.stdout).toContain(`postgres://agora@127.0.0.1:${db.port}/agora`);
    const a = await serve(['--users', url], { AGORA_SESSION_SECRET: SECRET });
    servers.push(a);
    const b = await serve([], { AGORA_SESSION_SECRET: SECRET, AGORA_USERS: url });
    servers.push(b);
    expect(a.output() + b.output()).not.toContain(db.password);

    // Added through the CLI, seen by both; a session from A renews on B and back.
    const { response, cookie } = await login(b.url, 'alice', 'alice-pw');
    expect(response.status).toBe(200);
    expect((await post(a.url, '/token/renew', {}, { cookie })).status).toBe(200);
    expect((await post(b.url, '/token/renew', {}, { cookie })).status).toBe(200);
    // A user added now logs in on both at once.
    expect((await cli(['users', 'add', 'bob', '--chat-user-uuid', 'bob-uuid'], { input: 'bob-pw', env })).code).toBe(0);
    expect((await login(a.url, 'bob', 'bob-pw')).response.status).toBe(200);

    // A password change (on the database, by a third process) ends the session on both servers.
    expect((await cli(['users', 'add', 'alice', '--replace'], { input: 'alice-pw-2', env })).code).toBe(0);
    for (const server of [a, b]) {
      const renewed = await post(server.url, '/token/renew', {}, { cookie });
      expect(renewed.status).toBe(401);
      expect(((await renewed.json()) as { error: { code: string } }).error.code).toBe('session_revoked');
    }
    expect((await login(a.url, 'alice', 'alice-pw')).response.status).toBe(401);
    const second = await login(a.url, 'alice', 'alice-pw-2');
    expect(second.response.status).toBe(200);
    // Removal too.
    const bobSession = await login(b.url, 'bob', 'bob-pw');
    expect((await cli(['users', 'remove', 'bob'], { env })).code).toBe(0);
    expect((await post(a.url, '/token/renew', {}, { cookie: bobSession.cookie })).status).toBe(401);

    // The database goes down: 503 with Retry-After, never 401 or 500; both processes stay up and recover.
    await db.stop();
    try {
      for (const server of [a, b]) {
        const renew = await post(server.url, '/token/renew', {}, { cookie: second.cookie });
        expect(renew.status).toBe(503);
        expect(Number(renew.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        const loginDown = await post(server.url, '/token', { userAccount: 'alice', userPassword: 'alice-pw-2' });
        expect(loginDown.status).toBe(503);
        expect(loginDown.headers.get('retry-after')).not.toBeNull();
        expect((await fetch(`${server.url}/health`)).status).toBe(200);
      }
    } finally {
      await db.start();
    }
    for (const server of [a, b]) {
      expect((await post(server.url, '/token/renew', {}, { cookie: second.cookie })).status).toBe(200);
      expect(server.child.exitCode).toBeNull();
    }
    expect(a.output() + b.output()).not.toContain(db.password);
  }, 120_000);

  it('serve starts while the database is down (503 until it is up); users commands fail with one line, no password', async () => {
    const env = { AGORA_USERS: db.url };
    expect((await cli(['users', 'add', 'dora', '--chat-user-uuid', 'd', '--replace'], { input: 'dora-pw', env })).code).toBe(0);
    await db.stop();
    let s: Served;
    try {
      const listed = await cli(['users', 'list'], { env });
      expect(listed.code).toBe(1);
      expect(listed.stderr.trim().split('\n')).toHaveLength(1);
      expect(listed.stderr).toContain('ERR_USER_STORE_UNAVAILABLE');
      expect(listed.stderr).not.toContain(db.password);
      s = await serve([], { AGORA_SESSION_SECRET: SECRET, ...env });
      servers.push(s);
      expect(s.output()).toContain('starting anyway');
      expect(s.output()).not.toContain(db.password);
      const down = await post(s.url, '/token', { userAccount: 'dora', userPassword: 'dora-pw' });
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).not.toBeNull();
    } finally {
      await db.start();
    }
    expect((await login(s.url, 'dora', 'dora-pw')).response.status).toBe(200);
  }, 60_000);

  it('several CLI processes changing users at once lose nothing', async () => {
    const url = `${db.url}`;
    const env = { AGORA_USERS: url };
    expect((await cli(['users', 'add', 'keep', '--chat-user-uuid', 'k'], { input: 'pw', env })).code).toBe(0);
    const adds = Array.from({ length: 8 }, (_, i) => cli(['users', 'add', `many${i}`, '--chat-user-uuid', `m${i}`], { input: `pw${i}`, env }));
    const removes = [cli(['users', 'remove', 'keep'], { env })];
    const results = await Promise.all([...adds, ...removes]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const listed = await cli(['users', 'list', '--json'], { env });
    const users = JSON.parse(listed.stdout) as StoredUser[];
    const names = users.map((u) => u.userAccount);
    for (let i = 0; i < 8; i++) expect(names).toContain(`many${i}`);
    expect(names).not.toContain('keep');
    expect(new Set(users.map((u) => u.agoraUid)).size).toBe(users.length);
  }, 120_000);

  it('users copy moves thousands of users in one transaction, and copies nothing when one is already there', async () => {
    const { hashPassword } = await import('../src/server/index.js');
    const password = await hashPassword('pw', FAST);
    const users: Record<string, unknown> = {};
    for (let i = 0; i < 2500; i++) users[`bulk${i}`] = { chatUserName: `bulk${i}`, chatUserUuid: `b${i}`, agoraUid: 100_000 + i, password };
    const file = join(dir, 'bulk.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify({ version: 2, users }));
    const target = `${db.url}`;
    const copied = await cli(['users', 'copy', '--from', file, '--to', target]);
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toContain('copied 2500 users');
    expect((await query("SELECT count(*)::int AS n FROM agora_users WHERE user_account LIKE 'bulk%'")).rows[0].n).toBe(2500);
    expect((await query("SELECT agora_uid FROM agora_users WHERE user_account = 'bulk42'")).rows[0].agora_uid).toBe('100042');
    // One more user in the file, copied again without --replace: refused, and the new one is not copied either.
    users.bulknew = { chatUserName: 'n', chatUserUuid: 'n', agoraUid: 99_999, password };
    writeFileSync(file, JSON.stringify({ version: 2, users }));
    const again = await cli(['users', 'copy', '--from', file, '--to', target]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('ERR_USER_EXISTS');
    expect(again.stderr).toContain('nothing was copied');
    expect(again.stderr).not.toContain(db.password);
    expect((await query("SELECT count(*)::int AS n FROM agora_users WHERE user_account = 'bulknew'")).rows[0].n).toBe(0);
    expect((await cli(['users', 'copy', '--from', file, '--to', target, '--replace'])).code).toBe(0);
    expect((await query("SELECT count(*)::int AS n FROM agora_users WHERE user_account LIKE 'bulk%'")).rows[0].n).toBe(2501);
  }, 60_000);

  it('users copy moves a users file into PostgreSQL with hashes and uids; the copied users log in', async () => {
    const file = join(dir, 'users.json');
    expect((await cli(['users', 'add', 'carol', '--chat-user-uuid', 'c', '--users', file], { input: 'carol-pw' })).code).toBe(0);
    const target = `${db.url}`;
    const copied = await cli(['users', 'copy', '--from', file, '--to', target, '--replace']);
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).not.toContain(db.password);
    const fromFile = JSON.parse(readFileSync(file, 'utf8')).users.carol;
    const store = await openUserStore(target);
    try {
      const carol = await store.findUser('carol');
      expect(carol!.agoraUid).toBe(fromFile.agoraUid);
      expect(carol!.passwordHash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
    } finally {
      await store.close?.();
    }
    const s = await serve(['--users', target], { AGORA_SESSION_SECRET: SECRET });
    servers.push(s);
    expect((await login(s.url, 'carol', 'carol-pw')).response.status).toBe(200);
  }, 60_000);
});
