// Every option of every exported function is checked like an argument
// (issue 9, defects 2 and 3): a wrong type or value, or an options argument
// that is not an object, is an AgoraTokenError with code ERR_INVALID_ARGUMENT;
// never a TypeError, never a verdict, never silently ignored. What is allowed
// comes from the documented option types, written out here, not from the code.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AccessToken,
  AccessToken2,
  AgoraTokenError,
  ApaasTokenBuilder,
  ChatTokenBuilder2,
  ConvoAITokenBuilder,
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
  verifyToken,
} from '../src/index.js';
import { createTokenHandler, createTokenServer, startTokenServer } from '../src/server/index.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const CERT = '5CFd2fd1755d40ecb72977518be15d3b';
const U32_MAX = 0xffff_ffff;
const RUNS = { numRuns: 40 };

/** The error a call throws (or its promise rejects with); fails if it succeeds. */
async function thrownBy(call: () => unknown): Promise<unknown> {
  try {
    const result = call();
    if (result instanceof Promise) {
      const running = await result;
      // A server that started although it should not have: stop it, then fail.
      await (running as { close?: () => Promise<void> }).close?.();
    }
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be rejected, but it succeeded');
}

async function expectInvalidArgument(call: () => unknown, argument: string): Promise<void> {
  const error = await thrownBy(call);
  if (!(error instanceof AgoraTokenError)) throw new Error(`expected an AgoraTokenError for ${argument}, got ${String(error)}`);
  expect(error.code).toBe('ERR_INVALID_ARGUMENT');
  expect(error.argument).toBe(argument);
  expect(error.message.startsWith(argument)).toBe(true);
  expect(error.message).not.toContain(CERT);
}

// Values of every kind: the wrong ones for an option are those its documented type rules out.
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, NaN, Infinity, -Infinity, -0, -1, 0.5, 1.5, 2 ** 32, 2 ** 53, 1e300, -1e300, true, false, '', '1', 'true'),
  fc.constantFrom(new Date(Number.NaN), new Date('x'), Symbol('option'), 10n, [], [1], {}, { valueOf: () => 1 }, () => 1, new Map()),
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.bigInt(),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.object(),
  fc.func(fc.anything()),
);

const ALWAYS_TRIED: readonly unknown[] = [null, NaN, Infinity, -1, 1.5, 2 ** 32, 1e300, '', 'x', '\ud800', true, {}, [], () => 1, Symbol('x'), 1n, new Date(Number.NaN)];

const isU32 = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= U32_MAX;
const isBoolean = (v: unknown) => typeof v === 'boolean';
// verifyToken's now: a Date holding a valid time, or finite Unix seconds within a Date's range.
const isTime = (v: unknown) =>
  (v instanceof Date && Number.isFinite(v.getTime())) || (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 8.64e12);
const isWellFormedString = (v: unknown) => typeof v === 'string' && v.isWellFormed();
const isUidOrAccount = (v: unknown) => isU32(v) || isWellFormedString(v);

const wrongFor = (allowed: (v: unknown) => boolean) =>
  fc.oneof(anyValue, fc.constantFrom('\ud800', 'a\udfffb')).filter((v) => v !== undefined && !allowed(v));

// Arguments an options object can never be.
const notAnOptionsObject: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, 0, 1, NaN, '', 'options', true, false, Symbol('options'), 1n, [], [{}], new Date(), new Map(), () => ({})),
  fc.string(),
  fc.double(),
  fc.array(fc.object(), { maxLength: 2 }),
);

interface Case {
  readonly name: string;
  readonly call: (options: unknown) => unknown;
  /** Each option with what its type allows. */
  readonly options: Readonly<Record<string, (v: unknown) => boolean>>;
  /** The argument named for option `key` ("options.key" for the library, "key" for the server). */
  readonly argument: (key: string) => string;
}

const TOKEN_007 = ChatTokenBuilder2.buildUserToken(APP_ID, CERT, 'alice', 600);
const BUILD = { issueTs: isU32, salt: isU32, allowLongExpire: isBoolean };
const BUILD_006 = { issueTs: isU32, salt: isU32, allowPastTimestamp: isBoolean };
const library = (key: string) => `options.${key}`;
const permissions = new Rtm2Permissions().add(Rtm2Permissions.kUsers, Rtm2Permissions.kRead, ['bob']);
const fixedIssue = Math.floor(Date.now() / 1000);

/** Every exported function, method and constructor of the root entry that takes options. */
const LIBRARY: readonly Case[] = [
  { name: 'verifyToken', call: (o) => verifyToken(TOKEN_007, CERT, o as never), options: { now: isTime, channelName: isWellFormedString, uid: isUidOrAccount }, argument: library },
  { name: 'new AccessToken2', call: (o) => new AccessToken2(APP_ID, CERT, 600, o as never), options: { issueTs: isU32, salt: isU32 }, argument: library },
  { name: 'new AccessToken (006)', call: (o) => new AccessToken(APP_ID, CERT, 'room', 42, o as never), options: { salt: isU32, ts: isU32 }, argument: library },
  { name: 'ChatTokenBuilder2.buildUserToken', call: (o) => ChatTokenBuilder2.buildUserToken(APP_ID, CERT, 'alice', 600, o as never), options: BUILD, argument: library },
  { name: 'ChatTokenBuilder2.buildAppToken', call: (o) => ChatTokenBuilder2.buildAppToken(APP_ID, CERT, 600, o as never), options: BUILD, argument: library },
  { name: 'RtcTokenBuilder2.buildTokenWithUid', call: (o) => RtcTokenBuilder2.buildTokenWithUid(APP_ID, CERT, 'ch', 1, RtcRole.PUBLISHER, 600, 600, o as never), options: BUILD, argument: library },
  { name: 'RtcTokenBuilder2.buildTokenWithUserAccount', call: (o) => RtcTokenBuilder2.buildTokenWithUserAccount(APP_ID, CERT, 'ch', 'a', RtcRole.PUBLISHER, 600, 600, o as never), options: BUILD, argument: library },
  { name: 'RtcTokenBuilder2.buildTokenWithUidAndPrivilege', call: (o) => RtcTokenBuilder2.buildTokenWithUidAndPrivilege(APP_ID, CERT, 'ch', 1, 600, 600, 600, 600, 600, o as never), options: BUILD, argument: library },
  { name: 'RtcTokenBuilder2.buildTokenWithUserAccountAndPrivilege', call: (o) => RtcTokenBuilder2.buildTokenWithUserAccountAndPrivilege(APP_ID, CERT, 'ch', 'a', 600, 600, 600, 600, 600, o as never), options: BUILD, argument: library },
  { name: 'RtcTokenBuilder2.buildTokenWithRtm', call: (o) => RtcTokenBuilder2.buildTokenWithRtm(APP_ID, CERT, 'ch', 'a', RtcRole.PUBLISHER, 600, 600, o as never), options: BUILD, argument: library },
  { name: 'RtcTokenBuilder2.buildTokenWithRtm2', call: (o) => RtcTokenBuilder2.buildTokenWithRtm2(APP_ID, CERT, 'ch', 'a', RtcRole.PUBLISHER, 600, 600, 600, 600, 600, 'a', 600, o as never), options: BUILD, argument: library },
  { name: 'RtmTokenBuilder2.buildToken', call: (o) => RtmTokenBuilder2.buildToken(APP_ID, CERT, 'alice', 600, o as never), options: BUILD, argument: library },
  { name: 'RtmTokenBuilder2.buildTokenWithPermissions', call: (o) => RtmTokenBuilder2.buildTokenWithPermissions(APP_ID, CERT, 'alice', permissions, 600, o as never), options: BUILD, argument: library },
  { name: 'FpaTokenBuilder.buildToken', call: (o) => FpaTokenBuilder.buildToken(APP_ID, CERT, o as never), options: BUILD, argument: library },
  { name: 'ApaasTokenBuilder.buildRoomUserToken', call: (o) => ApaasTokenBuilder.buildRoomUserToken(APP_ID, CERT, 'room', 'user', 1, 600, o as never), options: BUILD, argument: library },
  { name: 'ApaasTokenBuilder.buildUserToken', call: (o) => ApaasTokenBuilder.buildUserToken(APP_ID, CERT, 'user', 600, o as never), options: BUILD, argument: library },
  { name: 'ApaasTokenBuilder.buildAppToken', call: (o) => ApaasTokenBuilder.buildAppToken(APP_ID, CERT, 600, o as never), options: BUILD, argument: library },
  { name: 'EducationTokenBuilder.buildAppToken', call: (o) => EducationTokenBuilder.buildAppToken(APP_ID, CERT, 600, o as never), options: BUILD, argument: library },
  { name: 'ConvoAITokenBuilder.buildToken', call: (o) => ConvoAITokenBuilder.buildToken(APP_ID, CERT, 'ch', 'a', RtcRole.PUBLISHER, 600, 600, 600, 600, 600, 'a', 600, o as never), options: BUILD, argument: library },
  { name: 'SttTokenBuilder.buildToken', call: (o) => SttTokenBuilder.buildToken(APP_ID, CERT, 'ch', 'a', RtcRole.PUBLISHER, 600, 600, 600, 600, 600, 'a', 600, o as never), options: BUILD, argument: library },
  { name: 'RtcTokenBuilder.buildTokenWithUid (006)', call: (o) => RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, RtcRole006.PUBLISHER, 0, o as never), options: BUILD_006, argument: library },
  { name: 'RtcTokenBuilder.buildTokenWithAccount (006)', call: (o) => RtcTokenBuilder.buildTokenWithAccount(APP_ID, CERT, 'ch', 'a', RtcRole006.PUBLISHER, 0, o as never), options: BUILD_006, argument: library },
  { name: 'RtmTokenBuilder.buildToken (006)', call: (o) => RtmTokenBuilder.buildToken(APP_ID, CERT, 'alice', RtmRole006.Rtm_User, 0, o as never), options: BUILD_006, argument: library },
];

const isString = (v: unknown) => typeof v === 'string';
const isFunction = (v: unknown) => typeof v === 'function';
const isIntegerIn = (min: number, max: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const HANDLER_OPTIONS = {
  appId: (v: unknown) => typeof v === 'string' && /^[0-9a-f]{32}$/i.test(v),
  appCertificate: (v: unknown) => typeof v === 'string' && /^[0-9a-f]{32}$/i.test(v),
  // 1 s to 24 hours; longer only with allowLongExpire (a longer one is ERR_EXPIRE_LIMIT, so none is generated here).
  expire: (v: unknown) => isIntegerIn(1, U32_MAX)(v),
  allowLongExpire: isBoolean,
  authenticate: isFunction,
  usersFile: (v: unknown) => typeof v === 'string' && v.length > 0,
  allowedOrigin: (v: unknown) => v === '*' || (typeof v === 'string' && /^https?:\/\/[a-z0-9.-]+(:[0-9]+)?$/.test(v)),
  demo: isBoolean,
  pageHint: (v: unknown) => isString(v) && (v as string).length <= 1000,
  page: isBoolean,
  maxBodyBytes: isIntegerIn(64, 1 << 20),
  maxConcurrentLogins: isIntegerIn(1, 1024),
  maxQueuedLogins: isIntegerIn(0, 100_000),
  onError: isFunction,
  env: (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v),
};
const HTTP_OPTIONS = { ...HANDLER_OPTIONS, headersTimeout: isIntegerIn(1000, 600_000), requestTimeout: isIntegerIn(10_000, 600_000) };
const START_OPTIONS = {
  ...HTTP_OPTIONS,
  // A host name or address: no whitespace or control characters (anything else is left to the resolver).
  host: (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 253 && v.isWellFormed() && !/[\s\u0000-\u001f\u007f]/.test(v),
  port: isIntegerIn(0, 65_535),
  closeTimeout: isIntegerIn(0, 600_000),
};
const BASE = { appId: APP_ID, appCertificate: CERT, usersFile: 'no-such-users.json' };
const server = (key: string) => key;
/** Plain objects get the base credentials added; anything else is passed as it is. */
const withBase = (o: unknown) => (Object.prototype.toString.call(o) === '[object Object]' ? { ...BASE, ...(o as object) } : o) as never;

/** The token server's entries (agora-token-builder/server). */
const SERVER: readonly Case[] = [
  { name: 'createTokenHandler', call: (o) => createTokenHandler(withBase(o)), options: HANDLER_OPTIONS, argument: server },
  { name: 'createTokenServer', call: (o) => createTokenServer(withBase(o)), options: HTTP_OPTIONS, argument: server },
  { name: 'startTokenServer', call: (o) => startTokenServer(withBase(o)), options: START_OPTIONS, argument: server },
];

describe.each([...LIBRARY, ...SERVER])('$name', ({ call, options, argument }) => {
  it.each(Object.keys(options))('rejects every wrong type or value of options.%s with ERR_INVALID_ARGUMENT', async (key) => {
    const allowed = options[key]!;
    await fc.assert(
      fc.asyncProperty(wrongFor(allowed), async (value) => {
        await expectInvalidArgument(() => call({ [key]: value }), argument(key));
      }),
      // The usual suspects always run, on top of the generated values.
      { ...RUNS, examples: ALWAYS_TRIED.filter((v) => !allowed(v)).map((v) => [v] as [unknown]) },
    );
  });

  it('rejects null and every non-object where the options go', async () => {
    await fc.assert(
      fc.asyncProperty(notAnOptionsObject, async (value) => {
        await expectInvalidArgument(() => call(value), 'options');
      }),
      RUNS,
    );
  });

  it('rejects an unknown (misspelt) option key, naming it', async () => {
    const known = Object.keys(options);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom('issuets', 'Salt', 'allowLongExpiry', 'expires', 'allowedOrigins', 'nowSeconds'), fc.string({ minLength: 1, maxLength: 20 })).filter((k) => !known.includes(k)),
        async (key) => {
          await expectInvalidArgument(() => call({ [key]: 1 }), `options.${key}`);
        },
      ),
      RUNS,
    );
  });
});

describe('verify options that are not what they should be', () => {
  // An AccessToken2 that expired at 1,700,000,600 (issueTs 1,700,000,000 + 600 s).
  const expired = ChatTokenBuilder2.buildUserToken(APP_ID, CERT, 'alice', 600, { issueTs: 1_700_000_000, salt: 1 });

  it('an invalid now is an argument error, never a verdict (it used to answer valid for an expired token)', () => {
    expect(verifyToken(expired, CERT).status).toBe('expired');
    for (const now of [new Date('x'), new Date(Number.NaN), Number.NaN, Infinity, -Infinity, '2026-01-01', null]) {
      const error = (() => {
        try {
          return verifyToken(expired, CERT, { now: now as never });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(AgoraTokenError);
      expect((error as AgoraTokenError).code).toBe('ERR_INVALID_ARGUMENT');
      expect((error as AgoraTokenError).argument).toBe('options.now');
      expect((error as AgoraTokenError).message).toMatch(/^options\.now must be a Date/);
    }
    // A valid time still judges as before.
    expect(verifyToken(expired, CERT, { now: 1_700_000_599 }).status).toBe('valid');
    expect(verifyToken(expired, CERT, { now: new Date(1_700_000_600_000) }).status).toBe('expired');
  });

  it('null options are an AgoraTokenError, not a TypeError; undefined means no options', () => {
    const error = (() => {
      try {
        return verifyToken(expired, CERT, null as never);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AgoraTokenError);
    expect((error as AgoraTokenError).code).toBe('ERR_INVALID_ARGUMENT');
    expect((error as AgoraTokenError).argument).toBe('options');
    expect(verifyToken(expired, CERT, undefined).status).toBe('expired');
    expect(new AccessToken(APP_ID, CERT, 'room', 42, undefined).salt).toBeGreaterThan(0);
  });

  it('options given as undefined each mean the default', () => {
    expect(() => ChatTokenBuilder2.buildUserToken(APP_ID, CERT, 'alice', 600, { issueTs: undefined, salt: undefined, allowLongExpire: undefined })).not.toThrow();
    expect(verifyToken(TOKEN_007, CERT, { now: undefined, channelName: undefined, uid: undefined }).status).toBe('valid');
    expect(new AccessToken2(APP_ID, CERT, 600, { issueTs: fixedIssue }).issueTs).toBe(fixedIssue);
  });
});
