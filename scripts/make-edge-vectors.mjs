#!/usr/bin/env node
// Makes vectors/agora-edge-vectors.json by RUNNING the npm reference packages
// agora-token 2.0.6 and agora-access-token 2.0.4 (exact devDependencies) on
// inputs this library's builders refuse by default but the references accept:
// an expire over 24 hours or as large as a u32, a build clock at the Unix
// epoch, before it or at the end of the u32 range, 006 privilege times that
// are already past when the token is built, and roles this library rejects.
//
//   node scripts/make-edge-vectors.mjs            # rewrite the file
//   node scripts/make-edge-vectors.mjs --check    # exit 1 if the references build something else now
//
// The clock (Date) and Math.random are pinned per case, so every run gives
// the same strings. Every expected value (payloadHex, messageHex, signature,
// decoded fields) is read back from the references' token strings here, with
// node:zlib and a small parser of this script's own; this library is not used.
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const OUT = join(root, 'vectors', 'agora-edge-vectors.json');

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const CERT = '5CFd2fd1755d40ecb72977518be15d3b';
const CHANNEL = '7d72365eb983485397e3e3f9d460bdda';
const U32_MAX = 0xffffffff;

function packageVersion(name) {
  return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
}
const versions = { 'agora-token': packageVersion('agora-token'), 'agora-access-token': packageVersion('agora-access-token') };
if (versions['agora-token'] !== '2.0.6' || versions['agora-access-token'] !== '2.0.4') {
  throw new Error(`expected agora-token 2.0.6 and agora-access-token 2.0.4, found ${JSON.stringify(versions)}`);
}

// ---- pinned clock and random -------------------------------------------------

const RealDate = Date;
const realRandom = Math.random;

/** Runs `fn` with `new Date()` / `Date.now()` at `seconds` (Unix) and Math.random() returning `random`. */
function pinned(seconds, random, fn) {
  const ms = seconds * 1000;
  class PinnedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(ms);
      else super(...args);
    }
    static now() {
      return ms;
    }
  }
  globalThis.Date = PinnedDate;
  Math.random = () => random;
  try {
    return fn();
  } finally {
    globalThis.Date = RealDate;
    Math.random = realRandom;
  }
}

/** agora-token's AccessToken2 salt: floor(random * 99999999) + 1. */
const random007 = (salt) => (salt - 1 + 0.5) / 99999999;
/** agora-access-token's (and agora-token's) 006 salt, drawn once when AccessToken.js loads: floor(random * 0xFFFFFFFF). */
const random006 = (salt) => (salt + 0.5) / 0xffffffff;

/** Loads a module of a reference package afresh, so its load-time salt is drawn under the pinned random. */
function freshRequire(specifier) {
  const file = require.resolve(specifier);
  const packageDir = file.slice(0, file.lastIndexOf('/src/') + 1);
  for (const key of Object.keys(require.cache)) if (key.startsWith(packageDir)) delete require.cache[key];
  return require(specifier);
}

// ---- reading tokens back (independent of the library under test) -------------

class Reader {
  constructor(buffer) {
    this.b = buffer;
    this.p = 0;
  }
  u16() {
    const v = this.b.readUInt16LE(this.p);
    this.p += 2;
    return v;
  }
  i16() {
    const v = this.b.readInt16LE(this.p);
    this.p += 2;
    return v;
  }
  u32() {
    const v = this.b.readUInt32LE(this.p);
    this.p += 4;
    return v;
  }
  bytes() {
    const n = this.u16();
    const v = this.b.subarray(this.p, this.p + n);
    this.p += n;
    if (v.length !== n) throw new Error('truncated');
    return v;
  }
  str() {
    return this.bytes().toString('utf8');
  }
  end() {
    if (this.p !== this.b.length) throw new Error(`${this.b.length - this.p} trailing bytes`);
  }
}

const FIELDS = {
  1: (r) => ({ channelName: r.str(), uid: r.str() }),
  2: (r) => ({ userId: r.str() }),
  4: () => ({}),
  5: (r) => ({ userId: r.str() }),
  7: (r) => ({ roomUuid: r.str(), userUuid: r.str(), role: r.i16() }),
  9: () => ({}),
  10: () => ({}),
};

function parse007(token) {
  if (!token.startsWith('007')) throw new Error(`not a 007 token: ${token}`);
  const payload = inflateSync(Buffer.from(token.slice(3), 'base64'));
  const r = new Reader(payload);
  const signature = r.bytes();
  const signingInfo = payload.subarray(r.p);
  const appId = r.str();
  const issueTs = r.u32();
  const expire = r.u32();
  const salt = r.u32();
  const services = [];
  for (let n = r.u16(); n > 0; n--) {
    const type = r.u16();
    const privileges = {};
    for (let k = r.u16(); k > 0; k--) {
      const key = r.u16();
      privileges[String(key)] = r.u32();
    }
    if (FIELDS[type] === undefined) throw new Error(`service type ${type} is not used by these cases`);
    services.push({ type, privileges, ...FIELDS[type](r) });
  }
  r.end();
  return { payload, signature, signingInfo, appId, issueTs, expire, salt, services };
}

const u32le = (v) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const hmac = (key, message) => createHmac('sha256', key).update(message).digest();

function case007(spec) {
  const { name, note, builder, clock, salt, make } = spec;
  const token = pinned(clock, random007(salt), () => make(require('agora-token')));
  const t = parse007(token);
  // The pins took: the token carries the clock and the salt asked for.
  if (t.issueTs !== clock || t.salt !== salt || t.appId !== APP_ID) {
    throw new Error(`${name}: got issueTs ${t.issueTs}, salt ${t.salt}, appId ${t.appId}`);
  }
  const signing = hmac(u32le(t.salt), hmac(u32le(t.issueTs), CERT));
  if (!hmac(signing, t.signingInfo).equals(t.signature)) throw new Error(`${name}: signature does not recompute`);
  return {
    name,
    source: `generated: npm agora-token@${versions['agora-token']} ${builder.reference}, clock and Math.random pinned`,
    builder: { name: builder.name, args: builder.args },
    appId: t.appId,
    appCertificate: CERT,
    issueTs: t.issueTs,
    salt: t.salt,
    expire: t.expire,
    services: t.services,
    signatureHex: t.signature.toString('hex'),
    payloadHex: t.payload.toString('hex'),
    tokens: { 'agora-token': token },
    note,
  };
}

function parse006(token) {
  if (!token.startsWith('006')) throw new Error(`not a 006 token: ${token}`);
  const appId = token.slice(3, 35);
  const r = new Reader(Buffer.from(token.slice(35), 'base64'));
  const signature = r.bytes();
  const crcChannelName = r.u32();
  const crcUid = r.u32();
  const message = r.bytes();
  r.end();
  const m = new Reader(message);
  const salt = m.u32();
  const ts = m.u32();
  const privileges = {};
  for (let n = m.u16(); n > 0; n--) {
    const key = m.u16();
    privileges[String(key)] = m.u32();
  }
  m.end();
  return { appId, signature, crcChannelName, crcUid, message, salt, ts, privileges };
}

/** agora-access-token and agora-token's 006 builders: one fresh load of each per case. */
const REFERENCES_006 = {
  'agora-access-token': (module) => `agora-access-token/src/${module}`,
  'agora-token': (module) => `agora-token/src/${module}`,
};

function case006(spec) {
  const { name, note, builder, clock, salt, channelName, uid, make } = spec;
  const tokens = {};
  for (const [reference, path] of Object.entries(REFERENCES_006)) {
    tokens[reference] = pinned(clock, random006(salt), () =>
      make({ Rtc: freshRequire(path('RtcTokenBuilder')), Rtm: freshRequire(path('RtmTokenBuilder')) }),
    );
  }
  const [first, ...others] = Object.values(tokens);
  if (others.some((t) => t !== first)) throw new Error(`${name}: the 006 references disagree: ${JSON.stringify(tokens)}`);
  const t = parse006(first);
  if (t.ts !== clock + 86400 || t.salt !== salt || t.appId !== APP_ID) {
    throw new Error(`${name}: got ts ${t.ts}, salt ${t.salt}, appId ${t.appId}`);
  }
  const signed = Buffer.concat([Buffer.from(APP_ID + channelName + uid, 'utf8'), t.message]);
  if (!hmac(CERT, signed).equals(t.signature)) throw new Error(`${name}: signature does not recompute`);
  return {
    name,
    source:
      `generated: npm agora-access-token@${versions['agora-access-token']} and agora-token@${versions['agora-token']} ` +
      `src/${builder.reference}, clock and Math.random pinned (build time ${clock}, so ts = ${clock} + 86400)`,
    builder: { name: builder.name, args: builder.args },
    appId: t.appId,
    appCertificate: CERT,
    channelName,
    uid,
    salt: t.salt,
    ts: t.ts,
    privileges: t.privileges,
    crcChannelName: t.crcChannelName,
    crcUid: t.crcUid,
    signatureHex: t.signature.toString('hex'),
    messageHex: t.message.toString('hex'),
    tokens,
    note,
  };
}

// ---- the cases -----------------------------------------------------------------

const T = 1700000000; // 2023-11-14T22:13:20Z, the clock of the ordinary cases

const cases007 = [
  {
    name: 'edge-chat-user-expire-over-24h',
    note: 'expire 90000 (25 hours): over the 24-hour cap of the high-level builders, which agora-token does not have.',
    clock: T,
    salt: 4242,
    builder: { name: 'ChatTokenBuilder2.buildUserToken', reference: 'ChatTokenBuilder.buildUserToken', args: { appId: APP_ID, appCertificate: CERT, userId: 'test_user', expire: 90000 } },
    make: (a) => a.ChatTokenBuilder.buildUserToken(APP_ID, CERT, 'test_user', 90000),
  },
  {
    name: 'edge-chat-app-issue-ts-0',
    note: 'clock at the Unix epoch: issueTs 0.',
    clock: 0,
    salt: 1,
    builder: { name: 'ChatTokenBuilder2.buildAppToken', reference: 'ChatTokenBuilder.buildAppToken', args: { appId: APP_ID, appCertificate: CERT, expire: 600 } },
    make: (a) => a.ChatTokenBuilder.buildAppToken(APP_ID, CERT, 600),
  },
  {
    name: 'edge-chat-app-issue-ts-max-u32',
    note: 'clock at the last second a u32 holds (2106-02-07T06:28:15Z): issueTs 4294967295.',
    clock: U32_MAX,
    salt: 99999999,
    builder: { name: 'ChatTokenBuilder2.buildAppToken', reference: 'ChatTokenBuilder.buildAppToken', args: { appId: APP_ID, appCertificate: CERT, expire: 600 } },
    make: (a) => a.ChatTokenBuilder.buildAppToken(APP_ID, CERT, 600),
  },
  {
    name: 'edge-rtc-uid-expire-30-days',
    note: 'tokenExpire and privilegeExpire 2592000 (30 days).',
    clock: T,
    salt: 777,
    builder: {
      name: 'RtcTokenBuilder2.buildTokenWithUid',
      reference: 'RtcTokenBuilder.buildTokenWithUid',
      args: { appId: APP_ID, appCertificate: CERT, channelName: CHANNEL, uid: 2882341273, role: 1, tokenExpire: 2592000, privilegeExpire: 2592000 },
    },
    make: (a) => a.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, CHANNEL, 2882341273, a.RtcRole.PUBLISHER, 2592000, 2592000),
  },
  {
    name: 'edge-rtc-account-expire-0',
    note: 'tokenExpire 0: the token is expired when it is built.',
    clock: T,
    salt: 31337,
    builder: {
      name: 'RtcTokenBuilder2.buildTokenWithUserAccount',
      reference: 'RtcTokenBuilder.buildTokenWithUserAccount',
      args: { appId: APP_ID, appCertificate: CERT, channelName: 'room-1', account: 'test_user', role: 2, tokenExpire: 0, privilegeExpire: 0 },
    },
    make: (a) => a.RtcTokenBuilder.buildTokenWithUserAccount(APP_ID, CERT, 'room-1', 'test_user', a.RtcRole.SUBSCRIBER, 0, 0),
  },
  {
    name: 'edge-rtm-expire-absolute-time',
    note: 'expire 1700003600, an absolute Unix time where seconds from now are meant (the mistake the 24-hour cap catches); agora-token builds it.',
    clock: T,
    salt: 5,
    builder: { name: 'RtmTokenBuilder2.buildToken', reference: 'RtmTokenBuilder.buildToken', args: { appId: APP_ID, appCertificate: CERT, userId: 'test_user', expire: T + 3600 } },
    make: (a) => a.RtmTokenBuilder.buildToken(APP_ID, CERT, 'test_user', T + 3600),
  },
  {
    name: 'edge-apaas-user-expire-max-u32',
    note: 'expire 4294967295, the largest a u32 holds.',
    clock: T,
    salt: 12345678,
    builder: { name: 'ApaasTokenBuilder.buildUserToken', reference: 'ApaasTokenBuilder.buildUserToken', args: { appId: APP_ID, appCertificate: CERT, userUuid: 'user-uuid-1', expire: U32_MAX } },
    make: (a) => a.ApaasTokenBuilder.buildUserToken(APP_ID, CERT, 'user-uuid-1', U32_MAX),
  },
  {
    name: 'edge-education-app-expire-7-days',
    note: 'expire 604800 (7 days).',
    clock: T,
    salt: 604800,
    builder: { name: 'EducationTokenBuilder.buildAppToken', reference: 'EducationTokenBuilder.buildAppToken', args: { appId: APP_ID, appCertificate: CERT, expire: 604800 } },
    make: (a) => a.EducationTokenBuilder.buildAppToken(APP_ID, CERT, 604800),
  },
  {
    name: 'edge-fpa-issue-ts-0',
    note: 'clock at the Unix epoch: issueTs 0 (FPA tokens always last 24 hours).',
    clock: 0,
    salt: 2,
    builder: { name: 'FpaTokenBuilder.buildToken', reference: 'FpaTokenBuilder.buildToken', args: { appId: APP_ID, appCertificate: CERT } },
    make: (a) => a.FpaTokenBuilder.buildToken(APP_ID, CERT),
  },
  {
    name: 'edge-convoai-expire-over-24h',
    note: 'rtcTokenExpire and rtmTokenExpire 172800 (48 hours).',
    clock: T,
    salt: 172800,
    builder: {
      name: 'ConvoAITokenBuilder.buildToken',
      reference: 'ConvoAITokenBuilder.buildToken',
      args: {
        appId: APP_ID,
        appCertificate: CERT,
        channelName: CHANNEL,
        rtcAccount: '1001',
        rtcRole: 1,
        rtcTokenExpire: 172800,
        joinChannelPrivilegeExpire: 172800,
        pubAudioPrivilegeExpire: 172800,
        pubVideoPrivilegeExpire: 172800,
        pubDataStreamPrivilegeExpire: 172800,
        rtmUserId: 'agent-1',
        rtmTokenExpire: 172800,
      },
    },
    make: (a) =>
      a.ConvoAITokenBuilder.buildToken(APP_ID, CERT, CHANNEL, '1001', a.RtcRole.PUBLISHER, 172800, 172800, 172800, 172800, 172800, 'agent-1', 172800),
  },
  {
    name: 'edge-rtc-uid-role-101',
    note:
      'role 101, the 006 ADMIN role, passed to the 007 builder: agora-token makes it a subscriber (joinChannel only). ' +
      'This library rejects an RTC role other than 1 or 2, so vectors check expects its builder to refuse the case; ' +
      'the payload is still rebuilt from the inputs.',
    clock: T,
    salt: 101,
    builder: {
      name: 'RtcTokenBuilder2.buildTokenWithUid',
      reference: 'RtcTokenBuilder.buildTokenWithUid',
      args: { appId: APP_ID, appCertificate: CERT, channelName: CHANNEL, uid: 2882341273, role: 101, tokenExpire: 3600, privilegeExpire: 3600 },
    },
    make: (a) => a.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, CHANNEL, 2882341273, 101, 3600, 3600),
  },
];

const rtc006 = (builderName, reference, args, make) => ({ name: builderName, reference, args, make });
const cases006 = [
  {
    name: 'edge-006-rtc-uid-privilege-in-2015',
    note: 'privilegeExpiredTs 1446455471 (2015), before the build time: the references build an already expired token without complaint.',
    clock: T,
    salt: 1,
    channelName: CHANNEL,
    uid: '2882341273',
    builder: rtc006('RtcTokenBuilder.buildTokenWithUid', 'RtcTokenBuilder.buildTokenWithUid', {
      appId: APP_ID, appCertificate: CERT, channelName: CHANNEL, uid: 2882341273, role: 1, privilegeExpiredTs: 1446455471,
    }),
    make: (m) => m.Rtc.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, CHANNEL, 2882341273, m.Rtc.Role.PUBLISHER, 1446455471),
  },
  {
    name: 'edge-006-rtc-uid-privilege-3600',
    note: 'privilegeExpiredTs 3600, seconds from now passed where 006 takes an absolute time (the mistake the past-timestamp guard catches).',
    clock: T,
    salt: 3600,
    channelName: 'demo',
    uid: '12345',
    builder: rtc006('RtcTokenBuilder.buildTokenWithUid', 'RtcTokenBuilder.buildTokenWithUid', {
      appId: APP_ID, appCertificate: CERT, channelName: 'demo', uid: 12345, role: 2, privilegeExpiredTs: 3600,
    }),
    make: (m) => m.Rtc.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'demo', 12345, m.Rtc.Role.SUBSCRIBER, 3600),
  },
  {
    name: 'edge-006-rtc-account-privilege-at-build-time',
    note: 'privilegeExpiredTs equal to the build time: expired at once.',
    clock: T,
    salt: 99,
    channelName: 'demo',
    uid: 'test_user',
    builder: rtc006('RtcTokenBuilder.buildTokenWithAccount', 'RtcTokenBuilder.buildTokenWithAccount', {
      appId: APP_ID, appCertificate: CERT, channelName: 'demo', account: 'test_user', role: 1, privilegeExpiredTs: T,
    }),
    make: (m) => m.Rtc.RtcTokenBuilder.buildTokenWithAccount(APP_ID, CERT, 'demo', 'test_user', m.Rtc.Role.PUBLISHER, T),
  },
  {
    name: 'edge-006-rtm-privilege-in-2015',
    note: 'RTM login privilege expired in 2015, before the build time.',
    clock: T,
    salt: 2015,
    channelName: 'test_user',
    uid: '',
    builder: rtc006('RtmTokenBuilder.buildToken', 'RtmTokenBuilder.buildToken', {
      appId: APP_ID, appCertificate: CERT, account: 'test_user', role: 1, privilegeExpiredTs: 1446455471,
    }),
    make: (m) => m.Rtm.RtmTokenBuilder.buildToken(APP_ID, CERT, 'test_user', m.Rtm.Role.Rtm_User, 1446455471),
  },
  {
    name: 'edge-006-rtc-uid-clock-at-epoch',
    note: 'clock at the Unix epoch: ts 86400; privilegeExpiredTs 0 (no expiry).',
    clock: 0,
    salt: 0,
    channelName: 'demo',
    uid: '',
    builder: rtc006('RtcTokenBuilder.buildTokenWithUid', 'RtcTokenBuilder.buildTokenWithUid', {
      appId: APP_ID, appCertificate: CERT, channelName: 'demo', uid: 0, role: 1, privilegeExpiredTs: 0,
    }),
    make: (m) => m.Rtc.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'demo', 0, m.Rtc.Role.PUBLISHER, 0),
  },
  {
    name: 'edge-006-rtc-account-ts-below-86400',
    note: 'clock one hour before the Unix epoch (1969-12-31T23:00:00Z): ts 82800, below 86400, so there is no u32 build time to derive from it; privilegeExpiredTs 1.',
    clock: -3600,
    salt: 4294967295,
    channelName: 'demo',
    uid: 'test_user',
    builder: rtc006('RtcTokenBuilder.buildTokenWithAccount', 'RtcTokenBuilder.buildTokenWithAccount', {
      appId: APP_ID, appCertificate: CERT, channelName: 'demo', account: 'test_user', role: 2, privilegeExpiredTs: 1,
    }),
    make: (m) => m.Rtc.RtcTokenBuilder.buildTokenWithAccount(APP_ID, CERT, 'demo', 'test_user', m.Rtc.Role.SUBSCRIBER, 1),
  },
  {
    name: 'edge-006-rtm-ts-0',
    note: 'clock 24 hours before the Unix epoch (1969-12-31T00:00:00Z): ts 0.',
    clock: -86400,
    salt: 86400,
    channelName: 'test_user',
    uid: '',
    builder: rtc006('RtmTokenBuilder.buildToken', 'RtmTokenBuilder.buildToken', {
      appId: APP_ID, appCertificate: CERT, account: 'test_user', role: 1, privilegeExpiredTs: 0,
    }),
    make: (m) => m.Rtm.RtmTokenBuilder.buildToken(APP_ID, CERT, 'test_user', m.Rtm.Role.Rtm_User, 0),
  },
  {
    name: 'edge-006-rtc-uid-ts-max-u32',
    note: 'clock at 4294880895, so that ts = 4294967295, the largest a u32 holds; privilegeExpiredTs 4294967295.',
    clock: U32_MAX - 86400,
    salt: 7,
    channelName: CHANNEL,
    uid: '4294967295',
    builder: rtc006('RtcTokenBuilder.buildTokenWithUid', 'RtcTokenBuilder.buildTokenWithUid', {
      appId: APP_ID, appCertificate: CERT, channelName: CHANNEL, uid: U32_MAX, role: 101, privilegeExpiredTs: U32_MAX,
    }),
    make: (m) => m.Rtc.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, CHANNEL, U32_MAX, m.Rtc.Role.ADMIN, U32_MAX),
  },
  {
    name: 'edge-006-rtm-role-0',
    note:
      'RTM role 0: both references ignore the role. This library rejects an RTM role other than Rtm_User (1), so ' +
      'vectors check expects its builder to refuse the case; the token is still rebuilt from the inputs.',
    clock: T,
    salt: 1000,
    channelName: 'test_user',
    uid: '',
    builder: rtc006('RtmTokenBuilder.buildToken', 'RtmTokenBuilder.buildToken', {
      appId: APP_ID, appCertificate: CERT, account: 'test_user', role: 0, privilegeExpiredTs: T + 3600,
    }),
    make: (m) => m.Rtm.RtmTokenBuilder.buildToken(APP_ID, CERT, 'test_user', 0, T + 3600),
  },
];

// ---- the file --------------------------------------------------------------------

const document = {
  schema: 1,
  description:
    'Edge vectors: cases the npm reference packages build without complaint although the high-level builders of ' +
    'agora-token-builder refuse them by default (an expire over 24 hours, a 006 privilegeExpiredTs already past) or ' +
    'that need a clock at, before or at the end of the u32 range (issueTs 0, a 006 ts below 86400), and two cases ' +
    'with a role the references take but this library rejects (vectors check expects its builder to refuse those). Same schema as ' +
    'agora-reference-vectors.json. Made by scripts/make-edge-vectors.mjs, which runs agora-token and agora-access-token ' +
    'with Date and Math.random pinned per case and reads every expected value back from the token strings they built ' +
    '(node:zlib and a parser of its own; the signature is recomputed with node:crypto as a cross-check). For the 006 ' +
    "cases both packages' 006 builders ran and built the same string. `vectors check` builds these with the guards " +
    'opted out and with issueTs, ts and salt taken from the case.',
  generatedBy: {
    script: 'scripts/make-edge-vectors.mjs',
    'agora-token': versions['agora-token'],
    'agora-access-token': versions['agora-access-token'],
    node: process.version,
    nodeZlib: process.versions.zlib,
  },
  token007: cases007.map(case007),
  token006: cases006.map(case006),
  invalid: [],
};

const text = `${JSON.stringify(document, null, 2)}\n`;
if (process.argv.includes('--check')) {
  // Everything must match but the Node version; the 007 strings only where this Node's zlib is the
  // generating one (deflate output is not canonical; their payloads are compared in any case).
  const current = JSON.parse(readFileSync(OUT, 'utf8'));
  const sameZlib = current.generatedBy.nodeZlib === process.versions.zlib;
  const comparable = (doc) => ({
    ...doc,
    generatedBy: { ...doc.generatedBy, node: undefined, nodeZlib: undefined },
    token007: doc.token007.map((c) => (sameZlib ? c : { ...c, tokens: undefined })),
  });
  if (JSON.stringify(comparable(current)) !== JSON.stringify(comparable(document))) {
    console.error(`${OUT} differs from what the references build now: run node scripts/make-edge-vectors.mjs and review the diff`);
    process.exit(1);
  }
  console.log(`${OUT}: the references build it again (${document.token007.length + document.token006.length} cases${sameZlib ? '' : ', 007 strings not compared: another zlib'})`);
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}: ${document.token007.length} token007, ${document.token006.length} token006`);
}
