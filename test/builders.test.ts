// The AccessToken2 builders of SPEC section 2 and the 006 builders of section 3:
// every vectors case with a `builder`, the rules of the SPEC table written
// out, and the bad-input rules of section 5 for every argument of every builder.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VECTOR_BUILDERS } from '../src/conformance/vector-builders.js';
import {
  AgoraTokenError,
  ApaasTokenBuilder,
  ConvoAITokenBuilder,
  decodeToken,
  EducationTokenBuilder,
  FpaTokenBuilder,
  RtcRole,
  RtcRole006,
  RtcTokenBuilder,
  RtcTokenBuilder2,
  Rtm2Permissions,
  RtmRole006,
  RtmTokenBuilder,
  RtmTokenBuilder2,
  SttTokenBuilder,
  type DecodedToken007,
} from '../src/index.js';
import { catchAgoraTokenError } from './helpers/errors.js';
import { ENTRY_CASES, rejection, type Entry } from './helpers/entries.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const CERT = '5CFd2fd1755d40ecb72977518be15d3b';
const PINNED = { issueTs: 1_700_000_000, salt: 7_654_321 };

interface BuilderCase {
  readonly name: string;
  readonly builder: { readonly name: string; readonly args: Record<string, unknown> } | null;
  readonly [field: string]: unknown;
}
const vectors = JSON.parse(readFileSync(new URL('../vectors/agora-reference-vectors.json', import.meta.url), 'utf8')) as {
  token007: BuilderCase[];
  token006: BuilderCase[];
};

function inflatedHex(token: string): string {
  expect(token.startsWith('007')).toBe(true);
  return inflateSync(Buffer.from(token.slice(3), 'base64')).toString('hex');
}

function decode007(token: string): DecodedToken007 {
  const decoded = decodeToken(token);
  if (decoded.version !== '007') throw new Error(`expected a 007 token, got ${decoded.version}`);
  return decoded;
}

function services(token: string) {
  return decode007(token).services.map((s) => ({ ...s }));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('vectors: every builder case', () => {
  const builderNames = new Set(
    [...vectors.token007, ...vectors.token006].flatMap((c) => (c.builder ? [c.builder.name] : [])),
  );

  it('registers every builder name the vectors use, and no other', () => {
    expect(builderNames.size).toBeGreaterThanOrEqual(22);
    for (const name of builderNames) expect(VECTOR_BUILDERS, name).toHaveProperty([name]);
    expect(new Set(Object.keys(VECTOR_BUILDERS))).toEqual(builderNames);
  });

  const cases007 = vectors.token007.filter((c) => c.builder !== null);
  it.each(cases007.map((c) => [c.name, c] as const))('007 %s: the builder gives payloadHex', (_name, c) => {
    const { name, args } = c.builder!;
    const entry = VECTOR_BUILDERS[name]!;
    const refusal = entry.refuses?.(args);
    const pinned = { issueTs: c.issueTs as number, salt: c.salt as number };
    if (refusal !== undefined) {
      expect(() => entry.build(args, pinned)).toThrow(AgoraTokenError);
      return;
    }
    expect(inflatedHex(entry.build(args, pinned))).toBe(c.payloadHex);
  });

  const cases006 = vectors.token006.filter((c) => c.builder !== null);
  it.each(cases006.map((c) => [c.name, c] as const))('006 %s: the builder gives every reference string', (_name, c) => {
    const { name, args } = c.builder!;
    // The token's own ts and salt, as the case gives them.
    const built = VECTOR_BUILDERS[name]!.build(args, { ts: c.ts as number, salt: c.salt as number });
    const tokens = Object.values(c.tokens as Record<string, string>);
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) expect(built).toBe(token);
  });
});

describe('RtcTokenBuilder2 (SPEC section 2)', () => {
  const all = (value: number) => ({ 1: value, 2: value, 3: value, 4: value });

  it('exports the roles PUBLISHER 1 and SUBSCRIBER 2', () => {
    expect(RtcRole).toEqual({ PUBLISHER: 1, SUBSCRIBER: 2 });
  });

  it('gives a publisher the four privileges and a subscriber only join', () => {
    const pub = RtcTokenBuilder2.buildTokenWithUid(APP_ID, CERT, 'ch', 42, RtcRole.PUBLISHER, 600, 300, PINNED);
    const sub = RtcTokenBuilder2.buildTokenWithUid(APP_ID, CERT, 'ch', 42, RtcRole.SUBSCRIBER, 600, 300, PINNED);
    expect(services(pub)).toEqual([{ type: 1, channelName: 'ch', uid: '42', privileges: all(300) }]);
    expect(services(sub)).toEqual([{ type: 1, channelName: 'ch', uid: '42', privileges: { 1: 300 } }]);
    expect(decode7Header(pub)).toEqual({ issueTs: PINNED.issueTs, expire: 600, salt: PINNED.salt });
  });

  it('defaults privilegeExpire to 0 and packs uid 0 as "" but the string "0" as "0"', () => {
    const any = RtcTokenBuilder2.buildTokenWithUid(APP_ID, CERT, 'ch', 0, RtcRole.PUBLISHER, 600);
    expect(services(any)).toEqual([{ type: 1, channelName: 'ch', uid: '', privileges: all(0) }]);
    const zero = RtcTokenBuilder2.buildTokenWithUid(APP_ID, CERT, 'ch', '0', RtcRole.SUBSCRIBER, 600);
    expect(services(zero)[0]).toMatchObject({ uid: '0' });
  });

  it('buildTokenWithUidAndPrivilege grants the four privileges as given', () => {
    const token = RtcTokenBuilder2.buildTokenWithUidAndPrivilege(APP_ID, CERT, 'ch', '7', 600, 1, 2, 3, 4, PINNED);
    expect(services(token)).toEqual([{ type: 1, channelName: 'ch', uid: '7', privileges: { 1: 1, 2: 2, 3: 3, 4: 4 } }]);
  });

  it('buildTokenWithRtm adds an Rtm login for the account lasting the token expire', () => {
    const token = RtcTokenBuilder2.buildTokenWithRtm(APP_ID, CERT, 'ch', 'alice', RtcRole.SUBSCRIBER, 600, 100);
    expect(services(token)).toEqual([
      { type: 1, channelName: 'ch', uid: 'alice', privileges: { 1: 100 } },
      { type: 2, userId: 'alice', privileges: { 1: 600 } },
    ]);
  });

  it('buildTokenWithRtm2 uses separate accounts and expires; a subscriber gets join only', () => {
    const token = RtcTokenBuilder2.buildTokenWithRtm2(APP_ID, CERT, 'ch', 'a', RtcRole.SUBSCRIBER, 600, 10, 20, 30, 40, 'b', 90_000);
    expect(services(token)).toEqual([
      { type: 1, channelName: 'ch', uid: 'a', privileges: { 1: 10 } },
      { type: 2, userId: 'b', privileges: { 1: 90_000 } },
    ]);
  });

  it('takes issueTs from the clock and a fresh salt in 1..99999999 when not pinned', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-02T03:04:05.678Z'));
    const salts = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const token = decode007(RtcTokenBuilder2.buildTokenWithUid(APP_ID, CERT, 'ch', 1, RtcRole.PUBLISHER, 600));
      expect(token.issueTs).toBe(Math.floor(Date.UTC(2030, 0, 2, 3, 4, 5) / 1000));
      expect(token.salt).toBeGreaterThanOrEqual(1);
      expect(token.salt).toBeLessThanOrEqual(99_999_999);
      salts.add(token.salt);
    }
    expect(salts.size).toBeGreaterThan(1);
  });
});

function decode7Header(token: string) {
  const { issueTs, expire, salt } = decode007(token);
  return { issueTs, expire, salt };
}

describe('RtmTokenBuilder2 and Rtm2Permissions', () => {
  it('has the constants of agora-token', () => {
    expect([
      Rtm2Permissions.kMessageChannels,
      Rtm2Permissions.kStreamChannels,
      Rtm2Permissions.kGroupChannels,
      Rtm2Permissions.kServerGroups,
      Rtm2Permissions.kUsers,
      Rtm2Permissions.kRead,
      Rtm2Permissions.kWrite,
    ]).toEqual([0, 1, 2, 3, 4, 0, 1]);
  });

  it('builds the vector rtm-build-token-with-permissions from an Rtm2Permissions', () => {
    const c = vectors.token007.find((v) => v.name === 'rtm-build-token-with-permissions')!;
    const permissions = new Rtm2Permissions()
      .add(Rtm2Permissions.kUsers, Rtm2Permissions.kWrite, ['user-b', 'user-c'])
      .add(Rtm2Permissions.kMessageChannels, Rtm2Permissions.kWrite, ['msg-a'])
      .add(Rtm2Permissions.kMessageChannels, Rtm2Permissions.kRead, ['replaced'])
      .add(Rtm2Permissions.kMessageChannels, Rtm2Permissions.kRead, new Set(['msg-*', 'msg-b']))
      .add(Rtm2Permissions.kStreamChannels, Rtm2Permissions.kWrite, ['stream-a'])
      .add(Rtm2Permissions.kGroupChannels, Rtm2Permissions.kRead, ['group-1', 'group-2'])
      .add(Rtm2Permissions.kServerGroups, Rtm2Permissions.kWrite, [])
      .add(Rtm2Permissions.kUsers, Rtm2Permissions.kRead, ['user-a']);
    const pinned = { issueTs: c.issueTs as number, salt: c.salt as number };
    const token = RtmTokenBuilder2.buildTokenWithPermissions(APP_ID, CERT, 'test_user', permissions, 3600, pinned);
    expect(inflatedHex(token)).toBe(c.payloadHex);
    // The same from agora-token's shape ({ details }) and from a plain map.
    const wrapped = { details: JSON.parse(JSON.stringify(permissions.details)) };
    expect(inflatedHex(RtmTokenBuilder2.buildTokenWithPermissions(APP_ID, CERT, 'test_user', wrapped, 3600, pinned))).toBe(c.payloadHex);
  });

  it('rejects permission maps that cannot be packed, naming the place', () => {
    const bad: Array<[unknown, string]> = [
      [null, 'permissions'],
      [[], 'permissions'],
      [{ x: {} }, 'permissions'],
      [{ 65536: {} }, 'permissions'],
      [{ 0: [] }, 'permissions[0]'],
      [{ 0: { 1: 'a' } }, 'permissions[0][1]'],
      [{ 0: { 1: ['ok', 5] } }, 'permissions[0][1][1]'],
      [{ details: { 0: { '01': [] } } }, 'permissions.details[0]'],
    ];
    for (const [permissions, argument] of bad) {
      const error = catchAgoraTokenError(() => RtmTokenBuilder2.buildTokenWithPermissions(APP_ID, CERT, 'u', permissions as never, 600));
      expect(error.code, argument).toBe('ERR_INVALID_ARGUMENT');
      expect(error.argument).toBe(argument);
    }
    expect(() => new Rtm2Permissions().add(0, 0, 'abc' as never)).toThrow(/resources must be an array/);
    expect(() => new Rtm2Permissions().add(-1, 0, [])).toThrow(/resourceType/);
    expect(() => new Rtm2Permissions().add(0, 65_536, [])).toThrow(/permissionType/);
  });
});

describe('FpaTokenBuilder, ConvoAI, Stt', () => {
  it('Fpa: expire 86400 and login 0, whatever allowLongExpire says', () => {
    const token = FpaTokenBuilder.buildToken(APP_ID, CERT, PINNED);
    expect(decode7Header(token)).toEqual({ issueTs: PINNED.issueTs, expire: 86_400, salt: PINNED.salt });
    expect(services(token)).toEqual([{ type: 4, privileges: { 1: 0 } }]);
  });

  it.each([
    ['ConvoAITokenBuilder', ConvoAITokenBuilder, 9],
    ['SttTokenBuilder', SttTokenBuilder, 10],
  ] as const)('%s adds an empty service of type %i after Rtc and Rtm', (_name, builder, type) => {
    const token = builder.buildToken(APP_ID, CERT, 'ch', '1', RtcRole.PUBLISHER, 600, 1, 2, 3, 4, 'bot', 500);
    expect(services(token)).toEqual([
      { type: 1, channelName: 'ch', uid: '1', privileges: { 1: 1, 2: 2, 3: 3, 4: 4 } },
      { type: 2, userId: 'bot', privileges: { 1: 500 } },
      { type, privileges: {} },
    ]);
  });
});

describe('ApaasTokenBuilder and EducationTokenBuilder', () => {
  // md5 values from the vectors' expected payloads (apaas-room-user, apaas-room-user-md5-leading-zeros).
  const CHAT_ID = { 'user-uuid-1': '9082d8a8aa688ed9009b9dee8cbfa1a8', 'edu-user-277': '00ca8e60c483127284454213872f29f3' };

  it.each([
    ['ApaasTokenBuilder', ApaasTokenBuilder],
    ['EducationTokenBuilder', EducationTokenBuilder],
  ] as const)('%s: role 0 stays 0 (agora-token packs -1) and roomUser is granted', (_name, builder) => {
    const token = builder.buildRoomUserToken(APP_ID, CERT, 'room', 'user-uuid-1', 0, 600, PINNED);
    expect(services(token)).toEqual([
      { type: 2, userId: 'user-uuid-1', privileges: { 1: 600 } },
      { type: 5, userId: CHAT_ID['user-uuid-1'], privileges: { 1: 600 } },
      { type: 7, roomUuid: 'room', userUuid: 'user-uuid-1', role: 0, privileges: { 1: 600 } },
    ]);
  });

  it('keeps the leading zeros of the MD5 chat id (32 hex digits)', () => {
    const token = ApaasTokenBuilder.buildRoomUserToken(APP_ID, CERT, 'r', 'edu-user-277', -32_768, 600);
    expect(services(token)[1]).toEqual({ type: 5, userId: CHAT_ID['edu-user-277'], privileges: { 1: 600 } });
    expect(createHash('md5').update('edu-user-277').digest('hex')).toBe(CHAT_ID['edu-user-277']);
  });

  it('user and app tokens have no room and role -1', () => {
    expect(services(ApaasTokenBuilder.buildUserToken(APP_ID, CERT, 'u', 600))).toEqual([
      { type: 7, roomUuid: '', userUuid: 'u', role: -1, privileges: { 2: 600 } },
    ]);
    expect(services(EducationTokenBuilder.buildAppToken(APP_ID, CERT, 600))).toEqual([
      { type: 7, roomUuid: '', userUuid: '', role: -1, privileges: { 3: 600 } },
    ]);
  });
});

// ---- SPEC section 5, argument by argument ----------------------------------

type Kind = 'hexId' | 'string' | 'uid' | 'rtcRole' | 'apaasRole' | 'expire' | 'u32' | 'permissions' | 'role006' | 'rtmRole' | 'pastTs';

interface Param {
  readonly name: string;
  readonly kind: Kind;
  readonly valid: unknown;
}

interface Signature {
  readonly builder: string;
  readonly params: readonly Param[];
  readonly call: (...args: unknown[]) => string;
}

const p = (name: string, kind: Kind, valid: unknown): Param => ({ name, kind, valid });
const credentials = [p('appId', 'hexId', APP_ID), p('appCertificate', 'hexId', CERT)];
const rtcRtm = [
  ...credentials,
  p('channelName', 'string', 'ch'),
  p('rtcAccount', 'string', 'a'),
  p('rtcRole', 'rtcRole', 1),
  p('rtcTokenExpire', 'expire', 600),
  p('joinChannelPrivilegeExpire', 'u32', 600),
  p('pubAudioPrivilegeExpire', 'u32', 600),
  p('pubVideoPrivilegeExpire', 'u32', 600),
  p('pubDataStreamPrivilegeExpire', 'u32', 600),
  p('rtmUserId', 'string', 'b'),
  p('rtmTokenExpire', 'u32', 600),
];
const fourPrivileges = [
  p('tokenExpire', 'expire', 600),
  p('joinChannelPrivilegeExpire', 'u32', 600),
  p('pubAudioPrivilegeExpire', 'u32', 600),
  p('pubVideoPrivilegeExpire', 'u32', 600),
  p('pubDataStreamPrivilegeExpire', 'u32', 600),
];
const NOW = 1_700_000_000;
const opts006 = { issueTs: NOW };

const asCall = (f: (...args: never[]) => string) => f as unknown as (...args: unknown[]) => string;

const SIGNATURES: readonly Signature[] = [
  {
    builder: 'RtcTokenBuilder2.buildTokenWithUid',
    params: [...credentials, p('channelName', 'string', 'ch'), p('uid', 'uid', 1), p('role', 'rtcRole', 1), p('tokenExpire', 'expire', 600), p('privilegeExpire', 'u32', 0)],
    call: asCall(RtcTokenBuilder2.buildTokenWithUid),
  },
  {
    builder: 'RtcTokenBuilder2.buildTokenWithUserAccount',
    params: [...credentials, p('channelName', 'string', 'ch'), p('account', 'string', 'a'), p('role', 'rtcRole', 2), p('tokenExpire', 'expire', 600), p('privilegeExpire', 'u32', 0)],
    call: asCall(RtcTokenBuilder2.buildTokenWithUserAccount),
  },
  {
    builder: 'RtcTokenBuilder2.buildTokenWithUidAndPrivilege',
    params: [...credentials, p('channelName', 'string', 'ch'), p('uid', 'uid', '1'), ...fourPrivileges],
    call: asCall(RtcTokenBuilder2.buildTokenWithUidAndPrivilege),
  },
  {
    builder: 'RtcTokenBuilder2.buildTokenWithUserAccountAndPrivilege',
    params: [...credentials, p('channelName', 'string', 'ch'), p('account', 'string', 'a'), ...fourPrivileges],
    call: asCall(RtcTokenBuilder2.buildTokenWithUserAccountAndPrivilege),
  },
  {
    builder: 'RtcTokenBuilder2.buildTokenWithRtm',
    params: [...credentials, p('channelName', 'string', 'ch'), p('account', 'string', 'a'), p('role', 'rtcRole', 1), p('tokenExpire', 'expire', 600), p('privilegeExpire', 'u32', 0)],
    call: asCall(RtcTokenBuilder2.buildTokenWithRtm),
  },
  { builder: 'RtcTokenBuilder2.buildTokenWithRtm2', params: rtcRtm, call: asCall(RtcTokenBuilder2.buildTokenWithRtm2) },
  { builder: 'ConvoAITokenBuilder.buildToken', params: rtcRtm, call: asCall(ConvoAITokenBuilder.buildToken) },
  { builder: 'SttTokenBuilder.buildToken', params: rtcRtm, call: asCall(SttTokenBuilder.buildToken) },
  {
    builder: 'RtmTokenBuilder2.buildToken',
    params: [...credentials, p('userId', 'string', 'u'), p('expire', 'expire', 600)],
    call: asCall(RtmTokenBuilder2.buildToken),
  },
  {
    builder: 'RtmTokenBuilder2.buildTokenWithPermissions',
    params: [...credentials, p('userId', 'string', 'u'), p('permissions', 'permissions', { 0: { 0: ['c'] } }), p('expire', 'expire', 600)],
    call: asCall(RtmTokenBuilder2.buildTokenWithPermissions),
  },
  { builder: 'FpaTokenBuilder.buildToken', params: credentials, call: asCall(FpaTokenBuilder.buildToken) },
  ...(['ApaasTokenBuilder', 'EducationTokenBuilder'] as const).flatMap((name) => {
    const builder = name === 'ApaasTokenBuilder' ? ApaasTokenBuilder : EducationTokenBuilder;
    return [
      {
        builder: `${name}.buildRoomUserToken`,
        params: [...credentials, p('roomUuid', 'string', 'r'), p('userUuid', 'string', 'u'), p('role', 'apaasRole', 1), p('expire', 'expire', 600)],
        call: asCall(builder.buildRoomUserToken),
      },
      {
        builder: `${name}.buildUserToken`,
        params: [...credentials, p('userUuid', 'string', 'u'), p('expire', 'expire', 600)],
        call: asCall(builder.buildUserToken),
      },
      { builder: `${name}.buildAppToken`, params: [...credentials, p('expire', 'expire', 600)], call: asCall(builder.buildAppToken) },
    ];
  }),
  {
    builder: 'RtcTokenBuilder.buildTokenWithUid (006)',
    params: [...credentials, p('channelName', 'string', 'ch'), p('uid', 'uid', 1), p('role', 'role006', 1), p('privilegeExpiredTs', 'pastTs', NOW + 60)],
    call: (...args) => asCall(RtcTokenBuilder.buildTokenWithUid)(...args, opts006),
  },
  {
    builder: 'RtcTokenBuilder.buildTokenWithAccount (006)',
    params: [...credentials, p('channelName', 'string', 'ch'), p('account', 'string', 'a'), p('role', 'role006', 101), p('privilegeExpiredTs', 'pastTs', 0)],
    call: (...args) => asCall(RtcTokenBuilder.buildTokenWithAccount)(...args, opts006),
  },
  {
    builder: 'RtmTokenBuilder.buildToken (006)',
    params: [...credentials, p('account', 'string', 'a'), p('role', 'rtmRole', RtmRole006.Rtm_User), p('privilegeExpiredTs', 'pastTs', NOW + 60)],
    call: (...args) => asCall(RtmTokenBuilder.buildToken)(...args, opts006),
  },
];

const LONE_SURROGATE = 'ab\uD800cd';
const TOO_LONG = 'é'.repeat(32_768); // 65,536 UTF-8 bytes
const NOT_U32 = [-1, 1.5, Number.NaN, 2 ** 32, '600', null];

/** Invalid values for a kind, with the error code each must give. */
function badValues(kind: Kind): Array<[value: unknown, code: string]> {
  const invalid = (values: unknown[]) => values.map((v): [unknown, string] => [v, 'ERR_INVALID_ARGUMENT']);
  switch (kind) {
    case 'hexId':
      return invalid(['', 'z'.repeat(32), CERT.slice(1), `${CERT}0`, 42, undefined]);
    case 'string':
      return invalid([LONE_SURROGATE, TOO_LONG, 5, undefined]);
    case 'uid':
      return invalid([-1, 1.5, 2 ** 32, '4294967296', '01', 'abc', ' 1', '', null]);
    case 'rtcRole':
      return invalid([0, 3, 101, '1', 1.5]);
    case 'apaasRole':
      return invalid([32_768, -32_769, 1.5, '1']);
    case 'expire':
      return [...invalid(NOT_U32), [86_401, 'ERR_EXPIRE_LIMIT'], [1_700_003_600, 'ERR_EXPIRE_LIMIT']];
    case 'u32':
      return invalid(NOT_U32);
    case 'permissions':
      return invalid([null, 'x', { a: {} }]);
    case 'role006':
      return invalid([3, -1, '1', 100]);
    case 'rtmRole':
      return invalid([0, 2, '1']);
    case 'pastTs':
      return [...invalid(NOT_U32), [3600, 'ERR_TIMESTAMP_IN_PAST'], [NOW, 'ERR_TIMESTAMP_IN_PAST']];
  }
}


/** A signature's builder method on an entry, by its name; the 006 ones get the pinned build time, as `call` does. */
function callOn(entry: Entry, s: Signature, args: unknown[]): Promise<string> {
  const legacy = s.builder.endsWith(' (006)');
  const [cls, method] = s.builder.replace(/ \(006\)$/, '').split('.') as [string, string];
  const builders = entry as unknown as Record<string, Record<string, (...a: unknown[]) => Promise<string>>>;
  return builders[cls]![method]!(...args, ...(legacy ? [opts006] : []));
}

describe.each(ENTRY_CASES)('SPEC section 5 on the %s entry: every argument of every builder', (_entryName, entry) => {
  it.each(SIGNATURES.map((s) => [s.builder, s] as const))('%s accepts its baseline arguments', async (_name, s) => {
    expect(await callOn(entry, s, s.params.map((param) => param.valid))).toMatch(/^00[67]/);
  });

  const rows = SIGNATURES.flatMap((s) =>
    s.params.flatMap((param, index) =>
      badValues(param.kind).map(([value, code]) => ({ s, param, index, value, code })),
    ),
  );

  it(`rejects ${rows.length} bad values with the right code, naming the argument, never echoing the certificate`, async () => {
    for (const { s, param, index, value, code } of rows) {
      const args = s.params.map((q) => q.valid);
      args[index] = value;
      const label = `${s.builder}: ${param.name} = ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value)}`;
      const error = await rejection(() => callOn(entry, s, args));
      expect(error.code, label).toBe(code);
      expect(error.argument, label).toBe(param.name);
      expect(error.message, label).toContain(param.name);
      expect(error.message, label).not.toContain(CERT);
      if (param.name === 'appCertificate' && typeof value === 'string' && value.length > 8) {
        expect(error.message, label).not.toContain(value);
      }
    }
  });

  it('checks appId and appCertificate before any other argument', async () => {
    for (const s of SIGNATURES) {
      const args: unknown[] = s.params.map(() => Number.NaN);
      args[0] = 'not an app id';
      expect((await rejection(() => callOn(entry, s, args))).argument, s.builder).toBe('appId');
      args[0] = APP_ID;
      expect((await rejection(() => callOn(entry, s, args))).argument, s.builder).toBe('appCertificate');
    }
  });
});

describe('SPEC section 5: messages', () => {
  it('says that expire counts seconds from now, and lets the caller opt out', () => {
    const error = catchAgoraTokenError(() => RtcTokenBuilder2.buildTokenWithUid(APP_ID, CERT, 'ch', 1, RtcRole.PUBLISHER, 90_000));
    expect(error.message).toMatch(/seconds from now/);
    expect(error.message).toMatch(/allowLongExpire/);
    const token = RtcTokenBuilder2.buildTokenWithUid(APP_ID, CERT, 'ch', 1, RtcRole.PUBLISHER, 90_000, 0, { allowLongExpire: true });
    expect(decode007(token).expire).toBe(90_000);
  });

  it('puts no 24-hour cap on privilege values', () => {
    const token = RtcTokenBuilder2.buildTokenWithUidAndPrivilege(APP_ID, CERT, 'ch', 1, 600, 2 ** 32 - 1, 90_000, 0, 1);
    expect(services(token)[0]!.privileges).toEqual({ 1: 2 ** 32 - 1, 2: 90_000, 3: 0, 4: 1 });
  });

  it('the 006 past-timestamp error says 006 takes an absolute time, and 0 or the opt-out pass', () => {
    const error = catchAgoraTokenError(() => RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, RtcRole006.PUBLISHER, 3600, opts006));
    expect(error.message).toMatch(/absolute/);
    expect(error.message).toMatch(/allowPastTimestamp/);
    expect(RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, RtcRole006.PUBLISHER, 0, opts006)).toMatch(/^006/);
    expect(
      RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, RtcRole006.PUBLISHER, 3600, { ...opts006, allowPastTimestamp: true }),
    ).toMatch(/^006/);
    expect(RtmTokenBuilder.buildToken(APP_ID, CERT, 'a', RtmRole006.Rtm_User, NOW + 1, opts006)).toMatch(/^006/);
  });
});
