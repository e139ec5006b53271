import { utf8 } from '../_internal/bytes.js';
import { currentPlatform } from '../_internal/platform/platform.js';
import { assertExpire, assertI16, assertPackableString } from '../_internal/assert.js';
import { ApaasPrivilege, ChatPrivilege, RtmPrivilege, ServiceType } from '../token2/services.js';
import { assertCredentials, newToken } from './checks.js';
import { assertBuildOptions, type BuildOptions } from './options.js';

/** The role packed where a token is not for one room user. */
const NO_ROLE = -1;

/** The Agora Chat user id of a Flexible Classroom user: the MD5 of the user uuid, all 32 hex digits. */
function chatUserId(userUuid: string): string {
  return currentPlatform().md5Hex(utf8(userUuid));
}

/**
 * Tokens for Flexible Classroom (aPaaS). Same names and argument order as
 * Agora's `ApaasTokenBuilder`; {@link EducationTokenBuilder} is the same
 * builder under its older name.
 *
 * Where the published builders disagree, this one follows Agora's C++ and
 * Python references: a room user token grants the `roomUser` privilege, the
 * chat user id keeps all 32 hex digits, and role 0 is packed as 0.
 */
export class ApaasTokenBuilder {
  protected constructor() {}

  /**
   * Builds a room user token: an Apaas service for the user in the room
   * (`roomUser` privilege), an RTM login and an Agora Chat user privilege for
   * the chat id `md5(userUuid)`, all lasting as long as the token.
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param roomUuid - the room's id.
   * @param userUuid - the user's id.
   * @param role - the user's role in the room, a signed 16-bit integer (-32768..32767); 0 stays 0.
   * @param expire - seconds from now until the token expires, at most 86,400 unless `options.allowLongExpire`.
   * @param options - a fixed `issueTs` and `salt`, or `allowLongExpire`.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_EXPIRE_LIMIT`.
   *
   * @example
   * ```ts
   * import { ApaasTokenBuilder } from 'agora-token-builder';
   *
   * const token = ApaasTokenBuilder.buildRoomUserToken(appId, appCertificate, 'room-1', 'student-7', 2, 3600);
   * ```
   */
  static buildRoomUserToken(
    appId: string,
    appCertificate: string,
    roomUuid: string,
    userUuid: string,
    role: number,
    expire: number,
    options?: BuildOptions,
  ): string {
    assertCredentials(appId, appCertificate);
    assertBuildOptions(options);
    assertPackableString(roomUuid, 'roomUuid');
    assertPackableString(userUuid, 'userUuid');
    assertI16(role, 'role');
    assertExpire(expire, 'expire', options?.allowLongExpire);
    return newToken(appId, appCertificate, expire, options)
      .addService({ type: ServiceType.Apaas, roomUuid, userUuid, role, privileges: { [ApaasPrivilege.roomUser]: expire } })
      .addService({ type: ServiceType.Rtm, userId: userUuid, privileges: { [RtmPrivilege.login]: expire } })
      .addService({ type: ServiceType.Chat, userId: chatUserId(userUuid), privileges: { [ChatPrivilege.user]: expire } })
      .build();
  }

  /**
   * Builds a user token: one Apaas service for the user, in no room and
   * with no role (-1), whose `user` privilege lasts as long as the token.
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param userUuid - the user's id.
   * @param expire - seconds from now until the token expires, at most 86,400 unless `options.allowLongExpire`.
   * @param options - a fixed `issueTs` and `salt`, or `allowLongExpire`.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_EXPIRE_LIMIT`.
   *
   * @example
   * ```ts
   * const token = ApaasTokenBuilder.buildUserToken(appId, appCertificate, 'student-7', 3600);
   * ```
   */
  static buildUserToken(appId: string, appCertificate: string, userUuid: string, expire: number, options?: BuildOptions): string {
    assertCredentials(appId, appCertificate);
    assertBuildOptions(options);
    assertPackableString(userUuid, 'userUuid');
    assertExpire(expire, 'expire', options?.allowLongExpire);
    return newToken(appId, appCertificate, expire, options)
      .addService({ type: ServiceType.Apaas, roomUuid: '', userUuid, role: NO_ROLE, privileges: { [ApaasPrivilege.user]: expire } })
      .build();
  }

  /**
   * Builds an app token, for the Flexible Classroom server APIs: one Apaas
   * service with no room, user or role, whose `app` privilege lasts as long
   * as the token. Keep it on your servers.
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param expire - seconds from now until the token expires, at most 86,400 unless `options.allowLongExpire`.
   * @param options - a fixed `issueTs` and `salt`, or `allowLongExpire`.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_EXPIRE_LIMIT`.
   *
   * @example
   * ```ts
   * const token = ApaasTokenBuilder.buildAppToken(appId, appCertificate, 600);
   * ```
   */
  static buildAppToken(appId: string, appCertificate: string, expire: number, options?: BuildOptions): string {
    assertCredentials(appId, appCertificate);
    assertBuildOptions(options);
    assertExpire(expire, 'expire', options?.allowLongExpire);
    return newToken(appId, appCertificate, expire, options)
      .addService({ type: ServiceType.Apaas, roomUuid: '', userUuid: '', role: NO_ROLE, privileges: { [ApaasPrivilege.app]: expire } })
      .build();
  }
}

/**
 * Tokens for Flexible Classroom under its older name, Agora's
 * `EducationTokenBuilder`: the same three builders as
 * {@link ApaasTokenBuilder}, making the same tokens.
 *
 * @example
 * ```ts
 * import { EducationTokenBuilder } from 'agora-token-builder';
 *
 * const token = EducationTokenBuilder.buildUserToken(appId, appCertificate, 'student-7', 3600);
 * ```
 */
export class EducationTokenBuilder extends ApaasTokenBuilder {
  private constructor() {
    super();
  }
}
