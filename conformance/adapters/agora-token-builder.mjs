#!/usr/bin/env node
// Conformance adapter over this library, agora-token-builder: every request
// kind, every builder. Run: agora-token-builder conformance -- node conformance/adapters/agora-token-builder.mjs
import * as lib from 'agora-token-builder';
import { positionalArgs, serve } from './common.mjs';

const { AccessToken, AccessToken2, verifyToken } = lib;
/** A 006 token's ts is its build time + 24 hours; the 006 builders take the build time. */
const DAY = 86_400;

/**
 * Builder calls this library refuses by design although a reference builds
 * them (SPEC section 5): answered unsupported, with the reason.
 */
function refusal(request) {
  const { name, args } = request;
  if (name === 'ChatTokenBuilder2.buildUserToken' && args.userId === '') return 'a chat user token with an empty userId';
  const rtcRole = /^(RtcTokenBuilder2|ConvoAITokenBuilder|SttTokenBuilder)\./.test(name) ? (args.role ?? args.rtcRole) : undefined;
  if (rtcRole !== undefined && rtcRole !== 1 && rtcRole !== 2) return `RTC role ${rtcRole}: only PUBLISHER (1) and SUBSCRIBER (2)`;
  if (name === 'RtmTokenBuilder.buildToken' && args.role !== 1) return `006 RTM role ${args.role}: only Rtm_User (1)`;
  // Its 006 builders take a build time (ts - 24 h), which must be a u32.
  if (request.ts !== undefined && request.ts < DAY) return `006 ts ${request.ts}: the build time ts - 24 h would be negative`;
  return undefined;
}

function build(request) {
  const { name, args } = request;
  const refused = refusal(request);
  if (refused !== undefined) return { unsupported: true, reason: `agora-token-builder refuses ${refused}` };
  const positional = positionalArgs(name, args);
  if (positional === undefined) return { unsupported: true };
  const [className, method] = name.split('.');
  const options =
    request.ts !== undefined
      ? { issueTs: request.ts - DAY, salt: request.salt, allowPastTimestamp: true }
      : { issueTs: request.issueTs, salt: request.salt, allowLongExpire: true };
  return { token: lib[className][method](...positional, options) };
}

serve((request) => {
  switch (request.kind) {
    case 'token007': {
      const token = new AccessToken2(request.appId, request.appCertificate, request.expire, {
        issueTs: request.issueTs,
        salt: request.salt,
      });
      for (const service of request.services) token.addService(service);
      return { token: token.build() };
    }
    case 'token006': {
      const token = new AccessToken(request.appId, request.appCertificate, request.channelName, request.uid, {
        salt: request.salt,
        ts: request.ts,
      });
      for (const [privilege, value] of Object.entries(request.privileges)) token.addPrivilege(Number(privilege), value);
      return { token: token.build() };
    }
    case 'builder':
      return build(request);
    case 'verify': {
      // Signature only: the vectors' tokens are long expired.
      const { status } = verifyToken(request.token, request.appCertificate, {
        now: 0,
        channelName: request.channelName,
        uid: request.uid,
      });
      return { valid: status === 'valid' || status === 'expired' };
    }
    default:
      return { unsupported: true };
  }
});
