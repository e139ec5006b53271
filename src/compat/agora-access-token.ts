/**
 * A drop-in for npm `agora-access-token` 2.0.4 (legacy "006" tokens): the same
 * exported names and call signatures, backed by this library. Switch by
 * changing the import only:
 *
 * ```ts
 * // import { RtcTokenBuilder, RtcRole } from 'agora-access-token';
 * import { RtcTokenBuilder, RtcRole } from 'agora-token-builder/compat/agora-access-token';
 * ```
 *
 * Tokens are the same as `agora-access-token` makes, except that each token
 * gets a fresh secure salt (`agora-access-token` drew one salt per process).
 * Invalid input throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` where
 * `agora-access-token` threw another error or built a broken token: a value
 * that cannot be packed at all (wrong type, NaN, out of the u32 range, an
 * unknown role). Like `agora-access-token`, and unlike this library's own
 * 006 builders, there is no past-timestamp guard: a `privilegeExpiredTs`
 * already past builds an already expired token.
 *
 * @module agora-token-builder/compat/agora-access-token
 */
import { accountToString } from '../_internal/assert.js';
import { assertCredentials } from '../builders/checks.js';
import {
  RtcRole006,
  RtcTokenBuilder as CoreRtcTokenBuilder,
  RtmRole006,
  RtmTokenBuilder as CoreRtmTokenBuilder,
  type RtcRole006 as RtcRoleValue,
  type BuildOptions006,
  type RtmRole006 as RtmRoleValue,
} from '../builders/legacy.js';

import { useNodePlatform } from '../node-platform.js';

useNodePlatform();

export { AgoraTokenError, type AgoraTokenErrorCode } from '../errors.js';

/** `agora-access-token` builds a token whatever time it is given, so its drop-in does too. */
const AS_GIVEN: BuildOptions006 = { allowPastTimestamp: true };

/** `RtcRole` of `agora-access-token`: ATTENDEE 0, PUBLISHER 1, SUBSCRIBER 2, ADMIN 101. */
export const RtcRole = RtcRole006;

/** `RtmRole` of `agora-access-token`: Rtm_User 1. */
export const RtmRole = RtmRole006;

/** `RtcTokenBuilder` of `agora-access-token`: 006 RTC tokens. */
export class RtcTokenBuilder {
  private constructor() {}

  /**
   * Builds a 006 RTC token for a numeric uid; every role but SUBSCRIBER
   * also gets the publish privileges.
   *
   * @param appID - the App ID (32 hex characters).
   * @param appCertificate - the App Certificate (32 hex characters).
   * @param channelName - the channel to join.
   * @param uid - an integer from 0 to 2^32-1 (or its decimal string); 0 lets any uid join.
   * @param role - a {@link RtcRole} value.
   * @param privilegeExpiredTs - **absolute** Unix time (seconds) at which the privileges expire, or 0 for none;
   *   a time already past builds an already expired token, as in `agora-access-token`.
   * @returns the token string, `"006…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT`.
   * @example
   * ```ts
   * const expiresAt = Math.floor(Date.now() / 1000) + 3600;
   * RtcTokenBuilder.buildTokenWithUid(appID, appCertificate, 'room-1', 42, RtcRole.PUBLISHER, expiresAt);
   * ```
   */
  static buildTokenWithUid(
    appID: string,
    appCertificate: string,
    channelName: string,
    uid: number | string,
    role: number,
    privilegeExpiredTs: number,
  ): string {
    return CoreRtcTokenBuilder.buildTokenWithUid(appID, appCertificate, channelName, uid, role as RtcRoleValue, privilegeExpiredTs, AS_GIVEN);
  }

  /**
   * Builds a 006 RTC token for a string account.
   *
   * @param appID - the App ID (32 hex characters).
   * @param appCertificate - the App Certificate (32 hex characters).
   * @param channelName - the channel to join.
   * @param account - the user account; a number is packed as its decimal string (0 as "").
   * @param role - a {@link RtcRole} value.
   * @param privilegeExpiredTs - **absolute** Unix time (seconds) at which the privileges expire, or 0 for none;
   *   a time already past builds an already expired token, as in `agora-access-token`.
   * @returns the token string, `"006…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT`.
   * @example
   * ```ts
   * const expiresAt = Math.floor(Date.now() / 1000) + 3600;
   * RtcTokenBuilder.buildTokenWithAccount(appID, appCertificate, 'room-1', 'alice', RtcRole.PUBLISHER, expiresAt);
   * ```
   */
  static buildTokenWithAccount(
    appID: string,
    appCertificate: string,
    channelName: string,
    account: string,
    role: number,
    privilegeExpiredTs: number,
  ): string {
    assertCredentials(appID, appCertificate);
    const name = accountToString(account, 'account');
    return CoreRtcTokenBuilder.buildTokenWithAccount(appID, appCertificate, channelName, name, role as RtcRoleValue, privilegeExpiredTs, AS_GIVEN);
  }
}

/** `RtmTokenBuilder` of `agora-access-token`: 006 RTM tokens. */
export class RtmTokenBuilder {
  private constructor() {}

  /**
   * Builds a 006 RTM login token.
   *
   * @param appID - the App ID (32 hex characters).
   * @param appCertificate - the App Certificate (32 hex characters).
   * @param account - the RTM user account; a number is packed as its decimal string (0 as "").
   * @param role - {@link RtmRole}.Rtm_User, the only role.
   * @param privilegeExpiredTs - **absolute** Unix time (seconds) at which the login expires, or 0 for none;
   *   a time already past builds an already expired token, as in `agora-access-token`.
   * @returns the token string, `"006…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT`.
   * @example
   * ```ts
   * const expiresAt = Math.floor(Date.now() / 1000) + 3600;
   * RtmTokenBuilder.buildToken(appID, appCertificate, 'alice', RtmRole.Rtm_User, expiresAt);
   * ```
   */
  static buildToken(appID: string, appCertificate: string, account: string | number, role: number, privilegeExpiredTs: number): string {
    assertCredentials(appID, appCertificate);
    const name = accountToString(account, 'account');
    return CoreRtmTokenBuilder.buildToken(appID, appCertificate, name, role as RtmRoleValue, privilegeExpiredTs, AS_GIVEN);
  }
}
