// TEMPORARY: replaced by the stores branch at merge
// The scrypt PasswordHasher of the Node adapter, over users.ts's hashPassword
// and verifyPassword. A hash is stored as the JSON of a users file's
// PasswordHash object.
import type { PasswordHasher } from '../service/user-store.js';
import { createUsersAuthenticator, DEFAULT_SCRYPT_PARAMS, hashPassword, verifyPassword, type PasswordHash, type ScryptParams } from './users.js';

const paramsKey = (p: ScryptParams) => `${p.N}:${p.r}:${p.p}:${p.keyLength}`;

/** The encoded form of a users file's PasswordHash. */
export function encodePasswordHash(hash: PasswordHash): string {
  return JSON.stringify(hash);
}

/** A PasswordHash from its encoded form, or undefined. */
export function decodePasswordHash(text: string): PasswordHash | undefined {
  try {
    const value = JSON.parse(text) as PasswordHash;
    return typeof value === 'object' && value !== null && value.algorithm === 'scrypt' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A {@link PasswordHasher} with scrypt: checks every password (an unknown
 * user's against a dummy hash with the current parameters) and offers a
 * rehash for a hash with other parameters.
 *
 * @param params - the current scrypt parameters; default `DEFAULT_SCRYPT_PARAMS`.
 *
 * @example
 * ```ts
 * const hasher = createScryptHasher({ N: 2 ** 16 });
 * ```
 */
export function createScryptHasher(params?: Partial<ScryptParams>): PasswordHasher {
  // Checks the parameters at once (the authenticator's own check; it does no I/O when made).
  createUsersAuthenticator('(parameters check)', params === undefined ? {} : { scrypt: params });
  const current: ScryptParams = { ...DEFAULT_SCRYPT_PARAMS, ...params };
  let dummy: Promise<PasswordHash> | undefined;
  const dummyHash = () => (dummy ??= hashPassword('not a password of anyone', current));
  return {
    async hash(password) {
      return encodePasswordHash(await hashPassword(password, current));
    },
    async verify(password, passwordHash, signal) {
      // A client that has gone costs no hash.
      if (signal?.aborted) return { valid: false };
      const stored = passwordHash === undefined ? undefined : decodePasswordHash(passwordHash);
      if (stored === undefined) {
        await verifyPassword(password, await dummyHash());
        return { valid: false };
      }
      const outdated = paramsKey(stored) !== paramsKey(current);
      const [valid] = await Promise.all([verifyPassword(password, stored), outdated ? dummyHash().then((hash) => verifyPassword(password, hash)) : undefined]);
      if (!valid || !outdated) return { valid };
      return { valid, rehash: encodePasswordHash(await hashPassword(password, current)) };
    },
  };
}
