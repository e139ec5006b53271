// The users file: login names mapped to a chat user id and an scrypt hash of
// the password. JSON, written atomically (temporary file + rename), mode 0600.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { chmod, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The scrypt cost parameters stored with every hash. `N` is the CPU/memory
 * cost (a power of two), `r` the block size, `p` the parallelism and
 * `keyLength` the length of the derived key in bytes.
 *
 * @example
 * ```ts
 * const params: ScryptParams = { N: 2 ** 16, r: 8, p: 1, keyLength: 32 };
 * ```
 */
export interface ScryptParams {
  /** The CPU and memory cost: a power of two (32,768 by default). */
  readonly N: number;
  /** The block size (8 by default). */
  readonly r: number;
  /** The parallelisation (1 by default). */
  readonly p: number;
  /** The length of the derived key, in bytes (32 by default). */
  readonly keyLength: number;
}

/**
 * The parameters {@link hashPassword} uses unless told otherwise: N = 2^15,
 * r = 8, p = 1 (32 MiB and about a tenth of a second per hash), a 32-byte key.
 * Each hash stores its own parameters, so raising these later does not
 * invalidate existing users.
 *
 * @example
 * ```ts
 * const stronger = { ...DEFAULT_SCRYPT_PARAMS, N: 2 ** 17 };
 * const hash = await hashPassword('correct horse', stronger);
 * ```
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = Object.freeze({ N: 2 ** 15, r: 8, p: 1, keyLength: 32 });

/**
 * An scrypt password hash as stored in the users file; `salt` and `hash` are base64.
 *
 * @example
 * ```json
 * { "algorithm": "scrypt", "N": 32768, "r": 8, "p": 1, "keyLength": 32, "salt": "q3P…==", "hash": "0Wc…=" }
 * ```
 */
export interface PasswordHash extends ScryptParams {
  /** The key derivation function: always scrypt. */
  readonly algorithm: 'scrypt';
  /** The random salt of this user, base64 (16 bytes). */
  readonly salt: string;
  /** The derived key, base64 (`keyLength` bytes). */
  readonly hash: string;
}

/**
 * One user of the users file.
 *
 * @example
 * ```ts
 * const record: UserRecord = { chatUserId: 'alice-chat-uuid', password: await hashPassword('correct horse') };
 * ```
 */
export interface UserRecord {
  /** The id the user has in Agora Chat; the token is built for it and `chatUserName` answers it. */
  readonly chatUserId: string;
  /** The scrypt hash of the user's password, with its parameters. */
  readonly password: PasswordHash;
}

/**
 * The whole users file, keyed by login name (the `userAccount` of `POST /token`).
 *
 * @example
 * ```json
 * { "version": 1, "users": { "alice": { "chatUserId": "alice-chat-uuid", "password": { "algorithm": "scrypt", "N": 32768, "r": 8, "p": 1, "keyLength": 32, "salt": "…", "hash": "…" } } } }
 * ```
 */
export interface UsersFile {
  /** The format version: 1. */
  readonly version: 1;
  /** The users, keyed by login name. */
  readonly users: Readonly<Record<string, UserRecord>>;
}

/**
 * The stable codes of {@link UsersFileError}.
 *
 * - `ERR_USERS_FILE`: the file cannot be read, is not JSON, or does not have the users file's shape.
 * - `ERR_USER_EXISTS`: `addUser` was asked to add a login name that is already there, without `replace`.
 * - `ERR_USER_NOT_FOUND`: `removeUser` was asked to remove a login name that is not there.
 * - `ERR_INVALID_ARGUMENT`: a login name, chat user id, password or scrypt parameter is not allowed.
 *
 * @example
 * ```ts
 * const code: UsersFileErrorCode = 'ERR_USER_EXISTS';
 * ```
 */
export type UsersFileErrorCode = 'ERR_USERS_FILE' | 'ERR_USER_EXISTS' | 'ERR_USER_NOT_FOUND' | 'ERR_INVALID_ARGUMENT';

/**
 * The error the users file functions throw. Messages name the file or the
 * argument; they never contain a password or a hash.
 *
 * @example
 * ```ts
 * try {
 *   await addUser('users.json', 'alice', password);
 * } catch (error) {
 *   if (error instanceof UsersFileError && error.code === 'ERR_USER_EXISTS') console.error('alice is already there');
 * }
 * ```
 */
export class UsersFileError extends Error {
  /** A stable, machine-readable code for the kind of failure. */
  readonly code: UsersFileErrorCode;

  constructor(code: UsersFileErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsersFileError';
    this.code = code;
  }
}

/** Longest login name, chat user id and password accepted, in UTF-16 code units. */
export const MAX_NAME_LENGTH = 256;
export const MAX_PASSWORD_LENGTH = 1024;

// Bounds on parameters read back from a file, so that a damaged or hostile
// file cannot make one login cost gigabytes.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + (1 << 20) };
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFC'), salt, params.keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function invalid(message: string): UsersFileError {
  return new UsersFileError('ERR_INVALID_ARGUMENT', message);
}

function checkParams(params: ScryptParams, where: string): void {
  const { N, r, p, keyLength } = params;
  const ok =
    Number.isInteger(N) && N >= 2 && N <= MAX_N && (N & (N - 1)) === 0 &&
    Number.isInteger(r) && r >= 1 && r <= MAX_R &&
    Number.isInteger(p) && p >= 1 && p <= MAX_P &&
    Number.isInteger(keyLength) && keyLength >= 16 && keyLength <= 64;
  if (!ok) {
    throw invalid(`${where}: scrypt parameters must have N a power of two up to 2^20, r 1..32, p 1..16, keyLength 16..64`);
  }
}

/** A printable, well-formed string of 1..max characters (no control characters, no lone surrogates). */
function isName(value: unknown, max: number): value is string {
  // eslint-disable-next-line no-control-regex
  return typeof value === 'string' && value.length > 0 && value.length <= max && value.isWellFormed() && !/[\u0000-\u001f\u007f]/.test(value);
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

/**
 * Hashes a password with scrypt and a fresh 16-byte random salt.
 *
 * @param password - the password, 1 to 1,024 characters (NFC-normalised before hashing).
 * @param params - scrypt cost parameters; default {@link DEFAULT_SCRYPT_PARAMS}.
 * @returns the hash with its salt and parameters, ready for the users file.
 *
 * @example
 * ```ts
 * const hash = await hashPassword('correct horse battery staple');
 * await verifyPassword('correct horse battery staple', hash); // true
 * ```
 */
export async function hashPassword(password: string, params: Partial<ScryptParams> = {}): Promise<PasswordHash> {
  checkPassword(password);
  const full = { ...DEFAULT_SCRYPT_PARAMS, ...params };
  checkParams(full, 'params');
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, full);
  return { algorithm: 'scrypt', ...full, salt: salt.toString('base64'), hash: key.toString('base64') };
}

/**
 * Checks a password against a stored hash, comparing in constant time.
 *
 * @returns true when the password matches.
 *
 * @example
 * ```ts
 * if (await verifyPassword(userPassword, record.password)) {
 *   // the user is who they say they are
 * }
 * ```
 */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  if (typeof password !== 'string' || password.length > MAX_PASSWORD_LENGTH || !password.isWellFormed()) return false;
  const expected = Buffer.from(stored.hash, 'base64');
  const key = await scrypt(password, Buffer.from(stored.salt, 'base64'), { ...stored, keyLength: expected.length });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

function fileError(path: string, message: string, cause?: unknown): UsersFileError {
  return new UsersFileError('ERR_USERS_FILE', `users file ${path}: ${message}`, { cause });
}

function parsePasswordHash(value: unknown, path: string, name: string): PasswordHash {
  const where = `user ${JSON.stringify(name)}`;
  const v = value as Record<string, unknown> | null;
  const isBase64 = (s: unknown) => typeof s === 'string' && s.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s);
  if (typeof v !== 'object' || v === null || v.algorithm !== 'scrypt' || !isBase64(v.salt) || !isBase64(v.hash)) {
    throw fileError(path, `${where} has no valid "password": expected {"algorithm": "scrypt", N, r, p, keyLength, salt, hash}`);
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
  try {
    checkParams(hash, where);
  } catch (error) {
    throw fileError(path, (error as Error).message);
  }
  if (Buffer.from(hash.hash, 'base64').length !== hash.keyLength) throw fileError(path, `${where}: the hash is not keyLength bytes`);
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
  const doc = document as Record<string, unknown> | null;
  if (typeof doc !== 'object' || doc === null || doc.version !== 1 || typeof doc.users !== 'object' || doc.users === null || Array.isArray(doc.users)) {
    throw fileError(path, 'expected an object {"version": 1, "users": {...}}');
  }
  const users: Record<string, UserRecord> = Object.create(null) as Record<string, UserRecord>;
  for (const [name, record] of Object.entries(doc.users as Record<string, unknown>)) {
    if (!isName(name, MAX_NAME_LENGTH)) throw fileError(path, 'a login name is empty, too long or has control characters');
    const r = record as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || !isName(r.chatUserId, MAX_NAME_LENGTH)) {
      throw fileError(path, `user ${JSON.stringify(name)} has no valid "chatUserId"`);
    }
    users[name] = { chatUserId: r.chatUserId, password: parsePasswordHash(r.password, path, name) };
  }
  return { version: 1, users };
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
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, users: Object.create(null) as Record<string, UserRecord> };
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
 * Writes a users file atomically: to a temporary file with mode 0600 in the
 * same folder, flushed, then renamed over the old one. Readers see the old
 * file or the new one, never half of one.
 *
 * @example
 * ```ts
 * await writeUsersFile('users.json', { version: 1, users: {} });
 * ```
 */
export async function writeUsersFile(path: string, file: UsersFile): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(temporary, 0o600); // in case a umask narrowed nothing but changed the bits
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw fileError(path, `cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`, error);
  }
}

/**
 * Options of {@link addUser}.
 *
 * @example
 * ```ts
 * await addUser('users.json', 'alice', password, { chatUserId: 'alice-chat-uuid', replace: true });
 * ```
 */
export interface AddUserOptions {
  /** The user's id in Agora Chat. Default: the login name. */
  chatUserId?: string;
  /** Replace the user if the login name is already there. Default: false, which is an `ERR_USER_EXISTS` error. */
  replace?: boolean;
  /** scrypt parameters for the new hash. Default: {@link DEFAULT_SCRYPT_PARAMS}. */
  scrypt?: Partial<ScryptParams>;
}

/**
 * Adds a user to a users file (creating the file if needed).
 *
 * @param path - the users file.
 * @param userAccount - the login name the user will send as `userAccount`.
 * @param password - the password; only its scrypt hash is stored.
 * @throws {@link UsersFileError} `ERR_USER_EXISTS`, `ERR_INVALID_ARGUMENT` or `ERR_USERS_FILE`.
 *
 * @example
 * ```ts
 * await addUser('users.json', 'alice', 'correct horse battery staple', { chatUserId: 'alice-chat-uuid' });
 * ```
 */
export async function addUser(path: string, userAccount: string, password: string, options: AddUserOptions = {}): Promise<void> {
  checkName(userAccount, 'the login name');
  const chatUserId = options.chatUserId ?? userAccount;
  checkName(chatUserId, 'the chat user id');
  checkPassword(password);
  const file = await readUsersFile(path);
  if (Object.hasOwn(file.users, userAccount) && options.replace !== true) {
    throw new UsersFileError('ERR_USER_EXISTS', `user ${JSON.stringify(userAccount)} is already in ${path}`);
  }
  const record: UserRecord = { chatUserId, password: await hashPassword(password, options.scrypt) };
  await writeUsersFile(path, { version: 1, users: { ...file.users, [userAccount]: record } });
}

/**
 * Removes a user from a users file.
 *
 * @throws {@link UsersFileError} `ERR_USER_NOT_FOUND` when the login name is not there.
 *
 * @example
 * ```ts
 * await removeUser('users.json', 'alice');
 * ```
 */
export async function removeUser(path: string, userAccount: string): Promise<void> {
  const file = await readUsersFile(path);
  if (!Object.hasOwn(file.users, userAccount)) {
    throw new UsersFileError('ERR_USER_NOT_FOUND', `user ${JSON.stringify(userAccount)} is not in ${path}`);
  }
  const users = { ...file.users };
  delete users[userAccount];
  await writeUsersFile(path, { version: 1, users });
}

/**
 * One line of {@link listUsers}: never the hash.
 *
 * @example
 * ```ts
 * const summary: UserSummary = { userAccount: 'alice', chatUserId: 'alice-chat-uuid' };
 * ```
 */
export interface UserSummary {
  /** The login name (`userAccount` of `POST /token`). */
  readonly userAccount: string;
  /** The id the user has in Agora Chat. */
  readonly chatUserId: string;
}

/**
 * Lists the users of a users file, sorted by login name, without their hashes.
 *
 * @example
 * ```ts
 * for (const { userAccount, chatUserId } of await listUsers('users.json')) console.log(userAccount, chatUserId);
 * ```
 */
export async function listUsers(path: string): Promise<UserSummary[]> {
  const { users } = await readUsersFile(path);
  return Object.keys(users)
    .sort()
    .map((userAccount) => ({ userAccount, chatUserId: users[userAccount]!.chatUserId }));
}

/**
 * A successful login: the chat user the token is built for.
 *
 * @example
 * ```ts
 * const user: AuthenticatedUser = { chatUserId: 'alice-chat-uuid' };
 * ```
 */
export interface AuthenticatedUser {
  /** The user's id in Agora Chat; answered as `chatUserName`. */
  readonly chatUserId: string;
}

/**
 * Decides whether `userPassword` is the password of `userAccount`. Resolve to
 * the chat user to build the token for, or to `null` to refuse (401). A
 * rejection becomes a 500 with no detail sent to the client.
 *
 * @example
 * ```ts
 * const authenticate: Authenticate = async (userAccount, userPassword) => {
 *   const user = await db.users.findByLogin(userAccount);
 *   return user && (await user.checkPassword(userPassword)) ? { chatUserId: user.chatUuid } : null;
 * };
 * ```
 */
export type Authenticate = (
  userAccount: string,
  userPassword: string,
) => AuthenticatedUser | null | undefined | Promise<AuthenticatedUser | null | undefined>;

let dummyHash: Promise<PasswordHash> | undefined;

/**
 * The default {@link Authenticate}: checks passwords against a users file (a
 * path, re-read on every login so `users add` takes effect at once), a users
 * object, or a function that returns one.
 *
 * An unknown login name still costs one scrypt computation, against a dummy
 * hash, so response times do not tell which names exist.
 *
 * @example
 * ```ts
 * const authenticate = createUsersAuthenticator('users.json');
 * const user = await authenticate('alice', 'correct horse battery staple'); // { chatUserId } or null
 * ```
 */
export function createUsersAuthenticator(source: string | UsersFile | (() => Promise<UsersFile>)): Authenticate {
  const load =
    typeof source === 'string'
      ? () => readUsersFile(source)
      : typeof source === 'function'
        ? source
        : async () => source;
  return async (userAccount, userPassword) => {
    const { users } = await load();
    const record = Object.hasOwn(users, userAccount) ? users[userAccount] : undefined;
    if (record === undefined) {
      dummyHash ??= hashPassword('not a password of anyone');
      await verifyPassword(userPassword, await dummyHash);
      return null;
    }
    return (await verifyPassword(userPassword, record.password)) ? { chatUserId: record.chatUserId } : null;
  };
}
