// The users file: login names mapped to an Agora Chat username, the UUID the
// token is built for, and an scrypt hash of the password. JSON, written
// atomically (temporary file + rename), mode 0600.
import { createHash, randomBytes } from 'node:crypto';
import { open, readdir, readFile, readlink, realpath, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import {
  checkParams,
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  verifyPassword,
  type PasswordHash,
  type ScryptParams,
} from './password.js';
import { UsersFileError } from './users-file-error.js';
import { isName, MAX_NAME_LENGTH, normalizeUser, type AuthenticatedUser, type LegacyAuthenticatedUser } from '../service/accounts.js';

export {
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  scryptObserver,
  verifyPassword,
  type PasswordHash,
  type ScryptParams,
} from './password.js';

/**
 * One user of the users file.
 *
 * @example
 * ```ts
 * const record: UserRecord = {
 *   chatUserName: 'alice',
 *   chatUserUuid: '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b',
 *   password: await hashPassword('correct horse'),
 * };
 * ```
 */
export interface UserRecord {
  /**
   * The user's Agora Chat username: the name the user was registered with in
   * Agora Chat, which the client passes to the Chat SDK's `open({ user })`.
   * `POST /token` answers it as `chatUserName`.
   */
  readonly chatUserName: string;
  /**
   * The UUID Agora Chat assigned to that username when it was registered:
   * the chat user token is built for it (`buildUserToken(appId, cert, uuid, expire)`).
   */
  readonly chatUserUuid: string;
  /** The scrypt hash of the login password; never the password itself. */
  readonly password: PasswordHash;
  /**
   * The user's RTC uid, 1 to 2^32 − 1, unique in the file and kept across
   * password changes. Read back always set: a record written before it
   * existed gets one derived from its login name (see {@link UsersFile}),
   * stored at the file's next change. Optional when writing: a record
   * without one gets that derived value.
   */
  readonly agoraUid?: number;
  /**
   * The credential version sessions are checked against: it changes with
   * the password. Read back always set (a record written before it existed
   * gets a digest of its password hash); optional when writing: a record
   * without one gets that digest, so a new password makes a new version.
   */
  readonly credentialVersion?: string;
}

/**
 * The whole users file, keyed by login name (the `userAccount` of `POST /token`).
 *
 * Version 2 holds `chatUserName` and `chatUserUuid` per user. A version 1
 * file, whose records had one `chatUserId` (used both as the token's user id
 * and as the answered `chatUserName`), is still read: that value becomes both
 * fields, so every user keeps logging in exactly as before. The next change
 * saves the file as version 2.
 *
 * Since the user stores, each version 2 record also holds `agoraUid` (the
 * user's RTC uid) and `credentialVersion` (what sessions are checked
 * against). Both are optional in the file, so older files keep working and
 * older versions of this library still read newer files (they ignore the two
 * fields): a record without `agoraUid` gets one derived from its login name
 * (the first 4 bytes of SHA-256 of `agora-uid\0` + name, 0 read as 1, moved
 * up by one while another user of the file has it, users taken in login
 * name order); without `credentialVersion`, a digest of its password hash.
 * The next change stores both.
 *
 * @example
 * ```json
 * { "version": 2, "users": { "alice": { "chatUserName": "alice", "chatUserUuid": "0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b",
 *   "password": { "algorithm": "scrypt", "N": 32768, "r": 8, "p": 1, "keyLength": 32, "salt": "…", "hash": "…" } } } }
 * ```
 */
export interface UsersFile {
  /** The format version: this library writes 2, and reads 1 and 2. */
  readonly version: 2;
  /** The users, keyed by login name. */
  readonly users: Readonly<Record<string, UserRecord>>;
}

export { UsersFileError, type UsersFileErrorCode } from './users-file-error.js';

export { MAX_NAME_LENGTH, type AuthenticatedUser, type LegacyAuthenticatedUser } from '../service/accounts.js';

function invalid(message: string): UsersFileError {
  return new UsersFileError('ERR_INVALID_ARGUMENT', message);
}

function checkName(value: unknown, argument: string): asserts value is string {
  if (!isName(value, MAX_NAME_LENGTH)) {
    throw invalid(`${argument} must be 1 to ${MAX_NAME_LENGTH} characters, with no control characters`);
  }
}

function checkPassword(value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PASSWORD_LENGTH || !value.isWellFormed()) {
    throw invalid(`password must be 1 to ${MAX_PASSWORD_LENGTH} characters`);
  }
}

function checkPath(value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.includes('\u0000')) {
    throw invalid('the users file path must be a non-empty string');
  }
}

/** An options argument: undefined, or a plain object (not null, an array or a primitive). */
function checkOptions(value: unknown, argument: string): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw invalid(`${argument} must be an object`);
  }
}

function checkFlag(value: unknown, argument: string): void {
  if (value !== undefined && typeof value !== 'boolean') throw invalid(`${argument} must be true or false`);
}

function fileError(path: string, message: string, cause?: unknown): UsersFileError {
  return new UsersFileError('ERR_USERS_FILE', `users file ${path}: ${message}`, { cause });
}

function parsePasswordHash(value: unknown, name: string): PasswordHash {
  const where = `user ${JSON.stringify(name)}`;
  const v = value as Record<string, unknown> | null;
  const isBase64 = (s: unknown) => typeof s === 'string' && s.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s);
  if (typeof v !== 'object' || v === null || v.algorithm !== 'scrypt' || !isBase64(v.salt) || !isBase64(v.hash)) {
    throw new Error(`${where} has no valid "password": expected {"algorithm": "scrypt", N, r, p, keyLength, salt, hash}`);
  }
  const hash: PasswordHash = {
    algorithm: 'scrypt',
    N: v.N as number,
    r: v.r as number,
    p: v.p as number,
    keyLength: v.keyLength as number,
    salt: v.salt as string,
    hash: v.hash as string,
  };
  checkParams(hash, where); // its message names the user and the bounds
  if (Buffer.from(hash.hash, 'base64').length !== hash.keyLength) throw new Error(`${where}: the hash is not keyLength bytes`);
  return hash;
}

/**
 * Checks the shape of a parsed users file and returns it typed.
 *
 * @throws {@link UsersFileError} `ERR_USERS_FILE` when it is not a users file.
 *
 * @example
 * ```ts
 * const file = parseUsersFile(JSON.parse(text), 'users.json');
 * ```
 */
export function parseUsersFile(document: unknown, path = '(memory)'): UsersFile {
  const { users, bad } = parseUsersDocument(document, path);
  const first = bad.values().next();
  if (!first.done) throw fileError(path, first.value.problem);
  return { version: 2, users };
}

/** A record of the file that is not a valid user: kept as it is on rewrites, refused at login. @internal */
export interface BadUserRecord {
  readonly raw: unknown;
  readonly problem: string;
}

/**
 * Parses a users file document record by record: a bad record is set apart
 * (with its problem) instead of failing the whole file. The document's own
 * shape (not an object, an unknown version) still throws.
 *
 * @internal
 */
export function parseUsersDocument(document: unknown, path: string): { users: Record<string, UserRecord>; bad: Map<string, BadUserRecord> } {
  const doc = document as Record<string, unknown> | null;
  if (
    typeof doc !== 'object' || doc === null || (doc.version !== 1 && doc.version !== 2) ||
    typeof doc.users !== 'object' || doc.users === null || Array.isArray(doc.users)
  ) {
    throw fileError(path, 'expected an object {"version": 2, "users": {...}} (or a version 1 file)');
  }
  const legacy = doc.version === 1;
  const users: Record<string, UserRecord> = Object.create(null) as Record<string, UserRecord>;
  const bad = new Map<string, BadUserRecord>();
  const parsed: [string, Omit<UserRecord, 'agoraUid' | 'credentialVersion'> & { agoraUid?: number; credentialVersion?: string }][] = [];
  const usedUids = new Set<number>();
  for (const [name, record] of Object.entries(doc.users as Record<string, unknown>)) {
    try {
      const r = parseUserRecord(name, record, legacy);
      // A uid another record already has (a copied record) is given up: that user gets a derived one.
      if (r.agoraUid !== undefined && usedUids.has(r.agoraUid)) delete r.agoraUid;
      if (r.agoraUid !== undefined) usedUids.add(r.agoraUid);
      parsed.push([name, r]);
    } catch (error) {
      bad.set(name, { raw: record, problem: (error as Error).message });
    }
  }
  // Uids for records written before they existed: derived from the name, in name order, unique.
  const missing = parsed.filter(([, r]) => r.agoraUid === undefined).map(([name]) => name).sort();
  const derived = new Map<string, number>();
  for (const name of missing) {
    let uid = derivedUid(name);
    while (usedUids.has(uid)) uid = uid >= 0xffffffff ? 1 : uid + 1;
    usedUids.add(uid);
    derived.set(name, uid);
  }
  for (const [name, r] of parsed) {
    users[name] = {
      chatUserName: r.chatUserName,
      chatUserUuid: r.chatUserUuid,
      password: r.password,
      agoraUid: r.agoraUid ?? derived.get(name)!,
      credentialVersion: r.credentialVersion ?? derivedCredentialVersion(r.password),
    };
  }
  return { users, bad };
}

/** The uid of a record that has none: from its login name. */
function derivedUid(name: string): number {
  const uid = createHash('sha256').update(`agora-uid\0${name}`, 'utf8').digest().readUInt32BE(0);
  return uid === 0 ? 1 : uid;
}

/** The credential version of a record that has none: a digest of its password hash. @internal */
export function derivedCredentialVersion(password: PasswordHash): string {
  return createHash('sha256').update(`${password.salt}$${password.hash}`, 'utf8').digest('base64url').slice(0, 22);
}

const CREDENTIAL_VERSION = /^[A-Za-z0-9_-]{1,64}$/;

/** One record; throws an Error whose message names the user and the problem. */
function parseUserRecord(name: string, record: unknown, legacy: boolean): { chatUserName: string; chatUserUuid: string; password: PasswordHash; agoraUid?: number; credentialVersion?: string } {
  if (!isName(name, MAX_NAME_LENGTH)) throw new Error('a login name is empty, too long or has control characters');
  const r = record as Record<string, unknown> | null;
  const where = `user ${JSON.stringify(name)}`;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new Error(`${where} is not an object`);
  let chatUserName: unknown;
  let chatUserUuid: unknown;
  if (legacy) {
    // Version 1: one chatUserId, the token's user id and the answered chatUserName at once.
    if (!isName(r.chatUserId, MAX_NAME_LENGTH)) throw new Error(`${where} has no valid "chatUserId"`);
    chatUserName = chatUserUuid = r.chatUserId;
  } else {
    chatUserName = r.chatUserName;
    chatUserUuid = r.chatUserUuid;
    if (!isName(chatUserName, MAX_NAME_LENGTH)) throw new Error(`${where} has no valid "chatUserName"`);
    if (!isName(chatUserUuid, MAX_NAME_LENGTH)) throw new Error(`${where} has no valid "chatUserUuid"`);
  }
  if (r.agoraUid !== undefined && !(Number.isInteger(r.agoraUid) && (r.agoraUid as number) >= 1 && (r.agoraUid as number) <= 0xffffffff)) {
    throw new Error(`${where} has no valid "agoraUid" (a whole number from 1 to 4294967295)`);
  }
  if (r.credentialVersion !== undefined && (typeof r.credentialVersion !== 'string' || !CREDENTIAL_VERSION.test(r.credentialVersion))) {
    throw new Error(`${where} has no valid "credentialVersion" (1 to 64 characters A-Z a-z 0-9 _ -)`);
  }
  return {
    chatUserName: chatUserName as string,
    chatUserUuid: chatUserUuid as string,
    password: parsePasswordHash(r.password, name),
    ...(r.agoraUid === undefined ? {} : { agoraUid: r.agoraUid as number }),
    ...(r.credentialVersion === undefined ? {} : { credentialVersion: r.credentialVersion as string }),
  };
}

/**
 * Reads and checks a users file. A file that does not exist reads as one
 * with no users.
 *
 * @throws {@link UsersFileError} `ERR_USERS_FILE` when the file cannot be read or is not a users file.
 *
 * @example
 * ```ts
 * const { users } = await readUsersFile('users.json');
 * console.log(Object.keys(users));
 * ```
 */
export async function readUsersFile(path: string): Promise<UsersFile> {
  checkPath(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 2, users: Object.create(null) as Record<string, UserRecord> };
    throw fileError(path, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, error);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw fileError(path, 'is not valid JSON', error);
  }
  return parseUsersFile(document, path);
}

/**
 * How long a change waits for the users file's lock, and when a lock is
 * abandoned. Used by {@link addUser}, {@link updateUser}, {@link removeUser},
 * {@link writeUsersFile} and the authenticator's rehash.
 *
 * @example
 * ```ts
 * await removeUser('users.json', 'alice', { lock: { timeoutMs: 30_000 } });
 * ```
 */
export interface UsersFileLockOptions {
  /** Milliseconds to wait for the lock before `ERR_USERS_FILE_LOCKED`, 0 to 600,000. Default 10,000. */
  timeoutMs?: number;
  /**
   * A lock older than this many milliseconds is abandoned and removed
   * (1,000 to 3,600,000; default 30,000). A lock whose process is gone (same
   * host, pid no longer running) is removed at once. Changes hold the lock
   * for milliseconds: the password is hashed before it is taken.
   */
  staleMs?: number;
}

const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
const DEFAULT_LOCK_STALE_MS = 30_000;
/** A lock file that never got its content (its writer died at once) counts as abandoned after this long. */
const EMPTY_LOCK_STALE_MS = 2_000;

function lockLimits(options: UsersFileLockOptions | undefined): { timeoutMs: number; staleMs: number } {
  if (options === undefined) return { timeoutMs: DEFAULT_LOCK_TIMEOUT_MS, staleMs: DEFAULT_LOCK_STALE_MS };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalid('lock must be an object { timeoutMs, staleMs }');
  const { timeoutMs = DEFAULT_LOCK_TIMEOUT_MS, staleMs = DEFAULT_LOCK_STALE_MS } = options;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > 600_000) throw invalid('lock.timeoutMs must be a whole number from 0 to 600000');
  if (!Number.isInteger(staleMs) || staleMs < 1000 || staleMs > 3_600_000) throw invalid('lock.staleMs must be a whole number from 1000 to 3600000');
  return { timeoutMs, staleMs };
}

interface LockContent {
  readonly pid: number;
  readonly host: string;
  readonly time: number;
  readonly id: string;
}

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function readLock(lockPath: string): Promise<{ text: string; mtimeMs: number; content: LockContent | undefined } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    let content: LockContent | undefined;
    try {
      const parsed = JSON.parse(text) as Partial<LockContent>;
      if (Number.isSafeInteger(parsed.pid) && typeof parsed.host === 'string' && Number.isFinite(parsed.time) && typeof parsed.id === 'string') {
        content = parsed as LockContent;
      }
    } catch {
      content = undefined;
    }
    return { text, mtimeMs: info.mtimeMs, content };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isAbandoned(lock: { mtimeMs: number; content: LockContent | undefined }, staleMs: number): boolean {
  const now = Date.now();
  if (lock.content === undefined) return now - lock.mtimeMs > EMPTY_LOCK_STALE_MS;
  if (lock.content.host === hostname() && lock.content.pid !== process.pid && processIsGone(lock.content.pid)) return true;
  return now - Math.max(lock.content.time, lock.mtimeMs) > staleMs;
}

/**
 * Removes an abandoned lock. A second, short-lived lock (`.steal`) makes sure
 * that two processes that both saw the same abandoned lock do not remove one
 * another's fresh lock: only its holder re-reads and removes, and only the
 * very lock it judged abandoned.
 */
async function removeAbandonedLock(lockPath: string, seen: { text: string; mtimeMs: number }): Promise<void> {
  const guard = `${lockPath}.steal`;
  let handle;
  try {
    handle = await open(guard, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return;
    // A guard is held for microseconds; one left behind by a killed process is removed after a while.
    const info = await stat(guard).catch(() => undefined);
    if (info !== undefined && Date.now() - info.mtimeMs > EMPTY_LOCK_STALE_MS) await unlink(guard).catch(() => undefined);
    return;
  }
  try {
    await handle.close();
    const again = await readLock(lockPath);
    if (again !== undefined && again.text === seen.text && again.mtimeMs === seen.mtimeMs) await unlink(lockPath).catch(() => undefined);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Changes to one file from this process queue here first, so they do not poll the lock file against each other. */
const localQueues = new Map<string, Promise<unknown>>();

/**
 * Runs `change` while holding the users file's lock: `PATH.lock`, created
 * with O_EXCL and holding the pid, host and time of its holder. Waits with
 * backoff up to `timeoutMs`, removes abandoned locks, and always releases.
 * PATH is the real file: a symlink is followed to its target.
 *
 * @internal
 */
export async function withUsersFileLock<T>(path: string, options: UsersFileLockOptions | undefined, change: () => Promise<T>): Promise<T> {
  const limits = lockLimits(options);
  // One lock per real file: a symlinked path and its target share it.
  const key = await realUsersPath(path);
  const previous = localQueues.get(key) ?? Promise.resolve();
  const run = previous.then(
    () => lockAndRun(path, key, limits, change),
    () => lockAndRun(path, key, limits, change),
  );
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  localQueues.set(key, settled);
  void settled.then(() => {
    if (localQueues.get(key) === settled) localQueues.delete(key);
  });
  return run;
}

async function lockAndRun<T>(path: string, real: string, limits: { timeoutMs: number; staleMs: number }, change: () => Promise<T>): Promise<T> {
  const lockPath = `${real}.lock`;
  const content: LockContent = { pid: process.pid, host: hostname(), time: Date.now(), id: randomBytes(8).toString('hex') };
  const deadline = Date.now() + limits.timeoutMs;
  let delay = 5;
  for (;;) {
    let handle;
    try {
      handle = await open(lockPath, 'wx', 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw fileError(path, `cannot create its lock file ${lockPath} (${code ?? 'error'})`, error);
    }
    if (handle !== undefined) {
      try {
        await handle.writeFile(JSON.stringify({ ...content, time: Date.now() }), 'utf8');
      } finally {
        await handle.close();
      }
      break;
    }
    const held = await readLock(lockPath).catch(() => undefined);
    if (held !== undefined && isAbandoned(held, limits.staleMs)) {
      await removeAbandonedLock(lockPath, held);
      continue;
    }
    if (Date.now() >= deadline) {
      const holder = held?.content === undefined ? '' : ` (held by pid ${held.content.pid} on ${held.content.host} since ${new Date(held.content.time).toISOString()})`;
      throw new UsersFileError(
        'ERR_USERS_FILE_LOCKED',
        `users file ${path}: another change holds its lock ${lockPath}${holder}; gave up after ${limits.timeoutMs} ms. ` +
          `If no process is changing the file, delete ${lockPath}`,
      );
    }
    await pause(Math.min(delay + Math.random() * delay, Math.max(0, deadline - Date.now())));
    delay = Math.min(delay * 2, 100);
  }
  try {
    await removeOrphanTemporaries(real);
    return await change();
  } finally {
    const mine = await readLock(lockPath).catch(() => undefined);
    if (mine?.content?.id === content.id) await unlink(lockPath).catch(() => undefined);
  }
}

function temporaryPattern(path: string): RegExp {
  const escaped = basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${escaped}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
}

/** Temporary files of writers that were killed before their rename: removed under the lock once their process is gone. */
async function removeOrphanTemporaries(path: string): Promise<void> {
  const pattern = temporaryPattern(path);
  const folder = dirname(path);
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    const match = pattern.exec(name);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && processIsGone(pid)) await unlink(join(folder, name)).catch(() => undefined);
  }
}

/**
 * The file a users path names: a symlink (or a chain of them) is followed to
 * its target, also when the target does not exist yet. Absolute.
 *
 * @internal
 */
export async function realUsersPath(path: string): Promise<string> {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    try {
      return await realpath(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return current;
    }
    // The file is missing: a dangling link still names where it will be.
    let target: string;
    try {
      target = await readlink(current);
    } catch {
      const folder = await realpath(dirname(current)).catch(() => dirname(current));
      return join(folder, basename(current));
    }
    current = resolve(dirname(current), target);
  }
  return current;
}

/** The users file as JSON text: version 2, every record with its uid and credential version. @internal */
export function usersFileText(users: Readonly<Record<string, UserRecord>>, bad: ReadonlyMap<string, BadUserRecord> = new Map()): string {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>; // "__proto__" is a name like any other
  for (const [name, record] of Object.entries(users)) {
    out[name] = {
      chatUserName: record.chatUserName,
      chatUserUuid: record.chatUserUuid,
      agoraUid: record.agoraUid,
      credentialVersion: record.credentialVersion ?? derivedCredentialVersion(record.password),
      password: record.password,
    };
  }
  // Records this version cannot read are kept as they are: a change to one user never drops another.
  for (const [name, { raw }] of bad) if (!Object.hasOwn(out, name)) out[name] = raw;
  return `${JSON.stringify({ version: 2, users: out }, null, 2)}\n`;
}

/**
 * Replaces the file a users path names with `text`: a temporary file in the
 * target's folder, flushed, renamed over it, and the folder flushed. A
 * symlinked path stays a symlink (its target is replaced). An existing file
 * keeps its owner, group and mode (a root-run change to a file a server
 * reads through its group keeps it readable); a new file gets mode 0600.
 * Resolves with what could not be kept (for a warning), if anything.
 *
 * @internal
 */
export async function writeUsersText(path: string, text: string): Promise<string | undefined> {
  const real = await realUsersPath(path);
  const before = await stat(real).catch(() => undefined);
  const temporary = join(dirname(real), `.${basename(real)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let notKept: string | undefined;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
      if (before !== undefined && process.platform !== 'win32' && (before.uid !== process.geteuid?.() || before.gid !== process.getegid?.())) {
        try {
          await handle.chown(before.uid, before.gid);
        } catch (error) {
          notKept = `its owner ${before.uid}:${before.gid} could not be kept (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
        }
      }
      // After chown, which may clear set-id bits; 0600 for a new file whatever the umask.
      await handle.chmod(before === undefined ? 0o600 : before.mode & 0o7777);
    } finally {
      await handle.close();
    }
    await rename(temporary, real);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw fileError(path, `cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`, error);
  }
  // The rename is durable once the folder's entry is flushed too (not possible on every platform).
  try {
    const folder = await open(dirname(real), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  } catch {
    // e.g. EISDIR or EPERM where folders cannot be opened or flushed: the rename itself is still atomic.
  }
  return notKept === undefined ? undefined : `users file ${path}: ${notKept}`;
}

/** Writes the file's new content (see {@link writeUsersText}). */
async function replaceFile(path: string, file: UsersFile): Promise<void> {
  const checked = parseUsersFile(file, path);
  await writeUsersText(path, usersFileText(checked.users));
}

/**
 * Options of {@link writeUsersFile} and {@link removeUser}.
 *
 * @example
 * ```ts
 * await writeUsersFile('users.json', file, { lock: { timeoutMs: 30_000 } });
 * ```
 */
export interface UsersFileWriteOptions {
  /** How long to wait for the file's lock. Default: see {@link UsersFileLockOptions}. */
  lock?: UsersFileLockOptions;
}

/**
 * Replaces a users file as a whole: under the file's lock, written to a
 * temporary file with mode 0600 in the same folder, flushed, renamed over the
 * old one, and the folder flushed. Readers see the old file or the new one,
 * never half of one, even when the process is killed mid-write. The file is
 * checked first and always written as version 2. To change one user, use
 * {@link addUser}, {@link updateUser} or {@link removeUser}: they re-read the
 * file under the lock, so concurrent changes are not lost.
 *
 * @throws {@link UsersFileError} `ERR_USERS_FILE` when `file` is not a users file or cannot be written;
 *   `ERR_USERS_FILE_LOCKED` when the lock cannot be taken in time.
 *
 * @example
 * ```ts
 * await writeUsersFile('users.json', { version: 2, users: {} });
 * ```
 */
export async function writeUsersFile(path: string, file: UsersFile, options: UsersFileWriteOptions = {}): Promise<void> {
  checkPath(path);
  checkOptions(options, 'options');
  try {
    parseUsersFile(file, path); // a bad document fails before the lock is taken
  } catch (error) {
    throw invalid(`file is not a users file: ${(error as Error).message}`);
  }
  await withUsersFileLock(path, options.lock, () => replaceFile(path, file));
}

/**
 * Options of {@link addUser}.
 *
 * @example
 * ```ts
 * await addUser('users.json', 'alice', password, { chatUserName: 'alice', chatUserUuid: '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b' });
 * ```
 */
export interface AddUserOptions {
  /**
   * The user's Agora Chat username. Default: the current one when an
   * existing user is replaced, else the login name.
   */
  chatUserName?: string;
  /**
   * The UUID Agora Chat assigned to that username (from registering it; see
   * `AgoraChatUserClient`). Required for a new user; when an existing user
   * is replaced, default: the current one.
   */
  chatUserUuid?: string;
  /**
   * @deprecated Version 1's single id: sets both `chatUserName` and
   * `chatUserUuid` to this value. Give the two fields instead.
   */
  chatUserId?: string;
  /** Replace the user if the login name is already there. Default: false, which is an `ERR_USER_EXISTS` error. */
  replace?: boolean;
  /** scrypt parameters for the new hash. Default: {@link DEFAULT_SCRYPT_PARAMS}. */
  scrypt?: Partial<ScryptParams>;
  /** How long to wait for the file's lock. Default: see {@link UsersFileLockOptions}. */
  lock?: UsersFileLockOptions;
}

/**
 * What {@link addUser} and {@link updateUser} did.
 *
 * @example
 * ```ts
 * const { replaced, user } = await addUser('users.json', 'alice', password, { chatUserUuid, replace: true });
 * console.log(`${replaced ? 'replaced' : 'added'} ${user.userAccount}`);
 * ```
 */
export interface AddUserResult {
  /** True when an existing user of that login name was replaced, false when the user is new. */
  readonly replaced: boolean;
  /** The user as now stored, without the hash. */
  readonly user: UserSummary;
}

function givenChatFields(options: { chatUserName?: string; chatUserUuid?: string; chatUserId?: string }): { name?: string; uuid?: string } {
  // Each one given (anything but undefined, null included) must be a valid name.
  if (options.chatUserId !== undefined) checkName(options.chatUserId, 'chatUserId');
  if (options.chatUserName !== undefined) checkName(options.chatUserName, 'chatUserName');
  if (options.chatUserUuid !== undefined) checkName(options.chatUserUuid, 'chatUserUuid');
  const name = options.chatUserName ?? options.chatUserId;
  const uuid = options.chatUserUuid ?? options.chatUserId;
  return { ...(name === undefined ? {} : { name }), ...(uuid === undefined ? {} : { uuid }) };
}

function userExists(path: string, userAccount: string): UsersFileError {
  return new UsersFileError('ERR_USER_EXISTS', `user ${JSON.stringify(userAccount)} is already in ${path}`);
}

function userNotFound(path: string, userAccount: string): UsersFileError {
  return new UsersFileError('ERR_USER_NOT_FOUND', `user ${JSON.stringify(userAccount)} is not in ${path}`);
}

/**
 * Adds a user to a users file (creating the file if needed), or replaces one
 * with `replace`, keeping the chat username and UUID that are not given.
 *
 * The password is hashed first; then the file's lock is taken, the file
 * re-read, the user added and the file replaced atomically, so that changes
 * made at the same time by other calls or processes are all kept.
 *
 * @param path - the users file.
 * @param userAccount - the login name the user will send as `userAccount`.
 * @param password - the password; only its scrypt hash is stored.
 * @throws {@link UsersFileError} `ERR_USER_EXISTS`, `ERR_INVALID_ARGUMENT`, `ERR_USERS_FILE` or `ERR_USERS_FILE_LOCKED`.
 *
 * @example
 * ```ts
 * await addUser('users.json', 'alice', 'correct horse battery staple', {
 *   chatUserName: 'alice',
 *   chatUserUuid: '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b',
 * });
 * ```
 */
export async function addUser(path: string, userAccount: string, password: string, options: AddUserOptions = {}): Promise<AddUserResult> {
  checkPath(path);
  checkName(userAccount, 'the login name');
  checkOptions(options, 'options');
  const given = givenChatFields(options);
  checkPassword(password);
  checkFlag(options.replace, 'options.replace');
  checkOptions(options.scrypt, 'options.scrypt');
  lockLimits(options.lock);
  // Fail fast, before the cost of a hash; checked again under the lock.
  const before = await readUsersFile(path);
  const existedBefore = Object.hasOwn(before.users, userAccount);
  if (existedBefore && options.replace !== true) throw userExists(path, userAccount);
  if (given.uuid === undefined && !existedBefore) throw missingUuid();
  const hash = await hashPassword(password, options.scrypt);
  return withUsersFileLock(path, options.lock, async () => {
    const file = await readUsersFile(path);
    const existing = Object.hasOwn(file.users, userAccount) ? file.users[userAccount] : undefined;
    if (existing !== undefined && options.replace !== true) throw userExists(path, userAccount);
    const chatUserName = given.name ?? existing?.chatUserName ?? userAccount;
    const chatUserUuid = given.uuid ?? existing?.chatUserUuid;
    if (chatUserUuid === undefined) throw missingUuid();
    // A replaced user keeps their uid; the new hash gives a new credential version.
    const record: UserRecord = { chatUserName, chatUserUuid, password: hash, ...(existing === undefined ? {} : { agoraUid: existing.agoraUid }) };
    await replaceFile(path, { version: 2, users: { ...file.users, [userAccount]: record } });
    return { replaced: existing !== undefined, user: { userAccount, chatUserName, chatUserUuid } };
  });
}

function missingUuid(): UsersFileError {
  return invalid('chatUserUuid is required for a new user: the UUID Agora Chat assigned to the chat username (register the user to get it)');
}

/**
 * What {@link updateUser} changes; what is not given is kept.
 *
 * @example
 * ```ts
 * const changes: UserChanges = { chatUserUuid: '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b' };
 * ```
 */
export interface UserChanges {
  /** A new Agora Chat username. */
  chatUserName?: string;
  /** A new Agora Chat UUID. */
  chatUserUuid?: string;
  /** A new password (hashed before the lock is taken). */
  password?: string;
  /** scrypt parameters for a new password's hash. Default: {@link DEFAULT_SCRYPT_PARAMS}. */
  scrypt?: Partial<ScryptParams>;
  /** How long to wait for the file's lock. Default: see {@link UsersFileLockOptions}. */
  lock?: UsersFileLockOptions;
}

/**
 * Changes an existing user, keeping what is not given: e.g. stores the UUID
 * of a user of a version 1 file without touching their password.
 *
 * @throws {@link UsersFileError} `ERR_USER_NOT_FOUND`, `ERR_INVALID_ARGUMENT`, `ERR_USERS_FILE` or `ERR_USERS_FILE_LOCKED`.
 *
 * @example
 * ```ts
 * await updateUser('users.json', 'alice', { chatUserUuid: '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b' });
 * ```
 */
export async function updateUser(path: string, userAccount: string, changes: UserChanges): Promise<AddUserResult> {
  checkPath(path);
  checkName(userAccount, 'the login name');
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) throw invalid('changes must be an object');
  checkOptions(changes.scrypt, 'changes.scrypt');
  const given = givenChatFields(changes);
  if (changes.password !== undefined) checkPassword(changes.password);
  lockLimits(changes.lock);
  if (!Object.hasOwn((await readUsersFile(path)).users, userAccount)) throw userNotFound(path, userAccount);
  const hash = changes.password === undefined ? undefined : await hashPassword(changes.password, changes.scrypt);
  return withUsersFileLock(path, changes.lock, async () => {
    const file = await readUsersFile(path);
    const existing = Object.hasOwn(file.users, userAccount) ? file.users[userAccount] : undefined;
    if (existing === undefined) throw userNotFound(path, userAccount);
    const record: UserRecord = {
      chatUserName: given.name ?? existing.chatUserName,
      chatUserUuid: given.uuid ?? existing.chatUserUuid,
      password: hash ?? existing.password,
      agoraUid: existing.agoraUid,
      // A new password makes a new credential version (a digest of the new hash); else it stays.
      ...(hash === undefined ? { credentialVersion: existing.credentialVersion } : {}),
    };
    await replaceFile(path, { version: 2, users: { ...file.users, [userAccount]: record } });
    return { replaced: true, user: { userAccount, chatUserName: record.chatUserName, chatUserUuid: record.chatUserUuid } };
  });
}

/**
 * Removes a user from a users file, under the file's lock (see {@link addUser}).
 *
 * @throws {@link UsersFileError} `ERR_USER_NOT_FOUND` when the login name is not there; `ERR_USERS_FILE` or `ERR_USERS_FILE_LOCKED`.
 *
 * @example
 * ```ts
 * await removeUser('users.json', 'alice');
 * ```
 */
export async function removeUser(path: string, userAccount: string, options: UsersFileWriteOptions = {}): Promise<void> {
  checkPath(path);
  checkName(userAccount, 'the login name');
  checkOptions(options, 'options');
  lockLimits(options.lock);
  await withUsersFileLock(path, options.lock, async () => {
    const file = await readUsersFile(path);
    if (!Object.hasOwn(file.users, userAccount)) throw userNotFound(path, userAccount);
    const users = Object.assign(Object.create(null) as Record<string, UserRecord>, file.users);
    delete users[userAccount];
    await replaceFile(path, { version: 2, users });
  });
}

/**
 * Tells whether a users file can be read by other users of the machine: it
 * holds password hashes, so it should be readable by its owner only (mode
 * 0600, as this library writes it). Resolves to a warning to show, or
 * `undefined` when the file is private, absent, or the platform has no such
 * modes (Windows).
 *
 * @example
 * ```ts
 * const warning = await checkUsersFilePermissions('users.json');
 * if (warning !== undefined) console.warn(`warning: ${warning}`);
 * ```
 */
export async function checkUsersFilePermissions(path: string): Promise<string | undefined> {
  checkPath(path);
  if (process.platform === 'win32') return undefined;
  let mode: number;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch {
    return undefined;
  }
  if ((mode & 0o077) === 0) return undefined;
  const who = [(mode & 0o070) !== 0 ? 'its group' : '', (mode & 0o007) !== 0 ? 'all other users' : ''].filter(Boolean).join(' and ');
  return `the users file ${path} (mode 0${mode.toString(8)}) can be accessed by ${who}, and it holds password hashes: run chmod 600 ${path}`;
}

/**
 * One line of {@link listUsers}: never the hash.
 *
 * @example
 * ```ts
 * const summary: UserSummary = { userAccount: 'alice', chatUserName: 'alice', chatUserUuid: '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b' };
 * ```
 */
export interface UserSummary {
  /** The login name (`userAccount`). */
  readonly userAccount: string;
  /** The Agora Chat username the client logs in with. */
  readonly chatUserName: string;
  /** The Agora Chat UUID the token is built for. */
  readonly chatUserUuid: string;
}

/**
 * Lists the users of a users file, sorted by login name, without their hashes.
 *
 * @example
 * ```ts
 * for (const { userAccount, chatUserName, chatUserUuid } of await listUsers('users.json')) {
 *   console.log(userAccount, chatUserName, chatUserUuid);
 * }
 * ```
 */
export async function listUsers(path: string): Promise<UserSummary[]> {
  const { users } = await readUsersFile(path);
  return Object.keys(users)
    .sort()
    .map((userAccount) => ({ userAccount, chatUserName: users[userAccount]!.chatUserName, chatUserUuid: users[userAccount]!.chatUserUuid }));
}

/**
 * Checks what an {@link Authenticate} resolved to and returns it as an
 * {@link AuthenticatedUser}: `null`/`undefined` stay `null` (a refused login);
 * a legacy `{ chatUserId }` gets that id as both `chatUserName` and
 * `chatUserUuid`; `chatUserName` and `chatUserUuid`, when both are present,
 * win over a `chatUserId`.
 *
 * @throws {@link UsersFileError} `ERR_INVALID_ARGUMENT` when it is anything
 *   else, e.g. an object with only one of the two fields, or an empty name.
 *
 * @example
 * ```ts
 * const user = normalizeAuthenticatedUser(await authenticate(userAccount, userPassword));
 * if (user === null) return refuse();
 * const token = ChatTokenBuilder2.buildUserToken(appId, appCertificate, user.chatUserUuid, expire);
 * answer({ accessToken: token, chatUserName: user.chatUserName });
 * ```
 */
export function normalizeAuthenticatedUser(
  user: AuthenticatedUser | LegacyAuthenticatedUser | null | undefined,
): AuthenticatedUser | null {
  try {
    return normalizeUser(user);
  } catch (error) {
    throw invalid((error as Error).message);
  }
}

/**
 * Decides whether `userPassword` is the password of `userAccount`. Resolve to
 * the chat user to build the token for, or to `null` to refuse (401). A
 * rejection becomes a 500 with no detail sent to the client. A legacy
 * `{ chatUserId }` is still accepted (deprecated; see {@link LegacyAuthenticatedUser}).
 *
 * @example
 * ```ts
 * const authenticate: Authenticate = async (userAccount, userPassword) => {
 *   const user = await db.users.findByLogin(userAccount);
 *   return user && (await user.checkPassword(userPassword))
 *     ? { chatUserName: user.chatUserName, chatUserUuid: user.chatUuid }
 *     : null;
 * };
 * ```
 */
export type Authenticate = (
  userAccount: string,
  userPassword: string,
) =>
  | AuthenticatedUser
  | LegacyAuthenticatedUser
  | null
  | undefined
  | Promise<AuthenticatedUser | LegacyAuthenticatedUser | null | undefined>;

/**
 * Options of {@link createUsersAuthenticator}.
 *
 * @example
 * ```ts
 * const authenticate = createUsersAuthenticator('users.json', { onWarning: (message) => console.warn(`warning: ${message}`) });
 * ```
 */
export interface UsersAuthenticatorOptions {
  /**
   * The current scrypt parameters. Default: {@link DEFAULT_SCRYPT_PARAMS}.
   * A user whose stored hash has other parameters is rehashed with these at
   * their next successful login (users file paths only), and until then a
   * failed login for them costs at least one hash with these parameters, as
   * an unknown login name does.
   */
  scrypt?: Partial<ScryptParams>;
  /**
   * Told about what the operator should fix but that does not stop a login:
   * a users file readable by group or others (checked at the first login), a
   * rehash that could not be saved. Default: nothing is reported.
   */
  onWarning?: (message: string) => void;
  /**
   * How long a rehash waits for the file's lock; the login waits for it, so
   * the default wait is short: `{ timeoutMs: 2000 }` (and the default
   * `staleMs`). A rehash that cannot be saved is reported to `onWarning`,
   * and tried again at the next login.
   */
  lock?: UsersFileLockOptions;
}

/** One dummy hash per parameter set, made once: what unknown login names are checked against. */
const dummyHashes = new Map<string, Promise<PasswordHash>>();

function paramsKey(params: ScryptParams): string {
  return `${params.N}:${params.r}:${params.p}:${params.keyLength}`;
}

function dummyHash(params: ScryptParams): Promise<PasswordHash> {
  const key = paramsKey(params);
  let hash = dummyHashes.get(key);
  if (hash === undefined) {
    hash = hashPassword('not a password of anyone', params);
    dummyHashes.set(key, hash);
    hash.catch(() => dummyHashes.delete(key));
  }
  return hash;
}

/**
 * The default {@link Authenticate}: checks passwords against a users file (a
 * path, re-read on every login so `users add` takes effect at once), a users
 * object, or a function that returns one. It resolves an
 * {@link AuthenticatedUser} or `null`.
 *
 * Response times do not tell which login names exist: an unknown name costs
 * one hash with the current parameters, against a dummy hash, and so does at
 * least a wrong password for a user whose stored hash has other parameters
 * (the dummy hash is checked alongside). Such a user's hash is replaced by
 * one with the current parameters at their next successful login: under the
 * file's lock, after re-reading it, and only if that user's hash has not
 * changed meanwhile.
 *
 * @example
 * ```ts
 * const authenticate = createUsersAuthenticator('users.json');
 * const user = await authenticate('alice', 'correct horse battery staple'); // { chatUserName, chatUserUuid } or null
 * ```
 */
export function createUsersAuthenticator(
  source: string | UsersFile | (() => Promise<UsersFile>),
  options: UsersAuthenticatorOptions = {},
): (userAccount: string, userPassword: string) => Promise<AuthenticatedUser | null> {
  if (typeof source === 'string') checkPath(source);
  else if (typeof source !== 'function' && (typeof source !== 'object' || source === null)) {
    throw invalid('source must be a users file path, a users file object, or a function that resolves one');
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalid('options must be an object');
  checkOptions(options.scrypt, 'options.scrypt');
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function') throw invalid('options.onWarning must be a function');
  const current: ScryptParams = { ...DEFAULT_SCRYPT_PARAMS, ...options.scrypt };
  checkParams(current, 'options.scrypt');
  lockLimits(options.lock);
  const rehashLock = options.lock ?? { timeoutMs: 2000 };
  const currentKey = paramsKey(current);
  const warn = options.onWarning ?? (() => undefined);
  let permissionsChecked = false;
  const load =
    typeof source === 'string'
      ? () => readUsersFile(source)
      : typeof source === 'function'
        ? async () => parseUsersFile(await source())
        : async () => parseUsersFile(source);
  return async (userAccount, userPassword) => {
    if (typeof source === 'string' && options.onWarning !== undefined && !permissionsChecked) {
      permissionsChecked = true;
      const warning = await checkUsersFilePermissions(source);
      if (warning !== undefined) warn(warning);
    }
    const { users } = await load();
    const record = Object.hasOwn(users, userAccount) ? users[userAccount] : undefined;
    if (record === undefined) {
      await verifyPassword(userPassword, await dummyHash(current));
      return null;
    }
    const outdated = paramsKey(record.password) !== currentKey;
    // A stored hash with other parameters costs more or less than the dummy: check the dummy too, so that
    // a wrong password never answers before a hash with the current parameters has been computed.
    const [matches] = await Promise.all([
      verifyPassword(userPassword, record.password),
      outdated ? dummyHash(current).then((hash) => verifyPassword(userPassword, hash)) : undefined,
    ]);
    if (!matches) return null;
    if (outdated && typeof source === 'string') {
      try {
        await rehash(source, userAccount, record.password, userPassword, current, rehashLock);
      } catch (error) {
        warn(`could not save the rehashed password of user ${JSON.stringify(userAccount)} in ${source}: ${(error as Error).message}`);
      }
    }
    return { chatUserName: record.chatUserName, chatUserUuid: record.chatUserUuid };
  };
}

/** Replaces a user's hash by one with the current parameters, unless the user or their hash changed meanwhile. */
async function rehash(
  path: string,
  userAccount: string,
  old: PasswordHash,
  password: string,
  params: ScryptParams,
  lock: UsersFileLockOptions | undefined,
): Promise<void> {
  const fresh = await hashPassword(password, params);
  await withUsersFileLock(path, lock, async () => {
    const file = await readUsersFile(path);
    const now = Object.hasOwn(file.users, userAccount) ? file.users[userAccount] : undefined;
    if (now === undefined || now.password.salt !== old.salt || now.password.hash !== old.hash) return;
    await replaceFile(path, { version: 2, users: { ...file.users, [userAccount]: { ...now, password: fresh } } });
  });
}
