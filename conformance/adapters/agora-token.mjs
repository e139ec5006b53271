#!/usr/bin/env node
// Conformance adapter over the npm package agora-token 2.0.6: its AccessToken2
// and 007 builders, its legacy 006 AccessToken and builders (src/), and
// AccessToken2.from_string + verifySignature for verify. It has no 006
// verifier, so 006 verify requests are unsupported.
//
// agora-token takes no issueTs or salt: AccessToken2 reads the clock and
// Math.random in its constructor. The adapter pins them by setting the
// fields before each build, as the vectors generator did.
import { createRequire } from 'node:module';
import { positionalArgs, serve } from './common.mjs';

const require = createRequire(import.meta.url);
const agora = require('agora-token');
const token2 = require('agora-token/src/AccessToken2');
const legacy = require('agora-token/src/AccessToken');

let pinned007; // { issueTs, salt } while a builder runs
const build007 = token2.AccessToken2.prototype.build;
token2.AccessToken2.prototype.build = function build() {
  if (pinned007 !== undefined) Object.assign(this, pinned007);
  return build007.call(this);
};

let pinned006; // { salt, ts } while a 006 builder runs
const AccessToken006 = legacy.AccessToken;
legacy.AccessToken = function AccessToken(...args) {
  AccessToken006.apply(this, args);
  if (pinned006 !== undefined) Object.assign(this, pinned006);
};
// Loaded after the patch, so that they construct the pinned AccessToken.
const { RtcTokenBuilder: RtcTokenBuilder006 } = require('agora-token/src/RtcTokenBuilder');
const { RtmTokenBuilder: RtmTokenBuilder006 } = require('agora-token/src/RtmTokenBuilder');

/** agora-token's names for the builders of the vectors. */
const CLASSES = {
  ChatTokenBuilder2: agora.ChatTokenBuilder,
  RtcTokenBuilder2: agora.RtcTokenBuilder,
  RtmTokenBuilder2: agora.RtmTokenBuilder,
  FpaTokenBuilder: agora.FpaTokenBuilder,
  ApaasTokenBuilder: agora.ApaasTokenBuilder,
  EducationTokenBuilder: agora.EducationTokenBuilder,
  ConvoAITokenBuilder: agora.ConvoAITokenBuilder,
  SttTokenBuilder: agora.SttTokenBuilder,
  RtcTokenBuilder: RtcTokenBuilder006,
  RtmTokenBuilder: RtmTokenBuilder006,
};
const METHODS = { buildTokenWithUserAccountAndPrivilege: 'BuildTokenWithUserAccountAndPrivilege' };

/** The vectors' {resourceType: {permissionType: [resource]}} as agora-token's Rtm2Permissions. */
function permissions(map) {
  const result = new token2.Rtm2Permissions();
  for (const [resourceType, byPermission] of Object.entries(map)) {
    for (const [permissionType, resources] of Object.entries(byPermission)) {
      result.add(Number(resourceType), Number(permissionType), resources);
    }
  }
  return result;
}

/** A service of the vectors schema as one of agora-token's Service classes. */
function service(init) {
  const s = (() => {
    switch (init.type) {
      case 1: return new token2.ServiceRtc(init.channelName, init.uid);
      case 2: return new token2.ServiceRtm(init.userId);
      case 3: return new token2.ServiceStreaming(init.channelName, init.account);
      case 4: return new token2.ServiceFpa();
      case 5: return new token2.ServiceChat(init.userId);
      case 6: return new token2.ServiceFCdn(init.channelName, init.account);
      case 7: return new token2.ServiceApaas(init.roomUuid, init.userUuid, init.role);
      case 8: return new token2.ServiceRtm2(init.userId, permissions(init.permissions));
      case 9: return new token2.ServiceConvoAI();
      case 10: return new token2.ServiceStt();
      default: return undefined;
    }
  })();
  if (s !== undefined) for (const [key, value] of Object.entries(init.privileges)) s.add_privilege(Number(key), value);
  return s;
}

function builder(request) {
  const positional = positionalArgs(request.name, request.args);
  const [className, method] = request.name.split('.');
  const fn = CLASSES[className]?.[METHODS[method] ?? method];
  if (positional === undefined || fn === undefined) return { unsupported: true };
  if (request.name === 'RtmTokenBuilder2.buildTokenWithPermissions') positional[3] = permissions(positional[3]);
  pinned007 = request.ts === undefined ? { issueTs: request.issueTs, salt: request.salt } : undefined;
  pinned006 = request.ts === undefined ? undefined : { salt: request.salt, ts: request.ts };
  try {
    return { token: fn.apply(CLASSES[className], positional) };
  } finally {
    pinned007 = pinned006 = undefined;
  }
}

serve((request) => {
  switch (request.kind) {
    case 'token007': {
      const token = new token2.AccessToken2(request.appId, request.appCertificate, request.issueTs, request.expire);
      Object.assign(token, { issueTs: request.issueTs, salt: request.salt });
      for (const init of request.services) {
        const s = service(init);
        if (s === undefined) return { unsupported: true, reason: `service type ${init.type}` };
        token.add_service(s);
      }
      return { token: token.build() };
    }
    case 'token006': {
      const token = new AccessToken006(request.appId, request.appCertificate, request.channelName, request.uid);
      Object.assign(token, { salt: request.salt, ts: request.ts });
      for (const [key, value] of Object.entries(request.privileges)) token.addPriviledge(Number(key), value);
      return { token: token.build() };
    }
    case 'builder':
      return builder(request);
    case 'verify': {
      if (request.token.startsWith('006')) return { unsupported: true, reason: 'agora-token has no 006 verifier' };
      const token = new token2.AccessToken2();
      return { valid: token.from_string(request.token) && token.verifySignature(request.appCertificate) };
    }
    default:
      return { unsupported: true };
  }
});
