import type { AgoraChatErrorCode, TokenClientErrorCode, UserStoreErrorCode, UsersFileErrorCode } from './error-codes.js';

/**
 * The stable codes of {@link AgoraTokenError}. Switch on these, never on the
 * message text, which may be reworded between releases.
 *
 * The root builders, decoders and verifiers throw these:
 *
 * - `ERR_INVALID_ARGUMENT`: an argument has the wrong type, is out of range,
 *   or is too long to pack.
 * - `ERR_EXPIRE_LIMIT`: a high-level builder was given an expire over 86,400
 *   seconds (24 hours) without opting out with `allowLongExpire`.
 * - `ERR_TIMESTAMP_IN_PAST`: a legacy 006 builder was given an absolute expiry
 *   time that has already passed.
 * - `ERR_TOKEN_MALFORMED`: a token string could not be parsed.
 * - `ERR_TOKEN_VERSION`: a token string does not start with a supported
 *   version prefix.
 * - `ERR_TOKEN_TOO_LARGE`: a token inflates to more than the decoder's cap.
 * - `ERR_PLATFORM_UNSUPPORTED`: the runtime lacks a primitive the library
 *   needs (for example `crypto.subtle`, which browsers offer only to https
 *   and localhost pages, or `DecompressionStream`); the message names it.
 *   It says nothing about the token or the arguments.
 *
 * The server and client entries throw subclasses of {@link AgoraTokenError}
 * with codes of their own, also members of this union:
 * {@link UsersFileErrorCode} (`UsersFileError`, the users file functions of
 * `agora-token-builder/server`), {@link AgoraChatErrorCode}
 * (`AgoraChatError`, its Agora Chat client) and {@link TokenClientErrorCode}
 * (`TokenClientError`, `agora-token-builder/client`).
 */
export type AgoraTokenErrorCode =
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_EXPIRE_LIMIT'
  | 'ERR_TIMESTAMP_IN_PAST'
  | 'ERR_TOKEN_MALFORMED'
  | 'ERR_TOKEN_VERSION'
  | 'ERR_TOKEN_TOO_LARGE'
  | 'ERR_PLATFORM_UNSUPPORTED'
  | UsersFileErrorCode
  | UserStoreErrorCode
  | AgoraChatErrorCode
  | TokenClientErrorCode;

/** Extra detail attached to an {@link AgoraTokenError}. */
export interface AgoraTokenErrorOptions {
  /** The name of the argument that was rejected, where one was. */
  argument?: string;
  /** The lower-level error this one wraps, if any. */
  cause?: unknown;
}

/**
 * The one error class this library throws for input it rejects.
 *
 * Messages name the argument and what is allowed; they never contain an
 * app certificate. The server and client entries throw subclasses of it
 * (`UsersFileError`, `AgoraChatError`, `TokenClientError`), each with its
 * own `code` union, so `instanceof AgoraTokenError` catches them all.
 *
 * @example
 * ```ts
 * try {
 *   ChatTokenBuilder2.buildUserToken(appId, appCertificate, userId, 90_000);
 * } catch (error) {
 *   if (error instanceof AgoraTokenError && error.code === 'ERR_EXPIRE_LIMIT') {
 *     // expire counts seconds from now, at most 86,400
 *   }
 * }
 * ```
 */
export class AgoraTokenError extends Error {
  /**
   * `instanceof` recognises this error from every copy of the package
   * loaded in one process (its ESM and CommonJS builds, or two installed
   * versions), by a brand registered with `Symbol.for`, not by identity.
   */
  static override [Symbol.hasInstance](value: unknown): value is AgoraTokenError {
    return hasBrand(value, BRAND);
  }

  /** A stable, machine-readable code for the kind of failure. */
  readonly code: AgoraTokenErrorCode;
  /** The name of the rejected argument, when the failure is about one. */
  readonly argument: string | undefined;

  constructor(code: AgoraTokenErrorCode, message: string, options: AgoraTokenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgoraTokenError';
    this.code = code;
    this.argument = options.argument;
  }
}

const BRAND = Symbol.for('agora-token-builder.AgoraTokenError');
Object.defineProperty(AgoraTokenError.prototype, BRAND, { value: true });

/**
 * Whether `value` carries `brand` (a `Symbol.for` key set to true on a
 * class's prototype, so inherited by its instances and its subclasses'):
 * what each error class's static `Symbol.hasInstance` asks, so that
 * `instanceof` works across copies of the package without matching a
 * sibling class.
 *
 * @internal
 */
export function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/**
 * Marks `cls`'s prototype with `Symbol.for(key)` and returns the symbol, for
 * a subclass's own static `Symbol.hasInstance` (which must be declared,
 * since the inherited one would accept any {@link AgoraTokenError}).
 *
 * @internal
 */
export function brandClass(cls: abstract new (...args: never[]) => AgoraTokenError, key: string): symbol {
  const brand = Symbol.for(key);
  Object.defineProperty(cls.prototype, brand, { value: true });
  return brand;
}
