// AccessToken2 and ChatTokenBuilder2 as units: the byte layout of SPEC
// section 1 written out by hand, service order, clock and salt defaults, the
// signing-key cache, and verifyToken's expiry rule.
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AccessToken2, ChatTokenBuilder2, ServiceType, verifyToken } from '../src/index.js';
import { decode007 } from './helpers/decode.js';
import { i16le, packMap32, packString, specHeader, specSignature, u16le } from './helpers/spec.js';
import { TEST_APP_CERTIFICATE as CERT, TEST_APP_ID as APP_ID } from './helpers/vectors.js';

const OTHER_CERT = '0123456789abcdef0123456789ABCDEF';
const inflate = (token: string) => inflateSync(Buffer.from(token.slice(3), 'base64'));

describe('AccessToken2 content', () => {
  it('is bytes(signature) + signingInfo, laid out as SPEC section 1 says', () => {
    const issueTs = 0x0102_0304;
    const salt = 0x8000_0001;
    const token = new AccessToken2(APP_ID, CERT, 600, { issueTs, salt })
      .addService({ type: ServiceType.Apaas, roomUuid: 'room', userUuid: 'ü', role: -2, privileges: { 3: 5, 1: 7 } })
      .addService({ type: ServiceType.Chat, userId: 'bob', privileges: { 1: 600 } });

    const signingInfo = Buffer.concat([
      specHeader(APP_ID, issueTs, 600, salt, 2),
      // Chat (5) sorts before Apaas (7).
      u16le(5),
      packMap32([[1, 600]]),
      packString('bob'),
      u16le(7),
      packMap32([
        [1, 7],
        [3, 5],
      ]),
      packString('room'),
      packString('ü'),
      i16le(-2),
    ]);
    const expected = Buffer.concat([packString(specSignature(CERT, issueTs, salt, signingInfo)), signingInfo]);
    expect(Buffer.from(token.content()).toString('hex')).toBe(expected.toString('hex'));
    expect(inflate(token.build()).toString('hex')).toBe(expected.toString('hex'));
  });

  it('packs an Rtm2 permission map with both key levels ascending and resources in the given order', () => {
    const token = new AccessToken2(APP_ID, CERT, 600, { issueTs: 1, salt: 2 }).addService({
      type: ServiceType.Rtm2,
      userId: 'u',
      permissions: { 4: { 1: ['z', 'a'], 0: ['m'] }, 0: { 0: [] } },
    });
    const signingInfo = Buffer.concat([
      specHeader(APP_ID, 1, 600, 2, 1),
      u16le(8),
      packMap32([]),
      packString('u'),
      u16le(2), // resource types
      u16le(0),
      u16le(1),
      u16le(0),
      u16le(0),
      u16le(4),
      u16le(2),
      u16le(0),
      u16le(1),
      packString('m'),
      u16le(1),
      u16le(2),
      packString('z'),
      packString('a'),
    ]);
    expect(Buffer.from(token.content()).subarray(34).toString('hex')).toBe(signingInfo.toString('hex'));
  });

  it('packs a numeric uid or account as its decimal string, and the number 0 as ""', () => {
    const token = new AccessToken2(APP_ID, CERT, 600, { issueTs: 1, salt: 2 })
      .addService({ type: ServiceType.Rtc, channelName: 'c', uid: 0 })
      .addService({ type: ServiceType.Rtc, channelName: 'c', uid: 4_294_967_295 })
      .addService({ type: ServiceType.Rtc, channelName: 'c', uid: '0' })
      .addService({ type: ServiceType.Streaming, channelName: 'c', account: 42 });
    expect(decode007(token.build()).services.map((s) => ('uid' in s ? s.uid : 'account' in s ? s.account : null))).toEqual([
      '',
      '4294967295',
      '0',
      '42',
    ]);
  });

  it('is the same for a token with no services as SPEC says: a zero service count', () => {
    const token = new AccessToken2(APP_ID, CERT, 600, { issueTs: 1, salt: 2 });
    const signingInfo = specHeader(APP_ID, 1, 600, 2, 0);
    expect(Buffer.from(token.content()).subarray(34).toString('hex')).toBe(signingInfo.toString('hex'));
    expect(decode007(token.build()).services).toEqual([]);
  });
});

describe('AccessToken2 services', () => {
  it('sorts by type, keeping insertion order for equal types', () => {
    const token = new AccessToken2(APP_ID, CERT, 600)
      .addService({ type: ServiceType.Chat, userId: 'first' })
      .addService({ type: ServiceType.Rtc, channelName: 'c', uid: 1 })
      .addService({ type: ServiceType.Chat, userId: 'second' })
      .addService({ type: ServiceType.Rtm, userId: 'r' })
      .addService({ type: ServiceType.Chat, userId: 'third' });
    expect(token.services.map((s) => [s.type, 'userId' in s ? s.userId : ''])).toEqual([
      [1, ''],
      [2, 'r'],
      [5, 'first'],
      [5, 'second'],
      [5, 'third'],
    ]);
    expect(decode007(token.build()).services).toEqual(token.services);
  });

  it('takes a copy of what it is given, so later changes to the caller\u2019s objects do not leak in', () => {
    const privileges: Record<number, number> = { 1: 600 };
    const resources = ['a'];
    const token = new AccessToken2(APP_ID, CERT, 600, { issueTs: 1, salt: 2 })
      .addService({ type: ServiceType.Chat, userId: 'u', privileges })
      .addService({ type: ServiceType.Rtm2, userId: 'u', permissions: { 0: { 0: resources } } });
    const before = token.build();
    privileges[1] = 1;
    privileges[2] = 2;
    resources.push('b');
    expect(token.build()).toBe(before);
  });
});

describe('AccessToken2 defaults', () => {
  it('issues at the current Unix second', () => {
    const before = Math.floor(Date.now() / 1000);
    const token = new AccessToken2(APP_ID, CERT, 600);
    const after = Math.floor(Date.now() / 1000);
    expect(token.issueTs).toBeGreaterThanOrEqual(before);
    expect(token.issueTs).toBeLessThanOrEqual(after);
  });

  it('draws a fresh salt in 1..99999999 for each token', () => {
    const salts = Array.from({ length: 500 }, () => new AccessToken2(APP_ID, CERT, 600).salt);
    for (const salt of salts) {
      expect(Number.isInteger(salt)).toBe(true);
      expect(salt).toBeGreaterThanOrEqual(1);
      expect(salt).toBeLessThanOrEqual(99_999_999);
    }
    expect(new Set(salts).size).toBeGreaterThan(490);
  });

  it('uses a given issueTs and salt as given, 0 included', () => {
    const token = new AccessToken2(APP_ID, CERT, 0, { issueTs: 0, salt: 0 });
    expect([token.issueTs, token.salt, token.expire]).toEqual([0, 0, 0]);
    const decoded = decode007(token.build());
    expect([decoded.issueTs, decoded.salt]).toEqual([0, 0]);
  });
});

describe('signing', () => {
  it('signs with the right certificate when certificates alternate within one second', () => {
    // The inner signing key is cached per (issueTs, certificate); alternating must not reuse a stale key.
    for (let i = 0; i < 4; i++) {
      const cert = i % 2 === 0 ? CERT : OTHER_CERT;
      const other = i % 2 === 0 ? OTHER_CERT : CERT;
      const token = new AccessToken2(APP_ID, cert, 600, { issueTs: 1_700_000_000, salt: 7 })
        .addService({ type: ServiceType.Chat, userId: 'u' })
        .build();
      expect(verifyToken(token, cert, { now: 1_700_000_000 }).status).toBe('valid');
      expect(verifyToken(token, other, { now: 1_700_000_000 }).status).toBe('bad-signature');
    }
  });

  it('signs with the right issueTs when issue times alternate for one certificate', () => {
    for (const issueTs of [100, 200, 100, 200]) {
      const token = new AccessToken2(APP_ID, CERT, 600, { issueTs, salt: 7 });
      const signingInfo = Buffer.from(token.content()).subarray(34);
      expect(Buffer.from(token.content()).subarray(2, 34).toString('hex')).toBe(specSignature(CERT, issueTs, 7, signingInfo).toString('hex'));
    }
  });

  it('builds the same string for the same inputs', () => {
    const make = () =>
      new AccessToken2(APP_ID, CERT, 600, { issueTs: 5, salt: 6 }).addService({ type: ServiceType.Fpa, privileges: { 1: 0 } }).build();
    expect(make()).toBe(make());
    expect(make().startsWith('007')).toBe(true);
  });
});

describe('verifyToken and time', () => {
  const issueTs = 1_700_000_000;
  const token = new AccessToken2(APP_ID, CERT, 600, { issueTs, salt: 1 }).addService({ type: ServiceType.Chat, userId: 'u' }).build();

  it('is valid until issueTs + expire, and expired from that second on', () => {
    expect(verifyToken(token, CERT, { now: issueTs }).status).toBe('valid');
    expect(verifyToken(token, CERT, { now: issueTs + 599 }).status).toBe('valid');
    expect(verifyToken(token, CERT, { now: issueTs + 600 }).status).toBe('expired');
    expect(verifyToken(token, CERT, { now: issueTs + 10_000 }).status).toBe('expired');
  });

  it('accepts a Date as now, and reports when the token expires', () => {
    const result = verifyToken(token, CERT, { now: new Date((issueTs + 599) * 1000 + 999) });
    expect(result.status).toBe('valid');
    if (result.status === 'malformed') throw new Error('unexpected');
    expect(result.expiresAt).toBe(issueTs + 600);
    expect(result.valid).toBe(true);
    expect(verifyToken(token, CERT, { now: new Date((issueTs + 600) * 1000) }).status).toBe('expired');
  });

  it('checks the signature before the time: a forged expired token is bad-signature', () => {
    expect(verifyToken(token, OTHER_CERT, { now: issueTs + 10_000 }).status).toBe('bad-signature');
  });

  it('uses the system clock by default', () => {
    const fresh = new AccessToken2(APP_ID, CERT, 600).addService({ type: ServiceType.Chat, userId: 'u' }).build();
    expect(verifyToken(fresh, CERT).status).toBe('valid');
    expect(verifyToken(token, CERT).status).toBe('expired'); // issued in November 2023
  });

  it('returns the decoded token with the verdict', () => {
    const result = verifyToken(token, CERT, { now: issueTs });
    if (result.status === 'malformed') throw new Error('unexpected');
    expect(result.token).toEqual(decode007(token));
  });
});

describe('ChatTokenBuilder2', () => {
  it('builds a user token: one Chat service for the user, P(user) = expire (SPEC section 2)', () => {
    const token = ChatTokenBuilder2.buildUserToken(APP_ID, CERT, 'alice', 3600, { issueTs: 1_700_000_000, salt: 9 });
    const decoded = decode007(token);
    expect(decoded).toMatchObject({ appId: APP_ID, issueTs: 1_700_000_000, salt: 9, expire: 3600 });
    expect(decoded.services).toEqual([{ type: 5, privileges: { 1: 3600 }, userId: 'alice' }]);
    expect(verifyToken(token, CERT, { now: 1_700_000_000 }).status).toBe('valid');
  });

  it('builds an app token: one Chat service with an empty userId, P(app) = expire', () => {
    const token = ChatTokenBuilder2.buildAppToken(APP_ID, CERT, 600, { issueTs: 1_700_000_000, salt: 9 });
    const decoded = decode007(token);
    expect(decoded.services).toEqual([{ type: 5, privileges: { 2: 600 }, userId: '' }]);
    expect(decoded.expire).toBe(600);
  });

  it('issues now with a fresh salt when no options are given', () => {
    const before = Math.floor(Date.now() / 1000);
    const a = decode007(ChatTokenBuilder2.buildUserToken(APP_ID, CERT, 'alice', 600));
    const b = decode007(ChatTokenBuilder2.buildUserToken(APP_ID, CERT, 'alice', 600));
    expect(a.issueTs).toBeGreaterThanOrEqual(before);
    expect(a.issueTs).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(a.salt).not.toBe(b.salt);
  });

  it('is deterministic with a pinned issueTs and salt, and ignores allowLongExpire in the token', () => {
    const pinned = { issueTs: 1_700_000_000, salt: 9 };
    const a = ChatTokenBuilder2.buildUserToken(APP_ID, CERT, 'alice', 600, pinned);
    const b = ChatTokenBuilder2.buildUserToken(APP_ID, CERT, 'alice', 600, { ...pinned, allowLongExpire: true });
    expect(a).toBe(b);
  });
});
