// PostgreSQL as a UserStore, for several token-server processes (on several
// hosts) that share their users. `pg` is an optional peer dependency: it is
// loaded when the first store is made, never by the package's entry.
import { randomBytes } from 'node:crypto';
import { UserStoreError, type NewUser, type StoredUser, type UserChanges, type UserStore } from '../../service/user-store.js';
import { MAX_NAME_LENGTH } from '../users.js';

/**
 * What a query resolves to: the part of `pg`'s result the store reads.
 *
 * @example
 * ```ts
 * const { rows, rowCount }: PostgresQueryResult = await pool.query({ text: 'SELECT 1' });
 * ```
 */
export interface PostgresQueryResult {
  /** The rows, by column name. */
  rows: Record<string, unknown>[];
  /** How many rows the statement touched. */
  rowCount: number | null;
}

/**
 * A connection taken from a {@link PostgresPool}, for a transaction.
 *
 * @example
 * ```ts
 * const client: PostgresPoolClient = await pool.connect();
 * try { await client.query({ text: 'BEGIN' }); } finally { client.release(); }
 * ```
 */
export interface PostgresPoolClient {
  /** Runs one query on this connection. */
  query(config: { text: string; values?: unknown[]; name?: string }): Promise<PostgresQueryResult>;
  /** Gives the connection back (an error destroys it). */
  release(error?: Error | boolean): void;
}

/**
 * The part of a `pg.Pool` the store uses: give your own pool (its settings,
 * its TLS) as {@link PostgresUserStoreOptions.pool}.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool: PostgresPool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export interface PostgresPool {
  /** Runs one query. */
  query(config: { text: string; values?: unknown[]; name?: string }): Promise<PostgresQueryResult>;
  /** A client for a transaction. */
  connect(): Promise<PostgresPoolClient>;
  /** Closes the pool's connections. */
  end(): Promise<void>;
  /** Pool events (`error` from an idle connection). */
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Options of {@link createPostgresUserStore}.
 *
 * @example
 * ```ts
 * const store = createPostgresUserStore({ url: process.env.AGORA_USERS!, table: 'agora_users', connectionTimeoutMs: 3000 });
 * ```
 */
export interface PostgresUserStoreOptions {
  /** A `postgres://` or `postgresql://` connection URL (its password is never shown in messages). */
  url?: string;
  /** Your own pool instead of `url`; the store does not end it on `close()`. */
  pool?: PostgresPool;
  /**
   * The users table: a lowercase SQL name, optionally schema-qualified
   * (`agora.users`). Default `agora_users`; its schema version is kept in
   * `<table>_schema`.
   */
  table?: string;
  /** Milliseconds to wait for a connection (1 to 60,000) before a request answers 503. Default 5000. */
  connectionTimeoutMs?: number;
  /** Milliseconds a query may run (1 to 600,000). Default 10,000. */
  queryTimeoutMs?: number;
  /** Connections of the pool made from `url` (1 to 100). Default 10. */
  maxConnections?: number;
  /**
   * Told, once until the database answers again, that it cannot be reached.
   * Default: nothing is reported.
   */
  onWarning?: (message: string) => void;
}

/** The schema version this library writes; a newer one in the database is refused. */
export const POSTGRES_SCHEMA_VERSION = 1;

const TABLE_NAME = /^(?:[a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/;
const COLUMNS = 'user_account, chat_user_name, chat_user_uuid, agora_uid, password_hash, credential_version';
const LIST_PAGE = 1000;

/** SQLSTATE classes and codes, and socket errors, that mean "the database cannot answer for now". */
function isTransient(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/^(08|53|57P|58)/.test(code) || code === '40001' || code === '40P01') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOENT'].includes(code)) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection timeout|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(message);
}

/** A connection that was fine when pooled and is gone now: worth one more try on another. */
function isStaleConnection(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === '57P01' || (typeof e?.message === 'string' && /Connection terminated unexpectedly|Client has encountered a connection error/.test(e.message));
}

/**
 * A PostgreSQL URL as messages show it: no password, no query string.
 *
 * @example
 * ```ts
 * describePostgresUrl('postgres://agora:secret@db.internal:5432/agora?sslmode=require'); // 'postgres://agora@db.internal:5432/agora'
 * ```
 */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username === '' ? '' : `${decodeURIComponent(parsed.username)}@`;
    return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

function invalid(message: string): UserStoreError {
  return new UserStoreError('ERR_INVALID_ARGUMENT', message);
}

function checkName(value: unknown, argument: string): asserts value is string {
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME_LENGTH || !value.isWellFormed() || /[\u0000-\u001f\u007f]/.test(value)) {
    throw invalid(`${argument} must be 1 to ${MAX_NAME_LENGTH} characters, with no control characters`);
  }
}

function checkHash(value: unknown, argument = 'passwordHash'): asserts value is string {
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw invalid(`${argument} must be an encoded password hash of 1 to 1024 characters`);
  }
}

function newCredentialVersion(): string {
  return randomBytes(16).toString('base64url');
}

function randomUid(): number {
  return randomBytes(4).readUInt32BE(0) || 1;
}

function toStored(row: Record<string, unknown>): StoredUser {
  return {
    userAccount: row.user_account as string,
    chatUserName: row.chat_user_name as string,
    chatUserUuid: row.chat_user_uuid as string,
    agoraUid: Number(row.agora_uid),
    passwordHash: row.password_hash as string,
    credentialVersion: row.credential_version as string,
  };
}

let pgModule: Promise<{ Pool: new (config: Record<string, unknown>) => PostgresPool }> | undefined;

/** `pg`, loaded once, lazily. @internal */
export function loadPg(): Promise<{ Pool: new (config: Record<string, unknown>) => PostgresPool }> {
  pgModule ??= import('pg').then(
    (module) => {
      const pg = ((module as { default?: unknown }).default ?? module) as { Pool?: unknown };
      if (typeof pg.Pool !== 'function') throw new Error('the pg module has no Pool');
      return pg as { Pool: new (config: Record<string, unknown>) => PostgresPool };
    },
    (error: unknown) => {
      pgModule = undefined;
      throw new UserStoreError(
        'ERR_USER_STORE',
        'a PostgreSQL user store needs the pg package, an optional peer dependency of agora-token-builder: run npm install pg',
        { cause: error },
      );
    },
  );
  return pgModule;
}

/**
 * A {@link UserStore} in PostgreSQL, for token-server processes on one or
 * several machines that share their users: a password changed or a user
 * removed through any of them ends that user's sessions on all of them at
 * their next renewal.
 *
 * - Needs the `pg` package (`npm install pg`), an optional peer dependency
 *   loaded at first use; without it, every call rejects with one
 *   `ERR_USER_STORE` error saying so.
 * - The table is created at first use, with a schema version table beside it
 *   (`<table>_schema`) for later migrations, under an advisory lock so that
 *   processes starting together do not race. Columns follow Agora's Chat
 *   App Server sample: `user_account` (primary key), `chat_user_name`,
 *   `chat_user_uuid`, then `agora_uid` (unique, 1 to 2^32 − 1),
 *   `password_hash` (an encoded hash, never a password),
 *   `credential_version`, `created_at`, `updated_at`.
 * - While the database cannot be reached (down, restarting, too many
 *   connections, no connection within `connectionTimeoutMs`), calls reject
 *   with `ERR_USER_STORE_UNAVAILABLE`: the service answers `503` with
 *   `Retry-After`, the process stays up, and the next call after the
 *   database is back succeeds. `onWarning` is told once per outage (after
 *   the database was reached once; a first failure is the caller's to report).
 * - Messages name the database by its URL without the password.
 *
 * @param location - a `postgres://` or `postgresql://` URL, or {@link PostgresUserStoreOptions}.
 * @throws `UserStoreError` `ERR_INVALID_ARGUMENT` when the URL or an option is not allowed.
 *
 * @example
 * ```ts
 * const store = createPostgresUserStore(process.env.AGORA_USERS!); // postgres://agora@db.internal/agora
 * const alice = await store.findUser('alice');
 * await store.close?.();
 * ```
 */
export function createPostgresUserStore(location: string | PostgresUserStoreOptions): PostgresUserStore {
  const options: PostgresUserStoreOptions = typeof location === 'string' ? { url: location } : location;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalid('the PostgreSQL store needs a URL or an options object');
  const { url, pool, table = 'agora_users', connectionTimeoutMs = 5000, queryTimeoutMs = 10_000, maxConnections = 10, onWarning } = options;
  if ((url === undefined) === (pool === undefined)) throw invalid('give the PostgreSQL store either url or pool');
  if (url !== undefined && (typeof url !== 'string' || !/^postgres(ql)?:\/\//i.test(url))) {
    throw invalid('url must be a postgres:// or postgresql:// URL');
  }
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) throw invalid('table must be a lowercase SQL name (letters, digits, _), optionally schema.table');
  for (const [name, value, max] of [['connectionTimeoutMs', connectionTimeoutMs, 60_000], ['queryTimeoutMs', queryTimeoutMs, 600_000], ['maxConnections', maxConnections, 100]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > max) throw invalid(`${name} must be a whole number from 1 to ${max}`);
  }
  if (onWarning !== undefined && typeof onWarning !== 'function') throw invalid('onWarning must be a function');
  return new PostgresStore({ url, pool, table, connectionTimeoutMs, queryTimeoutMs, maxConnections, warn: onWarning ?? (() => undefined) });
}

/**
 * The store {@link createPostgresUserStore} makes: a {@link UserStore}, plus
 * how it names its database and a check.
 *
 * @example
 * ```ts
 * const store: PostgresUserStore = createPostgresUserStore(url);
 * await store.check(); // connects, creates or checks the table
 * ```
 */
export interface PostgresUserStore extends UserStore {
  /** `users database postgres://user@host:port/db`: never the password. */
  readonly description: string;
  /** Connects and creates or checks the table now: rejects with the problem (unreachable, a schema too new, no `pg`). */
  check(): Promise<void>;
}

interface Settings {
  url: string | undefined;
  pool: PostgresPool | undefined;
  table: string;
  connectionTimeoutMs: number;
  queryTimeoutMs: number;
  maxConnections: number;
  warn: (message: string) => void;
}

class PostgresStore implements PostgresUserStore {
  readonly description: string;
  readonly #settings: Settings;
  readonly #secret: string | undefined;
  #pool: Promise<PostgresPool> | undefined;
  #ready: Promise<void> | undefined;
  #down = false;
  #reached = false;
  #closed = false;

  constructor(settings: Settings) {
    this.#settings = settings;
    this.description = settings.url === undefined ? `users database (table ${settings.table})` : `users database ${describePostgresUrl(settings.url)}`;
    let secret: string | undefined;
    try {
      secret = settings.url === undefined ? undefined : decodeURIComponent(new URL(settings.url).password) || undefined;
    } catch {
      secret = undefined;
    }
    this.#secret = secret;
  }

  /** Never the URL's password, whatever a driver put in a message. */
  #clean(message: string): string {
    let text = message;
    if (this.#secret !== undefined) text = text.split(this.#secret).join('***');
    if (this.#settings.url !== undefined) text = text.split(this.#settings.url).join(describePostgresUrl(this.#settings.url));
    return text;
  }

  #error(error: unknown): UserStoreError {
    if (error instanceof UserStoreError) return error;
    const detail = this.#clean(error instanceof Error ? error.message : String(error)) || (error as { code?: string })?.code || 'error';
    if (isTransient(error)) {
      // Told once per outage, and only when it was reachable before: a first failure is the caller's error to report.
      if (!this.#down && this.#reached) {
        this.#down = true;
        this.#settings.warn(`${this.description}: cannot be reached (${detail}); logins and renewals answer 503 until it is back`);
      }
      return new UserStoreError('ERR_USER_STORE_UNAVAILABLE', `${this.description}: cannot be reached (${detail}); try again shortly`);
    }
    // The cause keeps the SQLSTATE and constraint only: a driver's error may hold what should not be shown.
    const e = error as { code?: unknown; constraint?: unknown } | null;
    return new UserStoreError('ERR_USER_STORE', `${this.description}: ${detail}`, {
      cause: { code: typeof e?.code === 'string' ? e.code : undefined, constraint: typeof e?.constraint === 'string' ? e.constraint : undefined },
    });
  }

  #getPool(): Promise<PostgresPool> {
    if (this.#settings.pool !== undefined) return Promise.resolve(this.#settings.pool);
    this.#pool ??= loadPg().then(({ Pool }) => {
      const pool = new Pool({
        connectionString: this.#settings.url,
        max: this.#settings.maxConnections,
        connectionTimeoutMillis: this.#settings.connectionTimeoutMs,
        query_timeout: this.#settings.queryTimeoutMs,
        idleTimeoutMillis: 30_000,
        allowExitOnIdle: true,
      });
      // An idle connection that breaks (the server restarts) must not end the process.
      pool.on('error', (error) => void this.#error(error));
      return pool;
    });
    this.#pool.catch(() => (this.#pool = undefined));
    return this.#pool;
  }

  /** Creates or checks the schema once; tried again after a failure. */
  #schema(): Promise<void> {
    this.#ready ??= this.#migrate().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /**
   * Runs `work` in one transaction on one pooled connection: COMMIT when it
   * resolves, ROLLBACK when it throws. A connection that failed for a
   * transient reason (the server went away) is dropped from the pool.
   */
  async #transaction<T>(work: (client: PostgresPoolClient) => Promise<T>): Promise<T> {
    const client = await (await this.#getPool()).connect();
    let failed: unknown;
    try {
      await client.query({ text: 'BEGIN' });
      const result = await work(client);
      await client.query({ text: 'COMMIT' });
      return result;
    } catch (error) {
      failed = error;
      await client.query({ text: 'ROLLBACK' }).catch(() => undefined);
      throw error;
    } finally {
      client.release(failed !== undefined && isTransient(failed) ? (failed as Error) : undefined);
    }
  }

  #migrate(): Promise<void> {
    const { table } = this.#settings;
    return this.#transaction(async (client) => {
      await client.query({ text: 'SELECT pg_advisory_xact_lock(hashtext($1))', values: [`agora-token-builder:${table}`] });
      await client.query({
        text:
          `CREATE TABLE IF NOT EXISTS ${table}_schema (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL, ` +
          'updated_at timestamptz NOT NULL DEFAULT now())',
      });
      const { rows } = await client.query({ text: `SELECT version FROM ${table}_schema WHERE id = 1` });
      const version = rows.length === 0 ? 0 : Number(rows[0]!.version);
      if (version > POSTGRES_SCHEMA_VERSION) {
        throw new UserStoreError(
          'ERR_USER_STORE',
          `${this.description}: table ${table} has schema version ${version}, newer than this version of agora-token-builder knows (${POSTGRES_SCHEMA_VERSION}): upgrade it`,
        );
      }
      if (version < 1) {
        await client.query({
          text:
            `CREATE TABLE IF NOT EXISTS ${table} (` +
            'user_account text PRIMARY KEY, ' +
            'chat_user_name text NOT NULL, ' +
            'chat_user_uuid text NOT NULL, ' +
            'agora_uid bigint NOT NULL UNIQUE CHECK (agora_uid BETWEEN 1 AND 4294967295), ' +
            'password_hash text NOT NULL, ' +
            'credential_version text NOT NULL, ' +
            'created_at timestamptz NOT NULL DEFAULT now(), ' +
            'updated_at timestamptz NOT NULL DEFAULT now())',
        });
        await client.query({
          text: `INSERT INTO ${table}_schema (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = 1, updated_at = now()`,
        });
      }
    });
  }

  async #query(text: string, values: unknown[], name?: string): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }> {
    if (this.#closed) throw new UserStoreError('ERR_USER_STORE', `${this.description}: the store is closed`);
    try {
      await this.#schema();
      const pool = await this.#getPool();
      const config = { text, values, ...(name === undefined ? {} : { name }) };
      let result;
      try {
        result = await pool.query(config);
      } catch (error) {
        // A pooled connection the server closed (a restart): once more, on a fresh one.
        if (!isStaleConnection(error)) throw error;
        result = await pool.query(config);
      }
      this.#reached = true;
      if (this.#down) {
        this.#down = false;
        this.#settings.warn(`${this.description}: reachable again`);
      }
      return result;
    } catch (error) {
      throw this.#error(error);
    }
  }

  /** Connects and creates or checks the table now: rejects with the problem (unreachable, a schema too new, no `pg`). */
  async check(): Promise<void> {
    await this.#query('SELECT 1', []);
  }

  async findUser(userAccount: string): Promise<StoredUser | null> {
    if (typeof userAccount !== 'string' || userAccount.length === 0 || userAccount.length > MAX_NAME_LENGTH) return null;
    const { rows } = await this.#query(`SELECT ${COLUMNS} FROM ${this.#settings.table} WHERE user_account = $1`, [userAccount], `agora_find_${this.#settings.table}`);
    return rows.length === 0 ? null : toStored(rows[0]!);
  }

  async addUser(user: NewUser, options: { readonly replace?: boolean } = {}): Promise<{ user: StoredUser; replaced: boolean }> {
    if (typeof user !== 'object' || user === null) throw invalid('user must be an object');
    checkName(user.userAccount, 'userAccount');
    checkName(user.chatUserName, 'chatUserName');
    checkName(user.chatUserUuid, 'chatUserUuid');
    checkHash(user.passwordHash);
    if (user.agoraUid !== undefined && (!Number.isInteger(user.agoraUid) || user.agoraUid < 1 || user.agoraUid > 0xffffffff)) {
      throw invalid('agoraUid must be a whole number from 1 to 4294967295');
    }
    const replace = options?.replace === true;
    const { table } = this.#settings;
    for (let attempt = 0; ; attempt++) {
      const uid = user.agoraUid ?? randomUid();
      const values = [user.userAccount, user.chatUserName, user.chatUserUuid, uid, user.passwordHash, newCredentialVersion()];
      try {
        const { rows } = replace
          ? await this.#query(
              `INSERT INTO ${table} AS t (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) ` +
                'ON CONFLICT (user_account) DO UPDATE SET chat_user_name = EXCLUDED.chat_user_name, chat_user_uuid = EXCLUDED.chat_user_uuid, ' +
                `agora_uid = ${user.agoraUid === undefined ? 't.agora_uid' : 'EXCLUDED.agora_uid'}, password_hash = EXCLUDED.password_hash, ` +
                'credential_version = EXCLUDED.credential_version, updated_at = now() ' +
                `RETURNING ${COLUMNS}, (xmax <> 0) AS replaced`,
              values,
            )
          : await this.#query(`INSERT INTO ${table} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}, false AS replaced`, values);
        return { user: toStored(rows[0]!), replaced: rows[0]!.replaced === true };
      } catch (error) {
        const cause = (error as { cause?: { code?: string; constraint?: string } }).cause;
        if (error instanceof UserStoreError && cause?.code === '23505') {
          if (cause.constraint?.includes('agora_uid') === true) {
            if (user.agoraUid === undefined && attempt < 8) continue; // a random uid that another user has: draw again
            throw new UserStoreError('ERR_USER_EXISTS', `agoraUid ${uid} belongs to another user in ${this.description}`);
          }
          throw new UserStoreError('ERR_USER_EXISTS', `user ${JSON.stringify(user.userAccount)} is already in ${this.description}`);
        }
        throw error;
      }
    }
  }

  async updateUser(userAccount: string, changes: UserChanges): Promise<StoredUser> {
    checkName(userAccount, 'userAccount');
    if (typeof changes !== 'object' || changes === null) throw invalid('changes must be an object');
    if (changes.chatUserName !== undefined) checkName(changes.chatUserName, 'chatUserName');
    if (changes.chatUserUuid !== undefined) checkName(changes.chatUserUuid, 'chatUserUuid');
    if (changes.passwordHash !== undefined) checkHash(changes.passwordHash);
    const { rows } = await this.#query(
      `UPDATE ${this.#settings.table} SET chat_user_name = COALESCE($2, chat_user_name), chat_user_uuid = COALESCE($3, chat_user_uuid), ` +
        'password_hash = COALESCE($4, password_hash), credential_version = CASE WHEN $4::text IS NULL THEN credential_version ELSE $5 END, ' +
        `updated_at = now() WHERE user_account = $1 RETURNING ${COLUMNS}`,
      [userAccount, changes.chatUserName ?? null, changes.chatUserUuid ?? null, changes.passwordHash ?? null, newCredentialVersion()],
    );
    if (rows.length === 0) throw new UserStoreError('ERR_USER_NOT_FOUND', `user ${JSON.stringify(userAccount)} is not in ${this.description}`);
    return toStored(rows[0]!);
  }

  async rehashPassword(userAccount: string, credentialVersion: string, passwordHash: string): Promise<boolean> {
    checkName(userAccount, 'userAccount');
    checkHash(passwordHash);
    const { rowCount } = await this.#query(
      `UPDATE ${this.#settings.table} SET password_hash = $3, updated_at = now() WHERE user_account = $1 AND credential_version = $2`,
      [userAccount, String(credentialVersion), passwordHash],
    );
    return (rowCount ?? 0) > 0;
  }

  async removeUser(userAccount: string): Promise<boolean> {
    checkName(userAccount, 'userAccount');
    const { rowCount } = await this.#query(`DELETE FROM ${this.#settings.table} WHERE user_account = $1`, [userAccount]);
    return (rowCount ?? 0) > 0;
  }

  async *listUsers(): AsyncIterable<StoredUser> {
    let after: string | null = null;
    for (;;) {
      const { rows }: { rows: Record<string, unknown>[] } = await this.#query(
        `SELECT ${COLUMNS} FROM ${this.#settings.table} WHERE $1::text IS NULL OR user_account COLLATE "C" > $1 ORDER BY user_account COLLATE "C" LIMIT ${LIST_PAGE}`,
        [after],
      );
      for (const row of rows) yield toStored(row);
      if (rows.length < LIST_PAGE) return;
      after = rows[rows.length - 1]!.user_account as string;
    }
  }

  /**
   * Adds many users in one transaction, in batches of 1,000 rows (`users
   * copy`): each keeps its hash and uid and gets a new credential version.
   * Without `replace`, a user already there rolls the whole copy back.
   *
   * @internal
   */
  async importUsers(users: readonly StoredUser[], replace: boolean): Promise<number> {
    for (const user of users) {
      checkName(user.userAccount, 'userAccount');
      checkName(user.chatUserName, 'chatUserName');
      checkName(user.chatUserUuid, 'chatUserUuid');
      checkHash(user.passwordHash);
      if (!Number.isInteger(user.agoraUid) || user.agoraUid < 1 || user.agoraUid > 0xffffffff) throw invalid('agoraUid must be a whole number from 1 to 4294967295');
    }
    const { table } = this.#settings;
    try {
      await this.#schema();
      await this.#transaction(async (client) => {
        for (let i = 0; i < users.length; i += 1000) {
          const batch = users.slice(i, i + 1000);
          await client.query({
            text:
              `INSERT INTO ${table} (${COLUMNS}) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[])` +
              (replace
                ? ' ON CONFLICT (user_account) DO UPDATE SET chat_user_name = EXCLUDED.chat_user_name, chat_user_uuid = EXCLUDED.chat_user_uuid, ' +
                  'agora_uid = EXCLUDED.agora_uid, password_hash = EXCLUDED.password_hash, credential_version = EXCLUDED.credential_version, updated_at = now()'
                : ''),
            values: [
              batch.map((u) => u.userAccount),
              batch.map((u) => u.chatUserName),
              batch.map((u) => u.chatUserUuid),
              batch.map((u) => u.agoraUid),
              batch.map((u) => u.passwordHash),
              batch.map(() => newCredentialVersion()),
            ],
          });
        }
      });
    } catch (error) {
      const e = error as { code?: string; constraint?: string; detail?: string };
      if (e?.code === '23505') {
        const which = e.constraint?.includes('agora_uid') === true ? 'an agoraUid' : 'a login name';
        const detail = typeof e.detail === 'string' ? ` (${this.#clean(e.detail)})` : '';
        throw new UserStoreError('ERR_USER_EXISTS', `${which} of the copy is already in ${this.description}${detail}; nothing was copied (give --replace to overwrite)`);
      }
      throw this.#error(error);
    }
    return users.length;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool !== undefined) await (await pool.catch(() => undefined))?.end().catch(() => undefined);
  }
}
