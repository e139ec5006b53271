// Property tests (fast-check): the round trip, tamper evidence, parser
// robustness and certificate binding, over arbitrary services, strings (empty,
// astral-plane, NUL) and u32 extremes. Expected values follow SPEC section 1.
import { inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgoraTokenError, type DecodedToken007, type ServiceInit } from '../src/index.js';
import { ENTRY_CASES, type AnyAccessToken2, type Entry } from './helpers/entries.js';
import { specSignature, wrap007 } from './helpers/spec.js';

const U32_MAX = 0xffff_ffff;

const u32 = fc.oneof(
  fc.constantFrom(0, 1, 0x7fff_ffff, 0x8000_0000, U32_MAX - 1, U32_MAX),
  fc.integer({ min: 0, max: U32_MAX }),
);
const u16 = fc.oneof(fc.constantFrom(0, 1, 0x7fff, 0x8000, 0xfffe, 0xffff), fc.integer({ min: 0, max: 0xffff }));
const i16 = fc.oneof(fc.constantFrom(-32_768, -1, 0, 1, 32_767), fc.integer({ min: -32_768, max: 32_767 }));

const text = fc.oneof(
  fc.constantFrom('', '\0', 'a\0b\0', '😀', '\u{10FFFF}', '👩‍💻', 'é', '\u202Eabc'),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary-ascii', maxLength: 24 }),
);
const account = fc.oneof(text, u32);
const hex32 = fc.stringMatching(/^[0-9a-fA-F]{32}$/);
const privileges = fc.option(fc.dictionary(u16.map(String), u32, { maxKeys: 5 }), { nil: undefined });
const permissions = fc.dictionary(
  u16.map(String),
  fc.dictionary(u16.map(String), fc.array(text, { maxLength: 3 }), { maxKeys: 3 }),
  { maxKeys: 3 },
);

/** One arbitrary service of each of the ten types, with the fields of SPEC section 1. */
const service: fc.Arbitrary<ServiceInit> = fc.oneof(
  fc.record({ type: fc.constant(1 as const), privileges, channelName: text, uid: account }),
  fc.record({ type: fc.constant(2 as const), privileges, userId: text }),
  fc.record({ type: fc.constant(3 as const), privileges, channelName: text, account }),
  fc.record({ type: fc.constant(4 as const), privileges }),
  fc.record({ type: fc.constant(5 as const), privileges, userId: text }),
  fc.record({ type: fc.constant(6 as const), privileges, channelName: text, account }),
  fc.record({ type: fc.constant(7 as const), privileges, roomUuid: text, userUuid: text, role: i16 }),
  fc.record({ type: fc.constant(8 as const), privileges, userId: text, permissions }),
  fc.record({ type: fc.constant(9 as const), privileges }),
  fc.record({ type: fc.constant(10 as const), privileges }),
);

const tokenInput = fc.record({
  appId: hex32,
  appCertificate: hex32,
  expire: u32,
  issueTs: u32,
  salt: u32,
  services: fc.array(service, { maxLength: 6 }),
});
type TokenInput = typeof tokenInput extends fc.Arbitrary<infer T> ? T : never;

function build(entry: Entry, x: TokenInput): AnyAccessToken2 {
  const token = new entry.AccessToken2(x.appId, x.appCertificate, x.expire, { issueTs: x.issueTs, salt: x.salt });
  for (const s of x.services) token.addService(s);
  return token;
}

/** What a service decodes to, per SPEC: privileges default to none, numeric accounts become decimal strings (0: ""). */
function expectedService(init: ServiceInit): Record<string, unknown> {
  const out: Record<string, unknown> = { ...init, privileges: init.privileges ?? {} };
  for (const field of ['uid', 'account'] as const) {
    const value = out[field];
    if (typeof value === 'number') out[field] = value === 0 ? '' : String(value);
  }
  return out;
}

function stableByType<T extends { type: number }>(items: readonly T[]): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => a.item.type - b.item.type || a.index - b.index)
    .map((e) => e.item);
}

/** decodeToken must return or throw an AgoraTokenError; verifyToken must return a verdict. */
async function assertOnlyLibraryErrors(entry: Entry, input: unknown, certificate: string): Promise<void> {
  try {
    await entry.decodeToken(input as string);
  } catch (error) {
    expect(error).toBeInstanceOf(AgoraTokenError);
  }
  const verdict = await entry.verifyToken(input as string, certificate, { now: 0 });
  expect(['valid', 'expired', 'bad-signature', 'malformed']).toContain(verdict.status);
  if (verdict.status === 'malformed') expect(verdict.error).toBeInstanceOf(AgoraTokenError);
}

const CERT = '5CFd2fd1755d40ecb72977518be15d3b';

/** decodeToken narrowed to AccessToken2: fails the test when a token decodes as another version. */
async function decode007(entry: Entry, token: string): Promise<DecodedToken007> {
  const decoded = await entry.decodeToken(token);
  if (decoded.version !== '007') throw new Error(`expected a 007 token, decoded version ${String(decoded.version)}`);
  return decoded;
}

describe.each(ENTRY_CASES)('%s entry', (_entryName, entry) => {
  describe('round trip', () => {
    it('decode(build(x)) gives back x, and the signature is the one SPEC defines', async () => {
      await fc.assert(
        fc.asyncProperty(tokenInput, async (x) => {
          const token = (await build(entry, x).build());
          const decoded = await decode007(entry, token);
          expect(decoded.appId).toBe(x.appId);
          expect(decoded.issueTs).toBe(x.issueTs);
          expect(decoded.expire).toBe(x.expire);
          expect(decoded.salt).toBe(x.salt);
          expect(decoded.services).toEqual(stableByType(x.services.map(expectedService) as Array<{ type: number }>));
          expect(decoded.unknownServiceType).toBeUndefined();

          const content = inflateSync(Buffer.from(token.slice(3), 'base64'));
          const expected = specSignature(x.appCertificate, x.issueTs, x.salt, content.subarray(34));
          expect(decoded.signatureHex).toBe(expected.toString('hex'));
          expect((await entry.verifyToken(token, x.appCertificate, { now: x.issueTs })).status).toBe(x.expire > 0 ? 'valid' : 'expired');
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('ChatTokenBuilder2', () => {
    it('buildUserToken gives back one Chat service for the user with P(user) = expire (SPEC section 2)', async () => {
      await fc.assert(
        fc.asyncProperty(hex32, hex32, text.filter((s) => s !== ''), fc.integer({ min: 0, max: 86_400 }), u32, u32, async (appId, cert, userId, expire, issueTs, salt) => {
          const token = await entry.ChatTokenBuilder2.buildUserToken(appId, cert, userId, expire, { issueTs, salt });
          const decoded = await decode007(entry, token);
          expect([decoded.appId, decoded.issueTs, decoded.expire, decoded.salt]).toEqual([appId, issueTs, expire, salt]);
          expect(decoded.services).toEqual([{ type: 5, privileges: { 1: expire }, userId }]);
          expect((await entry.verifyToken(token, cert, { now: issueTs })).status).toBe(expire > 0 ? 'valid' : 'expired');
        }),
        { numRuns: 200 },
      );
    });

    it('rejects every userId holding a lone surrogate, naming userId', async () => {
      const loneSurrogate = fc.oneof(
        fc.tuple(fc.integer({ min: 0xdc00, max: 0xdfff }), text).map(([unit, rest]) => String.fromCharCode(unit) + rest),
        fc.tuple(text, fc.integer({ min: 0xd800, max: 0xdbff })).map(([rest, unit]) => rest + String.fromCharCode(unit)),
      );
      await fc.assert(
        fc.asyncProperty(loneSurrogate, async (userId) => {
          await expect(entry.ChatTokenBuilder2.buildUserToken('970CA35de60c44645bbae8a215061b33', CERT, userId, 600)).rejects.toThrow(
            expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', argument: 'userId' }),
          );
        }),
        { numRuns: 200 },
      );
    });

    it('rejects every expire that is not an integer in 0..2^32-1, never truncating it', async () => {
      const notU32 = fc.oneof(
        fc.double({ noDefaultInfinity: false }).filter((v) => !(Number.isInteger(v) && v >= 0 && v <= U32_MAX)),
        fc.integer({ min: U32_MAX + 1, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: Number.MIN_SAFE_INTEGER, max: -1 }),
      );
      await fc.assert(
        fc.asyncProperty(notU32, async (expire) => {
          for (const allowLongExpire of [false, true]) {
            await expect(
              entry.ChatTokenBuilder2.buildUserToken('970CA35de60c44645bbae8a215061b33', CERT, 'alice', expire, { allowLongExpire }),
            ).rejects.toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', argument: 'expire' }));
          }
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('tamper evidence', () => {
    it('changing any single byte of the content makes verify fail, never succeed', async () => {
      await fc.assert(
        fc.asyncProperty(tokenInput, fc.nat(), fc.integer({ min: 1, max: 255 }), async (x, at, delta) => {
          const content = Buffer.from((await build(entry, x).content()));
          const index = at % content.length;
          content[index] = (content[index]! + delta) & 0xff;
          const verdict = await entry.verifyToken(wrap007(content), x.appCertificate, { now: x.issueTs });
          expect(['bad-signature', 'malformed']).toContain(verdict.status);
          expect(verdict.valid).toBe(false);
        }),
        { numRuns: 500 },
      );
    });

    it('changing any single character of the token string never verifies a different content', async () => {
      // Base64 with unused bits set is rejected as non-canonical, but the
      // padding bits of the last deflate byte carry no data, so a few
      // one-character edits leave the content as it was: SPEC counts that as the
      // same token. Any edit that changes the content must fail to verify.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ 6';
      await fc.assert(
        fc.asyncProperty(tokenInput, fc.nat(), fc.nat({ max: alphabet.length - 1 }), async (x, at, pick) => {
          const token = (await build(entry, x).build());
          const index = at % token.length;
          const replacement = alphabet[pick]!;
          fc.pre(replacement !== token[index]);
          const mutated = token.slice(0, index) + replacement + token.slice(index + 1);
          const verdict = await entry.verifyToken(mutated, x.appCertificate, { now: x.issueTs });
          if (verdict.status === 'valid' || verdict.status === 'expired') {
            const original = inflateSync(Buffer.from(token.slice(3), 'base64'));
            const edited = inflateSync(Buffer.from(mutated.slice(3), 'base64'));
            expect(edited.equals(original)).toBe(true);
          } else {
            expect(['bad-signature', 'malformed']).toContain(verdict.status);
          }
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('parser robustness', () => {
    it('decoding arbitrary strings throws nothing but AgoraTokenError', async () => {
      const strings = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.string({ unit: 'binary-ascii', maxLength: 300 }).map((s) => `007${s}`),
        fc.base64String({ maxLength: 400 }).map((s) => `007${s}`),
        fc.string({ unit: 'binary', maxLength: 50 }).map((s) => `007${s}`),
      );
      await fc.assert(
        fc.asyncProperty(strings, (s) => assertOnlyLibraryErrors(entry, s, CERT)),
        { numRuns: 500 },
      );
    });

    it('decoding arbitrary bytes, raw or deflated, throws nothing but AgoraTokenError', async () => {
      const bytes = fc.uint8Array({ maxLength: 400 });
      const tokens = fc.oneof(
        bytes.map((b) => `007${Buffer.from(b).toString('base64')}`),
        bytes.map((b) => wrap007(Buffer.from(b))),
      );
      await fc.assert(
        fc.asyncProperty(tokens, (t) => assertOnlyLibraryErrors(entry, t, CERT)),
        { numRuns: 500 },
      );
    });

    it('decoding truncated, extended or spliced real content throws nothing but AgoraTokenError', async () => {
      await fc.assert(
        fc.asyncProperty(tokenInput, fc.nat(), fc.uint8Array({ maxLength: 16 }), fc.nat(), async (x, cut, extra, at) => {
          const content = Buffer.from((await build(entry, x).content()));
          const cutAt = cut % (content.length + 1);
          const spliceAt = at % (content.length + 1);
          const truncated = content.subarray(0, cutAt);
          const extended = Buffer.concat([content, extra]);
          const spliced = Buffer.concat([content.subarray(0, spliceAt), extra, content.subarray(spliceAt)]);
          for (const variant of [truncated, extended, spliced]) await assertOnlyLibraryErrors(entry, wrap007(variant), x.appCertificate);
          if (cutAt < content.length) {
            // A proper prefix is never a whole token.
            await expect(entry.decodeToken(wrap007(truncated))).rejects.toThrow(AgoraTokenError);
          }
          if (extra.length > 0) {
            // Bytes after the last service are an error (SPEC section 1).
            await expect(entry.decodeToken(wrap007(extended))).rejects.toThrow(AgoraTokenError);
          }
        }),
        { numRuns: 300 },
      );
    });

    it('decoding any non-string value throws an AgoraTokenError', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.anything().filter((v) => typeof v !== 'string'),
          async (v) => {
            await expect(entry.decodeToken(v as string)).rejects.toThrow(AgoraTokenError);
            expect((await entry.verifyToken(v as string, CERT)).status).toBe('malformed');
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  describe('certificate binding', () => {
    it('a wrong certificate never verifies', async () => {
      await fc.assert(
        fc.asyncProperty(tokenInput, hex32, async (x, other) => {
          fc.pre(other !== x.appCertificate);
          const token = (await build(entry, x).build());
          const verdict = await entry.verifyToken(token, other, { now: x.issueTs });
          expect(verdict.status).toBe('bad-signature');
          expect(verdict.valid).toBe(false);
        }),
        { numRuns: 300 },
      );
    });

    it('the certificate is used as ASCII text: changing the case of one letter is a wrong certificate', async () => {
      await fc.assert(
        fc.asyncProperty(tokenInput, fc.nat(), async (x, at) => {
          const letters = [...x.appCertificate].map((ch, i) => [ch, i] as const).filter(([ch]) => /[a-fA-F]/.test(ch));
          fc.pre(letters.length > 0);
          const [ch, i] = letters[at % letters.length]!;
          const flipped = ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase();
          const other = x.appCertificate.slice(0, i) + flipped + x.appCertificate.slice(i + 1);
          expect((await entry.verifyToken((await build(entry, x).build()), other, { now: x.issueTs })).status).toBe('bad-signature');
        }),
        { numRuns: 100 },
      );
    });
  });
});
