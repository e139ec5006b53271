// The error class of the users file functions, apart from them so that the
// password hashing module can throw it without importing the file code.
import type { UsersFileErrorCode } from '../error-codes.js';
import { AgoraTokenError, brandClass, hasBrand } from '../errors.js';

export type { UsersFileErrorCode } from '../error-codes.js';

/**
 * The error the users file functions throw: an {@link AgoraTokenError} with a
 * code of {@link UsersFileErrorCode}. Messages name the file or the
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
export class UsersFileError extends AgoraTokenError {
  /** True for users file errors only, from any copy of the package (by a `Symbol.for` brand). */
  static override [Symbol.hasInstance](value: unknown): value is UsersFileError {
    return hasBrand(value, USERS_FILE_ERROR);
  }

  /** A stable, machine-readable code for the kind of failure. */
  declare readonly code: UsersFileErrorCode;

  /**
   * @param code - the stable code.
   * @param message - what failed, naming the file or argument; never a password or hash.
   * @param options - the wrapped error, if any.
   */
  constructor(code: UsersFileErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { cause: options?.cause });
    this.name = 'UsersFileError';
  }
}

const USERS_FILE_ERROR = brandClass(UsersFileError, 'agora-token-builder.UsersFileError');
