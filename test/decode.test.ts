// decodeToken and verifyToken on hostile input (SPEC section 5, last
// paragraph): wrong prefix, bad base64, not zlib, truncated fields, trailing
// bytes, a zip bomb, a string of megabytes, unknown service types. Tokens are
// hand-made with node:zlib and node:crypto (test/helpers/spec.ts).
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  AccessToken2,
  AgoraTokenError,
  type DecodedToken007,
  MAX_CONTENT_BYTES,
  MAX_TOKEN_LENGTH,
  ServiceType,
} from '../src/index.js';
import { ENTRY_CASES, type Entry } from './helpers/entries.js';
import { packMap32, packString, signAndWrap, specHeader, u16le, wrap007 } from './helpers/spec.js';
import { TEST_APP_CERTIFICATE as CERT, TEST_APP_ID as APP_ID } from './helpers/vectors.js';

const ISSUE_TS = 1_700_000_000;
const chatService = (userId: string) => Buffer.concat([u16le(5), packMap32([[1, 600]]), packString(userId)]);

/** The error decodeToken rejects with; verifyToken must call the same token malformed, with the same code. */
async function rejection(entry: Entry, token: unknown): Promise<AgoraTokenError> {
  try {
    await entry.decodeToken(token as string);
  } catch (error) {
    expect(error).toBeInstanceOf(AgoraTokenError);
    const verdict = await entry.verifyToken(token as string, CERT, { now: ISSUE_TS });
    expect(verdict.status).toBe('malformed');
    if (verdict.status === 'malformed') expect(verdict.error.code).toBe((error as AgoraTokenError).code);
    return error as AgoraTokenError;
  }
  throw new Error('expected decodeToken to throw');
}

/** decodeToken narrowed to AccessToken2: fails the test when a token decodes as another version. */
async function decode007(entry: Entry, token: string): Promise<DecodedToken007> {
  const decoded = await entry.decodeToken(token);
  if (decoded.version !== '007') throw new Error(`expected a 007 token, decoded version ${String(decoded.version)}`);
  return decoded;
}

const good = new AccessToken2(APP_ID, CERT, 600, { issueTs: ISSUE_TS, salt: 42 })
  .addService({ type: ServiceType.Chat, userId: 'alice', privileges: { 1: 600 } })
  .build();
const goodBody = good.slice(3);
const goodContent = Buffer.from(new AccessToken2(APP_ID, CERT, 600, { issueTs: ISSUE_TS, salt: 42 })
  .addService({ type: ServiceType.Chat, userId: 'alice', privileges: { 1: 600 } })
  .content());

describe.each(ENTRY_CASES)('%s entry', (_entryName, entry) => {
  describe('decodeToken', () => {
    it('returns every field, with the signature as lowercase hex', async () => {
      const decoded = await entry.decodeToken(good);
      expect(decoded).toEqual({
        version: '007',
        appId: APP_ID,
        issueTs: ISSUE_TS,
        expire: 600,
        salt: 42,
        services: [{ type: 5, privileges: { 1: 600 }, userId: 'alice' }],
        signatureHex: goodContent.subarray(2, 34).toString('hex'),
      });
      expect(decoded.signatureHex).toMatch(/^[0-9a-f]{64}$/);
    });

    it('needs no certificate: a token signed with another one decodes just the same (decoding proves nothing)', async () => {
      const forged = signAndWrap('ffffffffffffffffffffffffffffffff', goodContent.subarray(34));
      expect((await decode007(entry, forged)).services).toEqual((await decode007(entry, good)).services);
      expect((await entry.verifyToken(forged, CERT, { now: ISSUE_TS })).status).toBe('bad-signature');
    });
  });

  describe('decodeToken rejects', () => {
    it.each([
      ['an empty string', ''],
      ['a 006 prefix', `006${goodBody}`],
      ['an 008 prefix', `008${goodBody}`],
      ['leading whitespace', ` ${good}`],
      ['a lower-case prefix of letters', `abc${goodBody}`],
    ])('%s with ERR_TOKEN_VERSION (or MALFORMED once 006 is read)', async (_what, token) => {
      expect(['ERR_TOKEN_VERSION', 'ERR_TOKEN_MALFORMED']).toContain((await rejection(entry, token)).code);
    });

    it('names only the version it saw, not the rest of the token', async () => {
      const error = await rejection(entry, `008${goodBody}`);
      expect(error.code).toBe('ERR_TOKEN_VERSION');
      expect(error.message).not.toContain(goodBody.slice(0, 12));
    });

    it.each([
      ['just "007"', '007'],
      ['missing padding', `007${goodBody.replace(/=+$/, '')}`],
      ['the URL-safe alphabet', `007${goodBody.replace(/\+/g, '-').replace(/\//g, '_')}`],
      ['a space inside', `007${goodBody.slice(0, 8)} ${goodBody.slice(9)}`],
      ['a newline at the end', `${good}\n`],
      ['a stray character', `007${goodBody.slice(0, 8)}!${goodBody.slice(9)}`],
      ['too much padding', `${good}====`],
    ])('base64 with %s as malformed', async (_what, token) => {
      expect((await rejection(entry, token)).code).toBe('ERR_TOKEN_MALFORMED');
    });

    it.each([
      ['raw bytes, not zlib', `007${goodContent.toString('base64')}`],
      ['raw deflate without the zlib header', `007${deflateRawSync(goodContent).toString('base64')}`],
      ['gzip instead of zlib', `007${gzipSync(goodContent).toString('base64')}`],
      ['a zlib stream cut short', `007${deflateSync(goodContent).subarray(0, 40).toString('base64')}`],
      ['a zlib stream without its checksum', `007${deflateSync(goodContent).subarray(0, -4).toString('base64')}`],
      [
        'a zlib stream with a wrong checksum',
        `007${Buffer.concat([deflateSync(goodContent).subarray(0, -1), Buffer.from([0])]).toString('base64')}`,
      ],
      ['bytes after the zlib stream', `007${Buffer.concat([deflateSync(goodContent), Buffer.from([0])]).toString('base64')}`],
      ['an empty zlib stream', `007${deflateSync(Buffer.alloc(0)).toString('base64')}`],
    ])('%s as malformed', async (_what, token) => {
      expect((await rejection(entry, token)).code).toBe('ERR_TOKEN_MALFORMED');
    });

    it('base64 whose last character before the padding has unused bits set (RFC 4648 3.5) as malformed', async () => {
      // Before "==" the last character holds 2 data bits (4 unused), before "="
      // 4 data bits (2 unused). Find a token of each shape, set an unused bit.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      for (const padding of ['==', '=']) {
        let body = '';
        for (let n = 1; !body.endsWith(padding) || (padding === '=' && body.endsWith('==')); n++) {
          body = (await new entry.AccessToken2(APP_ID, CERT, 600, { issueTs: ISSUE_TS, salt: 42 })
            .addService({ type: ServiceType.Chat, userId: 'u'.repeat(n), privileges: { 1: 600 } })
            .build())
            .slice(3);
        }
        expect((await entry.verifyToken(`007${body}`, CERT, { now: ISSUE_TS })).status).toBe('valid');
        const at = body.length - padding.length - 1;
        const flipped = alphabet[alphabet.indexOf(body[at]!) | 1]!;
        expect(flipped).not.toBe(body[at]);
        const mutated = `${body.slice(0, at)}${flipped}${body.slice(at + 1)}`;
        // Node's decoder ignores those bits, so both spellings are the same bytes ...
        expect(Buffer.from(mutated, 'base64').equals(Buffer.from(body, 'base64'))).toBe(true);
        // ... but only the canonical spelling is accepted.
        expect((await rejection(entry, `007${mutated}`)).message).toMatch(/canonical base64/);
      }
    });

    it('content truncated at every length as malformed', async () => {
      for (let length = 0; length < goodContent.length; length++) {
        expect((await rejection(entry, wrap007(goodContent.subarray(0, length)))).code).toBe('ERR_TOKEN_MALFORMED');
      }
    });

    it('bytes after the last service as malformed, although the signature covers them', async () => {
      const signingInfo = Buffer.concat([goodContent.subarray(34), Buffer.from([1, 2, 3])]);
      const error = await rejection(entry, signAndWrap(CERT, signingInfo));
      expect(error.code).toBe('ERR_TOKEN_MALFORMED');
      expect(error.message).toContain('3 bytes');
    });

    it('a service count larger than the services present as malformed', async () => {
      const signingInfo = Buffer.concat([specHeader(APP_ID, ISSUE_TS, 600, 1, 2), chatService('a')]);
      expect((await rejection(entry, signAndWrap(CERT, signingInfo))).code).toBe('ERR_TOKEN_MALFORMED');
    });

    it('a string that is not UTF-8 as malformed', async () => {
      const service = Buffer.concat([u16le(5), packMap32([]), u16le(2), Buffer.from([0xc3, 0x28])]);
      const signingInfo = Buffer.concat([specHeader(APP_ID, ISSUE_TS, 600, 1, 1), service]);
      const error = await rejection(entry, signAndWrap(CERT, signingInfo));
      expect(error.code).toBe('ERR_TOKEN_MALFORMED');
      expect(error.message).toContain('UTF-8');
    });

    it('a zip bomb with ERR_TOKEN_TOO_LARGE, while content of exactly the cap is only malformed', async () => {
      const bomb = wrap007(Buffer.alloc(MAX_CONTENT_BYTES + 1));
      expect(bomb.length).toBeLessThan(10_000);
      expect((await rejection(entry, bomb)).code).toBe('ERR_TOKEN_TOO_LARGE');
      expect((await rejection(entry, wrap007(Buffer.alloc(MAX_CONTENT_BYTES)))).code).toBe('ERR_TOKEN_MALFORMED');
      expect((await rejection(entry, wrap007(Buffer.alloc(64 * MAX_CONTENT_BYTES)))).code).toBe('ERR_TOKEN_TOO_LARGE');
    });

    it('a token string over the length cap with ERR_TOKEN_TOO_LARGE, before any decoding', async () => {
      const error = await rejection(entry, `007${'A'.repeat(MAX_TOKEN_LENGTH)}`);
      expect(error.code).toBe('ERR_TOKEN_TOO_LARGE');
      expect(error.message).not.toContain('AAAA');
    });

    it('a string of megabytes under the cap as malformed', async () => {
      expect((await rejection(entry, `007${'A'.repeat(3 * 1024 * 1024)}`)).code).toBe('ERR_TOKEN_MALFORMED');
      expect((await rejection(entry, `007${'A'.repeat(3 * 1024 * 1024 - 1)}=`)).code).toBe('ERR_TOKEN_MALFORMED');
      expect((await rejection(entry, '007' + '=='.repeat(1024 * 1024))).code).toBe('ERR_TOKEN_MALFORMED');
    });

    it.each([
      ['a number', 7],
      ['null', null],
      ['undefined', undefined],
      ['an object', { toString: () => good }],
      ['a Buffer', Buffer.from(good)],
    ])('%s instead of a string, with ERR_TOKEN_MALFORMED naming the token', async (_what, value) => {
      const error = await rejection(entry, value);
      expect(error.code).toBe('ERR_TOKEN_MALFORMED');
      expect(error.argument).toBe('token');
    });
  });

  describe('unknown service types', () => {
    it('stops at the unknown type, keeps the services before it, and still verifies', async () => {
      const unknown = Buffer.concat([u16le(11), Buffer.from('opaque bytes of a future service')]);
      const signingInfo = Buffer.concat([specHeader(APP_ID, ISSUE_TS, 600, 1, 3), chatService('a'), unknown, chatService('b')]);
      const token = signAndWrap(CERT, signingInfo);
      const decoded = await decode007(entry, token);
      expect(decoded.unknownServiceType).toBe(11);
      expect(decoded.services).toEqual([{ type: 5, privileges: { 1: 600 }, userId: 'a' }]);
      expect((await entry.verifyToken(token, CERT, { now: ISSUE_TS })).status).toBe('valid');
      // The signature covers the bytes after the unknown type too.
      const tampered = Buffer.from(signingInfo);
      tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
      const forged = wrap007(Buffer.concat([packString(Buffer.from(decoded.signatureHex, 'hex')), tampered]));
      expect((await entry.verifyToken(forged, CERT, { now: ISSUE_TS })).status).toBe('bad-signature');
    });

    it.each([0, 11, 0x8000, 0xffff])('reports type %i, as the first service', async (type) => {
      const signingInfo = Buffer.concat([specHeader(APP_ID, ISSUE_TS, 600, 1, 1), u16le(type)]);
      const decoded = await decode007(entry, signAndWrap(CERT, signingInfo));
      expect(decoded.unknownServiceType).toBe(type);
      expect(decoded.services).toEqual([]);
    });
  });

  describe('verifyToken arguments', () => {
    it('throws ERR_INVALID_ARGUMENT for a certificate that is not a string, without echoing anything', async () => {
      for (const cert of [undefined, null, 42, Buffer.from(CERT)]) {
        let caught: unknown;
        try {
          await entry.verifyToken(good, cert as unknown as string);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(AgoraTokenError);
        expect((caught as AgoraTokenError).code).toBe('ERR_INVALID_ARGUMENT');
        expect((caught as AgoraTokenError).argument).toBe('appCertificate');
        expect((caught as AgoraTokenError).message).not.toContain(CERT);
      }
    });

    it('refuses a certificate string the builders refuse (empty, short, long, not hex, padded) with ERR_INVALID_ARGUMENT naming appCertificate, before reading the token', async () => {
      const token006 = await entry.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'room-1', 42, 1, ISSUE_TS + 600, { issueTs: ISSUE_TS, salt: 7, allowPastTimestamp: true });
      const cases: Array<[string, RegExp]> = [
        ['', /\(got an empty string\)$/],
        ['x', /\(got a string of 1 character\)$/],
        ['not-a-certificate', /\(got a string of 17 characters\)$/],
        [CERT.slice(1), /\(got a string of 31 characters\)$/],
        [`${CERT}0`, /\(got a string of 33 characters\)$/],
        ['z'.repeat(32), /\(got a string of 32 characters, not all hexadecimal\)$/],
        [` ${CERT}\n`, /\(got 32 hexadecimal characters with whitespace around them\)$/],
      ];
      for (const [cert, detail] of cases) {
        for (const [token, options] of [[good, { now: ISSUE_TS }], [token006, { now: ISSUE_TS, channelName: 'room-1', uid: 42 }], ['not a token', {}]] as const) {
          let caught: unknown;
          try {
            await entry.verifyToken(token, cert, options);
          } catch (error) {
            caught = error;
          }
          // Never a verdict, and never a platform error such as WebCrypto's zero-length key DOMException.
          expect(caught, JSON.stringify(cert)).toBeInstanceOf(AgoraTokenError);
          expect((caught as AgoraTokenError).code).toBe('ERR_INVALID_ARGUMENT');
          expect((caught as AgoraTokenError).argument).toBe('appCertificate');
          expect((caught as AgoraTokenError).message).toMatch(/^appCertificate must be 32 hexadecimal characters \(got /);
          expect((caught as AgoraTokenError).message).toMatch(detail);
          expect((caught as AgoraTokenError).message).not.toContain(CERT);
        }
      }
    });

    it('takes a certificate in either case, as the builders do, but signs with it as given', async () => {
      expect((await entry.verifyToken(good, CERT, { now: ISSUE_TS })).status).toBe('valid');
      expect((await entry.verifyToken(good, CERT.toLowerCase(), { now: ISSUE_TS })).status).toBe('bad-signature');
    });

    it('throws ERR_INVALID_ARGUMENT for a now that is not a time', async () => {
      for (const now of [NaN, Infinity, '1700000000', null]) {
        let caught: unknown;
        try {
          await entry.verifyToken(good, CERT, { now: now as number });
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(AgoraTokenError);
        expect((caught as AgoraTokenError).argument).toBe('options.now');
      }
    });
  });
});
