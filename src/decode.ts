import { accountToString, assertHexId, assertPackableString, checkOptions, optionalTime, unixNow } from './_internal/assert.js';
import { currentPlatform, settled, andThen, type Maybe, type Platform } from './_internal/platform/platform.js';
import { AgoraTokenError } from './errors.js';
import { VERSION_006 } from './token006/access-token.js';
import { parseToken006Body, verifyToken006Signature, type DecodedToken006, type ParsedToken006 } from './token006/parse.js';
import { signToken2, VERSION_007 } from './token2/access-token2.js';
import { parseToken007Body, type DecodedToken007, type ParsedToken007 } from './token2/parse.js';

/**
 * A decoded token of any supported version; switch on `version`:
 * `"007"` (AccessToken2) or `"006"` (the legacy AccessToken).
 */
export type DecodedToken = DecodedToken007 | DecodedToken006;

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
  const padded = /^\s+(00[67])/.exec(token)?.[1];
  const shown =
    padded !== undefined
      ? `whitespace before "${padded}": remove the spaces or line breaks around the token`
      : /^[0-9]{3}/.test(token)
        ? `"${token.slice(0, 3)}"`
        : 'no version number';
  return new AgoraTokenError(
    'ERR_TOKEN_VERSION',
    `token must start with the version "007" or "006" (got ${shown})`,
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
 * @param token - a token string, `"007…"` or `"006…"`.
 * @returns the token's fields as a plain object; its `version` says which format it was.
 * @throws {@link AgoraTokenError} with `ERR_TOKEN_VERSION`, `ERR_TOKEN_MALFORMED`
 *   or `ERR_TOKEN_TOO_LARGE`; never any other error, whatever the input.
 *
 * @example
 * ```ts
 * const decoded = decodeToken(token);
 * // when it expires, in Unix seconds:
 * console.log(decoded.version === '007' ? decoded.issueTs + decoded.expire : decoded.ts);
 * ```
 */
export function decodeToken(token: string): DecodedToken {
  return settled(andThen(parseToken(currentPlatform(), token), (parsed) => parsed.token));
}

function parseToken(platform: Platform, token: unknown): Maybe<ParsedToken007 | ParsedToken006> {
  checkTokenString(token);
  if (/\s/.test(token.charAt(token.length - 1)) && (token.startsWith(VERSION_007) || token.startsWith(VERSION_006))) {
    throw new AgoraTokenError('ERR_TOKEN_MALFORMED', 'token is malformed: whitespace follows it (a space or line break after the token): remove it');
  }
  if (token.startsWith(VERSION_007)) return parseToken007Body(platform, token.slice(VERSION_007.length));
  if (token.startsWith(VERSION_006)) return parseToken006Body(platform, token.slice(VERSION_006.length));
  throw unsupportedVersion(token);
}

/** The error of a token that cannot be decoded; any other error (a missing platform primitive) is thrown on. */
function undecodable(error: unknown): AgoraTokenError {
  if (error instanceof AgoraTokenError && error.code !== 'ERR_PLATFORM_UNSUPPORTED') return error;
  throw error;
}

/** Options of {@link verifyToken}. */
export interface VerifyOptions {
  /**
   * The time to judge expiry at: a Date holding a valid time, or a finite
   * number of Unix seconds (not milliseconds) within a Date's range, plus or
   * minus 8,640,000,000,000. Default: the system clock. Anything
   * else (an invalid Date, NaN, a string...) is an `ERR_INVALID_ARGUMENT`,
   * never a verdict.
   */
  now?: Date | number;
  /**
   * 006 tokens only, and required for them: the channel name the token was
   * built for (for an RTM 006 token, the user account). A 006 token holds
   * only a CRC-32 of it, but its signature covers the name itself.
   */
  channelName?: string;
  /**
   * 006 tokens only, and required for them: the uid or account the token was
   * built for; the number 0 (or "") for a token that any uid may use, and ""
   * for an RTM 006 token.
   */
  uid?: string | number;
}

/** The channel name and uid a 006 token is verified against; their absence is an argument error. */
function channelAndUid(options: VerifyOptions): { channelName: string; uid: string } {
  const { channelName, uid } = options;
  if (channelName === undefined || uid === undefined) {
    const missing = channelName === undefined ? 'options.channelName' : 'options.uid';
    throw new AgoraTokenError(
      'ERR_INVALID_ARGUMENT',
      `${missing} is required to verify a 006 token: the token holds only CRC-32s of its channel name and uid, ` +
        'and its signature covers the values themselves (pass uid 0 or "" for a token any uid may use)',
      { argument: missing },
    );
  }
  assertPackableString(channelName, 'options.channelName');
  return { channelName, uid: accountToString(uid, 'options.uid') };
}

/** How {@link verifyToken} judged a token. */
export type VerifyStatus = 'valid' | 'bad-signature' | 'expired' | 'malformed';

/** The result of {@link verifyToken}; switch on `status`. */
export type VerifyResult =
  | {
      /** The signature matches and the token has not expired. */
      readonly status: 'valid';
      /** True: the token is genuine and current. */
      readonly valid: true;
      /** The decoded token. */
      readonly token: DecodedToken;
      /** Unix time (seconds) at which the token expires. */
      readonly expiresAt: number;
    }
  | {
      /** `bad-signature`: not signed with this certificate (checked before expiry). `expired`: genuine, but past its time. */
      readonly status: 'bad-signature' | 'expired';
      /** False: do not accept the token. */
      readonly valid: false;
      /** The decoded token (not to be trusted when the signature is bad). */
      readonly token: DecodedToken;
      /** Unix time (seconds) at which the token expires (or would). */
      readonly expiresAt: number;
    }
  | {
      /** The token could not be decoded; `error` says why. */
      readonly status: 'malformed';
      /** False: do not accept the token. */
      readonly valid: false;
      /** Why the token could not be decoded. */
      readonly error: AgoraTokenError;
    };

const VERIFY_OPTION_KEYS = ['now', 'channelName', 'uid'] as const;

/** Checks the options of {@link verifyToken} like arguments, whatever the token's version. */
function verifyOptions(options: unknown): { now: number; checked: VerifyOptions } {
  const checked = checkOptions(options, 'options', VERIFY_OPTION_KEYS);
  // An invalid time must never reach the expiry test: NaN >= expiresAt is false, which would read as valid.
  const now = optionalTime(checked.now, 'options.now') ?? unixNow();
  if (checked.channelName !== undefined) assertPackableString(checked.channelName, 'options.channelName');
  if (checked.uid !== undefined) accountToString(checked.uid, 'options.uid');
  return { now, checked: checked as VerifyOptions };
}

/**
 * Checks a token's signature against an App Certificate, then its expiry.
 *
 * The signature is compared in constant time. A token that cannot be
 * decoded is reported as `malformed` rather than thrown, so one `switch`
 * handles every outcome. The certificate is checked as the builders check
 * it: anything but 32 hexadecimal characters (an empty or unset
 * `AGORA_APP_CERTIFICATE`, a truncated one) throws, rather than calling
 * every token forged.
 *
 * A legacy 006 token signs its channel name and uid but carries only their
 * CRC-32s, so verifying one needs `options.channelName` and `options.uid`; a
 * token signed for other values, or whose CRCs do not match them, is
 * `bad-signature`. A 006 token is `expired` at `now >= ts` (its `ts` is an
 * absolute time); its privilege times are not part of that check.
 *
 * @param token - the token string, `"007…"` or `"006…"`.
 * @param appCertificate - the App Certificate the token should be signed with.
 * @param options - `now`, to verify at another time than the system clock's;
 *   for 006 tokens, `channelName` and `uid`.
 * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` only when
 *   `appCertificate` is not 32 hexadecimal characters; `options` is not an object (or
 *   `undefined`) or holds a key other than `now`, `channelName` and `uid`;
 *   `options.now` is not a valid time; `options.channelName` or
 *   `options.uid` is given with a wrong type; or a 006 token is given
 *   without them.
 *
 * @example
 * ```ts
 * const result = verifyToken(token, appCertificate);
 * if (result.status === 'valid') console.log('good until', new Date(result.expiresAt * 1000));
 *
 * // A 006 token also needs the channel and uid it was built for:
 * verifyToken(token006, appCertificate, { channelName: 'room-1', uid: 42 });
 * ```
 */
export function verifyToken(token: string, appCertificate: string, options?: VerifyOptions): VerifyResult {
  // Checked like the builders check it: an empty or mangled certificate is a
  // configuration mistake, which must not read as "every token is forged".
  assertHexId(appCertificate, 'appCertificate');
  const { now, checked } = verifyOptions(options);
  const platform = currentPlatform();
  let parsed: Maybe<ParsedToken007 | ParsedToken006 | AgoraTokenError>;
  try {
    parsed = parseToken(platform, token);
    if (parsed instanceof Promise) parsed = parsed.catch(undecodable);
  } catch (error) {
    parsed = undecodable(error);
  }
  return settled(
    andThen(parsed, (result): Maybe<VerifyResult> => {
      if (result instanceof AgoraTokenError) return { status: 'malformed', valid: false, error: result };
      return judge(platform, result, appCertificate, now, checked);
    }),
  );
}

/** The verdict on a token that decoded: signature first, then expiry. */
function judge(
  platform: Platform,
  parsed: ParsedToken007 | ParsedToken006,
  appCertificate: string,
  now: number,
  options: VerifyOptions,
): Maybe<VerifyResult> {
  let decoded: DecodedToken;
  let expiresAt: number;
  let signatureMatches: Maybe<boolean>;
  if (parsed.token.version === '006') {
    // 006: ts is the token's absolute expiry.
    const { channelName, uid } = channelAndUid(options);
    decoded = parsed.token;
    expiresAt = parsed.token.ts;
    signatureMatches = verifyToken006Signature(platform, parsed as ParsedToken006, appCertificate, channelName, uid);
  } else {
    const { token: token007, signature, signingInfo } = parsed as ParsedToken007;
    decoded = token007;
    expiresAt = token007.issueTs + token007.expire;
    signatureMatches = andThen(signToken2(platform, appCertificate, token007.issueTs, token007.salt, signingInfo), (expected) =>
      platform.timingSafeEqual(signature, expected),
    );
  }
  return andThen(signatureMatches, (matches) => verdict(decoded, expiresAt, matches, now));
}

function verdict(decoded: DecodedToken, expiresAt: number, signatureMatches: boolean, now: number): VerifyResult {
  if (!signatureMatches) {
    return { status: 'bad-signature', valid: false, token: decoded, expiresAt };
  }
  if (now >= expiresAt) return { status: 'expired', valid: false, token: decoded, expiresAt };
  return { status: 'valid', valid: true, token: decoded, expiresAt };
}
