// The users file as a UserStore: parsed once per change into an in-memory
// index, so that a login or a renewal costs a map lookup (and, at most every
// `refreshMs`, one stat) whatever the number of users.
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UserStoreError, type NewUser, type StoredUser, type UserChanges, type UserStore } from '../../service/user-store.js';
import { decodePasswordHash, encodePasswordHash } from '../password.js';
import { UsersFileError } from '../users-file-error.js';
import {
  MAX_NAME_LENGTH,
  parseUsersDocument,
  usersFileText,
  withUsersFileLock,
  writeUsersText,
  type BadUserRecord,
  type UserRecord,
  type UsersFileLockOptions,
} from '../users.js';

/**
 * Options of {@link createFileUserStore}.
 *
 * @example
 * ```ts
 * const store = createFileUserStore('/etc/agora/users.json', { onWarning: (m) => console.warn(`warning: ${m}`) });
 * ```
 */
export interface FileUserStoreOptions {
  /**
   * Told, once each, about what the operator should fix while the store
   * keeps serving: the file missing or unreadable (the last good copy is
   * used), a file that is not a users file any more, records that are
   * refused (named), an owner that could not be kept on a rewrite.
   * Default: nothing is reported.
   */
  onWarning?: (message: string) => void;
  /**
   * How long a check that the file has not changed (one `stat`) stays
   * good, in milliseconds: 0 to 60,000. Default 0: every lookup checks, and
   * lookups at the same moment share one `stat`, so that a change made by
   * another process (`users add` in a shell) is seen by the next login or
   * renewal. A change made through this store is seen at once whatever this is.
   */
  refreshMs?: number;
  /** How long a change waits for the file's lock. Default: `{ timeoutMs: 10000, staleMs: 30000 }`. */
  lock?: UsersFileLockOptions;
}

/**
 * The store {@link createFileUserStore} makes: a {@link UserStore}, plus its
 * path and a way to read the file now.
 *
 * @example
 * ```ts
 * const store: FileUserStore = createFileUserStore('users.json');
 * await store.load(); // rejects naming the file when it is corrupt or unreadable
 * ```
 */
export interface FileUserStore extends UserStore {
  /** The users file, as given. */
  readonly path: string;
  /**
   * Reads the file now. Rejects (`ERR_USER_STORE`, naming the file and the
   * problem) when it exists but cannot be read or is not a users file; a
   * missing file is a store with no users.
   */
  load(): Promise<void>;
}

interface Snapshot {
  /** The users, by login name. */
  readonly users: Readonly<Record<string, UserRecord>>;
  /** Records refused, by login name. */
  readonly bad: ReadonlyMap<string, BadUserRecord>;
  /** What the file looked like when read (`ino:size:mtime:ctime`), or `missing`. */
  readonly signature: string;
}

const DEFAULT_REFRESH_MS = 0;
/** How long a lookup that has a copy waits for the file's stat before it answers from the copy, in milliseconds. */
const STAT_PATIENCE_MS = 50;

function signatureOf(info: { ino: number; size: number; mtimeMs: number; ctimeMs: number }): string {
  return `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
}

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error';
}

/** A users file error as a store error: a lock held too long is transient, a broken file is not. */
function storeError(error: unknown): unknown {
  if (!(error instanceof UsersFileError)) return error;
  const code =
    error.code === 'ERR_USERS_FILE_LOCKED' ? 'ERR_USER_STORE_UNAVAILABLE' : error.code === 'ERR_USERS_FILE' ? 'ERR_USER_STORE' : error.code;
  return new UserStoreError(code, error.message, { cause: error });
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

function checkUid(value: unknown): asserts value is number {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 0xffffffff) {
    throw invalid('agoraUid must be a whole number from 1 to 4294967295');
  }
}

function checkHash(value: unknown): string {
  if (typeof value !== 'string') throw invalid('passwordHash must be an encoded scrypt hash');
  try {
    decodePasswordHash(value);
  } catch (error) {
    throw invalid(`${(error as Error).message} (the users file keeps scrypt hashes only)`);
  }
  return value;
}

function newCredentialVersion(): string {
  return randomBytes(16).toString('base64url');
}

function toStored(userAccount: string, record: UserRecord): StoredUser {
  return {
    userAccount,
    chatUserName: record.chatUserName,
    chatUserUuid: record.chatUserUuid,
    agoraUid: record.agoraUid!,
    passwordHash: encodePasswordHash(record.password),
    credentialVersion: record.credentialVersion!,
  };
}

/**
 * The users file as a {@link UserStore}: the default store of the token
 * server, for one machine (several processes on it may share the file).
 *
 * - **Read once per change.** The file is parsed into an in-memory index; a
 *   lookup checks with one `stat` (shared by lookups at the same moment;
 *   cached for `refreshMs`, default 0) whether the file changed (inode, size,
 *   times), and re-reads it only then. A lookup waits at most 50 ms for that
 *   check (a `stat` can queue behind password hashes in libuv's thread
 *   pool), then answers from the copy it has; the check still lands. A login or
 *   a renewal costs the same with 100,000 users as with 2.
 * - **A file that goes away keeps serving.** While the file is missing,
 *   unreadable or not a users file (a deploy replacing it, a broken edit),
 *   lookups answer from the last good copy, and `onWarning` is told once.
 *   Before any good copy, an unreadable file is `ERR_USER_STORE_UNAVAILABLE`
 *   (the service answers `503` with `Retry-After`); a missing one has no
 *   users.
 * - **A bad record refuses one user.** A record that is not valid (scrypt
 *   settings beyond the bounds, a missing field) makes that login name
 *   unknown, and `onWarning` names it once; every other user is served. A
 *   rewrite keeps it as it is.
 * - **Changes** take the file's lock (`FILE.lock`: exclusive, bounded wait,
 *   abandoned locks recovered), re-read the file, and replace it atomically
 *   (temporary file, fsync, rename), keeping its owner, group and mode; a
 *   symlinked path is written through to its target, with the target's lock.
 *
 * The file format is the users file's version 2 (see `UsersFile`); the
 * store keeps scrypt hashes only (see `createScryptHasher`).
 *
 * @param path - the users file.
 * @throws `UserStoreError` `ERR_INVALID_ARGUMENT` when `path` or an option is not allowed.
 *
 * @example
 * ```ts
 * const store = createFileUserStore('users.json', { onWarning: (m) => console.warn(m) });
 * const hasher = createScryptHasher();
 * await store.addUser({ userAccount: 'alice', chatUserName: 'alice', chatUserUuid: uuid, passwordHash: await hasher.hash(password) });
 * const alice = await store.findUser('alice');
 * ```
 */
export function createFileUserStore(path: string, options: FileUserStoreOptions = {}): FileUserStore {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\u0000')) throw invalid('the users file path must be a non-empty string');
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalid('options must be an object');
  const { onWarning, refreshMs = DEFAULT_REFRESH_MS, lock } = options;
  if (onWarning !== undefined && typeof onWarning !== 'function') throw invalid('options.onWarning must be a function');
  if (!Number.isInteger(refreshMs) || refreshMs < 0 || refreshMs > 60_000) throw invalid('options.refreshMs must be a whole number from 0 to 60000');
  return new FileStore(path, refreshMs, lock, onWarning ?? (() => undefined));
}

class FileStore implements FileUserStore {
  readonly path: string;
  readonly #refreshMs: number;
  readonly #lock: UsersFileLockOptions | undefined;
  readonly #warn: (message: string) => void;
  #snapshot: Snapshot | undefined;
  #checkedAt = -Infinity;
  #checking: Promise<Snapshot> | undefined;
  #patience: Promise<Snapshot> | undefined;
  /** The trouble last warned about (so each is told once), and the bad records last named. */
  #trouble: string | undefined;
  #badWarned = '';

  constructor(path: string, refreshMs: number, lock: UsersFileLockOptions | undefined, warn: (message: string) => void) {
    this.path = path;
    this.#refreshMs = refreshMs;
    this.#lock = lock;
    this.#warn = warn;
  }

  /**
   * Reads the file now. Rejects (`ERR_USER_STORE`, naming the file and the
   * problem) when it exists but cannot be read or is not a users file.
   */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') {
        this.#snapshot = { users: Object.create(null) as Record<string, UserRecord>, bad: new Map(), signature: 'missing' };
        this.#checkedAt = Date.now();
        return;
      }
      throw new UserStoreError('ERR_USER_STORE', `users file ${this.path}: cannot be read (${errnoOf(error)})`, { cause: error });
    }
    const info = await stat(this.path).catch(() => undefined);
    try {
      this.#accept(this.#parse(text), info === undefined ? 'unknown' : signatureOf(info));
    } catch (error) {
      throw new UserStoreError('ERR_USER_STORE', (error as Error).message, { cause: error });
    }
  }

  #parse(text: string): { users: Record<string, UserRecord>; bad: Map<string, BadUserRecord> } {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new UsersFileError('ERR_USERS_FILE', `users file ${this.path}: is not valid JSON`);
    }
    return parseUsersDocument(document, this.path);
  }

  #accept(parsed: { users: Record<string, UserRecord>; bad: Map<string, BadUserRecord> }, signature: string): Snapshot {
    const snapshot: Snapshot = { users: parsed.users, bad: parsed.bad, signature };
    this.#snapshot = snapshot;
    this.#checkedAt = Date.now();
    if (this.#trouble !== undefined) {
      this.#trouble = undefined;
      this.#warn(`users file ${this.path}: read again; serving its current users`);
    }
    const names = [...parsed.bad.keys()].sort();
    const key = names.join('\u0000');
    if (key !== this.#badWarned) {
      this.#badWarned = key;
      if (names.length > 0) {
        const shown = names.slice(0, 5).map((name) => parsed.bad.get(name)!.problem);
        const more = names.length > 5 ? `; and ${names.length - 5} more` : '';
        this.#warn(
          `users file ${this.path}: ${names.length === 1 ? 'one user is' : `${names.length} users are`} refused until fixed ` +
            `(every other user is served): ${shown.join('; ')}${more}`,
        );
      }
    }
    return snapshot;
  }

  /** A problem while serving: told once until the file reads well again. */
  #troubled(problem: string): void {
    if (this.#trouble === problem) return;
    this.#trouble = problem;
    this.#warn(`users file ${this.path}: ${problem}; answering from the last good copy until it is back`);
  }

  async #current(): Promise<Snapshot> {
    const snapshot = this.#snapshot;
    if (snapshot !== undefined && Date.now() - this.#checkedAt < this.#refreshMs) return snapshot;
    if (this.#checking === undefined) {
      const checking = this.#refresh().finally(() => {
        if (this.#checking === checking) this.#checking = undefined;
      });
      this.#checking = checking;
      // With a copy in hand, a lookup waits for the check at most STAT_PATIENCE_MS: a stat queued behind
      // password hashes in libuv's thread pool must not hold renewals up (the check still lands).
      this.#patience =
        snapshot === undefined
          ? undefined
          : new Promise<Snapshot>((resolve) => {
              const timer = setTimeout(() => resolve(snapshot), STAT_PATIENCE_MS);
              void checking.finally(() => clearTimeout(timer)).catch(() => undefined);
            });
    }
    return this.#patience === undefined ? this.#checking : Promise.race([this.#checking, this.#patience]);
  }

  async #refresh(): Promise<Snapshot> {
    const previous = this.#snapshot;
    let info;
    try {
      info = await stat(this.path);
    } catch (error) {
      return this.#unreadable(previous, error);
    }
    const signature = signatureOf(info);
    if (previous !== undefined && previous.signature === signature) {
      this.#checkedAt = Date.now();
      return previous;
    }
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      return this.#unreadable(previous, error);
    }
    try {
      return this.#accept(this.#parse(text), signature);
    } catch (error) {
      if (previous === undefined) throw storeError(error);
      this.#checkedAt = Date.now();
      this.#troubled(`is not a users file now (${(error as Error).message.replace(`users file ${this.path}: `, '')})`);
      return previous;
    }
  }

  #unreadable(previous: Snapshot | undefined, error: unknown): Snapshot {
    const code = errnoOf(error);
    if (previous === undefined || previous.signature === 'missing') {
      if (code === 'ENOENT') {
        // Never read yet (or never there): no users, as a new deployment has.
        this.#snapshot = { users: Object.create(null) as Record<string, UserRecord>, bad: new Map(), signature: 'missing' };
        this.#checkedAt = Date.now();
        return this.#snapshot;
      }
      throw new UserStoreError('ERR_USER_STORE_UNAVAILABLE', `users file ${this.path}: cannot be read (${code}); try again shortly`, { cause: error });
    }
    this.#checkedAt = Date.now();
    this.#troubled(code === 'ENOENT' ? 'is missing' : `cannot be read (${code})`);
    return previous;
  }

  async findUser(userAccount: string): Promise<StoredUser | null> {
    if (typeof userAccount !== 'string') return null;
    const { users } = await this.#current();
    const record = Object.hasOwn(users, userAccount) ? users[userAccount] : undefined;
    return record === undefined ? null : toStored(userAccount, record);
  }

  async *listUsers(): AsyncIterable<StoredUser> {
    const { users } = await this.#current();
    const names = Object.keys(users).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) yield toStored(name, users[name]!);
  }

  /**
   * Runs one change under the file's lock on a fresh read: `change` returns
   * the new users (or `undefined` for no write) and its result.
   */
  async #change<T>(
    change: (users: Record<string, UserRecord>, bad: Map<string, BadUserRecord>) => { users?: Record<string, UserRecord>; bad?: Map<string, BadUserRecord>; result: T },
  ): Promise<T> {
    try {
      return await withUsersFileLock(this.path, this.#lock, async () => {
        let text: string | undefined;
        try {
          text = await readFile(this.path, 'utf8');
        } catch (error) {
          if (errnoOf(error) !== 'ENOENT') {
            throw new UserStoreError('ERR_USER_STORE_UNAVAILABLE', `users file ${this.path}: cannot be read (${errnoOf(error)}); nothing was changed`, { cause: error });
          }
        }
        const parsed = text === undefined ? { users: Object.create(null) as Record<string, UserRecord>, bad: new Map<string, BadUserRecord>() } : this.#parse(text);
        const outcome = change(parsed.users, parsed.bad);
        if (outcome.users !== undefined) {
          const bad = outcome.bad ?? parsed.bad;
          const written = usersFileText(outcome.users, bad);
          const notKept = await writeUsersText(this.path, written);
          if (notKept !== undefined) this.#warn(notKept);
          const info = await stat(this.path).catch(() => undefined);
          // What was written is the new copy: no re-read for this process's own change.
          this.#accept(this.#parse(written), info === undefined ? 'unknown' : signatureOf(info));
        }
        return outcome.result;
      });
    } catch (error) {
      throw storeError(error);
    }
  }

  async addUser(user: NewUser, options: { readonly replace?: boolean } = {}): Promise<{ user: StoredUser; replaced: boolean }> {
    if (typeof user !== 'object' || user === null) throw invalid('user must be an object');
    checkName(user.userAccount, 'userAccount');
    checkName(user.chatUserName, 'chatUserName');
    checkName(user.chatUserUuid, 'chatUserUuid');
    if (user.agoraUid !== undefined) checkUid(user.agoraUid);
    const password = decodePasswordHash(checkHash(user.passwordHash));
    const replace = options?.replace === true;
    const name = user.userAccount;
    return this.#change((users, bad) => {
      const existing = Object.hasOwn(users, name) ? users[name] : undefined;
      const existed = existing !== undefined || bad.has(name);
      if (existed && !replace) throw new UserStoreError('ERR_USER_EXISTS', `user ${JSON.stringify(name)} is already in ${this.path}`);
      const taken = new Set(Object.entries(users).filter(([other]) => other !== name).map(([, r]) => r.agoraUid));
      let agoraUid = user.agoraUid ?? existing?.agoraUid;
      if (agoraUid !== undefined && user.agoraUid !== undefined && taken.has(agoraUid)) {
        throw new UserStoreError('ERR_USER_EXISTS', `agoraUid ${agoraUid} belongs to another user of ${this.path}`);
      }
      while (agoraUid === undefined || taken.has(agoraUid)) agoraUid = randomBytes(4).readUInt32BE(0) || 1;
      const record: UserRecord = { chatUserName: user.chatUserName, chatUserUuid: user.chatUserUuid, password, agoraUid, credentialVersion: newCredentialVersion() };
      const next = { ...users, [name]: record };
      const nextBad = new Map(bad);
      nextBad.delete(name);
      return { users: Object.assign(Object.create(null) as Record<string, UserRecord>, next), bad: nextBad, result: { user: toStored(name, record), replaced: existed } };
    });
  }

  async updateUser(userAccount: string, changes: UserChanges): Promise<StoredUser> {
    checkName(userAccount, 'userAccount');
    if (typeof changes !== 'object' || changes === null) throw invalid('changes must be an object');
    if (changes.chatUserName !== undefined) checkName(changes.chatUserName, 'chatUserName');
    if (changes.chatUserUuid !== undefined) checkName(changes.chatUserUuid, 'chatUserUuid');
    const password = changes.passwordHash === undefined ? undefined : decodePasswordHash(checkHash(changes.passwordHash));
    return this.#change((users) => {
      const existing = Object.hasOwn(users, userAccount) ? users[userAccount] : undefined;
      if (existing === undefined) throw new UserStoreError('ERR_USER_NOT_FOUND', `user ${JSON.stringify(userAccount)} is not in ${this.path}`);
      const record: UserRecord = {
        chatUserName: changes.chatUserName ?? existing.chatUserName,
        chatUserUuid: changes.chatUserUuid ?? existing.chatUserUuid,
        password: password ?? existing.password,
        agoraUid: existing.agoraUid,
        credentialVersion: password === undefined ? existing.credentialVersion : newCredentialVersion(),
      };
      return { users: Object.assign(Object.create(null) as Record<string, UserRecord>, users, { [userAccount]: record }), result: toStored(userAccount, record) };
    });
  }

  async rehashPassword(userAccount: string, credentialVersion: string, passwordHash: string): Promise<boolean> {
    checkName(userAccount, 'userAccount');
    const password = decodePasswordHash(checkHash(passwordHash));
    return this.#change((users) => {
      const existing = Object.hasOwn(users, userAccount) ? users[userAccount] : undefined;
      if (existing === undefined || existing.credentialVersion !== credentialVersion) return { result: false };
      const record: UserRecord = { ...existing, password };
      return { users: Object.assign(Object.create(null) as Record<string, UserRecord>, users, { [userAccount]: record }), result: true };
    });
  }

  async removeUser(userAccount: string): Promise<boolean> {
    checkName(userAccount, 'userAccount');
    return this.#change((users, bad) => {
      if (!Object.hasOwn(users, userAccount) && !bad.has(userAccount)) return { result: false };
      const next = Object.assign(Object.create(null) as Record<string, UserRecord>, users);
      delete next[userAccount];
      const nextBad = new Map(bad);
      nextBad.delete(userAccount);
      return { users: next, bad: nextBad, result: true };
    });
  }

  /**
   * Adds many users in one write (`users copy`): each keeps its hash and
   * uid and gets a new credential version. Resolves how many were written.
   *
   * @internal
   */
  async importUsers(incoming: readonly StoredUser[], replace: boolean): Promise<number> {
    const records = incoming.map((user) => {
      checkName(user.userAccount, 'userAccount');
      checkName(user.chatUserName, 'chatUserName');
      checkName(user.chatUserUuid, 'chatUserUuid');
      checkUid(user.agoraUid);
      return [user.userAccount, { chatUserName: user.chatUserName, chatUserUuid: user.chatUserUuid, password: decodePasswordHash(checkHash(user.passwordHash), `the password hash of ${JSON.stringify(user.userAccount)}`), agoraUid: user.agoraUid, credentialVersion: newCredentialVersion() }] as const;
    });
    return this.#change((users, bad) => {
      const next = Object.assign(Object.create(null) as Record<string, UserRecord>, users);
      const nextBad = new Map(bad);
      for (const [name, record] of records) {
        if ((Object.hasOwn(next, name) || nextBad.has(name)) && !replace) {
          throw new UserStoreError('ERR_USER_EXISTS', `user ${JSON.stringify(name)} is already in ${this.path}; nothing was copied (give --replace to overwrite)`);
        }
        next[name] = record;
        nextBad.delete(name);
      }
      const owners = new Map<number, string>();
      for (const [name, record] of Object.entries(next)) {
        const other = owners.get(record.agoraUid!);
        if (other !== undefined) throw new UserStoreError('ERR_USER_EXISTS', `users ${JSON.stringify(other)} and ${JSON.stringify(name)} would share agoraUid ${record.agoraUid}; nothing was copied`);
        owners.set(record.agoraUid!, name);
      }
      return { users: next, bad: nextBad, result: records.length };
    });
  }

  async close(): Promise<void> {
    this.#snapshot = undefined;
  }

  /** The absolute path, for messages. */
  toString(): string {
    return resolve(this.path);
  }
}
