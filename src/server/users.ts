// The users file: login names mapped to an Agora Chat username, the UUID the
// token is built for, and an scrypt hash of the password. JSON, written
// atomically (temporary file + rename), mode 0600.
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
  readonly N: number;
  readonly r: number;
  readonly p: number;
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
  readonly algorithm: 'scrypt';
  readonly salt: string;
  readonly hash: string;
}

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

/**
 * The stable codes of {@link UsersFileError}.
 *
 * - `ERR_USERS_FILE`: the file cannot be read, is not JSON, or does not have the users file's shape.
 * - `ERR_USER_EXISTS`: `addUser` was asked to add a login name that is already there, without `replace`.
 * - `ERR_USER_NOT_FOUND`: `removeUser` was asked to remove a login name that is not there.
 * - `ERR_INVALID_ARGUMENT`: a login name, chat username, chat UUID, password or scrypt parameter is not allowed.
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

/** Longest login name, chat username and chat UUID accepted, in UTF-16 code units. */
export const MAX_NAME_LENGTH = 256;
/** Longest password accepted, in UTF-16 code units. */
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
  if (
    typeof doc !== 'object' || doc === null || (doc.version !== 1 && doc.version !== 2) ||
    typeof doc.users !== 'object' || doc.users === null || Array.isArray(doc.users)
  ) {
    throw fileError(path, 'expected an object {"version": 2, "users": {...}} (or a version 1 file)');
  }
  const legacy = doc.version === 1;
  const users: Record<string, UserRecord> = Object.create(null) as Record<string, UserRecord>;
  for (const [name, record] of Object.entries(doc.users as Record<string, unknown>)) {
    if (!isName(name, MAX_NAME_LENGTH)) throw fileError(path, 'a login name is empty, too long or has control characters');
    const r = record as Record<string, unknown> | null;
    const where = `user ${JSON.stringify(name)}`;
    if (typeof r !== 'object' || r === null) throw fileError(path, `${where} is not an object`);
    let chatUserName: unknown;
    let chatUserUuid: unknown;
    if (legacy) {
      // Version 1: one chatUserId, the token's user id and the answered chatUserName at once.
      if (!isName(r.chatUserId, MAX_NAME_LENGTH)) throw fileError(path, `${where} has no valid "chatUserId"`);
      chatUserName = chatUserUuid = r.chatUserId;
    } else {
      chatUserName = r.chatUserName;
      chatUserUuid = r.chatUserUuid;
      if (!isName(chatUserName, MAX_NAME_LENGTH)) throw fileError(path, `${where} has no valid "chatUserName"`);
      if (!isName(chatUserUuid, MAX_NAME_LENGTH)) throw fileError(path, `${where} has no valid "chatUserUuid"`);
    }
    users[name] = { chatUserName: chatUserName as string, chatUserUuid: chatUserUuid as string, password: parsePasswordHash(r.password, path, name) };
  }
  return { version: 2, users };
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
 * Writes a users file atomically: to a temporary file with mode 0600 in the
 * same folder, flushed, then renamed over the old one. Readers see the old
 * file or the new one, never half of one. The file is checked first and
 * always written as version 2.
 *
 * @throws {@link UsersFileError} `ERR_USERS_FILE` when `file` is not a users file or cannot be written.
 *
 * @example
 * ```ts
 * await writeUsersFile('users.json', { version: 2, users: {} });
 * ```
 */
export async function writeUsersFile(path: string, file: UsersFile): Promise<void> {
  const checked = parseUsersFile(file, path);
  const users: Record<string, UserRecord> = Object.create(null) as Record<string, UserRecord>; // "__proto__" is a name like any other
  for (const [name, record] of Object.entries(checked.users)) {
    users[name] = { chatUserName: record.chatUserName, chatUserUuid: record.chatUserUuid, password: record.password };
  }
  const text = `${JSON.stringify({ version: 2, users }, null, 2)}\n`;
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
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
}

/**
 * What {@link addUser} did.
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

/**
 * Adds a user to a users file (creating the file if needed), or replaces one
 * with `replace`, keeping the chat username and UUID that are not given.
 *
 * @param path - the users file.
 * @param userAccount - the login name the user will send as `userAccount`.
 * @param password - the password; only its scrypt hash is stored.
 * @throws {@link UsersFileError} `ERR_USER_EXISTS`, `ERR_INVALID_ARGUMENT` or `ERR_USERS_FILE`.
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
  checkName(userAccount, 'the login name');
  if (options.chatUserId !== undefined) checkName(options.chatUserId, 'chatUserId');
  const givenName = options.chatUserName ?? options.chatUserId;
  const givenUuid = options.chatUserUuid ?? options.chatUserId;
  if (givenName !== undefined) checkName(givenName, 'chatUserName');
  if (givenUuid !== undefined) checkName(givenUuid, 'chatUserUuid');
  checkPassword(password);
  const file = await readUsersFile(path);
  const existing = Object.hasOwn(file.users, userAccount) ? file.users[userAccount] : undefined;
  if (existing !== undefined && options.replace !== true) {
    throw new UsersFileError('ERR_USER_EXISTS', `user ${JSON.stringify(userAccount)} is already in ${path}`);
  }
  const chatUserName = givenName ?? existing?.chatUserName ?? userAccount;
  const chatUserUuid = givenUuid ?? existing?.chatUserUuid;
  if (chatUserUuid === undefined) {
    throw invalid('chatUserUuid is required for a new user: the UUID Agora Chat assigned to the chat username (register the user to get it)');
  }
  const record: UserRecord = { chatUserName, chatUserUuid, password: await hashPassword(password, options.scrypt) };
  await writeUsersFile(path, { version: 2, users: { ...file.users, [userAccount]: record } });
  return { replaced: existing !== undefined, user: { userAccount, chatUserName, chatUserUuid } };
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
  await writeUsersFile(path, { version: 2, users });
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
 * A successful login: the Agora Chat user the token is for.
 *
 * @example
 * ```ts
 * const user: AuthenticatedUser = { chatUserName: 'alice', chatUserUuid: '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b' };
 * ```
 */
export interface AuthenticatedUser {
  /** The Agora Chat username, answered as `chatUserName`; the client logs in to Agora Chat with it. */
  readonly chatUserName: string;
  /** The Agora Chat UUID of that username; the chat user token is built for it. */
  readonly chatUserUuid: string;
}

/**
 * What an {@link Authenticate} written for version 0.1 resolves to.
 *
 * @deprecated Its one id was used both as the token's user id and as the
 * answered `chatUserName`; resolve an {@link AuthenticatedUser} instead.
 * {@link normalizeAuthenticatedUser} turns it into one with that id in both fields.
 *
 * @example
 * ```ts
 * const old: LegacyAuthenticatedUser = { chatUserId: 'alice' };
 * ```
 */
export interface LegacyAuthenticatedUser {
  /** The one id of version 0.1: the token's user id and the answered `chatUserName`. */
  readonly chatUserId: string;
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
  if (user === null || user === undefined) return null;
  const u = user as unknown as Record<string, unknown>;
  if (typeof u !== 'object') throw invalid('authenticate must resolve to { chatUserName, chatUserUuid }, null or undefined');
  if (u.chatUserName !== undefined || u.chatUserUuid !== undefined) {
    if (!isName(u.chatUserName, MAX_NAME_LENGTH) || !isName(u.chatUserUuid, MAX_NAME_LENGTH)) {
      throw invalid(`authenticate resolved a user without a valid chatUserName and chatUserUuid (each 1 to ${MAX_NAME_LENGTH} characters)`);
    }
    return { chatUserName: u.chatUserName, chatUserUuid: u.chatUserUuid };
  }
  if (isName(u.chatUserId, MAX_NAME_LENGTH)) return { chatUserName: u.chatUserId, chatUserUuid: u.chatUserId };
  throw invalid('authenticate must resolve to { chatUserName, chatUserUuid }, null or undefined');
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

let dummyHash: Promise<PasswordHash> | undefined;

/**
 * The default {@link Authenticate}: checks passwords against a users file (a
 * path, re-read on every login so `users add` takes effect at once), a users
 * object, or a function that returns one. It resolves an
 * {@link AuthenticatedUser} or `null`.
 *
 * An unknown login name still costs one scrypt computation, against a dummy
 * hash, so response times do not tell which names exist.
 *
 * @example
 * ```ts
 * const authenticate = createUsersAuthenticator('users.json');
 * const user = await authenticate('alice', 'correct horse battery staple'); // { chatUserName, chatUserUuid } or null
 * ```
 */
export function createUsersAuthenticator(
  source: string | UsersFile | (() => Promise<UsersFile>),
): (userAccount: string, userPassword: string) => Promise<AuthenticatedUser | null> {
  const load =
    typeof source === 'string'
      ? () => readUsersFile(source)
      : typeof source === 'function'
        ? async () => parseUsersFile(await source())
        : async () => parseUsersFile(source);
  return async (userAccount, userPassword) => {
    const { users } = await load();
    const record = Object.hasOwn(users, userAccount) ? users[userAccount] : undefined;
    if (record === undefined) {
      dummyHash ??= hashPassword('not a password of anyone');
      await verifyPassword(userPassword, await dummyHash);
      return null;
    }
    return (await verifyPassword(userPassword, record.password))
      ? { chatUserName: record.chatUserName, chatUserUuid: record.chatUserUuid }
      : null;
  };
}
