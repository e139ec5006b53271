// Differential property test against the real npm packages (devDependencies):
// for arbitrary arguments, every compat builder and its counterpart in
// `agora-token` 2.0.6 / `agora-access-token` 2.0.4 make the same token, with
// the clock and the random source pinned on both sides. 007 tokens are
// compared by inflated content (deflate output is not canonical), 006 tokens
// as whole strings.
//
// The generators are not narrowed to inputs where the packages agree. Where
// they may not agree, an explicit filter below decides, and says why:
// - `rejects`: arguments this library refuses on purpose (SPEC section 5);
//   the test then requires an AgoraTokenError with the expected code.
// - `asReferenceMeans`: arguments the reference's own .d.ts allows but its code
//   crashes on (numeric user ids passed to Buffer.from); the reference is
//   called with the string this library packs for them.
// - `referenceBug`: a known bug of the reference changes the token; our token
//   is mapped to what the reference builds and compared field by field.
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as AccessTokenCompat from '../src/compat/agora-access-token.js';
import * as TokenCompat from '../src/compat/agora-token.js';
import { AgoraTokenError, decodeToken, type DecodedToken007, type Rtm2PermissionMap } from '../src/index.js';

// Our secure salt source, pinned per run (the library draws it from node:crypto).
const pin = vi.hoisted(() => ({ salt: 1 }));
vi.mock('../src/_internal/platform/node.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/_internal/platform/node.js')>();
  return {
    ...original,
    createNodePlatform: (...args: Parameters<typeof original.createNodePlatform>) => ({
      ...original.createNodePlatform(...args),
      randomSalt: () => pin.salt,
    }),
  };
});

const require = createRequire(import.meta.url);
type AnyFunction = (...args: unknown[]) => string;
type Module = Record<string, Record<string, AnyFunction> & (new () => { add(...args: unknown[]): void })>;
const AgoraToken = require('agora-token') as Module;

/**
 * agora-access-token draws its one salt when its module is first loaded, from
 * Math.random; to pin it, the module is loaded afresh with Math.random pinned.
 */
function loadAgoraAccessToken(salt: number): Module {
  for (const path of ['agora-access-token', 'agora-access-token/src/AccessToken.js', 'agora-access-token/src/RtcTokenBuilder.js', 'agora-access-token/src/RtmTokenBuilder.js']) {
    delete require.cache[require.resolve(path)];
  }
  const random = vi.spyOn(Math, 'random').mockReturnValue((salt + 0.5) / 0xffff_ffff);
  try {
    return require('agora-access-token') as Module;
  } finally {
    random.mockRestore();
  }
}

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const CERT = '5CFd2fd1755d40ecb72977518be15d3b';
const U32_MAX = 0xffff_ffff;
const HEX32 = /^[0-9a-fA-F]{32}$/;
const NUM_RUNS = 150;

// ---- argument kinds: a generator and this library's rule for each ----------

type Kind =
  | 'appId'
  | 'appCertificate'
  | 'string'
  | 'uid'
  | 'account' // string, or a number the reference packs itself (0 -> "")
  | 'numericIdCrashes' // string, or a number the reference crashes on (Buffer.from(number))
  | 'chatUserId' // as numericIdCrashes, and not empty (SPEC section 5)
  | 'u32'
  | 'rtcRole'
  | 'apaasRole'
  | 'permissions'
  | 'role006'
  | 'rtmRole006'
  | 'privilegeExpiredTs';

const u32 = fc.integer({ min: 0, max: U32_MAX });
const notU32 = fc.constantFrom(-1, 1.5, Number.NaN, 2 ** 32, '600');
const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) }, // may hold lone surrogates
);
const hex32 = fc.stringMatching(/^[0-9a-fA-F]{32}$/);
const numericId = fc.oneof(fc.constant(0), u32, fc.constantFrom(-1, 2.5));

function generator(kind: Kind): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'appId':
    case 'appCertificate':
      return fc.oneof(
        { weight: 12, arbitrary: fc.constant(kind === 'appId' ? APP_ID : CERT) },
        { weight: 3, arbitrary: hex32 },
        { weight: 1, arbitrary: fc.string({ maxLength: 33 }) },
      );
    case 'string':
      return text;
    case 'uid':
      return fc.oneof(
        { weight: 6, arbitrary: u32 },
        { weight: 3, arbitrary: u32.map(String) },
        { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double(), text, fc.constant(2 ** 32)) },
      );
    case 'account':
    case 'numericIdCrashes':
    case 'chatUserId':
      return fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: numericId });
    case 'u32':
      return fc.oneof({ weight: 12, arbitrary: u32 }, { weight: 1, arbitrary: notU32 });
    case 'rtcRole':
      return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(1, 2) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: 110 }) });
    case 'apaasRole':
      return fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: -32_768, max: 32_767 }) },
        { weight: 2, arbitrary: fc.constantFrom(0, -1, 1, 2) },
        { weight: 1, arbitrary: fc.constantFrom(32_768, -32_769, 1.5) },
      );
    case 'permissions':
      return fc.dictionary(
        fc.integer({ min: 0, max: 65_535 }).map(String),
        fc.dictionary(fc.integer({ min: 0, max: 65_535 }).map(String), fc.array(text, { maxLength: 3 }), { maxKeys: 3 }),
        { maxKeys: 4 },
      );
    case 'role006':
      return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(0, 1, 2, 101) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: 110 }) });
    case 'rtmRole006':
      return fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: 5 }) });
    case 'privilegeExpiredTs':
      return fc.oneof(
        { weight: 2, arbitrary: fc.constant(0) },
        { weight: 6, arbitrary: fc.integer({ min: 1, max: 400_000_000 }).map((ahead) => ({ ahead })) }, // now + ahead
        { weight: 2, arbitrary: u32 }, // often in the past
        { weight: 1, arbitrary: notU32 },
      );
  }
}

const isU32 = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= U32_MAX;
const isText = (v: unknown) => typeof v === 'string' && v.isWellFormed();
const isId = (v: unknown) => isText(v) || isU32(v);
/** What this library packs for a string-or-number id: numbers as decimal strings, 0 as "". */
const packedId = (v: unknown) => (typeof v === 'number' ? (v === 0 ? '' : String(v)) : v);

/** This library's rule for one argument: undefined when accepted, else the error code. */
function rule(kind: Kind, value: unknown, now: number): string | undefined {
  const invalid = 'ERR_INVALID_ARGUMENT';
  switch (kind) {
    case 'appId':
    case 'appCertificate':
      return typeof value === 'string' && HEX32.test(value) ? undefined : invalid;
    case 'string':
      return isText(value) ? undefined : invalid;
    case 'uid':
      return isU32(value) || (typeof value === 'string' && /^(0|[1-9][0-9]{0,9})$/.test(value) && Number(value) <= U32_MAX)
        ? undefined
        : invalid;
    case 'account':
    case 'numericIdCrashes':
      return isId(value) ? undefined : invalid;
    case 'chatUserId':
      return isId(value) && packedId(value) !== '' ? undefined : invalid;
    case 'u32':
      return isU32(value) ? undefined : invalid;
    case 'rtcRole':
      return value === 1 || value === 2 ? undefined : invalid;
    case 'apaasRole':
      return Number.isInteger(value) && (value as number) >= -32_768 && (value as number) <= 32_767 ? undefined : invalid;
    case 'permissions':
      return undefined;
    case 'role006':
      return [0, 1, 2, 101].includes(value as number) ? undefined : invalid;
    case 'rtmRole006':
      return value === 1 ? undefined : invalid;
    case 'privilegeExpiredTs':
      // Any u32, a past time included: agora-access-token has no past-timestamp guard, nor has its drop-in.
      return isU32(value) ? undefined : invalid;
  }
}

// ---- the pairs ---------------------------------------------------------------

interface Pair {
  readonly name: string;
  readonly format: '007' | '006';
  readonly kinds: readonly Kind[];
  readonly ours: AnyFunction;
  /** The reference builder; for 006, from the module loaded with the run's salt. */
  readonly theirs: (reference: Module) => AnyFunction;
  readonly referenceBug?: (ours: DecodedToken007, args: readonly unknown[]) => DecodedToken007;
}

const rtcRtmKinds: Kind[] = ['appId', 'appCertificate', 'string', 'account', 'rtcRole', 'u32', 'u32', 'u32', 'u32', 'u32', 'numericIdCrashes', 'u32'];
const method = (module: Module, builder: string, name: string) => module[builder]![name]!.bind(module[builder]);
const compat = (builder: object, name: string) => (builder as Record<string, AnyFunction>)[name]!;

/**
 * agora-token's Apaas/Education buildRoomUserToken (a known bug, see the
 * vectors' notes): it never adds the roomUser privilege, and it packs role 0
 * as -1 (`role || -1`). This is what it builds for our token's services.
 */
function agoraTokenRoomUserBug(ours: DecodedToken007): DecodedToken007 {
  return {
    ...ours,
    services: ours.services.map((service) => {
      if (service.type !== 7) return service;
      const { 1: _roomUser, ...privileges } = service.privileges;
      return { ...service, role: service.role === 0 ? -1 : service.role, privileges };
    }),
  };
}

const PAIRS: readonly Pair[] = [
  ...(
    [
      ['buildTokenWithUid', ['appId', 'appCertificate', 'string', 'uid', 'rtcRole', 'u32', 'u32']],
      ['buildTokenWithUserAccount', ['appId', 'appCertificate', 'string', 'account', 'rtcRole', 'u32', 'u32']],
      ['buildTokenWithUidAndPrivilege', ['appId', 'appCertificate', 'string', 'uid', 'u32', 'u32', 'u32', 'u32', 'u32']],
      ['BuildTokenWithUserAccountAndPrivilege', ['appId', 'appCertificate', 'string', 'account', 'u32', 'u32', 'u32', 'u32', 'u32']],
      ['buildTokenWithRtm', ['appId', 'appCertificate', 'string', 'numericIdCrashes', 'rtcRole', 'u32', 'u32']],
      ['buildTokenWithRtm2', rtcRtmKinds],
    ] as const
  ).map(([name, kinds]): Pair => ({
    name: `RtcTokenBuilder.${name}`,
    format: '007',
    kinds,
    ours: compat(TokenCompat.RtcTokenBuilder, name),
    theirs: (m) => method(m, 'RtcTokenBuilder', name),
  })),
  {
    name: 'RtmTokenBuilder.buildToken',
    format: '007',
    kinds: ['appId', 'appCertificate', 'numericIdCrashes', 'u32'],
    ours: compat(TokenCompat.RtmTokenBuilder, 'buildToken'),
    theirs: (m) => method(m, 'RtmTokenBuilder', 'buildToken'),
  },
  {
    name: 'RtmTokenBuilder.buildTokenWithPermissions',
    format: '007',
    kinds: ['appId', 'appCertificate', 'numericIdCrashes', 'permissions', 'u32'],
    ours: compat(TokenCompat.RtmTokenBuilder, 'buildTokenWithPermissions'),
    theirs: (m) => method(m, 'RtmTokenBuilder', 'buildTokenWithPermissions'),
  },
  {
    name: 'ChatTokenBuilder.buildUserToken',
    format: '007',
    kinds: ['appId', 'appCertificate', 'chatUserId', 'u32'],
    ours: compat(TokenCompat.ChatTokenBuilder, 'buildUserToken'),
    theirs: (m) => method(m, 'ChatTokenBuilder', 'buildUserToken'),
  },
  {
    name: 'ChatTokenBuilder.buildAppToken',
    format: '007',
    kinds: ['appId', 'appCertificate', 'u32'],
    ours: compat(TokenCompat.ChatTokenBuilder, 'buildAppToken'),
    theirs: (m) => method(m, 'ChatTokenBuilder', 'buildAppToken'),
  },
  {
    name: 'FpaTokenBuilder.buildToken',
    format: '007',
    kinds: ['appId', 'appCertificate'],
    ours: compat(TokenCompat.FpaTokenBuilder, 'buildToken'),
    theirs: (m) => method(m, 'FpaTokenBuilder', 'buildToken'),
  },
  ...(['ApaasTokenBuilder', 'EducationTokenBuilder'] as const).flatMap((builder): Pair[] => [
    {
      name: `${builder}.buildRoomUserToken`,
      format: '007',
      kinds: ['appId', 'appCertificate', 'string', 'numericIdCrashes', 'apaasRole', 'u32'],
      ours: compat(TokenCompat[builder], 'buildRoomUserToken'),
      theirs: (m) => method(m, builder, 'buildRoomUserToken'),
      referenceBug: agoraTokenRoomUserBug,
    },
    {
      name: `${builder}.buildUserToken`,
      format: '007',
      kinds: ['appId', 'appCertificate', 'numericIdCrashes', 'u32'],
      ours: compat(TokenCompat[builder], 'buildUserToken'),
      theirs: (m) => method(m, builder, 'buildUserToken'),
    },
    {
      name: `${builder}.buildAppToken`,
      format: '007',
      kinds: ['appId', 'appCertificate', 'u32'],
      ours: compat(TokenCompat[builder], 'buildAppToken'),
      theirs: (m) => method(m, builder, 'buildAppToken'),
    },
  ]),
  ...(['ConvoAITokenBuilder', 'SttTokenBuilder'] as const).map(
    (builder): Pair => ({
      name: `${builder}.buildToken`,
      format: '007',
      kinds: rtcRtmKinds,
      ours: compat(TokenCompat[builder], 'buildToken'),
      theirs: (m) => method(m, builder, 'buildToken'),
    }),
  ),
  {
    name: '006 RtcTokenBuilder.buildTokenWithUid',
    format: '006',
    kinds: ['appId', 'appCertificate', 'string', 'uid', 'role006', 'privilegeExpiredTs'],
    ours: compat(AccessTokenCompat.RtcTokenBuilder, 'buildTokenWithUid'),
    theirs: (m) => method(m, 'RtcTokenBuilder', 'buildTokenWithUid'),
  },
  {
    name: '006 RtcTokenBuilder.buildTokenWithAccount',
    format: '006',
    kinds: ['appId', 'appCertificate', 'string', 'account', 'role006', 'privilegeExpiredTs'],
    ours: compat(AccessTokenCompat.RtcTokenBuilder, 'buildTokenWithAccount'),
    theirs: (m) => method(m, 'RtcTokenBuilder', 'buildTokenWithAccount'),
  },
  {
    name: '006 RtmTokenBuilder.buildToken',
    format: '006',
    kinds: ['appId', 'appCertificate', 'numericIdCrashes', 'rtmRole006', 'privilegeExpiredTs'],
    ours: compat(AccessTokenCompat.RtmTokenBuilder, 'buildToken'),
    theirs: (m) => method(m, 'RtmTokenBuilder', 'buildToken'),
  },
];

// ---- running one case -------------------------------------------------------

interface Run {
  readonly now: number;
  readonly salt: number;
  readonly args: unknown[];
  /** For buildTokenWithPermissions: which form of the permissions this library is given. */
  readonly permissionsForm: 'class' | 'details' | 'map';
}

/** Resolves `{ ahead }` privilege times against the run's clock. */
function resolve(value: unknown, now: number): unknown {
  return typeof value === 'object' && value !== null && 'ahead' in value ? Math.min(now + (value as { ahead: number }).ahead, U32_MAX) : value;
}

function ourPermissions(map: Rtm2PermissionMap, form: Run['permissionsForm']): unknown {
  if (form === 'map') return map;
  if (form === 'details') return { details: map };
  return fillPermissions(new TokenCompat.Rtm2Permissions(), map);
}

/**
 * Fills an Rtm2Permissions (ours or agora-token's) through `add`; a resource
 * type with no permission types cannot be added that way, so it is set directly.
 */
function fillPermissions<P extends { add(...args: never[]): unknown; details: Record<number, object> }>(permissions: P, map: Rtm2PermissionMap): P {
  const add = permissions.add.bind(permissions) as (resourceType: number, permissionType: number, resources: readonly string[]) => void;
  for (const [resourceType, byPermission] of Object.entries(map)) {
    if (Object.keys(byPermission).length === 0) permissions.details[Number(resourceType)] = {};
    for (const [permissionType, resources] of Object.entries(byPermission)) add(Number(resourceType), Number(permissionType), resources);
  }
  return permissions;
}

function theirPermissions(map: Rtm2PermissionMap): unknown {
  return fillPermissions(new AgoraToken.Rtm2Permissions!() as unknown as TokenCompat.Rtm2Permissions, map);
}

function inflatedHex(token: string): string {
  return inflateSync(Buffer.from(token.slice(3), 'base64')).toString('hex');
}

function withoutSignature(decoded: DecodedToken007): Omit<DecodedToken007, 'signatureHex'> {
  const { signatureHex: _signature, ...rest } = decoded;
  return rest;
}

function decode007(token: string): DecodedToken007 {
  const decoded = decodeToken(token);
  if (decoded.version !== '007') throw new Error('expected a 007 token');
  return decoded;
}

function checkPair(pair: Pair, run: Run): void {
  const { now, salt } = run;
  const args = run.args.map((value) => resolve(value, now));
  pin.salt = salt;
  vi.setSystemTime(now * 1000);

  // Filter 1: what this library refuses on purpose. The first argument that
  // breaks a rule decides the code (each builder checks its arguments in order).
  const expectedError = pair.kinds.map((kind, i) => rule(kind, args[i], now)).find((code) => code !== undefined);
  const ourArgs = pair.kinds.map((kind, i) =>
    kind === 'permissions' ? ourPermissions(args[i] as Rtm2PermissionMap, run.permissionsForm) : args[i],
  );
  if (expectedError !== undefined) {
    let thrown: unknown;
    try {
      pair.ours(...ourArgs);
    } catch (error) {
      thrown = error;
    }
    expect(thrown, `${pair.name} should refuse ${JSON.stringify(args)}`).toBeInstanceOf(AgoraTokenError);
    expect((thrown as AgoraTokenError).code).toBe(expectedError);
    return;
  }
  const ours = pair.ours(...ourArgs);

  // Filter 2: numeric ids the reference's types allow but its code crashes on
  // (Buffer.from(number)); it is given the string this library packs for them.
  const theirArgs = pair.kinds.map((kind, i) => {
    if (kind === 'numericIdCrashes' || kind === 'chatUserId') return packedId(args[i]);
    if (kind === 'permissions') return theirPermissions(args[i] as Rtm2PermissionMap);
    return args[i];
  });

  if (pair.format === '006') {
    const theirs = pair.theirs(loadAgoraAccessToken(salt))(...theirArgs);
    expect(ours).toBe(theirs);
    return;
  }
  const random = vi.spyOn(Math, 'random').mockReturnValue((salt - 0.5) / 99_999_999);
  let theirs: string;
  try {
    theirs = pair.theirs(AgoraToken)(...theirArgs);
  } finally {
    random.mockRestore();
  }
  // Filter 3: a known reference bug that changes the token.
  if (pair.referenceBug !== undefined) {
    expect(withoutSignature(decode007(theirs))).toEqual(withoutSignature(pair.referenceBug(decode007(ours), args)));
    return;
  }
  expect(inflatedHex(ours)).toBe(inflatedHex(theirs));
}

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
});

afterAll(() => {
  vi.useRealTimers();
});

describe('compat builders make the same tokens as the npm packages', () => {
  it.each(PAIRS.map((pair) => [pair.name, pair] as const))('%s', (_name, pair) => {
    const run = fc.record({
      // 006: ts = now + 24 h must fit in a u32; 007: any issue time.
      now: fc.integer({ min: 1, max: pair.format === '006' ? U32_MAX - 86_400 : U32_MAX }),
      salt: pair.format === '006' ? fc.integer({ min: 0, max: U32_MAX - 1 }) : fc.integer({ min: 1, max: 99_999_999 }),
      args: fc.tuple(...pair.kinds.map(generator)),
      permissionsForm: fc.constantFrom('class' as const, 'details' as const, 'map' as const),
    });
    fc.assert(
      fc.property(run, (r) => checkPair(pair, r)),
      { numRuns: NUM_RUNS },
    );
  });

  it('the filters are not vacuous: valid runs are compared and refusals are checked', () => {
    // A publisher token with every argument valid is compared byte for byte.
    checkPair(PAIRS[0]!, { now: 1_700_000_000, salt: 42, args: [APP_ID, CERT, 'ch', 7, 1, 600, 600], permissionsForm: 'map' });
    // Apaas role 0: compared through the documented bug mapping.
    const roomUser = PAIRS.find((pair) => pair.name === 'ApaasTokenBuilder.buildRoomUserToken')!;
    checkPair(roomUser, { now: 1_700_000_000, salt: 42, args: [APP_ID, CERT, 'room', 'user', 0, 600], permissionsForm: 'map' });
    // A past 006 time builds the reference's token (compat has no past-timestamp guard) ...
    const rtc006 = PAIRS.find((pair) => pair.name === '006 RtcTokenBuilder.buildTokenWithUid')!;
    checkPair(rtc006, { now: 1_700_000_000, salt: 42, args: [APP_ID, CERT, 'ch', 7, 1, 3600], permissionsForm: 'map' });
    // ... and a value that cannot be packed is refused with ERR_INVALID_ARGUMENT.
    checkPair(rtc006, { now: 1_700_000_000, salt: 42, args: [APP_ID, CERT, 'ch', 7, 1, -1], permissionsForm: 'map' });
    // And a mismatch would be caught: the reference's role-0 bug fails a plain comparison.
    const plain = { ...roomUser, referenceBug: undefined };
    expect(() =>
      checkPair(plain, { now: 1_700_000_000, salt: 42, args: [APP_ID, CERT, 'room', 'user', 0, 600], permissionsForm: 'map' }),
    ).toThrow();
  });
});
