// POST /token/rtc (only with `authorizeChannel`): an RTC token for the
// signed-in user's `agoraUid` in one channel and role, when the hook allows
// it. Its expiry is capped at the session's end, like the chat token's.
import { RtcRole } from '../../builders/rtc.js';
import { askStore, cappedExpire, cors, nowSeconds, openSession, sessionError, type Call } from '../core.js';
import { HttpError, readJson, sendJson, type Reply } from '../http.js';
import type { RtcRoleName } from '../options.js';

/** Longest channel name Agora accepts, in bytes (printable ASCII). */
const MAX_CHANNEL_NAME = 64;
const CHANNEL_NAME = /^[A-Za-z0-9 !#$%&()+\-:;<=.>?@[\]^_{|}~,]{1,64}$/;
const ROLES: Record<RtcRoleName, RtcRole> = { publisher: RtcRole.PUBLISHER, subscriber: RtcRole.SUBSCRIBER };

export async function rtcToken(call: Call): Promise<Reply> {
  const { config } = call;
  const body = await readJson(call.request, config.maxBodyBytes, call.body);
  const { channelName, role } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof channelName !== 'string' || !CHANNEL_NAME.test(channelName) || (role !== 'publisher' && role !== 'subscriber')) {
    throw new HttpError(
      400,
      'invalid_request',
      `the body must be a JSON object with "channelName" (1-${MAX_CHANNEL_NAME} characters: letters, digits, space and !#$%&()+-:;<=.>?@[]^_{|}~,) and "role" ("publisher" or "subscriber")`,
    );
  }
  const opened = await openSession(call);
  if ('failure' in opened) throw sessionError(call, opened.failure);
  const { session } = opened;
  const lookUp = config.accounts.lookUp!;
  const user = await askStore(call, () => lookUp(session.userAccount), 'look the user up');
  if (user === null || !(await config.sessions.matches(session, user.credentialStamp))) throw sessionError(call, 'session_revoked');
  if (user.agoraUid === undefined) {
    config.onError(new Error(`user ${JSON.stringify(session.userAccount)} has no agoraUid: POST /token/rtc needs a user store that keeps one`));
    throw new HttpError(500, 'internal_error', 'the server has no RTC uid for this user');
  }
  const channelUser = { userAccount: session.userAccount, chatUserName: user.chatUserName, chatUserUuid: user.chatUserUuid, agoraUid: user.agoraUid };
  let allowed: boolean;
  try {
    allowed = (await config.authorizeChannel!(channelUser, channelName, role)) === true;
  } catch (error) {
    config.onError(error);
    throw new HttpError(500, 'internal_error', 'the server could not decide on the channel');
  }
  if (!allowed) throw new HttpError(403, 'channel_not_allowed', `this user may not join this channel as ${role}`);
  const issueTs = nowSeconds();
  const expire = cappedExpire(config, session.expiresAt, issueTs);
  let accessToken: string;
  try {
    accessToken = await config.platform.buildRtcToken(config.appId, config.appCertificate, channelName, user.agoraUid, ROLES[role], expire, {
      allowLongExpire: config.allowLongExpire,
      issueTs,
    });
  } catch (error) {
    config.onError(error);
    throw new HttpError(500, 'internal_error', 'the server could not build an RTC token');
  }
  return sendJson(200, { accessToken, channelName, uid: user.agoraUid, role, expireTimestamp: issueTs + expire, expiresIn: expire }, cors(call));
}
