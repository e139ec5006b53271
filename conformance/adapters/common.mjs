// What the JavaScript example adapters share: the protocol loop, and the
// argument order of every builder named in the vectors (SPEC section 2).
import { createInterface } from 'node:readline';

const RTC_RTM2 = [
  'appId', 'appCertificate', 'channelName', 'rtcAccount', 'rtcRole', 'rtcTokenExpire',
  'joinChannelPrivilegeExpire', 'pubAudioPrivilegeExpire', 'pubVideoPrivilegeExpire', 'pubDataStreamPrivilegeExpire',
  'rtmUserId', 'rtmTokenExpire',
];
const RTC_PRIVILEGES = ['tokenExpire', 'joinChannelPrivilegeExpire', 'pubAudioPrivilegeExpire', 'pubVideoPrivilegeExpire', 'pubDataStreamPrivilegeExpire'];
const ROOM_USER = ['appId', 'appCertificate', 'roomUuid', 'userUuid', 'role', 'expire'];
const USER = ['appId', 'appCertificate', 'userUuid', 'expire'];
const APP = ['appId', 'appCertificate', 'expire'];

/** Builder name (as the vectors write it) -> its arguments by name, in order; `[name, default]` where one is optional. */
export const BUILDER_ARGS = {
  'ChatTokenBuilder2.buildUserToken': ['appId', 'appCertificate', 'userId', 'expire'],
  'ChatTokenBuilder2.buildAppToken': APP,
  'RtcTokenBuilder2.buildTokenWithUid': ['appId', 'appCertificate', 'channelName', 'uid', 'role', 'tokenExpire', ['privilegeExpire', 0]],
  'RtcTokenBuilder2.buildTokenWithUserAccount': ['appId', 'appCertificate', 'channelName', 'account', 'role', 'tokenExpire', ['privilegeExpire', 0]],
  'RtcTokenBuilder2.buildTokenWithUidAndPrivilege': ['appId', 'appCertificate', 'channelName', 'uid', ...RTC_PRIVILEGES],
  'RtcTokenBuilder2.buildTokenWithUserAccountAndPrivilege': ['appId', 'appCertificate', 'channelName', 'account', ...RTC_PRIVILEGES],
  'RtcTokenBuilder2.buildTokenWithRtm': ['appId', 'appCertificate', 'channelName', 'account', 'role', 'tokenExpire', ['privilegeExpire', 0]],
  'RtcTokenBuilder2.buildTokenWithRtm2': RTC_RTM2,
  'RtmTokenBuilder2.buildToken': ['appId', 'appCertificate', 'userId', 'expire'],
  'RtmTokenBuilder2.buildTokenWithPermissions': ['appId', 'appCertificate', 'userId', 'permissions', 'expire'],
  'FpaTokenBuilder.buildToken': ['appId', 'appCertificate'],
  'ApaasTokenBuilder.buildRoomUserToken': ROOM_USER,
  'ApaasTokenBuilder.buildUserToken': USER,
  'ApaasTokenBuilder.buildAppToken': APP,
  'EducationTokenBuilder.buildRoomUserToken': ROOM_USER,
  'EducationTokenBuilder.buildUserToken': USER,
  'EducationTokenBuilder.buildAppToken': APP,
  'ConvoAITokenBuilder.buildToken': RTC_RTM2,
  'SttTokenBuilder.buildToken': RTC_RTM2,
  // Legacy 006 builders.
  'RtcTokenBuilder.buildTokenWithUid': ['appId', 'appCertificate', 'channelName', 'uid', 'role', 'privilegeExpiredTs'],
  'RtcTokenBuilder.buildTokenWithAccount': ['appId', 'appCertificate', 'channelName', 'account', 'role', 'privilegeExpiredTs'],
  'RtmTokenBuilder.buildToken': ['appId', 'appCertificate', 'account', 'role', 'privilegeExpiredTs'],
};

/** The positional arguments of a builder call, or undefined for a builder not in the table. */
export function positionalArgs(name, args) {
  const spec = BUILDER_ARGS[name];
  if (spec === undefined) return undefined;
  return spec.map((entry) => (Array.isArray(entry) ? (args[entry[0]] ?? entry[1]) : args[entry]));
}

/**
 * The protocol loop: one JSON request per line on stdin, one JSON answer per
 * line on stdout. `handle(request)` returns the answer without its id; a
 * throw becomes an "error" answer.
 */
export function serve(handle) {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    let request;
    try {
      request = JSON.parse(line);
    } catch {
      return; // not a request
    }
    let answer;
    try {
      answer = handle(request);
    } catch (error) {
      answer = { error: error instanceof Error ? error.message : String(error) };
    }
    process.stdout.write(`${JSON.stringify({ id: request.id, ...answer })}\n`);
  });
}
