import { assertExpire, assertPackableString, invalidArgument, uidToString } from '../_internal/assert.js';
import { RtcPrivilege, RtmPrivilege, ServiceType } from '../token2/services.js';
import { assertCredentials, assertPrivilegeValues, newToken } from './checks.js';
import { assertBuildOptions, type BuildOptions } from './options.js';

/**
 * The roles of the RTC builders on AccessToken2, as `agora-token` names them.
 *
 * @example
 * ```ts
 * RtcTokenBuilder2.buildTokenWithUid(appId, appCertificate, 'room', 42, RtcRole.PUBLISHER, 3600);
 * ```
 */
export const RtcRole = {
  /** Joins the channel and publishes audio, video and data streams. */
  PUBLISHER: 1,
  /**
   * Joins only. Takes effect only where co-host authentication is enabled
   * for the project; elsewhere a subscriber may publish too.
   */
  SUBSCRIBER: 2,
} as const;

/** One of the {@link RtcRole} values: 1 (publisher) or 2 (subscriber). */
export type RtcRole = (typeof RtcRole)[keyof typeof RtcRole];

/**
 * Agora's builders treat every role but PUBLISHER as a subscriber, so a 006
 * role such as ADMIN (101) or ATTENDEE (0) would silently lose the publish
 * privileges. Only the two defined roles pass.
 */
export function assertRtcRole(value: unknown, argument: string): asserts value is RtcRole {
  if (value !== RtcRole.PUBLISHER && value !== RtcRole.SUBSCRIBER) {
    const got = typeof value === 'number' ? String(value) : typeof value;
    throw invalidArgument(
      argument,
      `must be RtcRole.PUBLISHER (1) or RtcRole.SUBSCRIBER (2) (got ${got}); ` +
        'the 006 roles ATTENDEE (0) and ADMIN (101) have no AccessToken2 equivalent',
    );
  }
}

/** Seconds from issueTs for each of the four Rtc privileges. */
interface RtcPrivilegeValues {
  readonly join: number;
  readonly audio: number;
  readonly video: number;
  readonly data: number;
}

/** Join always; the three publish privileges only when `publisher`. */
function rtcPrivileges(publisher: boolean, values: RtcPrivilegeValues): Record<number, number> {
  const privileges: Record<number, number> = { [RtcPrivilege.joinChannel]: values.join };
  if (publisher) {
    privileges[RtcPrivilege.publishAudioStream] = values.audio;
    privileges[RtcPrivilege.publishVideoStream] = values.video;
    privileges[RtcPrivilege.publishDataStream] = values.data;
  }
  return privileges;
}

/** The arguments of buildTokenWithRtm2, ConvoAITokenBuilder.buildToken and SttTokenBuilder.buildToken. */
export type RtcRtmArguments = [
  appId: string,
  appCertificate: string,
  channelName: string,
  rtcAccount: string,
  rtcRole: RtcRole,
  rtcTokenExpire: number,
  joinChannelPrivilegeExpire: number,
  pubAudioPrivilegeExpire: number,
  pubVideoPrivilegeExpire: number,
  pubDataStreamPrivilegeExpire: number,
  rtmUserId: string,
  rtmTokenExpire: number,
  options?: BuildOptions,
];

/**
 * An Rtc service (role-based privileges) and an Rtm login, then
 * `extraServiceType` (ConvoAI or Stt) with no privileges, when given.
 */
export function buildRtcRtmToken(args: RtcRtmArguments, extraServiceType?: typeof ServiceType.ConvoAI | typeof ServiceType.Stt): string {
  const [appId, appCertificate, channelName, rtcAccount, rtcRole, rtcTokenExpire, join, audio, video, data, rtmUserId, rtmTokenExpire, options] =
    args;
  assertCredentials(appId, appCertificate);
    assertBuildOptions(options);
  assertPackableString(channelName, 'channelName');
  assertPackableString(rtcAccount, 'rtcAccount');
  assertRtcRole(rtcRole, 'rtcRole');
  assertExpire(rtcTokenExpire, 'rtcTokenExpire', options?.allowLongExpire);
  assertPrivilegeValues({
    joinChannelPrivilegeExpire: join,
    pubAudioPrivilegeExpire: audio,
    pubVideoPrivilegeExpire: video,
    pubDataStreamPrivilegeExpire: data,
  });
  assertPackableString(rtmUserId, 'rtmUserId');
  assertPrivilegeValues({ rtmTokenExpire });
  const token = newToken(appId, appCertificate, rtcTokenExpire, options)
    .addService({
      type: ServiceType.Rtc,
      channelName,
      uid: rtcAccount,
      privileges: rtcPrivileges(rtcRole === RtcRole.PUBLISHER, { join, audio, video, data }),
    })
    .addService({ type: ServiceType.Rtm, userId: rtmUserId, privileges: { [RtmPrivilege.login]: rtmTokenExpire } });
  if (extraServiceType !== undefined) token.addService({ type: extraServiceType });
  return token.build();
}

function roleToken(
  appId: string,
  appCertificate: string,
  channelName: string,
  uid: string,
  role: RtcRole,
  tokenExpire: number,
  privilegeExpire: number,
  options: BuildOptions | undefined,
  rtmUserId?: string,
): string {
  assertRtcRole(role, 'role');
  assertExpire(tokenExpire, 'tokenExpire', options?.allowLongExpire);
  assertPrivilegeValues({ privilegeExpire });
  const all = { join: privilegeExpire, audio: privilegeExpire, video: privilegeExpire, data: privilegeExpire };
  const token = newToken(appId, appCertificate, tokenExpire, options).addService({
    type: ServiceType.Rtc,
    channelName,
    uid,
    privileges: rtcPrivileges(role === RtcRole.PUBLISHER, all),
  });
  if (rtmUserId !== undefined) {
    token.addService({ type: ServiceType.Rtm, userId: rtmUserId, privileges: { [RtmPrivilege.login]: tokenExpire } });
  }
  return token.build();
}

function privilegeToken(
  appId: string,
  appCertificate: string,
  channelName: string,
  uid: string,
  values: RtcPrivilegeValues & { readonly tokenExpire: number },
  options: BuildOptions | undefined,
): string {
  assertExpire(values.tokenExpire, 'tokenExpire', options?.allowLongExpire);
  const { join, audio, video, data } = values;
  assertPrivilegeValues({
    joinChannelPrivilegeExpire: join,
    pubAudioPrivilegeExpire: audio,
    pubVideoPrivilegeExpire: video,
    pubDataStreamPrivilegeExpire: data,
  });
  return newToken(appId, appCertificate, values.tokenExpire, options)
    .addService({
      type: ServiceType.Rtc,
      channelName,
      uid,
      privileges: rtcPrivileges(true, values),
    })
    .build();
}

/**
 * Tokens for Agora RTC (video and voice calling, live streaming) on
 * AccessToken2. Same names and argument order as Agora's `RtcTokenBuilder2`
 * (Python, Java) and `RtcTokenBuilder` of npm `agora-token`.
 *
 * Every expire and privilege value counts **seconds from now**. The token
 * expire is at most 86,400 (24 hours) unless `options.allowLongExpire` is set;
 * privilege values are any u32 (0: bounded only by the token expire).
 */
export class RtcTokenBuilder2 {
  private constructor() {}

  /**
   * Builds an RTC token for a numeric user id.
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param channelName - the channel to join.
   * @param uid - an integer from 0 to 2^32-1, or the decimal string of one; 0 lets any uid join.
   * @param role - {@link RtcRole}.PUBLISHER (join and publish) or {@link RtcRole}.SUBSCRIBER (join).
   * @param tokenExpire - seconds from now until the token expires, at most 86,400 unless `options.allowLongExpire`.
   * @param privilegeExpire - seconds from now until the privileges expire; 0 (the default) means the token expire.
   * @param options - a fixed `issueTs` and `salt`, or `allowLongExpire`.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_EXPIRE_LIMIT`.
   *
   * @example
   * ```ts
   * import { RtcTokenBuilder2, RtcRole } from 'agora-token-builder';
   *
   * const token = RtcTokenBuilder2.buildTokenWithUid(appId, appCertificate, 'room-1', 42, RtcRole.PUBLISHER, 3600, 3600);
   * ```
   */
  static buildTokenWithUid(
    appId: string,
    appCertificate: string,
    channelName: string,
    uid: number | string,
    role: RtcRole,
    tokenExpire: number,
    privilegeExpire: number = 0,
    options?: BuildOptions,
  ): string {
    assertCredentials(appId, appCertificate);
    assertBuildOptions(options);
    assertPackableString(channelName, 'channelName');
    const uidString = uidToString(uid, 'uid');
    return roleToken(appId, appCertificate, channelName, uidString, role, tokenExpire, privilegeExpire, options);
  }

  /**
   * Builds an RTC token for a string user account.
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param channelName - the channel to join.
   * @param account - the user account, packed as given.
   * @param role - {@link RtcRole}.PUBLISHER or {@link RtcRole}.SUBSCRIBER.
   * @param tokenExpire - seconds from now until the token expires, at most 86,400 unless `options.allowLongExpire`.
   * @param privilegeExpire - seconds from now until the privileges expire; 0 (the default) means the token expire.
   * @param options - a fixed `issueTs` and `salt`, or `allowLongExpire`.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_EXPIRE_LIMIT`.
   *
   * @example
   * ```ts
   * const token = RtcTokenBuilder2.buildTokenWithUserAccount(appId, appCertificate, 'room-1', 'alice', RtcRole.SUBSCRIBER, 600);
   * ```
   */
  static buildTokenWithUserAccount(
    appId: string,
    appCertificate: string,
    channelName: string,
    account: string,
    role: RtcRole,
    tokenExpire: number,
    privilegeExpire: number = 0,
    options?: BuildOptions,
  ): string {
    assertCredentials(appId, appCertificate);
    assertBuildOptions(options);
    assertPackableString(channelName, 'channelName');
    assertPackableString(account, 'account');
    return roleToken(appId, appCertificate, channelName, account, role, tokenExpire, privilegeExpire, options);
  }

  /**
   * Builds an RTC token for a numeric user id with each of the four
   * privileges given its own expire (all four are granted).
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param channelName - the channel to join.
   * @param uid - an integer from 0 to 2^32-1, or the decimal string of one; 0 lets any uid join.
   * @param tokenExpire - seconds from now until the token expires, at most 86,400 unless `options.allowLongExpire`.
   * @param joinChannelPrivilegeExpire - seconds from now until joining is no longer allowed.
   * @param pubAudioPrivilegeExpire - seconds from now until publishing audio is no longer allowed.
   * @param pubVideoPrivilegeExpire - seconds from now until publishing video is no longer allowed.
   * @param pubDataStreamPrivilegeExpire - seconds from now until publishing data streams is no longer allowed.
   * @param options - a fixed `issueTs` and `salt`, or `allowLongExpire`.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_EXPIRE_LIMIT`.
   *
   * @example
   * ```ts
   * const token = RtcTokenBuilder2.buildTokenWithUidAndPrivilege(appId, appCertificate, 'room-1', 42, 3600, 3600, 600, 600, 0);
   * ```
   */
  static buildTokenWithUidAndPrivilege(
    appId: string,
    appCertificate: string,
    channelName: string,
    uid: number | string,
    tokenExpire: number,
    joinChannelPrivilegeExpire: number,
    pubAudioPrivilegeExpire: number,
    pubVideoPrivilegeExpire: number,
    pubDataStreamPrivilegeExpire: number,
    options?: BuildOptions,
  ): string {
    assertCredentials(appId, appCertificate);
    assertBuildOptions(options);
    assertPackableString(channelName, 'channelName');
    const uidString = uidToString(uid, 'uid');
    const values = {
      tokenExpire,
      join: joinChannelPrivilegeExpire,
      audio: pubAudioPrivilegeExpire,
      video: pubVideoPrivilegeExpire,
      data: pubDataStreamPrivilegeExpire,
    };
    return privilegeToken(appId, appCertificate, channelName, uidString, values, options);
  }

  /**
   * Builds an RTC token for a string user account with each of the four
   * privileges given its own expire (all four are granted).
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param channelName - the channel to join.
   * @param account - the user account, packed as given.
   * @param tokenExpire - seconds from now until the token expires, at most 86,400 unless `options.allowLongExpire`.
   * @param joinChannelPrivilegeExpire - seconds from now until joining is no longer allowed.
   * @param pubAudioPrivilegeExpire - seconds from now until publishing audio is no longer allowed.
   * @param pubVideoPrivilegeExpire - seconds from now until publishing video is no longer allowed.
   * @param pubDataStreamPrivilegeExpire - seconds from now until publishing data streams is no longer allowed.
   * @param options - a fixed `issueTs` and `salt`, or `allowLongExpire`.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_EXPIRE_LIMIT`.
   *
   * @example
   * ```ts
   * const token = RtcTokenBuilder2.buildTokenWithUserAccountAndPrivilege(appId, appCertificate, 'room-1', 'alice', 3600, 3600, 0, 0, 0);
   * ```
   */
  static buildTokenWithUserAccountAndPrivilege(
    appId: string,
    appCertificate: string,
    channelName: string,
    account: string,
    tokenExpire: number,
    joinChannelPrivilegeExpire: number,
    pubAudioPrivilegeExpire: number,
    pubVideoPrivilegeExpire: number,
    pubDataStreamPrivilegeExpire: number,
    options?: BuildOptions,
  ): string {
    assertCredentials(appId, appCertificate);
    assertBuildOptions(options);
    assertPackableString(channelName, 'channelName');
    assertPackableString(account, 'account');
    const values = {
      tokenExpire,
      join: joinChannelPrivilegeExpire,
      audio: pubAudioPrivilegeExpire,
      video: pubVideoPrivilegeExpire,
      data: pubDataStreamPrivilegeExpire,
    };
    return privilegeToken(appId, appCertificate, channelName, account, values, options);
  }

  /**
   * Builds one token for both RTC and RTM (Signaling): the Rtc service of
   * {@link RtcTokenBuilder2.buildTokenWithUserAccount}, then an Rtm login for
   * the same account that lasts as long as the token.
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param channelName - the channel to join.
   * @param account - the user account, for RTC and the RTM login.
   * @param role - {@link RtcRole}.PUBLISHER or {@link RtcRole}.SUBSCRIBER.
   * @param tokenExpire - seconds from now until the token (and the RTM login) expires, at most 86,400
   *   unless `options.allowLongExpire`.
   * @param privilegeExpire - seconds from now until the RTC privileges expire; 0 (the default) means the token expire.
   * @param options - a fixed `issueTs` and `salt`, or `allowLongExpire`.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_EXPIRE_LIMIT`.
   *
   * @example
   * ```ts
   * const token = RtcTokenBuilder2.buildTokenWithRtm(appId, appCertificate, 'room-1', 'alice', RtcRole.PUBLISHER, 3600);
   * ```
   */
  static buildTokenWithRtm(
    appId: string,
    appCertificate: string,
    channelName: string,
    account: string,
    role: RtcRole,
    tokenExpire: number,
    privilegeExpire: number = 0,
    options?: BuildOptions,
  ): string {
    assertCredentials(appId, appCertificate);
    assertBuildOptions(options);
    assertPackableString(channelName, 'channelName');
    assertPackableString(account, 'account');
    return roleToken(appId, appCertificate, channelName, account, role, tokenExpire, privilegeExpire, options, account);
  }

  /**
   * Builds one token for RTC and RTM with separate accounts and expires: an
   * Rtc service (join, plus the three publish privileges for a publisher),
   * then an Rtm login for `rtmUserId`.
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param channelName - the channel to join.
   * @param rtcAccount - the RTC user account, packed as given.
   * @param rtcRole - {@link RtcRole}.PUBLISHER or {@link RtcRole}.SUBSCRIBER.
   * @param rtcTokenExpire - seconds from now until the token expires, at most 86,400 unless `options.allowLongExpire`.
   * @param joinChannelPrivilegeExpire - seconds from now until joining is no longer allowed.
   * @param pubAudioPrivilegeExpire - seconds from now until publishing audio is no longer allowed (publisher only).
   * @param pubVideoPrivilegeExpire - seconds from now until publishing video is no longer allowed (publisher only).
   * @param pubDataStreamPrivilegeExpire - seconds from now until publishing data is no longer allowed (publisher only).
   * @param rtmUserId - the RTM user id.
   * @param rtmTokenExpire - seconds from now until the RTM login privilege expires.
   * @param options - a fixed `issueTs` and `salt`, or `allowLongExpire`.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_EXPIRE_LIMIT`.
   *
   * @example
   * ```ts
   * const token = RtcTokenBuilder2.buildTokenWithRtm2(
   *   appId, appCertificate, 'room-1', '42', RtcRole.PUBLISHER, 3600, 3600, 3600, 3600, 3600, 'alice', 3600,
   * );
   * ```
   */
  static buildTokenWithRtm2(
    appId: string,
    appCertificate: string,
    channelName: string,
    rtcAccount: string,
    rtcRole: RtcRole,
    rtcTokenExpire: number,
    joinChannelPrivilegeExpire: number,
    pubAudioPrivilegeExpire: number,
    pubVideoPrivilegeExpire: number,
    pubDataStreamPrivilegeExpire: number,
    rtmUserId: string,
    rtmTokenExpire: number,
    options?: BuildOptions,
  ): string {
    return buildRtcRtmToken([
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
      options,
    ]);
  }
}
