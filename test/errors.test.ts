// Bad input (SPEC section 5) for the AccessToken2 core and ChatTokenBuilder2:
// each rejection is an AgoraTokenError with the right code, names the
// argument, says what is allowed, and never contains the certificate.
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { AgoraTokenError, type AgoraTokenErrorCode, type ServiceInit } from '../src/index.js';
import { ENTRY_CASES, rejection } from './helpers/entries.js';
import { TokenClientError, type TokenClientErrorCode } from '../src/client/index.js';
import { AgoraChatError, type AgoraChatErrorCode } from '../src/server/agora-chat.js';
import { parseUsersFile, UsersFileError, type UsersFileErrorCode } from '../src/server/users.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
// A distinctive certificate, so a leak into a message cannot go unseen.
const CERT = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';


/** The checks every rejection must pass; `secrets` are strings no message may contain. */
async function expectRejected(
  run: () => unknown,
  code: AgoraTokenError['code'],
  argument: string,
  secrets: readonly string[] = [CERT],
): Promise<AgoraTokenError> {
  const error = await rejection(run);
  expect(error.code).toBe(code);
  expect(error.argument).toBe(argument);
  expect(error.name).toBe('AgoraTokenError');
  expect(error.message.startsWith(argument)).toBe(true);
  expect(error.message).toMatch(/must|may|cannot/);
  for (const secret of secrets) {
    for (const text of [error.message, String(error), error.stack ?? '']) {
      expect(text.toLowerCase()).not.toContain(secret.toLowerCase());
    }
  }
  return error;
}

// Values that are not integers in 0..2^32-1: none may be truncated or wrapped.
const NOT_U32: ReadonlyArray<readonly [string, unknown]> = [
  ['NaN', NaN],
  ['a float', 1.5],
  ['a tiny float', 1e-9],
  ['negative', -1],
  ['negative zero point five', -0.5],
  ['a numeric string', '600'],
  ['2^32', 2 ** 32],
  ['Infinity', Infinity],
  ['null', null],
  ['a bigint', 600n],
  ['an object', { valueOf: () => 600 }],
];

const NOT_HEX32: ReadonlyArray<readonly [string, unknown]> = [
  ['empty', ''],
  ['31 hex characters', CERT.slice(1)],
  ['33 hex characters', `${CERT}0`],
  ['32 non-hex characters', 'g'.repeat(32)],
  ['32 characters with a space', `${CERT.slice(0, 31)} `],
  ['hex with a 0x prefix', `0x${CERT.slice(2)}`],
  ['a number', 123],
  ['undefined', undefined],
  ['null', null],
];

const LONE_SURROGATES = ['\uD800', 'ab\uDBFF', '\uDC00xyz', 'x\uDFFF\uD800y'];

describe.each(ENTRY_CASES)('%s entry', (_entryName, entry) => {
  describe('AccessToken2 constructor', () => {
    it.each(NOT_HEX32)('rejects an appId that is %s', async (_what, appId) => {
      await expectRejected(() => new entry.AccessToken2(appId as string, CERT, 600), 'ERR_INVALID_ARGUMENT', 'appId');
    });

    it.each(NOT_HEX32)('rejects an appCertificate that is %s, without echoing it', async (_what, cert) => {
      const secrets = typeof cert === 'string' && cert.length > 0 ? [CERT, cert] : [CERT];
      await expectRejected(() => new entry.AccessToken2(APP_ID, cert as string, 600), 'ERR_INVALID_ARGUMENT', 'appCertificate', secrets);
    });

    it.each(NOT_U32)('rejects an expire that is %s', async (_what, expire) => {
      const error = await expectRejected(() => new entry.AccessToken2(APP_ID, CERT, expire as number), 'ERR_INVALID_ARGUMENT', 'expire');
      expect(error.message).toContain('0 to 4294967295');
    });

    it.each(NOT_U32)('rejects an issueTs that is %s', async (_what, issueTs) => {
      await expectRejected(() => new entry.AccessToken2(APP_ID, CERT, 600, { issueTs: issueTs as number }), 'ERR_INVALID_ARGUMENT', 'options.issueTs');
    });

    it.each(NOT_U32)('rejects a salt that is %s', async (_what, salt) => {
      await expectRejected(() => new entry.AccessToken2(APP_ID, CERT, 600, { salt: salt as number }), 'ERR_INVALID_ARGUMENT', 'options.salt');
    });

    it('accepts the u32 extremes for expire, issueTs and salt, as given', async () => {
      for (const value of [0, 2 ** 32 - 1]) {
        const token = new entry.AccessToken2(APP_ID, CERT, value, { issueTs: value, salt: value });
        expect([token.expire, token.issueTs, token.salt]).toEqual([value, value, value]);
      }
    });
  });

  describe('AccessToken2.addService', () => {
    const token = () => new entry.AccessToken2(APP_ID, CERT, 600, { issueTs: 1_700_000_000, salt: 1 });
    const add = (service: unknown) => () => token().addService(service as ServiceInit);

    it.each(NOT_U32)('rejects a privilege value that is %s', async (_what, value) => {
      await expectRejected(add({ type: 5, userId: 'u', privileges: { 1: value } }), 'ERR_INVALID_ARGUMENT', 'service.privileges[1]');
    });

    it.each(['65536', '-1', '01', '1.5', 'a', '', ' 1'])('rejects the privilege key "%s"', async (key) => {
      const error = await expectRejected(
        add({ type: 5, userId: 'u', privileges: { [key]: 600 } }),
        'ERR_INVALID_ARGUMENT',
        'service.privileges',
      );
      expect(error.message).toContain('0 to 65535');
    });

    it.each([0, 11, 99, 1.5, '5', null, undefined])('rejects the service type %s', async (type) => {
      await expectRejected(add({ type, userId: 'u' }), 'ERR_INVALID_ARGUMENT', 'service.type');
    });

    it.each([null, 'chat', [], 5])('rejects a service that is %s', async (service) => {
      await expectRejected(add(service), 'ERR_INVALID_ARGUMENT', 'service');
    });

    it.each([-32_769, 32_768, 65_535, 1.5, NaN, '0', null])('rejects an Apaas role of %s', async (role) => {
      const error = await expectRejected(
        add({ type: 7, roomUuid: 'r', userUuid: 'u', role }),
        'ERR_INVALID_ARGUMENT',
        'service.role',
      );
      expect(error.message).toContain('-32768 to 32767');
    });

    it('accepts the Apaas role bounds', async () => {
      for (const role of [-32_768, -1, 0, 32_767]) expect(add({ type: 7, roomUuid: 'r', userUuid: 'u', role })).not.toThrow();
    });

    it.each([
      ['userId', { type: 5 }],
      ['userId', { type: 2 }],
      ['channelName', { type: 1, uid: 1 }],
      ['roomUuid', { type: 7, userUuid: 'u', role: 0 }],
      ['userUuid', { type: 7, roomUuid: 'r', role: 0 }],
    ])('rejects a lone surrogate in %s', async (field, base) => {
      for (const bad of LONE_SURROGATES) {
        const error = await expectRejected(add({ ...base, [field]: bad }), 'ERR_INVALID_ARGUMENT', `service.${field}`);
        expect(error.message).toContain('surrogate');
      }
    });

    it.each([
      ['userId', { type: 5 }],
      ['channelName', { type: 1, uid: 1 }],
      ['account', { type: 3, channelName: 'c' }],
      ['userUuid', { type: 7, roomUuid: 'r', role: 0 }],
    ])('rejects a %s longer than 65,535 UTF-8 bytes', async (field, base) => {
      const error = await expectRejected(
        add({ ...base, [field]: 'é'.repeat(32_768) }),
        'ERR_INVALID_ARGUMENT',
        `service.${field}`,
      );
      expect(error.message).toContain('65535');
    });

    it.each([123, null, undefined, {}, ['a']])('rejects a chat userId of %s', async (userId) => {
      await expectRejected(add({ type: 5, userId }), 'ERR_INVALID_ARGUMENT', 'service.userId');
    });

    it.each([-1, 1.5, 2 ** 32, NaN, null, true])('rejects a numeric uid of %s', async (uid) => {
      await expectRejected(add({ type: 1, channelName: 'c', uid }), 'ERR_INVALID_ARGUMENT', 'service.uid');
    });

    it('rejects Rtm2 permissions that are not a map of lists of strings, naming the place', async () => {
      await expectRejected(add({ type: 8, userId: 'u', permissions: [] }), 'ERR_INVALID_ARGUMENT', 'service.permissions');
      await expectRejected(add({ type: 8, userId: 'u', permissions: { 65536: {} } }), 'ERR_INVALID_ARGUMENT', 'service.permissions');
      await expectRejected(add({ type: 8, userId: 'u', permissions: { 0: [] } }), 'ERR_INVALID_ARGUMENT', 'service.permissions[0]');
      await expectRejected(
        add({ type: 8, userId: 'u', permissions: { 0: { 1: 'chan' } } }),
        'ERR_INVALID_ARGUMENT',
        'service.permissions[0][1]',
      );
      await expectRejected(
        add({ type: 8, userId: 'u', permissions: { 0: { 1: ['ok', 7] } } }),
        'ERR_INVALID_ARGUMENT',
        'service.permissions[0][1][1]',
      );
      await expectRejected(
        add({ type: 8, userId: 'u', permissions: { 0: { 1: ['\uD800'] } } }),
        'ERR_INVALID_ARGUMENT',
        'service.permissions[0][1][0]',
      );
    });

    it('rejects an Rtm2 resource list of 65,536 items', async () => {
      const resources = Array.from({ length: 65_536 }, (_, i) => `r${i}`);
      await expectRejected(
        add({ type: 8, userId: 'u', permissions: { 4: { 0: resources } } }),
        'ERR_INVALID_ARGUMENT',
        'service.permissions[4][0]',
      );
    });
  });

  describe('entry.ChatTokenBuilder2.buildUserToken', () => {
    const build = (appId: unknown, cert: unknown, userId: unknown, expire: unknown, options?: object) => () =>
      entry.ChatTokenBuilder2.buildUserToken(appId as string, cert as string, userId as string, expire as number, options);

    it.each(NOT_HEX32)('rejects an appId that is %s', async (_what, appId) => {
      await expectRejected(build(appId, CERT, 'alice', 600), 'ERR_INVALID_ARGUMENT', 'appId');
    });

    it.each(NOT_HEX32)('rejects an appCertificate that is %s, without echoing it', async (_what, cert) => {
      const secrets = typeof cert === 'string' && cert.length > 0 ? [CERT, cert] : [CERT];
      await expectRejected(build(APP_ID, cert, 'alice', 600), 'ERR_INVALID_ARGUMENT', 'appCertificate', secrets);
    });

    it('rejects an empty userId: a user token names one chat user', async () => {
      const error = await expectRejected(build(APP_ID, CERT, '', 600), 'ERR_INVALID_ARGUMENT', 'userId');
      expect(error.message).toContain('empty');
    });

    it.each([123, null, undefined, ['alice']])('rejects a userId of %s', async (userId) => {
      await expectRejected(build(APP_ID, CERT, userId, 600), 'ERR_INVALID_ARGUMENT', 'userId');
    });

    it.each(LONE_SURROGATES)('rejects the userId %j, which holds a lone surrogate', async (userId) => {
      await expectRejected(build(APP_ID, CERT, userId, 600), 'ERR_INVALID_ARGUMENT', 'userId');
    });

    it('rejects a userId of 65,536 UTF-8 bytes', async () => {
      await expectRejected(build(APP_ID, CERT, 'a'.repeat(65_536), 600), 'ERR_INVALID_ARGUMENT', 'userId');
    });

    it.each(NOT_U32)('rejects an expire that is %s', async (_what, expire) => {
      await expectRejected(build(APP_ID, CERT, 'alice', expire), 'ERR_INVALID_ARGUMENT', 'expire');
      await expectRejected(build(APP_ID, CERT, 'alice', expire, { allowLongExpire: true }), 'ERR_INVALID_ARGUMENT', 'expire');
    });

    it.each([86_401, 604_800, 1_700_000_000, 2 ** 32 - 1])(
      'rejects an expire of %s seconds, saying expire counts seconds from now',
      async (expire) => {
        const error = await expectRejected(build(APP_ID, CERT, 'alice', expire), 'ERR_EXPIRE_LIMIT', 'expire');
        expect(error.message).toContain('86400');
        expect(error.message).toContain('seconds from now');
        expect(error.message).toContain('allowLongExpire');
      },
    );

    it('accepts 86,400 seconds, and more with allowLongExpire', async () => {
      await expect(build(APP_ID, CERT, 'alice', 86_400)()).resolves.toMatch(/^007/);
      await expect(build(APP_ID, CERT, 'alice', 1)()).resolves.toMatch(/^007/);
      await expect(build(APP_ID, CERT, 'alice', 86_401, { allowLongExpire: true })()).resolves.toMatch(/^007/);
      await expect(build(APP_ID, CERT, 'alice', 2 ** 32 - 1, { allowLongExpire: true })()).resolves.toMatch(/^007/);
      // Only a boolean is a flag: anything else is an argument error, never taken for false or true.
      await expectRejected(build(APP_ID, CERT, 'alice', 86_401, { allowLongExpire: 'yes' }), 'ERR_INVALID_ARGUMENT', 'options.allowLongExpire');
      await expectRejected(build(APP_ID, CERT, 'alice', 600, { allowLongExpire: 1 }), 'ERR_INVALID_ARGUMENT', 'options.allowLongExpire');
    });

    it.each(NOT_U32)('rejects an options.issueTs or options.salt that is %s', async (_what, value) => {
      await expectRejected(build(APP_ID, CERT, 'alice', 600, { issueTs: value }), 'ERR_INVALID_ARGUMENT', 'options.issueTs');
      await expectRejected(build(APP_ID, CERT, 'alice', 600, { salt: value }), 'ERR_INVALID_ARGUMENT', 'options.salt');
    });
  });

  describe('entry.ChatTokenBuilder2.buildAppToken', () => {
    const build = (appId: unknown, cert: unknown, expire: unknown, options?: object) => () =>
      entry.ChatTokenBuilder2.buildAppToken(appId as string, cert as string, expire as number, options);

    it.each(NOT_HEX32)('rejects an appId that is %s', async (_what, appId) => {
      await expectRejected(build(appId, CERT, 600), 'ERR_INVALID_ARGUMENT', 'appId');
    });

    it.each(NOT_HEX32)('rejects an appCertificate that is %s, without echoing it', async (_what, cert) => {
      const secrets = typeof cert === 'string' && cert.length > 0 ? [CERT, cert] : [CERT];
      await expectRejected(build(APP_ID, cert, 600), 'ERR_INVALID_ARGUMENT', 'appCertificate', secrets);
    });

    it.each(NOT_U32)('rejects an expire that is %s', async (_what, expire) => {
      await expectRejected(build(APP_ID, CERT, expire), 'ERR_INVALID_ARGUMENT', 'expire');
    });

    it('rejects an expire over 86,400 seconds unless allowLongExpire, saying it counts seconds from now', async () => {
      const error = await expectRejected(build(APP_ID, CERT, 1_700_000_000), 'ERR_EXPIRE_LIMIT', 'expire');
      expect(error.message).toContain('seconds from now');
      await expect(build(APP_ID, CERT, 86_400)()).resolves.toMatch(/^007/);
      await expect(build(APP_ID, CERT, 86_401, { allowLongExpire: true })()).resolves.toMatch(/^007/);
    });
  });
});

describe('AgoraTokenError', () => {
  it('is an Error with a stable code, the argument and an optional cause', () => {
    const cause = new Error('low');
    const error = new AgoraTokenError('ERR_TOKEN_MALFORMED', 'token is malformed', { argument: 'token', cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('AgoraTokenError');
    expect(error.code).toBe('ERR_TOKEN_MALFORMED');
    expect(error.argument).toBe('token');
    expect(error.cause).toBe(cause);
    expect(new AgoraTokenError('ERR_INVALID_ARGUMENT', 'x').cause).toBeUndefined();
  });
});

describe('AgoraTokenError identity', () => {
  it('is recognised by instanceof from another copy of the module (ESM/CJS builds, two versions)', async () => {
    vi.resetModules();
    // A query string makes the module loader evaluate a second, distinct copy.
    const specifier = '../src/errors.js?copy';
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof import('../src/errors.js');
    expect(copy.AgoraTokenError).not.toBe(AgoraTokenError);
    const foreign = new copy.AgoraTokenError('ERR_TOKEN_MALFORMED', 'token is malformed');
    expect(foreign instanceof AgoraTokenError).toBe(true);
    expect(new AgoraTokenError('ERR_INVALID_ARGUMENT', 'x') instanceof copy.AgoraTokenError).toBe(true);
    expect(foreign).toBeInstanceOf(Error);
  });

  it('is not claimed by other errors or values', () => {
    for (const value of [new Error('x'), new RangeError('x'), { code: 'ERR_TOKEN_MALFORMED' }, null, undefined, 'x', 1]) {
      expect(value instanceof AgoraTokenError).toBe(false);
    }
  });
});

describe('AgoraTokenError subclasses of the server and client entries', () => {
  const make = () => ({
    usersFile: new UsersFileError('ERR_USER_EXISTS', 'user "alice" is already in users.json'),
    agoraChat: new AgoraChatError('ERR_CHAT_AUTH', 'Agora Chat refused the app token', { status: 401, chatError: 'unauthorized' }),
    tokenClient: new TokenClientError('session_expired', 401, 'the session has expired'),
  });

  it('each is an AgoraTokenError and an Error, of its own class, with its name, code and fields', () => {
    const { usersFile, agoraChat, tokenClient } = make();
    for (const error of [usersFile, agoraChat, tokenClient]) {
      expect(error instanceof AgoraTokenError).toBe(true);
      expect(error).toBeInstanceOf(Error);
      expect(error.argument).toBeUndefined();
    }
    expect(usersFile instanceof UsersFileError).toBe(true);
    expect(usersFile.name).toBe('UsersFileError');
    expect(usersFile.code).toBe('ERR_USER_EXISTS');
    expect(agoraChat instanceof AgoraChatError).toBe(true);
    expect(agoraChat.name).toBe('AgoraChatError');
    expect([agoraChat.code, agoraChat.status, agoraChat.chatError]).toEqual(['ERR_CHAT_AUTH', 401, 'unauthorized']);
    expect(tokenClient instanceof TokenClientError).toBe(true);
    expect(tokenClient.name).toBe('TokenClientError');
    expect([tokenClient.code, tokenClient.status, tokenClient.sessionEnded]).toEqual(['session_expired', 401, true]);
    // Each narrows code to its own union; the root's union holds them all.
    expectTypeOf(usersFile.code).toEqualTypeOf<UsersFileErrorCode>();
    expectTypeOf(agoraChat.code).toEqualTypeOf<AgoraChatErrorCode>();
    expectTypeOf(tokenClient.code).toEqualTypeOf<TokenClientErrorCode>();
    expectTypeOf<UsersFileErrorCode | AgoraChatErrorCode | TokenClientErrorCode>().toMatchTypeOf<AgoraTokenErrorCode>();
    expectTypeOf<'ERR_TOKEN_MALFORMED'>().toMatchTypeOf<AgoraTokenError['code']>();
    expectTypeOf<'no_such_code'>().not.toMatchTypeOf<AgoraTokenError['code']>();
    const cause = new Error('low');
    expect(new UsersFileError('ERR_USERS_FILE', 'x', { cause }).cause).toBe(cause);
    expect(new AgoraChatError('ERR_CHAT_UNREACHABLE', 'x', { cause }).cause).toBe(cause);
    expect(new TokenClientError('network_error', 0, 'x', { cause }).cause).toBe(cause);
  });

  it('an AgoraTokenError, or a sibling subclass, is not instanceof a subclass', () => {
    const { usersFile, agoraChat, tokenClient } = make();
    const plain = new AgoraTokenError('ERR_INVALID_ARGUMENT', 'x');
    for (const value of [plain, new Error('x'), { code: 'ERR_USER_EXISTS' }, null, undefined, 'x']) {
      expect(value instanceof UsersFileError).toBe(false);
      expect(value instanceof AgoraChatError).toBe(false);
      expect(value instanceof TokenClientError).toBe(false);
    }
    expect([usersFile instanceof AgoraChatError, usersFile instanceof TokenClientError]).toEqual([false, false]);
    expect([agoraChat instanceof UsersFileError, agoraChat instanceof TokenClientError]).toEqual([false, false]);
    expect([tokenClient instanceof UsersFileError, tokenClient instanceof AgoraChatError]).toEqual([false, false]);
  });

  it('the users file functions throw a UsersFileError that is an AgoraTokenError', async () => {
    const error = await rejection(() => parseUsersFile(['not', 'a', 'users', 'file'], 'users.json'));
    expect(error instanceof UsersFileError).toBe(true);
    expect(error instanceof AgoraTokenError).toBe(true);
    expect((error as UsersFileError).code).toBe('ERR_USERS_FILE');
  });

  it('are recognised by instanceof from another copy of their modules', async () => {
    vi.resetModules();
    // A query string makes the module loader evaluate a second, distinct copy.
    const copy = '?copy';
    const users = (await import(/* @vite-ignore */ `../src/server/users.js${copy}`)) as typeof import('../src/server/users.js');
    const chat = (await import(/* @vite-ignore */ `../src/server/agora-chat.js${copy}`)) as typeof import('../src/server/agora-chat.js');
    const client = (await import(/* @vite-ignore */ `../src/client/index.js${copy}`)) as typeof import('../src/client/index.js');
    const errors = (await import(/* @vite-ignore */ `../src/errors.js${copy}`)) as typeof import('../src/errors.js');
    expect(users.UsersFileError).not.toBe(UsersFileError);
    const { usersFile, agoraChat, tokenClient } = make();
    expect(new users.UsersFileError('ERR_USERS_FILE', 'x') instanceof UsersFileError).toBe(true);
    expect(usersFile instanceof users.UsersFileError).toBe(true);
    expect(agoraChat instanceof chat.AgoraChatError).toBe(true);
    expect(new chat.AgoraChatError('ERR_CHAT_TIMEOUT', 'x') instanceof AgoraChatError).toBe(true);
    expect(tokenClient instanceof client.TokenClientError).toBe(true);
    expect(new client.TokenClientError('stopped', 0, 'x') instanceof TokenClientError).toBe(true);
    for (const error of [usersFile, agoraChat, tokenClient]) expect(error instanceof errors.AgoraTokenError).toBe(true);
    expect(new errors.AgoraTokenError('ERR_INVALID_ARGUMENT', 'x') instanceof users.UsersFileError).toBe(false);
    expect(agoraChat instanceof users.UsersFileError).toBe(false);
  });
});

describe('AgoraTokenError from the server and client entries', () => {
  it('is exported by both, so their callers catch it without importing the root', async () => {
    const server = await import('../src/server/index.js');
    const client = await import('../src/client/index.js');
    const root = await import('../src/index.js');
    expect(server.AgoraTokenError).toBe(root.AgoraTokenError);
    expect(client.AgoraTokenError).toBe(root.AgoraTokenError);
    let caught: unknown;
    try {
      server.parseUsersFile({});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(server.AgoraTokenError);
    expect((caught as { code?: unknown }).code).toBe('ERR_USERS_FILE');
  });
});
