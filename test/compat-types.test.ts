// Type-level checks (run by `tsc -p tsconfig.json`; vitest only executes the
// calls): the compat entry points accept every call shape that the old
// packages' own .d.ts files accept, and return the same types.
import type * as OldAccessToken from 'agora-access-token';
import type * as OldToken from 'agora-token';
import { describe, expectTypeOf, it } from 'vitest';
import * as AccessToken from '../src/compat/agora-access-token.js';
import * as Token from '../src/compat/agora-token.js';

/** Every argument list the old function takes is one the new function takes. */
type AcceptsAll<Old extends (...args: never[]) => unknown, New extends (...args: never[]) => unknown> =
  Parameters<Old> extends Parameters<New> ? true : false;

describe('the AcceptsAll check itself', () => {
  it('fails for a narrower parameter, a missing optional one and a required extra one', () => {
    expectTypeOf<AcceptsAll<(a: string | number) => string, (a: string) => string>>().toEqualTypeOf<false>();
    expectTypeOf<AcceptsAll<(a: string, b?: number) => string, (a: string) => string>>().toEqualTypeOf<false>();
    expectTypeOf<AcceptsAll<(a: string) => string, (a: string, b: number) => string>>().toEqualTypeOf<false>();
    expectTypeOf<AcceptsAll<(a: string, b: number) => string, (a: string, b?: number) => string>>().toEqualTypeOf<true>();
  });
});

describe('agora-token 2.0.6 .d.ts', () => {
  it('has every exported name', () => {
    // (`default` is the synthetic default import of a CommonJS module, not an export.)
    expectTypeOf<Exclude<keyof typeof OldToken, 'default'>>().toExtend<keyof typeof Token>();
  });

  it('RtcTokenBuilder accepts every call shape', () => {
    type O = typeof OldToken.RtcTokenBuilder;
    type N = typeof Token.RtcTokenBuilder;
    expectTypeOf<AcceptsAll<O['buildTokenWithUid'], N['buildTokenWithUid']>>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsAll<O['buildTokenWithUserAccount'], N['buildTokenWithUserAccount']>>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsAll<O['buildTokenWithUidAndPrivilege'], N['buildTokenWithUidAndPrivilege']>>().toEqualTypeOf<true>();
    expectTypeOf<
      AcceptsAll<O['BuildTokenWithUserAccountAndPrivilege'], N['BuildTokenWithUserAccountAndPrivilege']>
    >().toEqualTypeOf<true>();
    expectTypeOf<AcceptsAll<O['buildTokenWithRtm'], N['buildTokenWithRtm']>>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsAll<O['buildTokenWithRtm2'], N['buildTokenWithRtm2']>>().toEqualTypeOf<true>();
    expectTypeOf<keyof O>().toExtend<keyof N>();
    expectTypeOf<ReturnType<N['buildTokenWithRtm2']>>().toEqualTypeOf<string>();
  });

  it('RtmTokenBuilder accepts every call shape, including agora-token’s own Rtm2Permissions', () => {
    type O = typeof OldToken.RtmTokenBuilder;
    type N = typeof Token.RtmTokenBuilder;
    expectTypeOf<AcceptsAll<O['buildToken'], N['buildToken']>>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsAll<O['buildTokenWithPermissions'], N['buildTokenWithPermissions']>>().toEqualTypeOf<true>();
    expectTypeOf<OldToken.Rtm2Permissions>().toExtend<Parameters<N['buildTokenWithPermissions']>[3]>();
    expectTypeOf<Token.Rtm2Permissions>().toExtend<Parameters<N['buildTokenWithPermissions']>[3]>();
  });

  it('Rtm2Permissions has the same members', () => {
    expectTypeOf<keyof typeof OldToken.Rtm2Permissions>().toExtend<keyof typeof Token.Rtm2Permissions>();
    expectTypeOf<keyof OldToken.Rtm2Permissions>().toExtend<keyof Token.Rtm2Permissions>();
    expectTypeOf<Parameters<OldToken.Rtm2Permissions['add']>>().toExtend<Parameters<Token.Rtm2Permissions['add']>>();
    expectTypeOf<Token.Rtm2Permissions['details']>().toExtend<OldToken.Rtm2Permissions['details']>();
  });

  it('the other builders accept every call shape', () => {
    expectTypeOf<AcceptsAll<typeof OldToken.ChatTokenBuilder.buildUserToken, typeof Token.ChatTokenBuilder.buildUserToken>>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsAll<typeof OldToken.ChatTokenBuilder.buildAppToken, typeof Token.ChatTokenBuilder.buildAppToken>>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsAll<typeof OldToken.FpaTokenBuilder.buildToken, typeof Token.FpaTokenBuilder.buildToken>>().toEqualTypeOf<true>();
    expectTypeOf<
      AcceptsAll<typeof OldToken.ApaasTokenBuilder.buildRoomUserToken, typeof Token.ApaasTokenBuilder.buildRoomUserToken>
    >().toEqualTypeOf<true>();
    expectTypeOf<AcceptsAll<typeof OldToken.ApaasTokenBuilder.buildUserToken, typeof Token.ApaasTokenBuilder.buildUserToken>>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsAll<typeof OldToken.ApaasTokenBuilder.buildAppToken, typeof Token.ApaasTokenBuilder.buildAppToken>>().toEqualTypeOf<true>();
    expectTypeOf<
      AcceptsAll<typeof OldToken.EducationTokenBuilder.buildRoomUserToken, typeof Token.EducationTokenBuilder.buildRoomUserToken>
    >().toEqualTypeOf<true>();
    expectTypeOf<
      AcceptsAll<typeof OldToken.EducationTokenBuilder.buildUserToken, typeof Token.EducationTokenBuilder.buildUserToken>
    >().toEqualTypeOf<true>();
    expectTypeOf<
      AcceptsAll<typeof OldToken.EducationTokenBuilder.buildAppToken, typeof Token.EducationTokenBuilder.buildAppToken>
    >().toEqualTypeOf<true>();
    expectTypeOf<AcceptsAll<typeof OldToken.ConvoAITokenBuilder.buildToken, typeof Token.ConvoAITokenBuilder.buildToken>>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsAll<typeof OldToken.SttTokenBuilder.buildToken, typeof Token.SttTokenBuilder.buildToken>>().toEqualTypeOf<true>();
  });

  it('RtcRole values are numbers', () => {
    expectTypeOf(Token.RtcRole.PUBLISHER).toExtend<typeof OldToken.RtcRole.PUBLISHER>();
    expectTypeOf(Token.RtcRole.SUBSCRIBER).toExtend<typeof OldToken.RtcRole.SUBSCRIBER>();
  });

  it('compiles the call shapes of agora-token’s README', () => {
    const appId = '970CA35de60c44645bbae8a215061b33';
    const cert = '5CFd2fd1755d40ecb72977518be15d3b';
    const uid: string | number = 2882341273;
    const role: number = Token.RtcRole.PUBLISHER;
    Token.RtcTokenBuilder.buildTokenWithUid(appId, cert, 'ch', uid, role, 600, 600);
    Token.RtcTokenBuilder.buildTokenWithUid(appId, cert, 'ch', '42', Token.RtcRole.SUBSCRIBER, 600);
    Token.RtcTokenBuilder.buildTokenWithRtm2(appId, cert, 'ch', 42, role, 600, 600, 600, 600, 600, 'rtm', 600);
    const permissions = new Token.Rtm2Permissions();
    permissions.add(Token.Rtm2Permissions.kMessageChannels, Token.Rtm2Permissions.kRead, ['a']);
    Token.RtmTokenBuilder.buildTokenWithPermissions(appId, cert, 7, permissions, 600);
    Token.ChatTokenBuilder.buildUserToken(appId, cert, 'alice', 600);
    Token.EducationTokenBuilder.buildRoomUserToken(appId, cert, 'room', 9, 1, 600);
    Token.SttTokenBuilder.buildToken(appId, cert, 'ch', 1, role, 600, 600, 600, 600, 600, 2, 600);
  });
});

describe('agora-access-token 2.0.4 .d.ts', () => {
  it('has every exported name', () => {
    expectTypeOf<Exclude<keyof typeof OldAccessToken, 'default'>>().toExtend<keyof typeof AccessToken>();
  });

  it('accepts every call shape', () => {
    type ORtc = typeof OldAccessToken.RtcTokenBuilder;
    type NRtc = typeof AccessToken.RtcTokenBuilder;
    expectTypeOf<AcceptsAll<ORtc['buildTokenWithUid'], NRtc['buildTokenWithUid']>>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsAll<ORtc['buildTokenWithAccount'], NRtc['buildTokenWithAccount']>>().toEqualTypeOf<true>();
    expectTypeOf<keyof ORtc>().toExtend<keyof NRtc>();
    type ORtm = typeof OldAccessToken.RtmTokenBuilder;
    type NRtm = typeof AccessToken.RtmTokenBuilder;
    expectTypeOf<AcceptsAll<ORtm['buildToken'], NRtm['buildToken']>>().toEqualTypeOf<true>();
    expectTypeOf<ReturnType<NRtm['buildToken']>>().toEqualTypeOf<string>();
  });

  it('has the role constants', () => {
    expectTypeOf(AccessToken.RtcRole.PUBLISHER).toExtend<typeof OldAccessToken.RtcRole.PUBLISHER>();
    expectTypeOf(AccessToken.RtcRole.SUBSCRIBER).toExtend<typeof OldAccessToken.RtcRole.SUBSCRIBER>();
    expectTypeOf(AccessToken.RtmRole.Rtm_User).toExtend<typeof OldAccessToken.RtmRole.Rtm_User>();
  });

  it('compiles the call shapes of agora-access-token’s README', () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    const appID = '970CA35de60c44645bbae8a215061b33';
    const cert = '5CFd2fd1755d40ecb72977518be15d3b';
    AccessToken.RtcTokenBuilder.buildTokenWithUid(appID, cert, 'ch', 2882341273, AccessToken.RtcRole.PUBLISHER, expiresAt);
    AccessToken.RtcTokenBuilder.buildTokenWithAccount(appID, cert, 'ch', 'alice', AccessToken.RtcRole.SUBSCRIBER, expiresAt);
    AccessToken.RtmTokenBuilder.buildToken(appID, cert, 'alice', AccessToken.RtmRole.Rtm_User, expiresAt);
    AccessToken.RtmTokenBuilder.buildToken(appID, cert, 42, AccessToken.RtmRole.Rtm_User, 0);
  });
});
