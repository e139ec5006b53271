// Maps the `builder.name` of a vectors case to a call of this library's
// builder with the case's named arguments, the case's own issueTs (007) or ts
// (006) and salt, and every guard opted out: no 24-hour cap, no
// past-timestamp check (vectors test the wire format, not the policy). The
// 006 builders take the token's ts as the case gives it, not a build time
// derived from it, so a ts below 86,400 (a clock before 1970) rebuilds too.
import {
  ApaasTokenBuilder,
  ChatTokenBuilder2,
  ConvoAITokenBuilder,
  EducationTokenBuilder,
  FpaTokenBuilder,
  RtcTokenBuilder2,
  RtmTokenBuilder2,
  SttTokenBuilder,
  type RtcRole,
  type RtcRole006,
  type Rtm2PermissionMap,
  type RtmRole006,
} from '../index.js';
import { PinnedLegacyBuilders } from '../builders/legacy.js';

type Args = Record<string, unknown>;
/** What a case pins, as the case gives it: `salt`, and `issueTs` (007 cases) or `ts` (006 cases). */
export interface Pinned {
  readonly salt: number;
  readonly issueTs?: number;
  readonly ts?: number;
}
/**
 * `build` makes the token. `refuses`, where present, names the arguments this
 * library rejects on purpose although a reference accepted them (SPEC
 * section 5); for those the check expects an AgoraTokenError instead.
 */
export interface VectorBuilder {
  build(args: Args, pinned: Pinned): string;
  refuses?(args: Args): string | undefined;
}

// Roles this library rejects although a reference took them (agora-token made
// any RTC role but 1 a subscriber; agora-access-token ignored the RTM role).
const rtcRole = (key: string) => (a: Args) =>
  a[key] === 1 || a[key] === 2 ? undefined : `an RTC role other than PUBLISHER (1) or SUBSCRIBER (2) (${JSON.stringify(a[key])})`;
const role006 = (a: Args) =>
  [0, 1, 2, 101].includes(a.role as number) ? undefined : `a 006 RTC role other than 0, 1, 2 or 101 (${JSON.stringify(a.role)})`;
const rtmRole006 = (a: Args) => (a.role === 1 ? undefined : `an RTM role other than Rtm_User (1) (${JSON.stringify(a.role)})`);

const open = (pinned: Pinned) => ({ issueTs: pinned.issueTs, salt: pinned.salt, allowLongExpire: true });
const pinned006 = (pinned: Pinned) => ({ ts: pinned.ts as number, salt: pinned.salt });
// Vector arguments are JSON; the builders check their types themselves.
const str = (value: unknown) => value as string;
const num = (value: unknown) => value as number;
const uid = (value: unknown) => value as number | string;

/** The 12 arguments shared by buildTokenWithRtm2, ConvoAITokenBuilder and SttTokenBuilder. */
function rtcRtmArgs(a: Args) {
  return [
    str(a.appId),
    str(a.appCertificate),
    str(a.channelName),
    str(a.rtcAccount),
    num(a.rtcRole) as RtcRole,
    num(a.rtcTokenExpire),
    num(a.joinChannelPrivilegeExpire),
    num(a.pubAudioPrivilegeExpire),
    num(a.pubVideoPrivilegeExpire),
    num(a.pubDataStreamPrivilegeExpire),
    str(a.rtmUserId),
    num(a.rtmTokenExpire),
  ] as const;
}

/** buildRoomUserToken, buildUserToken and buildAppToken of Apaas and its older name, Education. */
function classroomBuilders(
  prefix: string,
  builder: Pick<typeof ApaasTokenBuilder, 'buildRoomUserToken' | 'buildUserToken' | 'buildAppToken'>,
): Record<string, VectorBuilder> {
  return {
    [`${prefix}.buildRoomUserToken`]: {
      build: (a, p) =>
        builder.buildRoomUserToken(
          str(a.appId),
          str(a.appCertificate),
          str(a.roomUuid),
          str(a.userUuid),
          num(a.role),
          num(a.expire),
          open(p),
        ),
    },
    [`${prefix}.buildUserToken`]: {
      build: (a, p) => builder.buildUserToken(str(a.appId), str(a.appCertificate), str(a.userUuid), num(a.expire), open(p)),
    },
    [`${prefix}.buildAppToken`]: {
      build: (a, p) => builder.buildAppToken(str(a.appId), str(a.appCertificate), num(a.expire), open(p)),
    },
  };
}

export const VECTOR_BUILDERS: Record<string, VectorBuilder> = {
  'ChatTokenBuilder2.buildUserToken': {
    build: (a, p) =>
      ChatTokenBuilder2.buildUserToken(str(a.appId), str(a.appCertificate), str(a.userId), num(a.expire), open(p)),
    refuses: (a) => (a.userId === '' ? 'a chat user token with an empty userId' : undefined),
  },
  'ChatTokenBuilder2.buildAppToken': {
    build: (a, p) => ChatTokenBuilder2.buildAppToken(str(a.appId), str(a.appCertificate), num(a.expire), open(p)),
  },
  'RtcTokenBuilder2.buildTokenWithUid': {
    build: (a, p) =>
      RtcTokenBuilder2.buildTokenWithUid(
        str(a.appId),
        str(a.appCertificate),
        str(a.channelName),
        uid(a.uid),
        num(a.role) as RtcRole,
        num(a.tokenExpire),
        num(a.privilegeExpire ?? 0),
        open(p),
      ),
    refuses: rtcRole('role'),
  },
  'RtcTokenBuilder2.buildTokenWithUserAccount': {
    build: (a, p) =>
      RtcTokenBuilder2.buildTokenWithUserAccount(
        str(a.appId),
        str(a.appCertificate),
        str(a.channelName),
        str(a.account),
        num(a.role) as RtcRole,
        num(a.tokenExpire),
        num(a.privilegeExpire ?? 0),
        open(p),
      ),
    refuses: rtcRole('role'),
  },
  'RtcTokenBuilder2.buildTokenWithUidAndPrivilege': {
    build: (a, p) =>
      RtcTokenBuilder2.buildTokenWithUidAndPrivilege(
        str(a.appId),
        str(a.appCertificate),
        str(a.channelName),
        uid(a.uid),
        num(a.tokenExpire),
        num(a.joinChannelPrivilegeExpire),
        num(a.pubAudioPrivilegeExpire),
        num(a.pubVideoPrivilegeExpire),
        num(a.pubDataStreamPrivilegeExpire),
        open(p),
      ),
  },
  'RtcTokenBuilder2.buildTokenWithUserAccountAndPrivilege': {
    build: (a, p) =>
      RtcTokenBuilder2.buildTokenWithUserAccountAndPrivilege(
        str(a.appId),
        str(a.appCertificate),
        str(a.channelName),
        str(a.account),
        num(a.tokenExpire),
        num(a.joinChannelPrivilegeExpire),
        num(a.pubAudioPrivilegeExpire),
        num(a.pubVideoPrivilegeExpire),
        num(a.pubDataStreamPrivilegeExpire),
        open(p),
      ),
  },
  'RtcTokenBuilder2.buildTokenWithRtm': {
    build: (a, p) =>
      RtcTokenBuilder2.buildTokenWithRtm(
        str(a.appId),
        str(a.appCertificate),
        str(a.channelName),
        str(a.account),
        num(a.role) as RtcRole,
        num(a.tokenExpire),
        num(a.privilegeExpire ?? 0),
        open(p),
      ),
    refuses: rtcRole('role'),
  },
  'RtcTokenBuilder2.buildTokenWithRtm2': {
    build: (a, p) => RtcTokenBuilder2.buildTokenWithRtm2(...rtcRtmArgs(a), open(p)),
    refuses: rtcRole('rtcRole'),
  },
  'RtmTokenBuilder2.buildToken': {
    build: (a, p) => RtmTokenBuilder2.buildToken(str(a.appId), str(a.appCertificate), str(a.userId), num(a.expire), open(p)),
  },
  'RtmTokenBuilder2.buildTokenWithPermissions': {
    build: (a, p) =>
      RtmTokenBuilder2.buildTokenWithPermissions(
        str(a.appId),
        str(a.appCertificate),
        str(a.userId),
        a.permissions as Rtm2PermissionMap,
        num(a.expire),
        open(p),
      ),
  },
  'FpaTokenBuilder.buildToken': {
    build: (a, p) => FpaTokenBuilder.buildToken(str(a.appId), str(a.appCertificate), open(p)),
  },
  ...classroomBuilders('ApaasTokenBuilder', ApaasTokenBuilder),
  ...classroomBuilders('EducationTokenBuilder', EducationTokenBuilder),
  'ConvoAITokenBuilder.buildToken': {
    build: (a, p) => ConvoAITokenBuilder.buildToken(...rtcRtmArgs(a), open(p)),
    refuses: rtcRole('rtcRole'),
  },
  'SttTokenBuilder.buildToken': {
    build: (a, p) => SttTokenBuilder.buildToken(...rtcRtmArgs(a), open(p)),
    refuses: rtcRole('rtcRole'),
  },
  // Legacy 006: the whole token string is compared, as 006 has no deflate step.
  'RtcTokenBuilder.buildTokenWithUid': {
    build: (a, p) =>
      PinnedLegacyBuilders.rtcWithUid(
        str(a.appId),
        str(a.appCertificate),
        str(a.channelName),
        uid(a.uid),
        num(a.role) as RtcRole006,
        num(a.privilegeExpiredTs),
        pinned006(p),
      ),
    refuses: role006,
  },
  'RtcTokenBuilder.buildTokenWithAccount': {
    build: (a, p) =>
      PinnedLegacyBuilders.rtcWithAccount(
        str(a.appId),
        str(a.appCertificate),
        str(a.channelName),
        str(a.account),
        num(a.role) as RtcRole006,
        num(a.privilegeExpiredTs),
        pinned006(p),
      ),
    refuses: role006,
  },
  'RtmTokenBuilder.buildToken': {
    build: (a, p) =>
      PinnedLegacyBuilders.rtm(str(a.appId), str(a.appCertificate), str(a.account), num(a.role) as RtmRole006, num(a.privilegeExpiredTs), pinned006(p)),
    refuses: rtmRole006,
  },
};
