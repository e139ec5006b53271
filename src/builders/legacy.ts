// Builders of the legacy AccessToken ("006"): privilege times are absolute
// Unix seconds, and the token's own expiry `ts` is the build time + 24 hours.
import { assertPackableString, assertU32, checkOptions, invalidArgument, optionalBoolean, U32_MAX, uidToString, u32OrDefault, unixNow } from '../_internal/assert.js';
import { AgoraTokenError } from '../errors.js';
import { AccessToken, Privilege006, TOKEN_006_LIFETIME_SECONDS } from '../token006/access-token.js';
import { OPT_OUT_ADVICE } from '../_internal/advice.js';
import { assertCredentials } from './checks.js';

/** Roles of the 006 {@link RtcTokenBuilder}, as `agora-access-token` names them. */
export const RtcRole006 = {
  /** Deprecated; the same privileges as PUBLISHER. */
  ATTENDEE: 0,
  /** Joins the channel and publishes audio, video and data streams. */
  PUBLISHER: 1,
  /** Joins only (where co-host authentication is enabled). */
  SUBSCRIBER: 2,
  /** Deprecated; the same privileges as PUBLISHER. */
  ADMIN: 101,
} as const;

/** One of the {@link RtcRole006} values. */
export type RtcRole006 = (typeof RtcRole006)[keyof typeof RtcRole006];

/** The one role of the 006 {@link RtmTokenBuilder}, as `agora-access-token` names it. */
export const RtmRole006 = {
  /** An RTM user. */
  Rtm_User: 1,
} as const;

/** One of the {@link RtmRole006} values. */
export type RtmRole006 = (typeof RtmRole006)[keyof typeof RtmRole006];

/**
 * The optional last argument of the 006 builders.
 *
 * @example
 * ```ts
 * // A reproducible token, for tests and golden files:
 * RtcTokenBuilder.buildTokenWithUid(appId, appCertificate, 'room', 42, RtcRole006.PUBLISHER, 1700003600,
 *   { issueTs: 1700000000, salt: 1 });
 * ```
 */
export interface BuildOptions006 {
  /** The build time, Unix seconds: the token's `ts` is this + 86,400, and the past check uses it. Default: now. */
  issueTs?: number;
  /** Salt, any u32. Default: a fresh secure random value in 1..99999999. */
  salt?: number;
  /**
   * Allow a nonzero `privilegeExpiredTs` that is not after the build time.
   * Off by default: such a value is most often seconds-from-now (for example
   * 3600) passed where 006 expects an absolute Unix time.
   */
  allowPastTimestamp?: boolean;
}

const PUBLISHING_ROLES: ReadonlySet<number> = new Set([RtcRole006.ATTENDEE, RtcRole006.PUBLISHER, RtcRole006.ADMIN]);

function assertRtcRole006(value: unknown): asserts value is RtcRole006 {
  if (!Object.values(RtcRole006).includes(value as RtcRole006)) {
    const got = typeof value === 'number' ? String(value) : typeof value;
    throw invalidArgument('role', `must be one of ATTENDEE (0), PUBLISHER (1), SUBSCRIBER (2) or ADMIN (101) (got ${got})`);
  }
}

const BUILD_OPTION_006_KEYS = ['issueTs', 'salt', 'allowPastTimestamp'] as const;

/** Checks the options argument of a 006 builder like any other argument (values are checked where used). */
function assertBuildOptions006(options: unknown): asserts options is BuildOptions006 | undefined {
  const { salt, allowPastTimestamp } = checkOptions(options, 'options', BUILD_OPTION_006_KEYS);
  if (salt !== undefined) assertU32(salt, 'options.salt');
  optionalBoolean(allowPastTimestamp, 'options.allowPastTimestamp');
}

/**
 * The times of one 006 build: the token's `ts` and `salt` (undefined: a fresh
 * secure one), and the build time a nonzero `privilegeExpiredTs` must be
 * after (undefined: no past-timestamp guard).
 */
interface Timing006 {
  readonly ts: number;
  readonly salt: number | undefined;
  readonly notAfter: number | undefined;
}

/** Checks the build options and returns the timing they ask for. */
function optionTiming(options: BuildOptions006 | undefined): Timing006 {
  assertBuildOptions006(options);
  const now = u32OrDefault(options?.issueTs, 'options.issueTs', unixNow);
  if (now > U32_MAX - TOKEN_006_LIFETIME_SECONDS) {
    throw invalidArgument('options.issueTs', `must be at most ${U32_MAX - TOKEN_006_LIFETIME_SECONDS}, so that issueTs + 24 hours fits in a u32`);
  }
  return { ts: now + TOKEN_006_LIFETIME_SECONDS, salt: options?.salt, notAfter: options?.allowPastTimestamp === true ? undefined : now };
}

function assertNotPast(value: unknown, timing: Timing006): asserts value is number {
  assertU32(value, 'privilegeExpiredTs');
  const now = timing.notAfter;
  if (value !== 0 && now !== undefined && value <= now) {
    throw new AgoraTokenError(
      'ERR_TIMESTAMP_IN_PAST',
      `privilegeExpiredTs must be 0 (no expiry) or an absolute Unix time after now (${now}), got ${value}: ` +
        '006 tokens take an absolute time, not seconds from now (for one hour from now pass now + 3600). ' +
        OPT_OUT_ADVICE.ERR_TIMESTAMP_IN_PAST.api,
      { argument: 'privilegeExpiredTs' },
    );
  }
}

function rtcToken(
  appId: string,
  appCertificate: string,
  channelName: string,
  uid: string,
  role: unknown,
  privilegeExpiredTs: unknown,
  time: () => Timing006,
): string {
  assertRtcRole006(role);
  const timing = time();
  assertNotPast(privilegeExpiredTs, timing);
  const token = new AccessToken(appId, appCertificate, channelName, uid, { salt: timing.salt, ts: timing.ts });
  token.addPrivilege(Privilege006.joinChannel, privilegeExpiredTs);
  if (PUBLISHING_ROLES.has(role)) {
    token
      .addPrivilege(Privilege006.publishAudioStream, privilegeExpiredTs)
      .addPrivilege(Privilege006.publishVideoStream, privilegeExpiredTs)
      .addPrivilege(Privilege006.publishDataStream, privilegeExpiredTs);
  }
  return token.build();
}

function rtcTokenWithUid(
  appId: string,
  appCertificate: string,
  channelName: string,
  uid: number | string,
  role: unknown,
  privilegeExpiredTs: unknown,
  time: () => Timing006,
): string {
  assertCredentials(appId, appCertificate);
  assertPackableString(channelName, 'channelName');
  const uidString = uidToString(uid, 'uid');
  return rtcToken(appId, appCertificate, channelName, uidString, role, privilegeExpiredTs, time);
}

function rtcTokenWithAccount(
  appId: string,
  appCertificate: string,
  channelName: string,
  account: string,
  role: unknown,
  privilegeExpiredTs: unknown,
  time: () => Timing006,
): string {
  assertCredentials(appId, appCertificate);
  assertPackableString(channelName, 'channelName');
  assertPackableString(account, 'account');
  return rtcToken(appId, appCertificate, channelName, account, role, privilegeExpiredTs, time);
}

function rtmToken(
  appId: string,
  appCertificate: string,
  account: string,
  role: unknown,
  privilegeExpiredTs: unknown,
  time: () => Timing006,
): string {
  assertCredentials(appId, appCertificate);
  assertPackableString(account, 'account');
  if (role !== RtmRole006.Rtm_User) {
    const got = typeof role === 'number' ? String(role) : typeof role;
    throw invalidArgument('role', `must be RtmRole.Rtm_User (1), the only RTM role (got ${got})`);
  }
  const timing = time();
  assertNotPast(privilegeExpiredTs, timing);
  return new AccessToken(appId, appCertificate, account, '', { salt: timing.salt, ts: timing.ts })
    .addPrivilege(Privilege006.rtmLogin, privilegeExpiredTs)
    .build();
}

/** The token's own `ts` and `salt`, as a 006 token carries them. */
export interface Pinned006 {
  /** The token's `ts` (the references' build time + 24 hours), any u32. */
  readonly ts: number;
  /** The salt, any u32. */
  readonly salt: number;
}

/**
 * The 006 builders with every argument check of the public ones, but the
 * token's `ts` and `salt` taken as given and no past-timestamp guard: a
 * reference's token is rebuilt from what it carries, even a `ts` below
 * 86,400 that no u32 build time gives. For `vectors check`; not exported
 * from the package.
 */
export const PinnedLegacyBuilders = {
  rtcWithUid(appId: string, appCertificate: string, channelName: string, uid: number | string, role: number, privilegeExpiredTs: number, pinned: Pinned006): string {
    return rtcTokenWithUid(appId, appCertificate, channelName, uid, role, privilegeExpiredTs, () => pinnedTiming(pinned));
  },
  rtcWithAccount(appId: string, appCertificate: string, channelName: string, account: string, role: number, privilegeExpiredTs: number, pinned: Pinned006): string {
    return rtcTokenWithAccount(appId, appCertificate, channelName, account, role, privilegeExpiredTs, () => pinnedTiming(pinned));
  },
  rtm(appId: string, appCertificate: string, account: string, role: number, privilegeExpiredTs: number, pinned: Pinned006): string {
    return rtmToken(appId, appCertificate, account, role, privilegeExpiredTs, () => pinnedTiming(pinned));
  },
};

function pinnedTiming(pinned: Pinned006): Timing006 {
  assertU32(pinned.ts, 'ts');
  assertU32(pinned.salt, 'salt');
  return { ts: pinned.ts, salt: pinned.salt, notAfter: undefined };
}

/**
 * RTC tokens in the legacy 006 format, with the names and argument order of
 * `RtcTokenBuilder` in npm `agora-access-token` (and Agora's Python and Java
 * `RtcTokenBuilder`). For new code prefer {@link RtcTokenBuilder2}.
 */
export class RtcTokenBuilder {
  private constructor() {}

  /**
   * Builds a 006 RTC token for a numeric user id. Every role but
   * SUBSCRIBER also gets the three publish privileges.
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param channelName - the channel to join.
   * @param uid - an integer from 0 to 2^32-1, or the decimal string of one; 0 lets any uid join.
   * @param role - a {@link RtcRole006} value.
   * @param privilegeExpiredTs - **absolute** Unix time (seconds) at which the privileges expire, or 0 for no
   *   expiry. A nonzero time not after now is rejected unless `options.allowPastTimestamp`.
   * @param options - a fixed `issueTs` (build time) and `salt`, or `allowPastTimestamp`.
   * @returns the token string, `"006…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_TIMESTAMP_IN_PAST`.
   *
   * @example
   * ```ts
   * import { RtcTokenBuilder, RtcRole006 } from 'agora-token-builder';
   *
   * const expiresAt = Math.floor(Date.now() / 1000) + 3600;
   * const token = RtcTokenBuilder.buildTokenWithUid(appId, appCertificate, 'room-1', 42, RtcRole006.PUBLISHER, expiresAt);
   * ```
   */
  static buildTokenWithUid(
    appId: string,
    appCertificate: string,
    channelName: string,
    uid: number | string,
    role: RtcRole006,
    privilegeExpiredTs: number,
    options?: BuildOptions006,
  ): string {
    return rtcTokenWithUid(appId, appCertificate, channelName, uid, role, privilegeExpiredTs, () => optionTiming(options));
  }

  /**
   * Builds a 006 RTC token for a string user account.
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param channelName - the channel to join.
   * @param account - the user account, packed as given.
   * @param role - a {@link RtcRole006} value.
   * @param privilegeExpiredTs - **absolute** Unix time (seconds) at which the privileges expire, or 0 for no
   *   expiry. A nonzero time not after now is rejected unless `options.allowPastTimestamp`.
   * @param options - a fixed `issueTs` (build time) and `salt`, or `allowPastTimestamp`.
   * @returns the token string, `"006…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_TIMESTAMP_IN_PAST`.
   *
   * @example
   * ```ts
   * const expiresAt = Math.floor(Date.now() / 1000) + 3600;
   * const token = RtcTokenBuilder.buildTokenWithAccount(appId, appCertificate, 'room-1', 'alice', RtcRole006.SUBSCRIBER, expiresAt);
   * ```
   */
  static buildTokenWithAccount(
    appId: string,
    appCertificate: string,
    channelName: string,
    account: string,
    role: RtcRole006,
    privilegeExpiredTs: number,
    options?: BuildOptions006,
  ): string {
    return rtcTokenWithAccount(appId, appCertificate, channelName, account, role, privilegeExpiredTs, () => optionTiming(options));
  }
}

/**
 * RTM tokens in the legacy 006 format, with the name and argument order of
 * `RtmTokenBuilder` in npm `agora-access-token`. For new code prefer
 * {@link RtmTokenBuilder2}.
 */
export class RtmTokenBuilder {
  private constructor() {}

  /**
   * Builds a 006 RTM login token: the account takes the place of the
   * channel name, the uid is empty, and the one privilege is `rtmLogin`.
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param account - the RTM user account.
   * @param role - {@link RtmRole006}.Rtm_User, the only role.
   * @param privilegeExpiredTs - **absolute** Unix time (seconds) at which the login privilege expires, or 0 for
   *   no expiry. A nonzero time not after now is rejected unless `options.allowPastTimestamp`.
   * @param options - a fixed `issueTs` (build time) and `salt`, or `allowPastTimestamp`.
   * @returns the token string, `"006…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_TIMESTAMP_IN_PAST`.
   *
   * @example
   * ```ts
   * import { RtmTokenBuilder, RtmRole006 } from 'agora-token-builder';
   *
   * const expiresAt = Math.floor(Date.now() / 1000) + 3600;
   * const token = RtmTokenBuilder.buildToken(appId, appCertificate, 'alice', RtmRole006.Rtm_User, expiresAt);
   * ```
   */
  static buildToken(
    appId: string,
    appCertificate: string,
    account: string,
    role: RtmRole006,
    privilegeExpiredTs: number,
    options?: BuildOptions006,
  ): string {
    return rtmToken(appId, appCertificate, account, role, privilegeExpiredTs, () => optionTiming(options));
  }
}
