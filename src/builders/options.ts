import { assertU32, checkOptions, optionalBoolean } from '../_internal/assert.js';
import type { AccessToken2Options } from '../token2/access-token2.js';

/**
 * The optional last argument of every high-level builder.
 *
 * @example
 * ```ts
 * // A reproducible token, for tests and golden files:
 * ChatTokenBuilder2.buildUserToken(appId, appCertificate, 'alice', 600, { issueTs: 1700000000, salt: 1 });
 * ```
 */
export interface BuildOptions extends AccessToken2Options {
  /**
   * Allow a token expire over 86,400 seconds (24 hours). Off by default:
   * Agora caps chat user tokens at 24 hours, and a larger value is most often
   * an absolute Unix time passed where seconds-from-now were meant.
   */
  allowLongExpire?: boolean;
}

/** Picks the options AccessToken2 takes, so unknown keys are not passed on. */
export function tokenOptions(options: BuildOptions | undefined): AccessToken2Options {
  if (options === undefined) return {};
  return { issueTs: options.issueTs, salt: options.salt };
}

const BUILD_OPTION_KEYS = ['issueTs', 'salt', 'allowLongExpire'] as const;

/**
 * Checks the options argument of an AccessToken2 builder like any other
 * argument: `undefined`, or an object with only `issueTs`, `salt` (u32) and
 * `allowLongExpire` (boolean).
 */
export function assertBuildOptions(options: unknown): asserts options is BuildOptions | undefined {
  const { issueTs, salt, allowLongExpire } = checkOptions(options, 'options', BUILD_OPTION_KEYS);
  if (issueTs !== undefined) assertU32(issueTs, 'options.issueTs');
  if (salt !== undefined) assertU32(salt, 'options.salt');
  optionalBoolean(allowLongExpire, 'options.allowLongExpire');
}
