// The legacy AccessToken ("006") of SPEC section 3: building from the vectors'
// inputs gives exactly their strings, decoding gives their fields, verifying
// needs the channel and uid, and the parser accepts nothing else.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AccessToken,
  AgoraTokenError,
  decodeToken,
  Privilege006,
  RtcRole006,
  RtcTokenBuilder,
  RtmRole006,
  RtmTokenBuilder,
  verifyToken,
  type BuildOptions006,
  type DecodedToken006,
} from '../src/index.js';
import { catchAgoraTokenError } from './helpers/errors.js';
import { ENTRY_CASES } from './helpers/entries.js';

interface Case006 {
  readonly name: string;
  readonly appId: string;
  readonly appCertificate: string;
  readonly channelName: string;
  readonly uid: string;
  readonly salt: number;
  readonly ts: number;
  readonly privileges: Record<string, number>;
  readonly crcChannelName: number;
  readonly crcUid: number;
  readonly signatureHex: string;
  readonly messageHex: string;
  readonly tokens: Record<string, string>;
}
interface InvalidCase {
  readonly name: string;
  readonly token: string;
  readonly expect: string;
}
const vectors = JSON.parse(readFileSync(new URL('../vectors/agora-reference-vectors.json', import.meta.url), 'utf8')) as {
  token006: Case006[];
  invalid: InvalidCase[];
};

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const CERT = '5CFd2fd1755d40ecb72977518be15d3b';
const NOW = 1_700_000_000;

function decode006(token: string): DecodedToken006 {
  const decoded = decodeToken(token);
  if (decoded.version !== '006') throw new Error(`expected a 006 token, got ${decoded.version}`);
  return decoded;
}

/** A 006 token written out from SPEC section 3 with node:crypto, for hand-made variants. */
function specToken(parts: { appId?: string; signature?: Buffer; crcChannelName?: number; crcUid?: number; message: Buffer; tail?: Buffer }): string {
  const u16 = (n: number) => Buffer.from([n & 0xff, n >> 8]);
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const signature = parts.signature ?? Buffer.alloc(32, 7);
  const content = Buffer.concat([
    u16(signature.length),
    signature,
    u32(parts.crcChannelName ?? 0),
    u32(parts.crcUid ?? 0),
    u16(parts.message.length),
    parts.message,
    parts.tail ?? Buffer.alloc(0),
  ]);
  return `006${parts.appId ?? APP_ID}${content.toString('base64')}`;
}

function withoutPadding(token: string): string {
  expect(token.endsWith('=')).toBe(true);
  return token.replace(/=+$/, '');
}

const MESSAGE = Buffer.from('0100000047f4100001000100af283756', 'hex'); // salt 1, ts 1111111, {1: 1446455471}

afterEach(() => {
  vi.useRealTimers();
});

describe('vectors: every token006 case', () => {
  it('holds 19 cases', () => {
    expect(vectors.token006).toHaveLength(19);
  });

  describe.each(ENTRY_CASES)('%s entry', (_entryName, entry) => {
    it.each(vectors.token006.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const token = new entry.AccessToken(c.appId, c.appCertificate, c.channelName, c.uid, { salt: c.salt, ts: c.ts });
      for (const [key, value] of Object.entries(c.privileges)) token.addPrivilege(Number(key), value);
      expect(Buffer.from(token.message()).toString('hex')).toBe(c.messageHex);
      const built = await token.build();
      for (const reference of Object.values(c.tokens)) {
        expect(built).toBe(reference);
        const decoded = await entry.decodeToken(reference);
        expect(decoded).toEqual({
          version: '006',
          appId: c.appId,
          signatureHex: c.signatureHex,
          crcChannelName: c.crcChannelName,
          crcUid: c.crcUid,
          salt: c.salt,
          ts: c.ts,
          privileges: Object.fromEntries(Object.entries(c.privileges).map(([k, v]) => [Number(k), v])),
        });
        const options = { channelName: c.channelName, uid: c.uid };
        expect((await entry.verifyToken(reference, c.appCertificate, { ...options, now: c.ts - 1 })).status).toBe('valid');
        expect((await entry.verifyToken(reference, c.appCertificate, { ...options, now: c.ts })).status).toBe('expired');
        const wrong = c.appCertificate.replace(/.$/, (d) => (d === '0' ? '1' : '0'));
        expect((await entry.verifyToken(reference, wrong, { ...options, now: 0 })).status).toBe('bad-signature');
      }
    });
  });

  it('signs appId + channelName + uid + message with the certificate (SPEC section 3)', () => {
    const c = vectors.token006.find((v) => v.name === '006-unicode-channel-and-account')!;
    const expected = createHmac('sha256', c.appCertificate)
      .update(Buffer.concat([Buffer.from(c.appId + c.channelName + c.uid, 'utf8'), Buffer.from(c.messageHex, 'hex')]))
      .digest('hex');
    expect(expected).toBe(c.signatureHex);
    expect(decode006(c.tokens.python3!).signatureHex).toBe(expected);
  });

  it.each(vectors.invalid.filter((c) => c.token.startsWith('006')).map((c) => [c.name, c] as const))(
    'invalid %s: a parse error',
    (_name, c) => {
      expect(c.expect).toBe('parse-error');
      const error = catchAgoraTokenError(() => decodeToken(c.token));
      expect(error.code).toBe('ERR_TOKEN_MALFORMED');
      expect(verifyToken(c.token, CERT, { channelName: '', uid: '' }).status).toBe('malformed');
    },
  );
});


describe('verifying a 006 token', () => {
  const c = vectors.token006.find((v) => v.name === 'test-006-uid')!;
  const token = c.tokens.python3!;

  it('needs options.channelName and options.uid, and says why', () => {
    for (const [options, missing] of [
      [{}, 'options.channelName'],
      [{ uid: c.uid }, 'options.channelName'],
      [{ channelName: c.channelName }, 'options.uid'],
    ] as const) {
      const error = catchAgoraTokenError(() => verifyToken(token, c.appCertificate, options));
      expect(error.code).toBe('ERR_INVALID_ARGUMENT');
      expect(error.argument).toBe(missing);
      expect(error.message).toContain(missing);
      expect(error.message).toMatch(/CRC-32/);
      expect(error.message).not.toContain(c.appCertificate);
    }
  });

  it('is bad-signature for another channel or uid, and accepts a numeric uid', () => {
    const at = { now: c.ts - 1 };
    expect(verifyToken(token, c.appCertificate, { ...at, channelName: c.channelName, uid: Number(c.uid) }).status).toBe('valid');
    expect(verifyToken(token, c.appCertificate, { ...at, channelName: 'other', uid: c.uid }).status).toBe('bad-signature');
    expect(verifyToken(token, c.appCertificate, { ...at, channelName: c.channelName, uid: '1' }).status).toBe('bad-signature');
    const anyUid = vectors.token006.find((v) => v.name === 'test-006-uid-0')!;
    expect(verifyToken(anyUid.tokens.python3!, CERT, { ...at, channelName: anyUid.channelName, uid: 0 }).status).toBe('valid');
  });

  it('is bad-signature when the unsigned CRCs were altered', () => {
    const decoded = decode006(token);
    const altered = specToken({
      signature: Buffer.from(decoded.signatureHex, 'hex'),
      crcChannelName: decoded.crcChannelName,
      crcUid: (decoded.crcUid ^ 1) >>> 0,
      message: Buffer.from(c.messageHex, 'hex'),
    });
    expect(decode006(altered).crcUid).toBe((c.crcUid ^ 1) >>> 0);
    const options = { now: c.ts - 1, channelName: c.channelName, uid: c.uid };
    expect(verifyToken(altered, c.appCertificate, options).status).toBe('bad-signature');
    const original = specToken({
      signature: Buffer.from(decoded.signatureHex, 'hex'),
      crcChannelName: decoded.crcChannelName,
      crcUid: decoded.crcUid,
      message: Buffer.from(c.messageHex, 'hex'),
    });
    expect(original).toBe(token);
  });

  it('reports expiresAt = ts (absolute)', () => {
    const result = verifyToken(token, c.appCertificate, { now: 0, channelName: c.channelName, uid: c.uid });
    expect(result).toMatchObject({ status: 'valid', expiresAt: c.ts });
  });
});

describe('parsing a 006 token is strict', () => {
  it('accepts the hand-written SPEC form', () => {
    expect(decode006(specToken({ message: MESSAGE })).ts).toBe(1_111_111);
  });

  it.each([
    ['bytes after the message', specToken({ message: MESSAGE, tail: Buffer.from([0]) })],
    ['bytes after the privileges', specToken({ message: Buffer.concat([MESSAGE, Buffer.from([0])]) })],
    ['a message cut short', specToken({ message: MESSAGE.subarray(0, 10) })],
    ['an app id that is not hex', specToken({ appId: 'g'.repeat(32), message: MESSAGE })],
    ['unpadded base64', withoutPadding(specToken({ signature: Buffer.alloc(33, 1), message: MESSAGE }))],
    ['URL-safe base64', specToken({ signature: Buffer.alloc(32, 0xfb), message: MESSAGE }).replace(/\+/g, '-')],
    ['nothing after the app id', `006${APP_ID}`],
  ])('rejects %s', (_what, token) => {
    expect(token.startsWith('006')).toBe(true);
    expect(catchAgoraTokenError(() => decodeToken(token)).code).toBe('ERR_TOKEN_MALFORMED');
  });

  it('throws nothing but AgoraTokenError on any text after "006"', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String(), fc.string({ unit: 'binary' })), fc.boolean(), (tail, withAppId) => {
        const token = `006${withAppId ? APP_ID : ''}${tail}`;
        try {
          decodeToken(token);
        } catch (error) {
          expect(error).toBeInstanceOf(AgoraTokenError);
        }
        const result = verifyToken(token, CERT, { channelName: 'c', uid: 1 });
        expect(['valid', 'expired', 'bad-signature', 'malformed']).toContain(result.status);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips any token the core builds', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.oneof(fc.string(), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.dictionary(fc.integer({ min: 0, max: 65_535 }).map(String), fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxKeys: 8 }),
        (channelName, uid, salt, ts, privileges) => {
          const builder = new AccessToken(APP_ID, CERT, channelName, uid, { salt, ts });
          for (const [k, v] of Object.entries(privileges)) builder.addPrivilege(Number(k), v);
          const token = builder.build();
          const decoded = decode006(token);
          expect(decoded).toMatchObject({ appId: APP_ID, salt, ts });
          expect(decoded.privileges).toEqual(Object.fromEntries(Object.entries(privileges).map(([k, v]) => [Number(k), v])));
          const uidString = uid === 0 ? '' : String(uid);
          expect(verifyToken(token, CERT, { now: 0, channelName, uid: uidString }).status).toBe(ts > 0 ? 'valid' : 'expired');
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('006 builders (SPEC section 3)', () => {
  const at = { issueTs: NOW, salt: 5 };
  const all = (ts: number) => ({ 1: ts, 2: ts, 3: ts, 4: ts });

  it('sets ts to the build time + 24 hours', () => {
    const token = decode006(RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, RtcRole006.PUBLISHER, NOW + 10, at));
    expect(token).toMatchObject({ ts: NOW + 86_400, salt: 5 });
  });

  it.each([
    ['ATTENDEE', RtcRole006.ATTENDEE, all(NOW + 10)],
    ['PUBLISHER', RtcRole006.PUBLISHER, all(NOW + 10)],
    ['SUBSCRIBER', RtcRole006.SUBSCRIBER, { 1: NOW + 10 }],
    ['ADMIN', RtcRole006.ADMIN, all(NOW + 10)],
  ] as const)('role %s gets %o', (_name, role, privileges) => {
    const token = decode006(RtcTokenBuilder.buildTokenWithAccount(APP_ID, CERT, 'ch', 'alice', role, NOW + 10, at));
    expect(token.privileges).toEqual(privileges);
  });

  it('RtmTokenBuilder packs the account as the channel, "" as uid, and rtmLogin', () => {
    const token = RtmTokenBuilder.buildToken(APP_ID, CERT, 'alice', RtmRole006.Rtm_User, NOW + 10, at);
    expect(decode006(token).privileges).toEqual({ [Privilege006.rtmLogin]: NOW + 10 });
    expect(verifyToken(token, CERT, { now: NOW, channelName: 'alice', uid: '' }).status).toBe('valid');
  });

  it('uses the clock and a fresh secure salt for every token', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW * 1000 + 999);
    const salts = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const token = decode006(RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, RtcRole006.PUBLISHER, NOW + 1));
      expect(token.ts).toBe(NOW + 86_400);
      expect(token.salt).toBeGreaterThanOrEqual(1);
      expect(token.salt).toBeLessThanOrEqual(99_999_999);
      salts.add(token.salt);
    }
    expect(salts.size).toBeGreaterThan(1);
    // privilegeExpiredTs equal to now is already expired.
    expect(catchAgoraTokenError(() => RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, RtcRole006.PUBLISHER, NOW)).code).toBe(
      'ERR_TIMESTAMP_IN_PAST',
    );
  });

  it('rejects a build time whose ts would not fit in a u32', () => {
    const error = catchAgoraTokenError(() =>
      RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'ch', 1, RtcRole006.PUBLISHER, 0, { issueTs: 2 ** 32 - 86_400 }),
    );
    expect(error.argument).toBe('options.issueTs');
  });
});

describe('006 options given as null', () => {
  // Only undefined means "use the clock / a fresh salt"; null is a caller bug (SPEC section 5).
  const APP = '970CA35de60c44645bbae8a215061b33';
  const CERT = '5CFd2fd1755d40ecb72977518be15d3b';

  it('AccessToken rejects salt: null and ts: null instead of defaulting them', () => {
    for (const key of ['salt', 'ts'] as const) {
      const error = catchAgoraTokenError(() => new AccessToken(APP, CERT, 'room', 42, { [key]: null as unknown as number }));
      expect(error.code).toBe('ERR_INVALID_ARGUMENT');
      expect(error.argument).toBe(`options.${key}`);
    }
  });

  it('the 006 builders reject issueTs: null and salt: null instead of defaulting them', () => {
    const cases = [
      [{ issueTs: null }, 'options.issueTs'],
      [{ salt: null }, 'options.salt'],
    ] as const;
    for (const [options, argument] of cases) {
      const error = catchAgoraTokenError(() =>
        RtcTokenBuilder.buildTokenWithUid(APP, CERT, 'room', 42, RtcRole006.PUBLISHER, 0, options as unknown as BuildOptions006),
      );
      expect(error.code).toBe('ERR_INVALID_ARGUMENT');
      expect(error.argument).toBe(argument);
    }
  });
});
