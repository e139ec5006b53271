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
