// The edge vectors (vectors/agora-edge-vectors.json) rebuild with the guards
// opted out, as `vectors check` does; the same inputs through the public
// builders still meet the guards; and the advice of a guard's error is one
// its reader can follow: an option for API callers, a flag on the command
// line, and never either for the compat entry points, which have no guards.
import { describe, expect, it } from 'vitest';
import * as AccessTokenCompat from '../src/compat/agora-access-token.js';
import * as TokenCompat from '../src/compat/agora-token.js';
import { main } from '../src/cli/main.js';
import { VECTOR_BUILDERS } from '../src/conformance/vector-builders.js';
import {
  AccessToken,
  ApaasTokenBuilder,
  ChatTokenBuilder2,
  ConvoAITokenBuilder,
  EducationTokenBuilder,
  RtcTokenBuilder,
  RtcTokenBuilder2,
  RtmTokenBuilder,
  RtmTokenBuilder2,
  type RtcRole,
  type RtcRole006,
  type RtmRole006,
} from '../src/index.js';
import { catchAgoraTokenError } from './helpers/errors.js';
import { EDGE_VECTORS_PATH, edgeVectors, inflatedHex, VECTORS_PATH } from './helpers/vectors.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const CERT = '5CFd2fd1755d40ecb72977518be15d3b';

type Args = Record<string, unknown>;
interface Case006 {
  name: string;
  builder: { name: string; args: Args };
  appId: string;
  appCertificate: string;
  channelName: string;
  uid: string;
  salt: number;
  ts: number;
  privileges: Record<string, number>;
  messageHex: string;
  tokens: Record<string, string>;
}
const cases006 = edgeVectors.token006 as unknown as Case006[];

async function cli(...argv: string[]): Promise<{ status: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line), env: {} });
  return { status, out, err };
}

describe('vectors check builds every edge case with the guards off', () => {
  it.each(edgeVectors.token007.map((c) => [c.name, c] as const))('007 %s: the builder gives payloadHex', (_name, c) => {
    const entry = VECTOR_BUILDERS[c.builder!.name]!;
    const build = () => entry.build(c.builder!.args, { issueTs: c.issueTs, salt: c.salt });
    if (c.name === 'edge-rtc-uid-role-101') {
      // A role this library rejects on purpose (not a guard: there is no opt-out); the check expects the refusal.
      expect(entry.refuses?.(c.builder!.args)).toMatch(/RTC role/);
      expect(catchAgoraTokenError(build).argument).toBe('role');
      return;
    }
    expect(entry.refuses?.(c.builder!.args)).toBeUndefined();
    expect(inflatedHex(build())).toBe(c.payloadHex);
  });

  it.each(cases006.map((c) => [c.name, c] as const))('006 %s: the builder and the inputs give every reference string', (_name, c) => {
    const entry = VECTOR_BUILDERS[c.builder.name]!;
    const build = () => entry.build(c.builder.args, { ts: c.ts, salt: c.salt });
    const refused = c.name === 'edge-006-rtm-role-0';
    expect(entry.refuses?.(c.builder.args) !== undefined).toBe(refused);
    const built = refused ? undefined : build();
    if (refused) expect(catchAgoraTokenError(build).argument).toBe('role');
    const fromInputs = new AccessToken(c.appId, c.appCertificate, c.channelName, c.uid, { ts: c.ts, salt: c.salt });
    for (const [key, value] of Object.entries(c.privileges)) fromInputs.addPrivilege(Number(key), value);
    expect(Buffer.from(fromInputs.message()).toString('hex')).toBe(c.messageHex);
    expect(Object.keys(c.tokens).sort()).toEqual(['agora-access-token', 'agora-token']);
    for (const token of Object.values(c.tokens)) {
      if (built !== undefined) expect(built).toBe(token);
      expect(fromInputs.build()).toBe(token);
    }
  });

  it('covers the kinds the guards refuse: ts below 86400, ts 0, issueTs 0, past 006 times, expires over 24 hours', () => {
    expect(cases006.some((c) => c.ts > 0 && c.ts < 86_400)).toBe(true);
    expect(cases006.some((c) => c.ts === 0)).toBe(true);
    expect(edgeVectors.token007.some((c) => c.issueTs === 0)).toBe(true);
    expect(cases006.filter((c) => Object.values(c.privileges).some((t) => t !== 0 && t <= c.ts - 86_400))).toHaveLength(4);
    expect(edgeVectors.token007.filter((c) => c.expire > 86_400)).toHaveLength(6);
  });

  it('the CLI passes the edge file, alone and with the reference file', async () => {
    const alone = await cli('vectors', 'check', EDGE_VECTORS_PATH);
    expect(alone.out.filter((line) => line.startsWith('FAIL'))).toEqual([]);
    expect(alone.out.at(-1)).toBe('20 passed, 0 failed');
    expect(alone.status).toBe(0);
    const both = await cli('vectors', 'check', VECTORS_PATH, EDGE_VECTORS_PATH);
    expect(both.out.at(-1)).toMatch(/^\d+ passed, 0 failed$/);
    expect(both.status).toBe(0);
  });
});

/** The public call of each edge builder case, with no opt-out and the case's own issueTs and salt. */
const PUBLIC_007: Record<string, (a: Args, pinned: { issueTs: number; salt: number }) => string> = {
  'ChatTokenBuilder2.buildUserToken': (a, p) => ChatTokenBuilder2.buildUserToken(APP_ID, CERT, a.userId as string, a.expire as number, p),
  'RtcTokenBuilder2.buildTokenWithUid': (a, p) =>
    RtcTokenBuilder2.buildTokenWithUid(APP_ID, CERT, a.channelName as string, a.uid as number, a.role as RtcRole, a.tokenExpire as number, a.privilegeExpire as number, p),
  'RtmTokenBuilder2.buildToken': (a, p) => RtmTokenBuilder2.buildToken(APP_ID, CERT, a.userId as string, a.expire as number, p),
  'ApaasTokenBuilder.buildUserToken': (a, p) => ApaasTokenBuilder.buildUserToken(APP_ID, CERT, a.userUuid as string, a.expire as number, p),
  'EducationTokenBuilder.buildAppToken': (a, p) => EducationTokenBuilder.buildAppToken(APP_ID, CERT, a.expire as number, p),
  'ConvoAITokenBuilder.buildToken': (a, p) =>
    ConvoAITokenBuilder.buildToken(
      APP_ID, CERT, a.channelName as string, a.rtcAccount as string, a.rtcRole as RtcRole, a.rtcTokenExpire as number,
      a.joinChannelPrivilegeExpire as number, a.pubAudioPrivilegeExpire as number, a.pubVideoPrivilegeExpire as number,
      a.pubDataStreamPrivilegeExpire as number, a.rtmUserId as string, a.rtmTokenExpire as number, p,
    ),
};

/** The public 006 call, at the build time the references had (ts - 24 h). */
const PUBLIC_006: Record<string, (a: Args, pinned: { issueTs: number; salt: number }) => string> = {
  'RtcTokenBuilder.buildTokenWithUid': (a, p) =>
    RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, a.channelName as string, a.uid as number, a.role as RtcRole006, a.privilegeExpiredTs as number, p),
  'RtcTokenBuilder.buildTokenWithAccount': (a, p) =>
    RtcTokenBuilder.buildTokenWithAccount(APP_ID, CERT, a.channelName as string, a.account as string, a.role as RtcRole006, a.privilegeExpiredTs as number, p),
  'RtmTokenBuilder.buildToken': (a, p) =>
    RtmTokenBuilder.buildToken(APP_ID, CERT, a.account as string, a.role as RtmRole006, a.privilegeExpiredTs as number, p),
};

describe('the guards are still on for users', () => {
  const over24h = edgeVectors.token007.filter((c) => c.expire > 86_400);
  it.each(over24h.map((c) => [c.name, c] as const))('007 %s: the public builder throws ERR_EXPIRE_LIMIT', (_name, c) => {
    const call = PUBLIC_007[c.builder!.name];
    expect(call, c.builder!.name).toBeDefined();
    const error = catchAgoraTokenError(() => call!(c.builder!.args, { issueTs: c.issueTs, salt: c.salt }));
    expect(error.code).toBe('ERR_EXPIRE_LIMIT');
    expect(error.message).toContain('Pass { allowLongExpire: true }');
    // With the opt-out, the same call builds the reference's payload.
    const built = call!(c.builder!.args, { issueTs: c.issueTs, salt: c.salt, allowLongExpire: true } as never);
    expect(inflatedHex(built)).toBe(c.payloadHex);
  });

  const expected006: Record<string, string> = {
    'edge-006-rtc-uid-privilege-in-2015': 'ERR_TIMESTAMP_IN_PAST',
    'edge-006-rtc-uid-privilege-3600': 'ERR_TIMESTAMP_IN_PAST',
    'edge-006-rtc-account-privilege-at-build-time': 'ERR_TIMESTAMP_IN_PAST',
    'edge-006-rtm-privilege-in-2015': 'ERR_TIMESTAMP_IN_PAST',
    // No u32 build time gives a ts below 86400: the public builders cannot be asked for it.
    'edge-006-rtc-account-ts-below-86400': 'ERR_INVALID_ARGUMENT',
    'edge-006-rtm-ts-0': 'ERR_INVALID_ARGUMENT',
  };
  it.each(Object.entries(expected006))('006 %s: the public builder throws %s', (name, code) => {
    const c = cases006.find((x) => x.name === name)!;
    expect(c, name).toBeDefined();
    const pinned = { issueTs: c.ts - 86_400, salt: c.salt };
    const error = catchAgoraTokenError(() => PUBLIC_006[c.builder.name]!(c.builder.args, pinned));
    expect(error.code).toBe(code);
    if (code === 'ERR_TIMESTAMP_IN_PAST') {
      expect(error.message).toContain('Pass { allowPastTimestamp: true }');
      const opted = PUBLIC_006[c.builder.name]!(c.builder.args, { ...pinned, allowPastTimestamp: true } as never);
      expect(opted).toBe(c.tokens['agora-access-token']);
    } else {
      expect(error.argument).toBe('options.issueTs');
    }
  });
});

describe('advice that can be followed where the error is thrown', () => {
  it('API: the message names the option', () => {
    const expire = catchAgoraTokenError(() => ChatTokenBuilder2.buildUserToken(APP_ID, CERT, 'a', 90_000));
    expect(expire.message).toMatch(/Pass \{ allowLongExpire: true \} to go past 24 hours on purpose\.$/);
    const past = catchAgoraTokenError(() => RtmTokenBuilder.buildToken(APP_ID, CERT, 'a', 1, 3600));
    expect(past.message).toMatch(/Pass \{ allowPastTimestamp: true \} to build an already expired token on purpose\.$/);
  });

  it('CLI: the message names the flag, and no option object', async () => {
    const expire = await cli('chat-user', '--demo', '--user-id', 'a', '--expire', '90000');
    expect(expire.status).toBe(2);
    const expireErrors = expire.err.filter((line) => line.startsWith('error:'));
    expect(expireErrors).toHaveLength(1);
    expect(expireErrors[0]).toMatch(/^error: ERR_EXPIRE_LIMIT: .*Pass --allow-long-expire to go past 24 hours on purpose\.$/);
    expect(expireErrors[0]).not.toContain('{');

    const past = await cli('rtm006', '--demo', '--account', 'a', '--privilege-expired-ts', '3600');
    expect(past.status).toBe(2);
    const pastErrors = past.err.filter((line) => line.startsWith('error:'));
    expect(pastErrors).toHaveLength(1);
    expect(pastErrors[0]).toMatch(/^error: ERR_TIMESTAMP_IN_PAST: .*Pass --allow-past-timestamp to build an already expired token on purpose\.$/);
    expect(pastErrors[0]).not.toContain('{');

    // And the flag it names does what it says.
    const opted = await cli('rtm006', '--demo', '--account', 'a', '--privilege-expired-ts', '3600', '--allow-past-timestamp');
    expect(opted.status).toBe(0);
    expect(opted.out.join('\n')).toMatch(/006[0-9a-fA-F]{32}/);
  });

  it('compat: no guard fires, and the errors it keeps name no option compat lacks', () => {
    // What the guards would refuse builds, as in the original packages.
    expect(TokenCompat.ChatTokenBuilder.buildUserToken(APP_ID, CERT, 'a', 90_000)).toMatch(/^007/);
    expect(TokenCompat.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, 1, 2 ** 32 - 1, 2 ** 32 - 1)).toMatch(/^007/);
    expect(AccessTokenCompat.RtmTokenBuilder.buildToken(APP_ID, CERT, 'a', 1, 3600)).toMatch(/^006/);
    expect(AccessTokenCompat.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, 1, 1)).toMatch(/^006/);

    // What cannot be packed is still refused, with advice about the value only.
    const refusals = [
      () => TokenCompat.ChatTokenBuilder.buildUserToken(APP_ID, CERT, 'a', Number.NaN),
      () => TokenCompat.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, 1, 2 ** 32, 0),
      () => TokenCompat.RtmTokenBuilder.buildToken(APP_ID, CERT, 'a', -1),
      () => TokenCompat.ApaasTokenBuilder.buildAppToken(APP_ID, CERT, '600' as unknown as number),
      () => AccessTokenCompat.RtcTokenBuilder.buildTokenWithAccount(APP_ID, CERT, 'ch', 'a', 1, 1.5),
      () => AccessTokenCompat.RtmTokenBuilder.buildToken(APP_ID, CERT, 'a', 1, 2 ** 32),
    ];
    for (const refusal of refusals) {
      const error = catchAgoraTokenError(refusal);
      expect(error.code).toBe('ERR_INVALID_ARGUMENT');
      expect(error.message).not.toMatch(/allow|options|\{/);
    }
  });
});
