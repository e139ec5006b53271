// The drop-in entry points: the same names as the npm packages, and each
// behaviour difference the README's migration sections list, shown against
// the real packages (so a claim about them is checked too).
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as AccessTokenCompat from '../src/compat/agora-access-token.js';
import * as TokenCompat from '../src/compat/agora-token.js';
import { AgoraTokenError, decodeToken, RtcRole006, RtcTokenBuilder, type DecodedToken006, type DecodedToken007 } from '../src/index.js';
import { catchAgoraTokenError } from './helpers/errors.js';

const require = createRequire(import.meta.url);
const AgoraToken = require('agora-token') as Record<string, Record<string, unknown> & (new () => unknown)>;
const AgoraAccessToken = require('agora-access-token') as Record<string, Record<string, unknown>>;

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const CERT = '5CFd2fd1755d40ecb72977518be15d3b';
const NOW = 1_700_000_000;

function decode007(token: string): DecodedToken007 {
  const decoded = decodeToken(token);
  if (decoded.version !== '007') throw new Error(`expected 007, got ${decoded.version}`);
  return decoded;
}
function decode006(token: string): DecodedToken006 {
  const decoded = decodeToken(token);
  if (decoded.version !== '006') throw new Error(`expected 006, got ${decoded.version}`);
  return decoded;
}
/** Static method names of a class or namespace object. */
function methodNames(value: object): string[] {
  return Object.getOwnPropertyNames(value)
    .filter((name) => typeof (value as Record<string, unknown>)[name] === 'function')
    .sort();
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('the names of agora-token 2.0.6', () => {
  it('exports every name agora-token exports, plus AgoraTokenError only', () => {
    const names = Object.keys(AgoraToken).sort();
    expect(names).toEqual([
      'ApaasTokenBuilder',
      'ChatTokenBuilder',
      'ConvoAITokenBuilder',
      'EducationTokenBuilder',
      'FpaTokenBuilder',
      'RtcRole',
      'RtcTokenBuilder',
      'Rtm2Permissions',
      'RtmTokenBuilder',
      'SttTokenBuilder',
    ]);
    expect(Object.keys(TokenCompat).sort()).toEqual([...names, 'AgoraTokenError'].sort());
  });

  it.each(['ApaasTokenBuilder', 'ChatTokenBuilder', 'ConvoAITokenBuilder', 'EducationTokenBuilder', 'FpaTokenBuilder', 'RtcTokenBuilder', 'RtmTokenBuilder', 'SttTokenBuilder'])(
    '%s has the same static methods',
    (name) => {
      const theirs = methodNames(AgoraToken[name]!);
      expect(theirs.length).toBeGreaterThan(0);
      const ours = TokenCompat[name as keyof typeof TokenCompat] as object;
      // EducationTokenBuilder inherits its methods from ApaasTokenBuilder.
      for (const method of theirs) expect(typeof (ours as Record<string, unknown>)[method], `${name}.${method}`).toBe('function');
    },
  );

  it('has the same constants', () => {
    expect({ ...TokenCompat.RtcRole }).toEqual(AgoraToken.RtcRole);
    for (const key of ['kMessageChannels', 'kStreamChannels', 'kGroupChannels', 'kServerGroups', 'kUsers', 'kRead', 'kWrite']) {
      expect((TokenCompat.Rtm2Permissions as unknown as Record<string, number>)[key], key).toBe(AgoraToken.Rtm2Permissions![key]);
    }
  });

  it('keeps the capitalised BuildTokenWithUserAccountAndPrivilege', () => {
    expect(typeof TokenCompat.RtcTokenBuilder.BuildTokenWithUserAccountAndPrivilege).toBe('function');
  });
});

describe('the names of agora-access-token 2.0.4', () => {
  it('exports every name agora-access-token exports, plus AgoraTokenError only', () => {
    const names = Object.keys(AgoraAccessToken).sort();
    expect(names).toEqual(['RtcRole', 'RtcTokenBuilder', 'RtmRole', 'RtmTokenBuilder']);
    expect(Object.keys(AccessTokenCompat).sort()).toEqual([...names, 'AgoraTokenError'].sort());
    expect({ ...AccessTokenCompat.RtcRole }).toEqual(AgoraAccessToken.RtcRole);
    expect({ ...AccessTokenCompat.RtmRole }).toEqual(AgoraAccessToken.RtmRole);
    for (const name of ['RtcTokenBuilder', 'RtmTokenBuilder'] as const) {
      for (const method of methodNames(AgoraAccessToken[name]!)) {
        expect(typeof (AccessTokenCompat[name] as unknown as Record<string, unknown>)[method], `${name}.${method}`).toBe('function');
      }
    }
  });
});

describe('migration differences from agora-token (each shown against agora-token itself)', () => {
  const oldRtc = AgoraToken.RtcTokenBuilder as unknown as typeof TokenCompat.RtcTokenBuilder;
  const oldApaas = AgoraToken.ApaasTokenBuilder as unknown as typeof TokenCompat.ApaasTokenBuilder;
  const oldRtm = AgoraToken.RtmTokenBuilder as unknown as typeof TokenCompat.RtmTokenBuilder;
  const oldChat = AgoraToken.ChatTokenBuilder as unknown as typeof TokenCompat.ChatTokenBuilder;

  it("throws on a bad App ID or certificate where agora-token returned ''", () => {
    expect(oldRtc.buildTokenWithUid('nope', CERT, 'ch', 1, 1, 600, 600)).toBe('');
    expect(oldChat.buildAppToken(APP_ID, 'short', 600)).toBe('');
    const error = catchAgoraTokenError(() => TokenCompat.RtcTokenBuilder.buildTokenWithUid('nope', CERT, 'ch', 1, 1, 600, 600));
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'appId' });
    expect(catchAgoraTokenError(() => TokenCompat.ChatTokenBuilder.buildAppToken(APP_ID, 'short', 600)).argument).toBe('appCertificate');
  });

  it('has no 24-hour limit, like agora-token', () => {
    expect(decode007(TokenCompat.ChatTokenBuilder.buildUserToken(APP_ID, CERT, 'alice', 90_000)).expire).toBe(90_000);
    expect(decode007(TokenCompat.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, 1, 172_800)).expire).toBe(172_800);
  });

  it('packs Apaas role 0 as 0 where agora-token packs -1', () => {
    const apaas = (token: string) => decode007(token).services.find((s) => s.type === 7) as { role: number; privileges: object };
    expect(apaas(oldApaas.buildRoomUserToken(APP_ID, CERT, 'r', 'u', 0, 600)).role).toBe(-1);
    expect(apaas(TokenCompat.ApaasTokenBuilder.buildRoomUserToken(APP_ID, CERT, 'r', 'u', 0, 600)).role).toBe(0);
  });

  it('grants roomUser in room user tokens, which agora-token leaves out', () => {
    const apaas = (token: string) => decode007(token).services.find((s) => s.type === 7)!.privileges;
    expect(apaas(oldApaas.buildRoomUserToken(APP_ID, CERT, 'r', 'u', 2, 600))).toEqual({});
    expect(apaas(TokenCompat.EducationTokenBuilder.buildRoomUserToken(APP_ID, CERT, 'r', 'u', 2, 600))).toEqual({ 1: 600 });
  });

  it('rejects Rtc roles other than PUBLISHER and SUBSCRIBER, which agora-token turned into subscribers', () => {
    const old = decode007(oldRtc.buildTokenWithUid(APP_ID, CERT, 'ch', 1, 101, 600, 600));
    expect(old.services[0]!.privileges).toEqual({ 1: 600 });
    for (const role of [0, 3, 101]) {
      expect(catchAgoraTokenError(() => TokenCompat.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, role, 600, 600)).argument).toBe('role');
    }
  });

  it('takes numeric user ids where agora-token crashed, and 0 as ""', () => {
    expect(() => oldRtm.buildToken(APP_ID, CERT, 42, 600)).toThrow(TypeError);
    expect(decode007(TokenCompat.RtmTokenBuilder.buildToken(APP_ID, CERT, 42, 600)).services[0]).toMatchObject({ userId: '42' });
    expect(decode007(TokenCompat.RtmTokenBuilder.buildToken(APP_ID, CERT, 0, 600)).services[0]).toMatchObject({ userId: '' });
    const rtm2 = TokenCompat.RtcTokenBuilder.buildTokenWithRtm2(APP_ID, CERT, 'ch', 7, 1, 600, 1, 1, 1, 1, 8, 600);
    expect(decode007(rtm2).services).toMatchObject([{ uid: '7' }, { userId: '8' }]);
    expect(catchAgoraTokenError(() => TokenCompat.RtmTokenBuilder.buildToken(APP_ID, CERT, -1, 600)).argument).toBe('userId');
  });

  it('rejects an empty chat user id, which agora-token packed', () => {
    expect(decode007(oldChat.buildUserToken(APP_ID, CERT, '', 600)).services[0]).toMatchObject({ userId: '' });
    expect(catchAgoraTokenError(() => TokenCompat.ChatTokenBuilder.buildUserToken(APP_ID, CERT, '', 600)).argument).toBe('userId');
    expect(catchAgoraTokenError(() => TokenCompat.ChatTokenBuilder.buildUserToken(APP_ID, CERT, 0, 600)).argument).toBe('userId');
  });

  it('accepts only decimal uids in buildTokenWithUid, where agora-token packed any string', () => {
    expect(decode007(oldRtc.buildTokenWithUid(APP_ID, CERT, 'ch', 'bob', 1, 600, 0)).services[0]).toMatchObject({ uid: 'bob' });
    expect(catchAgoraTokenError(() => TokenCompat.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 'bob', 1, 600, 0)).argument).toBe('uid');
  });

  it('rejects floats, NaN, undefined and negatives where agora-token truncated, zeroed or threw RangeError', () => {
    expect(decode007(oldChat.buildAppToken(APP_ID, CERT, 600.7)).expire).toBe(600);
    expect(decode007(oldChat.buildAppToken(APP_ID, CERT, undefined as never)).expire).toBe(0);
    expect(() => oldChat.buildAppToken(APP_ID, CERT, -1)).toThrow(RangeError);
    for (const expire of [600.7, Number.NaN, undefined, -1, '600']) {
      expect(catchAgoraTokenError(() => TokenCompat.ChatTokenBuilder.buildAppToken(APP_ID, CERT, expire as never)).argument).toBe('expire');
    }
  });

  it('rejects lone surrogates where agora-token packed U+FFFD', () => {
    const old = decode007(oldRtm.buildToken(APP_ID, CERT, 'a\uD800', 600));
    expect(old.services[0]).toMatchObject({ userId: 'a\uFFFD' });
    expect(catchAgoraTokenError(() => TokenCompat.RtmTokenBuilder.buildToken(APP_ID, CERT, 'a\uD800', 600)).argument).toBe('userId');
  });

  it("accepts agora-token's own Rtm2Permissions", () => {
    const theirs = new (AgoraToken.Rtm2Permissions as unknown as typeof TokenCompat.Rtm2Permissions)();
    theirs.add(0, 1, ['c']);
    const token = TokenCompat.RtmTokenBuilder.buildTokenWithPermissions(APP_ID, CERT, 'u', theirs, 600);
    expect(decode007(token).services[0]).toMatchObject({ type: 8, permissions: { 0: { 1: ['c'] } } });
  });

  it('works with detached methods, which agora-token did not (it used `this`)', () => {
    const { buildTokenWithUid } = TokenCompat.RtcTokenBuilder;
    expect(buildTokenWithUid(APP_ID, CERT, 'ch', 1, 1, 600)).toMatch(/^007/);
    const detached = oldRtc.buildTokenWithUid;
    expect(() => detached(APP_ID, CERT, 'ch', 1, 1, 600, 0)).toThrow(TypeError);
  });
});

describe('migration differences from agora-access-token', () => {
  const oldRtc = AgoraAccessToken.RtcTokenBuilder as unknown as typeof AccessTokenCompat.RtcTokenBuilder;
  const oldRtm = AgoraAccessToken.RtmTokenBuilder as unknown as typeof AccessTokenCompat.RtmTokenBuilder;
  const future = () => Math.floor(Date.now() / 1000) + 3600;

  it('draws a fresh salt for every token, where agora-access-token drew one per process', () => {
    const oldSalts = new Set([1, 2, 3].map(() => decode006(oldRtc.buildTokenWithUid(APP_ID, CERT, 'ch', 1, 1, future())).salt));
    expect(oldSalts.size).toBe(1);
    const salts = new Set([1, 2, 3, 4].map(() => decode006(AccessTokenCompat.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, 1, future())).salt));
    expect(salts.size).toBeGreaterThan(1);
  });

  it('builds a token for a privilegeExpiredTs in the past, as agora-access-token does: no past-timestamp guard', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW * 1000);
    expect(decode006(oldRtc.buildTokenWithUid(APP_ID, CERT, 'ch', 1, 1, 3600)).privileges).toEqual({ 1: 3600, 2: 3600, 3: 3600, 4: 3600 });
    const past = decode006(AccessTokenCompat.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, 1, 3600));
    expect(past.privileges).toEqual({ 1: 3600, 2: 3600, 3: 3600, 4: 3600 });
    expect(past.ts).toBe(NOW + 86_400);
    // A 2015 time, as agora-access-token's and agora-token's own tests pass.
    expect(decode006(AccessTokenCompat.RtcTokenBuilder.buildTokenWithAccount(APP_ID, CERT, 'ch', 'a', 2, 1446455471)).privileges).toEqual({ 1: 1446455471 });
    expect(decode006(AccessTokenCompat.RtmTokenBuilder.buildToken(APP_ID, CERT, 'a', 1, 1446455471)).privileges).toEqual({ 1000: 1446455471 });
    // The same inputs through this library's own 006 builders meet the guard.
    expect(catchAgoraTokenError(() => RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, RtcRole006.PUBLISHER, 3600)).code).toBe('ERR_TIMESTAMP_IN_PAST');
  });

  it('keeps the checks for values that cannot be packed at all, and their messages name no option compat lacks', () => {
    for (const bad of [Number.NaN, -1, 2 ** 32, 1.5, '3600']) {
      const error = catchAgoraTokenError(() => AccessTokenCompat.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, 1, bad as number));
      expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'privilegeExpiredTs' });
      expect(error.message).not.toMatch(/allow|options|\{/);
    }
  });

  it('rejects unknown roles, which agora-access-token treated as SUBSCRIBER (Rtc) or ignored (Rtm)', () => {
    expect(decode006(oldRtc.buildTokenWithUid(APP_ID, CERT, 'ch', 1, 7, future())).privileges).toEqual({ 1: expect.any(Number) });
    expect(catchAgoraTokenError(() => AccessTokenCompat.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, 7, future())).argument).toBe('role');
    expect(oldRtm.buildToken(APP_ID, CERT, 'a', 0, future())).toMatch(/^006/);
    expect(catchAgoraTokenError(() => AccessTokenCompat.RtmTokenBuilder.buildToken(APP_ID, CERT, 'a', 0, future())).argument).toBe('role');
  });

  it('throws on a bad App ID where agora-access-token built a token that names it', () => {
    expect(oldRtc.buildTokenWithUid('short', CERT, 'ch', 1, 1, future())).toMatch(/^006short/);
    expect(catchAgoraTokenError(() => AccessTokenCompat.RtcTokenBuilder.buildTokenWithUid('short', CERT, 'ch', 1, 1, future())).argument).toBe('appId');
  });

  it('takes numeric RTM accounts where agora-access-token crashed', () => {
    expect(() => oldRtm.buildToken(APP_ID, CERT, 42, 1, future())).toThrow(TypeError);
    const token = AccessTokenCompat.RtmTokenBuilder.buildToken(APP_ID, CERT, 42, AccessTokenCompat.RtmRole.Rtm_User, future());
    expect(decode006(token).crcChannelName).toBe(decode006(AccessTokenCompat.RtmTokenBuilder.buildToken(APP_ID, CERT, '42', 1, future())).crcChannelName);
  });

  it('uses the clock: ts is now + 24 hours', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW * 1000);
    const token = decode006(AccessTokenCompat.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 0, AccessTokenCompat.RtcRole.SUBSCRIBER, NOW + 60));
    expect(token).toMatchObject({ ts: NOW + 86_400, crcUid: 0, privileges: { 1: NOW + 60 } });
  });
});
