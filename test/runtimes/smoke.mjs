// The runtime matrix's checks (issue 7), in plain JavaScript with no imports,
// so that the very same file runs on Node, Bun, Deno, workerd and Chromium.
// It takes the namespace of one entry point (the root entry, whose methods
// return values, or `agora-token-builder/web`, whose methods return Promises:
// every call is awaited, which serves both) and the parsed vectors files, and
// checks every case the way test/vectors.test.ts and `vectors check` do:
// - token007: the token built from the inputs inflates to `payloadHex`; the
//   case's builder call (if any) builds the same payload, or refuses the
//   arguments this library rejects on purpose (SPEC section 5); every reference
//   string decodes to the inputs and verifies (expired at issueTs + expire);
// - token006: the token built from the inputs, and by the builder, is every
//   reference string; every reference string decodes and verifies;
// - invalid: exactly the expected failure, as an AgoraTokenError of the entry.
// Expected values come from the vectors files only. The inflate used to read
// the payloads is the platform's DecompressionStream, not the library's.
// Then a build/decode/verify smoke test of ChatTokenBuilder2 on the clock.

/** The names of the smoke checks that run after the vectors (their count is part of the expected total). */
export const SMOKE_CHECKS = [
  'smoke: ChatTokenBuilder2.buildUserToken decodes to its inputs and verifies',
  'smoke: the wrong certificate gives bad-signature',
  'smoke: the token is expired at issueTs + expire',
  'smoke: an empty user id is rejected with ERR_INVALID_ARGUMENT',
];

/** The checks of a compat entry (agora-token or agora-access-token drop-in). */
export const COMPAT_CHECKS = {
  'compat/agora-token': [
    'compat/agora-token: ChatTokenBuilder.buildUserToken verifies with the root entry',
    'compat/agora-token: RtcTokenBuilder.buildTokenWithUid verifies with the root entry',
  ],
  'compat/agora-access-token': [
    'compat/agora-access-token: RtcTokenBuilder.buildTokenWithUid verifies with the root entry',
    'compat/agora-access-token: RtmTokenBuilder.buildToken verifies with the root entry',
  ],
};

/** The vectors files (in vectors/) every entry runs; scripts/runtimes.mjs checks that no other file is there. */
export const VECTOR_FILES = ['agora-reference-vectors.json', 'agora-edge-vectors.json'];

const cases = (documents, section) => documents.flatMap((document) => document[section] ?? []);

/** How many checks a full run of an entry makes: every case of every vectors file, then the smoke checks. */
export function expectedChecks(documents) {
  return ['token007', 'token006', 'invalid'].reduce((sum, section) => sum + cases(documents, section).length, 0) + SMOKE_CHECKS.length;
}

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const OTHER_CERTIFICATE = '0123456789abcdef0123456789abcdef';
const PARSE_CODES = ['ERR_TOKEN_MALFORMED', 'ERR_TOKEN_VERSION', 'ERR_TOKEN_TOO_LARGE'];
/** A 006 case's `ts` is its build time + 24 hours, as the references make it. */
const TOKEN_006_LIFETIME = 86_400;

// ---- small helpers, independent of the library ----

class CheckFailure extends Error {}

function fail(message) {
  throw new CheckFailure(message);
}

function show(value) {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function jsonEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((key) => Object.prototype.hasOwnProperty.call(b, key) && jsonEqual(a[key], b[key]));
}

function equal(what, got, expected) {
  if (!jsonEqual(got, expected)) fail(`${what}: expected ${show(expected)}, got ${show(got)}`);
}

function hex(bytes) {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

function base64Bytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The inflated content of a 007 token, as hex, by the platform's DecompressionStream. */
async function inflatedHex(token) {
  if (typeof token !== 'string' || !token.startsWith('007')) fail(`expected a 007 token string, got ${show(token)}`);
  const stream = new Blob([base64Bytes(token.slice(3))]).stream().pipeThrough(new DecompressionStream('deflate'));
  return hex(new Uint8Array(await new Response(stream).arrayBuffer()));
}

/** Services in wire order: stably sorted by type. */
function wireOrder(services) {
  return services
    .map((service, index) => ({ service, index }))
    .sort((a, b) => a.service.type - b.service.type || a.index - b.index)
    .map((entry) => entry.service);
}

/** Runs `call` (sync or async) and returns the AgoraTokenError it throws or rejects with; fails otherwise. */
async function rejection(lib, what, call) {
  let result;
  try {
    result = await call();
  } catch (error) {
    if (!(error instanceof lib.AgoraTokenError)) {
      fail(`${what} threw something other than this entry's AgoraTokenError: ${error?.name}: ${error?.message}`);
    }
    return error;
  }
  return fail(`${what} succeeded (${show(result)}) where it must fail`);
}

async function bytesHex(value) {
  const bytes = await value;
  if (!(bytes instanceof Uint8Array)) fail(`expected bytes, got ${show(bytes)}`);
  return hex(bytes);
}

// ---- the vectors' builder calls: case name -> arguments in Agora's order ----

const RTC_RTM_ARGS = [
  'appId', 'appCertificate', 'channelName', 'rtcAccount', 'rtcRole', 'rtcTokenExpire', 'joinChannelPrivilegeExpire',
  'pubAudioPrivilegeExpire', 'pubVideoPrivilegeExpire', 'pubDataStreamPrivilegeExpire', 'rtmUserId', 'rtmTokenExpire',
];
const PRIVILEGE_ARGS = [
  'tokenExpire', 'joinChannelPrivilegeExpire', 'pubAudioPrivilegeExpire', 'pubVideoPrivilegeExpire', 'pubDataStreamPrivilegeExpire',
];
/** Defaults the references apply when a case leaves an argument out. */
const DEFAULTS = { privilegeExpire: 0 };
// Arguments this library rejects on purpose although a reference accepted
// them (SPEC section 5): for those the builder must throw an AgoraTokenError.
const rtcRole = (key) => (a) => (a[key] === 1 || a[key] === 2 ? undefined : `RTC role ${a[key]}`);
const role006 = (a) => ([0, 1, 2, 101].includes(a.role) ? undefined : `006 RTC role ${a.role}`);
const rtmRole006 = (a) => (a.role === 1 ? undefined : `RTM role ${a.role}`);
const emptyUserId = (a) => (a.userId === '' ? 'an empty userId' : undefined);
const ROLE_RTC_ARGS = ['appId', 'appCertificate', 'channelName', 'uid', 'role', 'tokenExpire', 'privilegeExpire'];
const ACCOUNT_RTC_ARGS = ['appId', 'appCertificate', 'channelName', 'account', 'role', 'tokenExpire', 'privilegeExpire'];
/**
 * Case name -> the builder's arguments in Agora's order, and what it refuses.
 * The 007 builders get the case's issueTs and salt and `allowLongExpire`;
 * the 006 ones a build time of the case's ts - 24 h, its salt and
 * `allowPastTimestamp` (vectors test the wire format, not the policy).
 */
const BUILDERS = {
  'ChatTokenBuilder2.buildUserToken': { args: ['appId', 'appCertificate', 'userId', 'expire'], refuses: emptyUserId },
  'ChatTokenBuilder2.buildAppToken': { args: ['appId', 'appCertificate', 'expire'] },
  'RtcTokenBuilder2.buildTokenWithUid': { args: ROLE_RTC_ARGS, refuses: rtcRole('role') },
  'RtcTokenBuilder2.buildTokenWithUserAccount': { args: ACCOUNT_RTC_ARGS, refuses: rtcRole('role') },
  'RtcTokenBuilder2.buildTokenWithUidAndPrivilege': { args: ['appId', 'appCertificate', 'channelName', 'uid', ...PRIVILEGE_ARGS] },
  'RtcTokenBuilder2.buildTokenWithUserAccountAndPrivilege': { args: ['appId', 'appCertificate', 'channelName', 'account', ...PRIVILEGE_ARGS] },
  'RtcTokenBuilder2.buildTokenWithRtm': { args: ACCOUNT_RTC_ARGS, refuses: rtcRole('role') },
  'RtcTokenBuilder2.buildTokenWithRtm2': { args: RTC_RTM_ARGS, refuses: rtcRole('rtcRole') },
  'RtmTokenBuilder2.buildToken': { args: ['appId', 'appCertificate', 'userId', 'expire'] },
  'RtmTokenBuilder2.buildTokenWithPermissions': { args: ['appId', 'appCertificate', 'userId', 'permissions', 'expire'] },
  'FpaTokenBuilder.buildToken': { args: ['appId', 'appCertificate'] },
  'ApaasTokenBuilder.buildRoomUserToken': { args: ['appId', 'appCertificate', 'roomUuid', 'userUuid', 'role', 'expire'] },
  'ApaasTokenBuilder.buildUserToken': { args: ['appId', 'appCertificate', 'userUuid', 'expire'] },
  'ApaasTokenBuilder.buildAppToken': { args: ['appId', 'appCertificate', 'expire'] },
  'EducationTokenBuilder.buildRoomUserToken': { args: ['appId', 'appCertificate', 'roomUuid', 'userUuid', 'role', 'expire'] },
  'EducationTokenBuilder.buildUserToken': { args: ['appId', 'appCertificate', 'userUuid', 'expire'] },
  'EducationTokenBuilder.buildAppToken': { args: ['appId', 'appCertificate', 'expire'] },
  'ConvoAITokenBuilder.buildToken': { args: RTC_RTM_ARGS, refuses: rtcRole('rtcRole') },
  'SttTokenBuilder.buildToken': { args: RTC_RTM_ARGS, refuses: rtcRole('rtcRole') },
  'RtcTokenBuilder.buildTokenWithUid': { args: ['appId', 'appCertificate', 'channelName', 'uid', 'role', 'privilegeExpiredTs'], refuses: role006 },
  'RtcTokenBuilder.buildTokenWithAccount': {
    args: ['appId', 'appCertificate', 'channelName', 'account', 'role', 'privilegeExpiredTs'],
    refuses: role006,
  },
  'RtmTokenBuilder.buildToken': { args: ['appId', 'appCertificate', 'account', 'role', 'privilegeExpiredTs'], refuses: rtmRole006 },
};

/**
 * Builds with the case's builder, or, where the builder must refuse the
 * arguments, checks that it throws an AgoraTokenError and returns undefined.
 */
async function buildOrRefuse(lib, builder, options) {
  const refusal = BUILDERS[builder.name]?.refuses?.(builder.args);
  if (refusal === undefined) return callBuilder(lib, builder, options);
  const error = await rejection(lib, `${builder.name} with ${refusal}`, () => callBuilder(lib, builder, options));
  equal(`${builder.name} with ${refusal}: code`, error.code, 'ERR_INVALID_ARGUMENT');
  return undefined;
}

/** Calls the case's builder with its named arguments and `options`. */
function callBuilder(lib, builder, options) {
  const spec = BUILDERS[builder.name];
  if (spec === undefined) fail(`no call known for builder ${builder.name}: add it to BUILDERS`);
  const [className, method] = builder.name.split('.');
  const cls = lib[className];
  if (typeof cls?.[method] !== 'function') fail(`this entry has no ${builder.name}`);
  const args = spec.args.map((name) => {
    if (Object.prototype.hasOwnProperty.call(builder.args, name)) return builder.args[name];
    if (Object.prototype.hasOwnProperty.call(DEFAULTS, name)) return DEFAULTS[name];
    return fail(`${builder.name}: the case has no argument ${name}`);
  });
  return cls[method](...args, options);
}

// ---- the three sections of the vectors file ----

async function check007(lib, c) {
  const token = new lib.AccessToken2(c.appId, c.appCertificate, c.expire, { issueTs: c.issueTs, salt: c.salt });
  for (const service of c.services) token.addService(service);
  if (typeof token.content === 'function') equal('content() built from the inputs', await bytesHex(token.content()), c.payloadHex);
  equal('the token built from the inputs, inflated', await inflatedHex(await token.build()), c.payloadHex);

  if (c.builder) {
    const built = await buildOrRefuse(lib, c.builder, { issueTs: c.issueTs, salt: c.salt, allowLongExpire: true });
    if (built !== undefined) equal(`${c.builder.name}, inflated`, await inflatedHex(built), c.payloadHex);
  }

  const header = { appId: c.appId, issueTs: c.issueTs, expire: c.expire, salt: c.salt };
  for (const [reference, tokenString] of Object.entries(c.tokens)) {
    const decoded = await lib.decodeToken(tokenString);
    equal(`tokens.${reference} version`, decoded.version, '007');
    const got = { appId: decoded.appId, issueTs: decoded.issueTs, expire: decoded.expire, salt: decoded.salt };
    equal(`tokens.${reference} header`, got, header);
    equal(`tokens.${reference} services`, decoded.services, wireOrder(c.services));
    equal(`tokens.${reference} signatureHex`, decoded.signatureHex, c.signatureHex);
    equal(`tokens.${reference} unknownServiceType`, decoded.unknownServiceType, undefined);
    // Expired at now >= issueTs + expire (SPEC section 1); the signature is checked first.
    const atIssue = await lib.verifyToken(tokenString, c.appCertificate, { now: c.issueTs });
    equal(`tokens.${reference} verdict at issueTs`, atIssue.status, c.expire > 0 ? 'valid' : 'expired');
    const atExpiry = await lib.verifyToken(tokenString, c.appCertificate, { now: c.issueTs + c.expire });
    equal(`tokens.${reference} verdict at issueTs + expire`, atExpiry.status, 'expired');
  }
}

async function check006(lib, c) {
  const references = Object.entries(c.tokens);
  if (references.length === 0) fail('the case has no reference token');
  const token = new lib.AccessToken(c.appId, c.appCertificate, c.channelName, c.uid, { salt: c.salt, ts: c.ts });
  for (const [key, value] of Object.entries(c.privileges)) token.addPrivilege(Number(key), value);
  if (typeof token.message === 'function') equal('message() built from the inputs', await bytesHex(token.message()), c.messageHex);
  const built = await token.build();
  for (const [reference, tokenString] of references) equal(`built from the inputs vs tokens.${reference}`, built, tokenString);

  // A ts below 24 h (a clock before 1970) has no u32 build time to give the
  // public builders; such a case is checked from its inputs above only.
  if (c.builder && c.ts >= TOKEN_006_LIFETIME) {
    const options = { issueTs: c.ts - TOKEN_006_LIFETIME, salt: c.salt, allowPastTimestamp: true };
    const fromBuilder = await buildOrRefuse(lib, c.builder, options);
    if (fromBuilder !== undefined) {
      for (const [reference, tokenString] of references) equal(`${c.builder.name} vs tokens.${reference}`, fromBuilder, tokenString);
    }
  }

  const expected = {
    version: '006',
    appId: c.appId,
    signatureHex: c.signatureHex,
    crcChannelName: c.crcChannelName,
    crcUid: c.crcUid,
    salt: c.salt,
    ts: c.ts,
    privileges: c.privileges,
  };
  for (const [reference, tokenString] of references) {
    equal(`tokens.${reference} decoded`, await lib.decodeToken(tokenString), expected);
    const verdict = await lib.verifyToken(tokenString, c.appCertificate, { now: c.ts - 1, channelName: c.channelName, uid: c.uid });
    if (verdict.status !== 'valid' && verdict.status !== 'expired') fail(`tokens.${reference} does not verify: ${verdict.status}`);
  }
}

function referenceServiceTypes(c) {
  // The notes record what the reference parsers returned, e.g. "services [1]".
  const match = /services \[([0-9, ]*)\]/.exec(c.note ?? '');
  if (match === null) fail('no reference services in the note');
  return match[1].split(',').filter((s) => s.trim() !== '').map(Number);
}

async function checkInvalid(lib, c) {
  const certificate = c.appCertificate ?? APP_CERTIFICATE;
  switch (c.expect) {
    case 'parse-error': {
      const error = await rejection(lib, 'decodeToken', () => lib.decodeToken(c.token));
      if (c.token.startsWith('007')) equal('code', error.code, 'ERR_TOKEN_MALFORMED');
      else if (!PARSE_CODES.includes(error.code)) fail(`code ${error.code} is not one of ${PARSE_CODES.join(', ')}`);
      const verdict = await lib.verifyToken(c.token, certificate, { now: 0 });
      equal('verdict', { status: verdict.status, valid: verdict.valid }, { status: 'malformed', valid: false });
      break;
    }
    case 'unknown-service': {
      const decoded = await lib.decodeToken(c.token);
      equal('unknownServiceType', decoded.unknownServiceType, Number(/unknown-service-type-([0-9]+)/.exec(c.name)?.[1]));
      equal('service types', decoded.services.map((s) => s.type), referenceServiceTypes(c));
      // The signature covers every byte, the unknown service included, and still verifies.
      equal('verdict', (await lib.verifyToken(c.token, certificate, { now: decoded.issueTs })).status, 'valid');
      break;
    }
    case 'bad-signature': {
      const decoded = await lib.decodeToken(c.token);
      if (!/^[0-9a-fA-F]{32}$/.test(certificate)) {
        // certificate-not-hex: Agora's references say bad-signature; this library refuses the certificate (docs/format.md).
        const error = await rejection(lib, 'verifyToken with a certificate that is not 32 hex characters', () =>
          lib.verifyToken(c.token, certificate, { now: decoded.issueTs }),
        );
        equal('error', { code: error.code, argument: error.argument }, { code: 'ERR_INVALID_ARGUMENT', argument: 'appCertificate' });
        break;
      }
      const verdict = await lib.verifyToken(c.token, certificate, { now: decoded.issueTs });
      equal('verdict', { status: verdict.status, valid: verdict.valid }, { status: 'bad-signature', valid: false });
      break;
    }
    default:
      fail(`unknown expectation ${show(c.expect)}`);
  }
}

// ---- the smoke test: the clock, a random salt, the chat builder ----

async function smoke(lib) {
  const now = () => Math.floor(Date.now() / 1000);
  const before = now();
  const token = await lib.ChatTokenBuilder2.buildUserToken(APP_ID, APP_CERTIFICATE, 'smoke-user', 600);
  const after = now();
  const decoded = await lib.decodeToken(token);
  const checks = [
    async () => {
      equal('version', decoded.version, '007');
      equal('appId', decoded.appId, APP_ID);
      equal('expire', decoded.expire, 600);
      if (!(decoded.issueTs >= before && decoded.issueTs <= after)) fail(`issueTs ${decoded.issueTs} is not the clock (${before}..${after})`);
      if (!(Number.isInteger(decoded.salt) && decoded.salt >= 1 && decoded.salt <= 99_999_999)) fail(`salt ${decoded.salt} is out of range`);
      equal('services', decoded.services, [{ type: 5, privileges: { 1: 600 }, userId: 'smoke-user' }]);
      equal('inflated payload matches the decoded header', (await inflatedHex(token)).slice(68, 68 + 4 + 64), '2000' + hex(new TextEncoder().encode(APP_ID)));
      const verdict = await lib.verifyToken(token, APP_CERTIFICATE);
      equal('verdict', { status: verdict.status, valid: verdict.valid }, { status: 'valid', valid: true });
    },
    async () => {
      const verdict = await lib.verifyToken(token, OTHER_CERTIFICATE);
      equal('verdict', { status: verdict.status, valid: verdict.valid }, { status: 'bad-signature', valid: false });
    },
    async () => {
      equal('verdict', (await lib.verifyToken(token, APP_CERTIFICATE, { now: decoded.issueTs + 600 })).status, 'expired');
      equal('verdict one second before', (await lib.verifyToken(token, APP_CERTIFICATE, { now: decoded.issueTs + 599 })).status, 'valid');
    },
    async () => {
      const error = await rejection(lib, 'buildUserToken with an empty userId', () =>
        lib.ChatTokenBuilder2.buildUserToken(APP_ID, APP_CERTIFICATE, '', 600),
      );
      equal('code', error.code, 'ERR_INVALID_ARGUMENT');
      equal('argument', error.argument, 'userId');
      if (error.message.includes(APP_CERTIFICATE)) fail('the message contains the certificate');
    },
  ];
  return checks;
}

// ---- running ----

async function record(results, name, check) {
  try {
    await check();
    results.push({ name, ok: true });
  } catch (error) {
    const message = error instanceof CheckFailure ? error.message : `threw ${error?.name ?? typeof error}: ${error?.message ?? String(error)}`;
    results.push({ name, ok: false, message });
  }
}

function report(results, expected) {
  const failures = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.message}`);
  return { passed: results.length - failures.length, failed: failures.length, expected, failures };
}

/**
 * Runs every case of the parsed vectors files `documents` and the smoke
 * checks against one entry's namespace.
 * Returns `{ passed, failed, expected, failures }`; `failures` are lines
 * `name: what differed`.
 */
export async function runEntryChecks(lib, documents) {
  const results = [];
  for (const c of cases(documents, 'token007')) await record(results, `token007 ${c.name}`, () => check007(lib, c));
  for (const c of cases(documents, 'token006')) await record(results, `token006 ${c.name}`, () => check006(lib, c));
  for (const c of cases(documents, 'invalid')) await record(results, `invalid ${c.name}`, () => checkInvalid(lib, c));
  let checks;
  try {
    checks = await smoke(lib);
  } catch (error) {
    const message = `threw ${error?.name}: ${error?.message}`;
    checks = SMOKE_CHECKS.map(() => () => fail(message));
  }
  for (let i = 0; i < SMOKE_CHECKS.length; i++) await record(results, SMOKE_CHECKS[i], checks[i]);
  return report(results, expectedChecks(documents));
}

/**
 * Smoke checks of a compat entry (`name` is a key of COMPAT_CHECKS): tokens
 * built with the drop-in's own builders, on the clock, verified by the root
 * entry `root`.
 */
export async function runCompatChecks(name, compat, root) {
  const names = COMPAT_CHECKS[name];
  if (names === undefined) throw new Error(`unknown compat entry ${name}`);
  const now = Math.floor(Date.now() / 1000);
  const valid = async (token, options) => {
    const verdict = await root.verifyToken(token, APP_CERTIFICATE, options);
    equal('verdict', verdict.status, 'valid');
    if ((await root.verifyToken(token, OTHER_CERTIFICATE, options)).status !== 'bad-signature') fail('the wrong certificate verifies');
    return root.decodeToken(token);
  };
  const checks =
    name === 'compat/agora-token'
      ? [
          async () => {
            const decoded = await valid(compat.ChatTokenBuilder.buildUserToken(APP_ID, APP_CERTIFICATE, 'compat-user', 3600));
            equal('services', decoded.services, [{ type: 5, privileges: { 1: 3600 }, userId: 'compat-user' }]);
          },
          async () => {
            const token = compat.RtcTokenBuilder.buildTokenWithUid(APP_ID, APP_CERTIFICATE, 'room', 42, compat.RtcRole.PUBLISHER, 600, 600);
            const decoded = await valid(token);
            equal('service', [decoded.services[0].type, decoded.services[0].channelName, decoded.services[0].uid], [1, 'room', '42']);
          },
        ]
      : [
          async () => {
            const token = compat.RtcTokenBuilder.buildTokenWithUid(APP_ID, APP_CERTIFICATE, 'room', 42, compat.RtcRole.PUBLISHER, now + 600);
            const decoded = await valid(token, { channelName: 'room', uid: '42' });
            equal('version', decoded.version, '006');
            equal('join privilege', decoded.privileges['1'], now + 600);
          },
          async () => {
            const token = compat.RtmTokenBuilder.buildToken(APP_ID, APP_CERTIFICATE, 'alice', compat.RtmRole.Rtm_User, now + 600);
            // A 006 RTM token signs the account as its channel name, with an empty uid.
            const decoded = await valid(token, { channelName: 'alice', uid: '' });
            equal('login privilege', decoded.privileges['1000'], now + 600);
          },
        ];
  const results = [];
  for (let i = 0; i < names.length; i++) await record(results, names[i], checks[i]);
  return report(results, names.length);
}
