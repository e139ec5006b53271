// Password hashing for the user stores: scrypt, with its parameters bounded
// (for new hashes and for hashes read back from storage), an encoded string
// form (PHC-like `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`), constant-time
// comparison, a dummy hash for unknown users and a rehash when the current
// parameters differ from a stored hash's.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PasswordHasher } from '../service/user-store.js';
import { UserStoreError } from '../service/user-store.js';
import { UsersFileError } from './users-file-error.js';
import { MAX_PASSWORD_LENGTH } from '../service/accounts.js';

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
 * invalidate existing users; the users file's authenticator rehashes a
 * user's password with the current parameters at their next successful login.
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

export { MAX_PASSWORD_LENGTH } from '../service/accounts.js';

// Bounds on scrypt parameters, for new hashes and for those read back from a
// file, so that a damaged or hostile file cannot make one login cost much
// more than the defaults: N up to 2^17, r up to 16, p up to 4, and the work
// and memory, which grow as N·r·p and N·r, at most 4 times the defaults'
// (N·r·p ≤ 2^20: 128 MiB and about 0.4 s per hash on a server core, where
// the defaults take 32 MiB and 0.1 s).
const MAX_N = 2 ** 17;
const MAX_R = 16;
const MAX_P = 4;
const MAX_WORK = 2 ** 20;

/**
 * Watches every scrypt computation (tests count them); not part of the public API.
 *
 * @internal
 */
export const scryptObserver: { onStart?: (params: ScryptParams) => void; onDone?: (params: ScryptParams) => void } = {};

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + (1 << 20) };
  scryptObserver.onStart?.(params);
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFC'), salt, params.keyLength, options, (error, key) => {
      scryptObserver.onDone?.(params);
      if (error) reject(error);
      else resolve(key);
    });
  });
}

function invalid(message: string): UsersFileError {
  return new UsersFileError('ERR_INVALID_ARGUMENT', message);
}

/** Throws `ERR_INVALID_ARGUMENT` naming `where` when scrypt parameters are beyond the bounds. @internal */
export function checkParams(params: ScryptParams, where: string): void {
  const { N, r, p, keyLength } = params;
  const ok =
    Number.isInteger(N) && N >= 2 && N <= MAX_N && (N & (N - 1)) === 0 &&
    Number.isInteger(r) && r >= 1 && r <= MAX_R &&
    Number.isInteger(p) && p >= 1 && p <= MAX_P &&
    N * r * p <= MAX_WORK &&
    Number.isInteger(keyLength) && keyLength >= 16 && keyLength <= 64;
  if (!ok) {
    const shown = [N, r, p, keyLength].map((v) => (typeof v === 'number' ? String(v) : typeof v)).join(', ');
    throw invalid(
      `${where}: scrypt settings (N, r, p, keyLength) = (${shown}) are not accepted: N must be a power of two up to 2^17, ` +
        'r 1 to 16, p 1 to 4, N·r·p at most 2^20 (4 times the default cost), keyLength 16 to 64',
    );
  }
}



function checkPassword(value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PASSWORD_LENGTH || !value.isWellFormed()) {
    throw invalid(`password must be 1 to ${MAX_PASSWORD_LENGTH} characters`);
  }
}

function checkOptions(value: unknown, argument: string): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw invalid(`${argument} must be an object`);
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
  checkOptions(params, 'params');
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


const B64 = /^[A-Za-z0-9+/]+$/;
const ENCODED = /^\$scrypt\$ln=([0-9]{1,2}),r=([0-9]{1,2}),p=([0-9]{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function unpadded(base64: string): string {
  return base64.replace(/=+$/, '');
}

/**
 * Writes an scrypt hash in its encoded string form, the `passwordHash` of a
 * `StoredUser`: `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>`, salt and
 * hash in base64 without padding (the PHC string format's spelling).
 *
 * @example
 * ```ts
 * encodePasswordHash(await hashPassword('correct horse')); // '$scrypt$ln=15,r=8,p=1$…$…'
 * ```
 */
export function encodePasswordHash(hash: PasswordHash): string {
  const ln = Math.log2(hash.N);
  return `$scrypt$ln=${ln},r=${hash.r},p=${hash.p}$${unpadded(hash.salt)}$${unpadded(hash.hash)}`;
}

/**
 * Reads an encoded scrypt hash (see {@link encodePasswordHash}) back, checking
 * that it has one spelling only and that its parameters are within the
 * bounds (N up to 2^17, r up to 16, p up to 4, N·r·p at most 2^20, a 16 to
 * 64 byte key, an 8 to 64 byte salt).
 *
 * @throws `UsersFileError` `ERR_INVALID_ARGUMENT` naming `where` when it is not one.
 *
 * @example
 * ```ts
 * const { N, r, p } = decodePasswordHash(user.passwordHash);
 * ```
 */
export function decodePasswordHash(encoded: string, where = 'passwordHash'): PasswordHash {
  const match = typeof encoded === 'string' && encoded.length <= 512 ? ENCODED.exec(encoded) : null;
  if (match === null) throw invalid(`${where} is not an encoded scrypt hash ($scrypt$ln=…,r=…,p=…$salt$hash)`);
  const [, ln, r, p, salt, key] = match as unknown as [string, string, string, string, string, string];
  const saltBytes = Buffer.from(salt, 'base64');
  const keyBytes = Buffer.from(key, 'base64');
  // One spelling only: the unpadded base64 of the decoded bytes.
  if (unpadded(saltBytes.toString('base64')) !== salt || unpadded(keyBytes.toString('base64')) !== key || saltBytes.length < 8 || saltBytes.length > 64) {
    throw invalid(`${where}: the salt or hash of the encoded scrypt hash is not canonical base64 (salt 8 to 64 bytes)`);
  }
  const hash: PasswordHash = {
    algorithm: 'scrypt',
    N: 2 ** Number(ln),
    r: Number(r),
    p: Number(p),
    keyLength: keyBytes.length,
    salt: saltBytes.toString('base64'),
    hash: keyBytes.toString('base64'),
  };
  if (String(Number(ln)) !== ln || String(hash.r) !== r || String(hash.p) !== p) throw invalid(`${where}: the scrypt parameters have leading zeros`);
  checkParams(hash, where);
  return hash;
}

/** True for a base64 string (padded or not). @internal */
export function isBase64(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && B64.test(value.replace(/={1,2}$/, ''));
}

function paramsKey(params: ScryptParams): string {
  return `${params.N}:${params.r}:${params.p}:${params.keyLength}`;
}

/**
 * Makes the {@link PasswordHasher} of the user stores: scrypt with
 * `params` (default {@link DEFAULT_SCRYPT_PARAMS}: N = 2^15, r = 8, p = 1, a
 * 32-byte key), hashes in the encoded string form of
 * {@link encodePasswordHash}.
 *
 * - `verify` compares in constant time. An unknown user (`passwordHash`
 *   undefined) is checked against a dummy hash made once with the current
 *   parameters, so it costs what a real check costs. A stored hash with
 *   other parameters is checked alongside the dummy (a wrong password never
 *   answers sooner than a current check), and a right password resolves
 *   `rehash`: a new hash with the current parameters, to store.
 * - A stored hash whose parameters are beyond the bounds (N up to 2^17, r up
 *   to 16, p up to 4, N·r·p at most 2^20) or that is not an encoded scrypt
 *   hash is never computed: `verify` rejects with a `UserStoreError`
 *   `ERR_USER_STORE` for that user alone.
 * - An aborted `signal` stops a check before it starts (rejects with the
 *   signal's reason).
 *
 * @param params - the current scrypt parameters; checked against the same bounds.
 * @throws `UsersFileError` `ERR_INVALID_ARGUMENT` when `params` are beyond the bounds.
 *
 * @example
 * ```ts
 * const hasher = createScryptHasher();
 * const passwordHash = await hasher.hash('correct horse battery staple');
 * const { valid, rehash } = await hasher.verify('correct horse battery staple', passwordHash); // valid: true
 * ```
 */
export function createScryptHasher(params: Partial<ScryptParams> = {}): PasswordHasher {
  checkOptions(params, 'params');
  const current: ScryptParams = { ...DEFAULT_SCRYPT_PARAMS, ...params };
  checkParams(current, 'params');
  const currentKey = paramsKey(current);
  let dummy: Promise<PasswordHash> | undefined;
  const dummyHash = (): Promise<PasswordHash> => {
    if (dummy === undefined) {
      dummy = hashPassword('not a password of anyone', current);
      dummy.catch(() => (dummy = undefined));
    }
    return dummy;
  };
  return {
    async hash(password) {
      return encodePasswordHash(await hashPassword(password, current));
    },
    async verify(password, passwordHash, signal) {
      signal?.throwIfAborted();
      if (passwordHash === undefined) {
        await verifyPassword(typeof password === 'string' ? password : '', await dummyHash());
        return { valid: false };
      }
      let stored: PasswordHash;
      try {
        stored = decodePasswordHash(passwordHash, 'the stored password hash');
      } catch (error) {
        throw new UserStoreError('ERR_USER_STORE', `${(error as Error).message}; this user cannot log in until the password is set again`, { cause: error });
      }
      const outdated = paramsKey(stored) !== currentKey;
      const [valid] = await Promise.all([
        verifyPassword(password, stored),
        outdated ? dummyHash().then((hash) => verifyPassword(password, hash)) : undefined,
      ]);
      if (!valid) return { valid: false };
      if (!outdated) return { valid: true };
      signal?.throwIfAborted();
      return { valid: true, rehash: encodePasswordHash(await hashPassword(password, current)) };
    },
  };
}
