import { bytesEqual } from './_internal/crypto.js';
import { AgoraTokenError } from './errors.js';
import { signToken2, VERSION_007 } from './token2/access-token2.js';
import { parseToken007Body, type DecodedToken007 } from './token2/parse.js';

/** A decoded token of any supported version; switch on `version`. */
export type DecodedToken = DecodedToken007;

/**
 * The longest token string accepted. Far above any token the builders make;
 * it bounds the work done on hostile input before any decoding.
 */
export const MAX_TOKEN_LENGTH = 4 << 20;

function checkTokenString(token: unknown): asserts token is string {
  if (typeof token !== 'string') {
    throw new AgoraTokenError('ERR_TOKEN_MALFORMED', `token must be a string (got ${token === null ? 'null' : typeof token})`, {
      argument: 'token',
    });
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new AgoraTokenError(
      'ERR_TOKEN_TOO_LARGE',
      `token is too large: ${token.length} characters, at most ${MAX_TOKEN_LENGTH} are accepted`,
      { argument: 'token' },
    );
  }
}

function unsupportedVersion(token: string): AgoraTokenError {
  const shown = /^[0-9]{3}/.test(token) ? `"${token.slice(0, 3)}"` : 'no version number';
  return new AgoraTokenError(
    'ERR_TOKEN_VERSION',
    `token must start with the version "007" (got ${shown})`,
    { argument: 'token' },
  );
}

/**
 * Reads a token without checking anything but its form.
 *
 * **Decoding proves nothing.** Anyone can write a token that decodes; only
 * {@link verifyToken}, with the App Certificate, tells whether Agora will
 * accept it.
 *
 * @param token - a token string, `"007…"`.
 * @returns the token's fields as a plain object.
 * @throws {@link AgoraTokenError} with `ERR_TOKEN_VERSION`, `ERR_TOKEN_MALFORMED`
 *   or `ERR_TOKEN_TOO_LARGE`; never any other error, whatever the input.
 *
 * @example
 * ```ts
 * const decoded = decodeToken(token);
 * console.log(decoded.issueTs + decoded.expire); // when it expires, in Unix seconds
 * ```
 */
export function decodeToken(token: string): DecodedToken {
  return parseToken(token).token;
}

function parseToken(token: unknown) {
  checkTokenString(token);
  if (token.startsWith(VERSION_007)) return parseToken007Body(token.slice(VERSION_007.length));
  throw unsupportedVersion(token);
}

/** Options of {@link verifyToken}. */
export interface VerifyOptions {
  /** The current time, as a Date or in Unix seconds. Default: the system clock. */
  now?: Date | number;
}

/** How {@link verifyToken} judged a token. */
export type VerifyStatus = 'valid' | 'bad-signature' | 'expired' | 'malformed';

/** The result of {@link verifyToken}; switch on `status`. */
export type VerifyResult =
  | {
      /** The signature matches and the token has not expired. */
      readonly status: 'valid';
      readonly valid: true;
      readonly token: DecodedToken;
      /** Unix time (seconds) at which the token expires. */
      readonly expiresAt: number;
    }
  | {
      /** `bad-signature`: not signed with this certificate (checked before expiry). `expired`: genuine, but past its time. */
      readonly status: 'bad-signature' | 'expired';
      readonly valid: false;
      readonly token: DecodedToken;
      /** Unix time (seconds) at which the token expires (or would). */
      readonly expiresAt: number;
    }
  | {
      /** The token could not be decoded; `error` says why. */
      readonly status: 'malformed';
      readonly valid: false;
      readonly error: AgoraTokenError;
    };

function nowSeconds(now: Date | number | undefined): number {
  if (now === undefined) return Math.floor(Date.now() / 1000);
  if (now instanceof Date) return Math.floor(now.getTime() / 1000);
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new AgoraTokenError('ERR_INVALID_ARGUMENT', 'options.now must be a Date or a finite number of Unix seconds', {
      argument: 'options.now',
    });
  }
  return now;
}

/**
 * Checks a token's signature against an App Certificate, then its expiry.
 *
 * The signature is compared in constant time. A token that cannot be
 * decoded is reported as `malformed` rather than thrown, so one `switch`
 * handles every outcome. A certificate that is not 32 hex characters cannot
 * have signed any token, so it yields `bad-signature`.
 *
 * @param token - the token string.
 * @param appCertificate - the App Certificate the token should be signed with.
 * @param options - `now`, to verify at another time than the system clock's.
 * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` only when
 *   `appCertificate` is not a string or `options.now` is not a time.
 *
 * @example
 * ```ts
 * const result = verifyToken(token, appCertificate);
 * if (result.status === 'valid') console.log('good until', new Date(result.expiresAt * 1000));
 * ```
 */
export function verifyToken(token: string, appCertificate: string, options: VerifyOptions = {}): VerifyResult {
  if (typeof appCertificate !== 'string') {
    throw new AgoraTokenError('ERR_INVALID_ARGUMENT', 'appCertificate must be a string of 32 hexadecimal characters', {
      argument: 'appCertificate',
    });
  }
  const now = nowSeconds(options.now);
  let parsed: ReturnType<typeof parseToken>;
  try {
    parsed = parseToken(token);
  } catch (error) {
    if (error instanceof AgoraTokenError) return { status: 'malformed', valid: false, error };
    throw error;
  }
  const { token: decoded, signature, signingInfo } = parsed;
  const expiresAt = decoded.issueTs + decoded.expire;
  const expected = signToken2(appCertificate, decoded.issueTs, decoded.salt, signingInfo);
  if (!bytesEqual(signature, expected)) {
    return { status: 'bad-signature', valid: false, token: decoded, expiresAt };
  }
  if (now >= expiresAt) return { status: 'expired', valid: false, token: decoded, expiresAt };
  return { status: 'valid', valid: true, token: decoded, expiresAt };
}
