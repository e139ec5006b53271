/**
 * A drop-in for npm `agora-token` 2.0.6: the same exported names and call
 * signatures, backed by this library's builders. Switch by changing the
 * import only:
 *
 * ```ts
 * // import { RtcTokenBuilder, RtcRole } from 'agora-token';
 * import { RtcTokenBuilder, RtcRole } from 'agora-token-builder/compat/agora-token';
 * ```
 *
 * Tokens are the same as `agora-token` makes (apart from the bugs listed in
 * the README, where these follow Agora's C++ and Python references). The one
 * deliberate difference in behaviour: invalid input throws
 * {@link AgoraTokenError} where `agora-token` returned `''`, threw a
 * `TypeError`/`RangeError`, or built a broken token. As in `agora-token`,
 * there is no 24-hour limit on expires here.
 *
 * @module agora-token-builder/compat/agora-token
 */
import { accountToString } from '../_internal/assert.js';
import { ApaasTokenBuilder as CoreApaasTokenBuilder } from '../builders/apaas.js';
import { ChatTokenBuilder2 } from '../builders/chat.js';
import { assertCredentials } from '../builders/checks.js';
import { ConvoAITokenBuilder as CoreConvoAITokenBuilder, SttTokenBuilder as CoreSttTokenBuilder } from '../builders/convoai.js';
import { FpaTokenBuilder as CoreFpaTokenBuilder } from '../builders/fpa.js';
import type { BuildOptions } from '../builders/options.js';
import { RtcRole as CoreRtcRole, RtcTokenBuilder2, type RtcRole as RtcRoleValue } from '../builders/rtc.js';
import { Rtm2Permissions, RtmTokenBuilder2, type Rtm2PermissionsLike } from '../builders/rtm.js';
import type { Rtm2PermissionMap } from '../token2/services.js';
import { useNodePlatform } from '../node-platform.js';

useNodePlatform();

export { AgoraTokenError, type AgoraTokenErrorCode } from '../errors.js';
export { Rtm2Permissions };

/** `agora-token` has no 24-hour limit, so neither has its drop-in; the clock and a secure salt are used. */
const NO_LIMIT: BuildOptions = { allowLongExpire: true };

/** Checks the credentials first (as every builder does), then turns a numeric account into its string. */
function checkedAccount(appId: string, appCertificate: string, value: string | number, argument: string): string {
  assertCredentials(appId, appCertificate);
  return accountToString(value, argument);
}

/**
 * `RtcRole` of `agora-token`: PUBLISHER 1, SUBSCRIBER 2. Other values are
 * rejected (agora-token treated them as SUBSCRIBER).
 */
export const RtcRole = CoreRtcRole;

/** `RtcTokenBuilder` of `agora-token`: RTC tokens on AccessToken2 ("007"). See {@link RtcTokenBuilder2}. */
export class RtcTokenBuilder {
  private constructor() {}

  /**
   * {@link RtcTokenBuilder2.buildTokenWithUid} without the 24-hour limit.
   *
   * @param uid - an integer from 0 to 2^32-1, or the decimal string of one (0: any uid).
   * @param role - {@link RtcRole}.PUBLISHER or {@link RtcRole}.SUBSCRIBER.
   * @param tokenExpire - seconds from now until the token expires.
   * @param privilegeExpire - seconds from now until the privileges expire (0, the default: the token expire).
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for any invalid argument.
   * @example
   * ```ts
   * RtcTokenBuilder.buildTokenWithUid(appId, appCertificate, 'room-1', 42, RtcRole.PUBLISHER, 3600, 3600);
   * ```
   */
  static buildTokenWithUid(
    appId: string,
    appCertificate: string,
    channelName: string,
    uid: string | number,
    role: number,
    tokenExpire: number,
    privilegeExpire: number = 0,
  ): string {
    return RtcTokenBuilder2.buildTokenWithUid(appId, appCertificate, channelName, uid, role as RtcRoleValue, tokenExpire, privilegeExpire, NO_LIMIT);
  }

  /**
   * {@link RtcTokenBuilder2.buildTokenWithUserAccount} without the 24-hour limit.
   *
   * @param account - the user account; a number is packed as its decimal string (0 as "").
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for any invalid argument.
   * @example
   * ```ts
   * RtcTokenBuilder.buildTokenWithUserAccount(appId, appCertificate, 'room-1', 'alice', RtcRole.SUBSCRIBER, 3600, 3600);
   * ```
   */
  static buildTokenWithUserAccount(
    appId: string,
    appCertificate: string,
    channelName: string,
    account: string | number,
    role: number,
    tokenExpire: number,
    privilegeExpire: number = 0,
  ): string {
    const name = checkedAccount(appId, appCertificate, account, 'account');
    return RtcTokenBuilder2.buildTokenWithUserAccount(appId, appCertificate, channelName, name, role as RtcRoleValue, tokenExpire, privilegeExpire, NO_LIMIT);
  }

  /**
   * {@link RtcTokenBuilder2.buildTokenWithUidAndPrivilege} without the 24-hour limit.
   *
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for any invalid argument.
   * @example
   * ```ts
   * RtcTokenBuilder.buildTokenWithUidAndPrivilege(appId, appCertificate, 'room-1', 42, 3600, 3600, 600, 600, 0);
   * ```
   */
  static buildTokenWithUidAndPrivilege(
    appId: string,
    appCertificate: string,
    channelName: string,
    uid: string | number,
    tokenExpire: number,
    joinChannelPrivilegeExpire: number,
    pubAudioPrivilegeExpire: number,
    pubVideoPrivilegeExpire: number,
    pubDataStreamPrivilegeExpire: number,
  ): string {
    return RtcTokenBuilder2.buildTokenWithUidAndPrivilege(
      appId,
      appCertificate,
      channelName,
      uid,
      tokenExpire,
      joinChannelPrivilegeExpire,
      pubAudioPrivilegeExpire,
      pubVideoPrivilegeExpire,
      pubDataStreamPrivilegeExpire,
      NO_LIMIT,
    );
  }

  /**
   * {@link RtcTokenBuilder2.buildTokenWithUserAccountAndPrivilege} without the
   * 24-hour limit, under `agora-token`'s capitalised name.
   *
   * @param account - the user account; a number is packed as its decimal string (0 as "").
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for any invalid argument.
   * @example
   * ```ts
   * RtcTokenBuilder.BuildTokenWithUserAccountAndPrivilege(appId, appCertificate, 'room-1', 'alice', 3600, 3600, 0, 0, 0);
   * ```
   */
  static BuildTokenWithUserAccountAndPrivilege(
    appId: string,
    appCertificate: string,
    channelName: string,
    account: string | number,
    tokenExpire: number,
    joinChannelPrivilegeExpire: number,
    pubAudioPrivilegeExpire: number,
    pubVideoPrivilegeExpire: number,
    pubDataStreamPrivilegeExpire: number,
  ): string {
    const name = checkedAccount(appId, appCertificate, account, 'account');
    return RtcTokenBuilder2.buildTokenWithUserAccountAndPrivilege(
      appId,
      appCertificate,
      channelName,
      name,
      tokenExpire,
      joinChannelPrivilegeExpire,
      pubAudioPrivilegeExpire,
      pubVideoPrivilegeExpire,
      pubDataStreamPrivilegeExpire,
      NO_LIMIT,
    );
  }

  /**
   * {@link RtcTokenBuilder2.buildTokenWithRtm} without the 24-hour limit.
   *
   * @param account - the RTC account and RTM user id; a number is packed as its decimal string (0 as "").
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for any invalid argument.
   * @example
   * ```ts
   * RtcTokenBuilder.buildTokenWithRtm(appId, appCertificate, 'room-1', 'alice', RtcRole.PUBLISHER, 3600, 3600);
   * ```
   */
  static buildTokenWithRtm(
    appId: string,
    appCertificate: string,
    channelName: string,
    account: string | number,
    role: number,
    tokenExpire: number,
    privilegeExpire: number = 0,
  ): string {
    const name = checkedAccount(appId, appCertificate, account, 'account');
    return RtcTokenBuilder2.buildTokenWithRtm(appId, appCertificate, channelName, name, role as RtcRoleValue, tokenExpire, privilegeExpire, NO_LIMIT);
  }

  /**
   * {@link RtcTokenBuilder2.buildTokenWithRtm2} without the 24-hour limit.
   *
   * @param rtcAccount - the RTC account; a number is packed as its decimal string (0 as "").
   * @param rtmUserId - the RTM user id; a number is packed as its decimal string (0 as "").
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for any invalid argument.
   * @example
   * ```ts
   * RtcTokenBuilder.buildTokenWithRtm2(appId, appCertificate, 'room-1', 42, RtcRole.PUBLISHER, 3600, 3600, 3600, 3600, 3600, 'alice', 3600);
   * ```
   */
  static buildTokenWithRtm2(
    appId: string,
    appCertificate: string,
    channelName: string,
    rtcAccount: string | number,
    rtcRole: number,
    rtcTokenExpire: number,
    joinChannelPrivilegeExpire: number,
    pubAudioPrivilegeExpire: number,
    pubVideoPrivilegeExpire: number,
    pubDataStreamPrivilegeExpire: number,
    rtmUserId: string | number,
    rtmTokenExpire: number,
  ): string {
    return RtcTokenBuilder2.buildTokenWithRtm2(
      ...rtcRtmArguments(
        appId,
        appCertificate,
        channelName,
        rtcAccount,
        rtcRole,
        rtcTokenExpire,
        joinChannelPrivilegeExpire,
        pubAudioPrivilegeExpire,
        pubVideoPrivilegeExpire,
        pubDataStreamPrivilegeExpire,
        rtmUserId,
        rtmTokenExpire,
      ),
    );
  }
}

/** The 12 arguments of buildTokenWithRtm2, ConvoAI and Stt, with numeric accounts turned into strings. */
function rtcRtmArguments(
  appId: string,
  appCertificate: string,
  channelName: string,
  rtcAccount: string | number,
  rtcRole: number,
  rtcTokenExpire: number,
  join: number,
  audio: number,
  video: number,
  data: number,
  rtmUserId: string | number,
  rtmTokenExpire: number,
) {
  const rtcName = checkedAccount(appId, appCertificate, rtcAccount, 'rtcAccount');
  const rtmName = accountToString(rtmUserId, 'rtmUserId');
  return [
    appId,
    appCertificate,
    channelName,
    rtcName,
    rtcRole as RtcRoleValue,
    rtcTokenExpire,
    join,
    audio,
    video,
    data,
    rtmName,
    rtmTokenExpire,
    NO_LIMIT,
  ] as const;
}

/** `RtmTokenBuilder` of `agora-token`: RTM tokens on AccessToken2. See {@link RtmTokenBuilder2}. */
export class RtmTokenBuilder {
  private constructor() {}

  /**
   * {@link RtmTokenBuilder2.buildToken} without the 24-hour limit.
   *
   * @param userId - the RTM user id; a number is packed as its decimal string (0 as "").
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for any invalid argument.
   * @example
   * ```ts
   * RtmTokenBuilder.buildToken(appId, appCertificate, 'alice', 3600);
   * ```
   */
  static buildToken(appId: string, appCertificate: string, userId: string | number, expire: number): string {
    const name = checkedAccount(appId, appCertificate, userId, 'userId');
    return RtmTokenBuilder2.buildToken(appId, appCertificate, name, expire, NO_LIMIT);
  }

  /**
   * {@link RtmTokenBuilder2.buildTokenWithPermissions} without the 24-hour limit.
   *
   * @param userId - the RTM user id; a number is packed as its decimal string (0 as "").
   * @param permissions - an {@link Rtm2Permissions} (this one or `agora-token`'s) or a plain permission map.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for any invalid argument.
   * @example
   * ```ts
   * const permissions = new Rtm2Permissions();
   * permissions.add(Rtm2Permissions.kMessageChannels, Rtm2Permissions.kRead, ['news']);
   * RtmTokenBuilder.buildTokenWithPermissions(appId, appCertificate, 'alice', permissions, 3600);
   * ```
   */
  static buildTokenWithPermissions(
    appId: string,
    appCertificate: string,
    userId: string | number,
    permissions: Rtm2Permissions | Rtm2PermissionsLike | Rtm2PermissionMap,
    expire: number,
  ): string {
    const name = checkedAccount(appId, appCertificate, userId, 'userId');
    return RtmTokenBuilder2.buildTokenWithPermissions(appId, appCertificate, name, permissions, expire, NO_LIMIT);
  }
}

/** `ChatTokenBuilder` of `agora-token`. See {@link ChatTokenBuilder2}. */
export class ChatTokenBuilder {
  private constructor() {}

  /**
   * {@link ChatTokenBuilder2.buildUserToken} without the 24-hour limit.
   *
   * @param userId - the chat user id, not empty; a number is packed as its decimal string (0 is empty).
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for any invalid argument, including an empty user id.
   * @example
   * ```ts
   * ChatTokenBuilder.buildUserToken(appId, appCertificate, chatUserUuid, 3600);
   * ```
   */
  static buildUserToken(appId: string, appCertificate: string, userId: string | number, expire: number): string {
    const name = checkedAccount(appId, appCertificate, userId, 'userId');
    return ChatTokenBuilder2.buildUserToken(appId, appCertificate, name, expire, NO_LIMIT);
  }

  /**
   * {@link ChatTokenBuilder2.buildAppToken} without the 24-hour limit.
   *
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for any invalid argument.
   * @example
   * ```ts
   * ChatTokenBuilder.buildAppToken(appId, appCertificate, 600);
   * ```
   */
  static buildAppToken(appId: string, appCertificate: string, expire: number): string {
    return ChatTokenBuilder2.buildAppToken(appId, appCertificate, expire, NO_LIMIT);
  }
}

/** `FpaTokenBuilder` of `agora-token`. See the library's {@link CoreFpaTokenBuilder | FpaTokenBuilder}. */
export class FpaTokenBuilder {
  private constructor() {}

  /**
   * Builds an FPA token, valid for 24 hours.
   *
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for an invalid App ID or certificate.
   * @example
   * ```ts
   * FpaTokenBuilder.buildToken(appId, appCertificate);
   * ```
   */
  static buildToken(appId: string, appCertificate: string): string {
    return CoreFpaTokenBuilder.buildToken(appId, appCertificate);
  }
}

/**
 * `ApaasTokenBuilder` of `agora-token`, following Agora's C++ and Python
 * references where `agora-token` has bugs: room user tokens grant the
 * `roomUser` privilege, and role 0 is packed as 0 (not -1).
 */
export class ApaasTokenBuilder {
  protected constructor() {}

  /**
   * See the library's `ApaasTokenBuilder.buildRoomUserToken`; no 24-hour limit.
   *
   * @param userUuid - the user's id; a number is packed as its decimal string (0 as "").
   * @param role - a signed 16-bit role; 0 stays 0.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for any invalid argument.
   * @example
   * ```ts
   * ApaasTokenBuilder.buildRoomUserToken(appId, appCertificate, 'room-1', 'student-7', 2, 3600);
   * ```
   */
  static buildRoomUserToken(
    appId: string,
    appCertificate: string,
    roomUuid: string,
    userUuid: string | number,
    role: number,
    expire: number,
  ): string {
    const name = checkedAccount(appId, appCertificate, userUuid, 'userUuid');
    return CoreApaasTokenBuilder.buildRoomUserToken(appId, appCertificate, roomUuid, name, role, expire, NO_LIMIT);
  }

  /**
   * See the library's `ApaasTokenBuilder.buildUserToken`; no 24-hour limit.
   *
   * @param userUuid - the user's id; a number is packed as its decimal string (0 as "").
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for any invalid argument.
   * @example
   * ```ts
   * ApaasTokenBuilder.buildUserToken(appId, appCertificate, 'student-7', 3600);
   * ```
   */
  static buildUserToken(appId: string, appCertificate: string, userUuid: string | number, expire: number): string {
    const name = checkedAccount(appId, appCertificate, userUuid, 'userUuid');
    return CoreApaasTokenBuilder.buildUserToken(appId, appCertificate, name, expire, NO_LIMIT);
  }

  /**
   * See the library's `ApaasTokenBuilder.buildAppToken`; no 24-hour limit.
   *
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for any invalid argument.
   * @example
   * ```ts
   * ApaasTokenBuilder.buildAppToken(appId, appCertificate, 600);
   * ```
   */
  static buildAppToken(appId: string, appCertificate: string, expire: number): string {
    return CoreApaasTokenBuilder.buildAppToken(appId, appCertificate, expire, NO_LIMIT);
  }
}

/** `EducationTokenBuilder` of `agora-token`: the same builders as {@link ApaasTokenBuilder}. */
export class EducationTokenBuilder extends ApaasTokenBuilder {
  private constructor() {
    super();
  }
}

/** `ConvoAITokenBuilder` of `agora-token`. See the library's `ConvoAITokenBuilder`. */
export class ConvoAITokenBuilder {
  private constructor() {}

  /**
   * See the library's `ConvoAITokenBuilder.buildToken`; no 24-hour limit.
   *
   * @param rtcAccount - the RTC account; a number is packed as its decimal string (0 as "").
   * @param rtmUserId - the RTM user id; a number is packed as its decimal string (0 as "").
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for any invalid argument.
   * @example
   * ```ts
   * ConvoAITokenBuilder.buildToken(appId, appCertificate, 'room-1', 1001, RtcRole.PUBLISHER, 3600, 3600, 3600, 3600, 3600, 'agent', 3600);
   * ```
   */
  static buildToken(
    appId: string,
    appCertificate: string,
    channelName: string,
    rtcAccount: string | number,
    rtcRole: number,
    rtcTokenExpire: number,
    joinChannelPrivilegeExpire: number,
    pubAudioPrivilegeExpire: number,
    pubVideoPrivilegeExpire: number,
    pubDataStreamPrivilegeExpire: number,
    rtmUserId: string | number,
    rtmTokenExpire: number,
  ): string {
    return CoreConvoAITokenBuilder.buildToken(
      ...rtcRtmArguments(
        appId,
        appCertificate,
        channelName,
        rtcAccount,
        rtcRole,
        rtcTokenExpire,
        joinChannelPrivilegeExpire,
        pubAudioPrivilegeExpire,
        pubVideoPrivilegeExpire,
        pubDataStreamPrivilegeExpire,
        rtmUserId,
        rtmTokenExpire,
      ),
    );
  }
}

/** `SttTokenBuilder` of `agora-token`. See the library's `SttTokenBuilder`. */
export class SttTokenBuilder {
  private constructor() {}

  /**
   * See the library's `SttTokenBuilder.buildToken`; no 24-hour limit.
   *
   * @param rtcAccount - the RTC account; a number is packed as its decimal string (0 as "").
   * @param rtmUserId - the RTM user id; a number is packed as its decimal string (0 as "").
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} for any invalid argument.
   * @example
   * ```ts
   * SttTokenBuilder.buildToken(appId, appCertificate, 'room-1', 2002, RtcRole.SUBSCRIBER, 3600, 3600, 0, 0, 0, 'stt-bot', 3600);
   * ```
   */
  static buildToken(
    appId: string,
    appCertificate: string,
    channelName: string,
    rtcAccount: string | number,
    rtcRole: number,
    rtcTokenExpire: number,
    joinChannelPrivilegeExpire: number,
    pubAudioPrivilegeExpire: number,
    pubVideoPrivilegeExpire: number,
    pubDataStreamPrivilegeExpire: number,
    rtmUserId: string | number,
    rtmTokenExpire: number,
  ): string {
    return CoreSttTokenBuilder.buildToken(
      ...rtcRtmArguments(
        appId,
        appCertificate,
        channelName,
        rtcAccount,
        rtcRole,
        rtcTokenExpire,
        joinChannelPrivilegeExpire,
        pubAudioPrivilegeExpire,
        pubVideoPrivilegeExpire,
        pubDataStreamPrivilegeExpire,
        rtmUserId,
        rtmTokenExpire,
      ),
    );
  }
}
