// The reference vectors (SPEC section 4), case by case: every payload is
// rebuilt byte for byte from its inputs, every reference token string decodes
// to the inputs and verifies, every invalid case fails the way it says.
// Builder cases of builders other than ChatTokenBuilder2, and the 006 cases,
// are checked by the tests of those builders.
import { describe, expect, it } from 'vitest';
import { AgoraTokenError, type DecodedToken007, type ServiceInit } from '../src/index.js';
import { ENTRY_CASES, type AnyAccessToken2, type Entry } from './helpers/entries.js';
import {
  inflatedHex,
  SAME_ZLIB_AS_AGORA_TOKEN,
  edgeVectors,
  vectors,
  wireOrder,
  type InvalidCase,
  type Token007Case,
} from './helpers/vectors.js';

const PARSE_CODES = ['ERR_TOKEN_MALFORMED', 'ERR_TOKEN_VERSION', 'ERR_TOKEN_TOO_LARGE'];

function buildFromInputs(entry: Entry, c: Token007Case): AnyAccessToken2 {
  const token = new entry.AccessToken2(c.appId, c.appCertificate, c.expire, { issueTs: c.issueTs, salt: c.salt });
  for (const service of c.services) token.addService(service as unknown as ServiceInit);
  return token;
}

describe('the vectors file', () => {
  it('holds the cases its README counts, so no loop below runs over nothing', () => {
    expect(vectors.schema).toBe(1);
    expect(vectors.token007).toHaveLength(75);
    expect(vectors.invalid).toHaveLength(41);
    for (const c of vectors.token007) expect(Object.keys(c.tokens).length).toBeGreaterThan(0);
  });
});

describe('the edge vectors file', () => {
  it('holds 11 token007 and 9 token006 cases made by the npm references, each with its provenance', () => {
    expect(edgeVectors.schema).toBe(1);
    expect(edgeVectors.generatedBy).toMatchObject({
      script: 'scripts/make-edge-vectors.mjs',
      'agora-token': '2.0.6',
      'agora-access-token': '2.0.4',
    });
    expect(edgeVectors.token007).toHaveLength(11);
    expect(edgeVectors.token006).toHaveLength(9);
    for (const c of [...edgeVectors.token007, ...edgeVectors.token006]) {
      expect(c.source).toMatch(/^generated: npm agora-(access-)?token@2\.0\.[46]/);
      expect(c.note).toEqual(expect.any(String));
      expect(c.builder).not.toBeNull();
    }
  });
});

/** decodeToken narrowed to AccessToken2: fails the test when a token decodes as another version. */
async function decode007(entry: Entry, token: string): Promise<DecodedToken007> {
  const decoded = await entry.decodeToken(token);
  if (decoded.version !== '007') throw new Error(`expected a 007 token, decoded version ${String(decoded.version)}`);
  return decoded;
}

describe.each(ENTRY_CASES)('%s entry', (_entryName, entry) => {
  describe.each([...vectors.token007, ...edgeVectors.token007].map((c) => [c.name, c] as const))('token007 %s', (_name, c) => {
    it('rebuilds the payload byte for byte from its inputs', async () => {
      const content = Buffer.from(await buildFromInputs(entry, c).content());
      expect(content.toString('hex')).toBe(c.payloadHex);
      // bytes(signature): u16 32, then the signature computed independently by the references.
      expect(content.subarray(0, 2).toString('hex')).toBe('2000');
      expect(content.subarray(2, 34).toString('hex')).toBe(c.signatureHex);
    });

    it.each(Object.entries(c.tokens))('tokens.%s decodes to the inputs and verifies', async (_reference, token) => {
      const decoded = await decode007(entry, token);
      expect({ appId: decoded.appId, issueTs: decoded.issueTs, expire: decoded.expire, salt: decoded.salt }).toEqual({
        appId: c.appId,
        issueTs: c.issueTs,
        expire: c.expire,
        salt: c.salt,
      });
      expect(decoded.services).toEqual(wireOrder(c.services));
      expect(decoded.signatureHex).toBe(c.signatureHex);
      expect(decoded.unknownServiceType).toBeUndefined();

      // Expired at now >= issueTs + expire (SPEC section 1); the signature is checked first.
      const atIssue = await entry.verifyToken(token, c.appCertificate, { now: c.issueTs });
      expect(atIssue.status).toBe(c.expire > 0 ? 'valid' : 'expired');
      expect((await entry.verifyToken(token, c.appCertificate, { now: c.issueTs + c.expire })).status).toBe('expired');
    });

    const agoraToken = c.tokens['agora-token'];
    if (agoraToken !== undefined) {
      it(
        SAME_ZLIB_AS_AGORA_TOKEN
          ? 'builds the very string agora-token built (same zlib as the vectors)'
          : 'builds a string that inflates to the payload (this zlib differs from the vectors)',
        async () => {
          const built = await buildFromInputs(entry, c).build();
          if (SAME_ZLIB_AS_AGORA_TOKEN) expect(built).toBe(agoraToken);
          else expect(inflatedHex(built)).toBe(c.payloadHex);
        },
      );
    }
  });

  const chatCases = vectors.token007.filter((c) => c.builder?.name.startsWith('ChatTokenBuilder2.'));

  describe('ChatTokenBuilder2 builder cases', () => {
    it('are all present (6 user tokens, 2 app tokens)', async () => {
      expect(chatCases.map((c) => c.builder?.name).sort()).toEqual([
        ...Array<string>(2).fill('ChatTokenBuilder2.buildAppToken'),
        ...Array<string>(6).fill('ChatTokenBuilder2.buildUserToken'),
      ]);
    });

    it.each(chatCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const args = c.builder!.args;
      const pinned = { issueTs: c.issueTs, salt: c.salt };
      const build = () =>
        c.builder!.name === 'ChatTokenBuilder2.buildUserToken'
          ? entry.ChatTokenBuilder2.buildUserToken(
              args.appId as string,
              args.appCertificate as string,
              args.userId as string,
              args.expire as number,
              pinned,
            )
          : entry.ChatTokenBuilder2.buildAppToken(args.appId as string, args.appCertificate as string, args.expire as number, pinned);

      if (args.userId === '') {
        // The references accept an empty user id; SPEC section 5 says this library must not.
        await expect(build()).rejects.toThrow(AgoraTokenError);
        await expect(build()).rejects.toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', argument: 'userId' }));
        return;
      }
      const built = await build();
      expect(inflatedHex(built)).toBe(c.payloadHex);
      const agoraToken = c.tokens['agora-token'];
      if (SAME_ZLIB_AS_AGORA_TOKEN && agoraToken !== undefined) expect(built).toBe(agoraToken);
    });
  });

  function referenceServiceTypes(c: InvalidCase): number[] {
    // The notes record what the reference parsers returned, e.g. "services [1]".
    const match = /services \[([0-9, ]*)\]/.exec(c.note ?? '');
    if (match === null) throw new Error(`${c.name}: no reference services in the note`);
    return match[1]!.split(',').filter((s) => s.trim() !== '').map(Number);
  }

  describe.each(vectors.invalid.map((c) => [c.name, c] as const))('invalid %s', (_name, c) => {
    it(`fails as ${c.expect}`, async () => {
      const certificate = c.appCertificate ?? '5CFd2fd1755d40ecb72977518be15d3b';
      switch (c.expect) {
        case 'parse-error': {
          let thrown: unknown;
          try {
            await entry.decodeToken(c.token);
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(AgoraTokenError);
          const code = (thrown as AgoraTokenError).code;
          if (c.token.startsWith('007')) expect(code).toBe('ERR_TOKEN_MALFORMED');
          else expect(PARSE_CODES).toContain(code);
          const verdict = await entry.verifyToken(c.token, certificate, { now: 0 });
          expect(verdict.status).toBe('malformed');
          expect(verdict.valid).toBe(false);
          break;
        }
        case 'unknown-service': {
          const decoded = await decode007(entry, c.token);
          const unknownType = Number(/unknown-service-type-([0-9]+)/.exec(c.name)?.[1]);
          expect(decoded.unknownServiceType).toBe(unknownType);
          expect(decoded.services.map((s) => s.type)).toEqual(referenceServiceTypes(c));
          // The signature covers every byte, the unknown service included, and still verifies.
          expect((await entry.verifyToken(c.token, certificate, { now: decoded.issueTs })).status).toBe('valid');
          break;
        }
        case 'bad-signature': {
          const decoded = await decode007(entry, c.token);
          if (!/^[0-9a-fA-F]{32}$/.test(certificate)) {
            // certificate-not-hex: Agora's references answer bad-signature (the vectors keep that
            // record); this library refuses such a certificate as its builders do (docs/format.md).
            const refused = await entry.verifyToken(c.token, certificate, { now: decoded.issueTs }).then(
              () => undefined,
              (error: unknown) => error,
            );
            expect(refused).toBeInstanceOf(AgoraTokenError);
            expect(refused).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'appCertificate' });
            break;
          }
          const verdict = await entry.verifyToken(c.token, certificate, { now: decoded.issueTs });
          expect(verdict.status).toBe('bad-signature');
          expect(verdict.valid).toBe(false);
          break;
        }
        default:
          throw new Error(`unknown expectation ${String(c.expect)}`);
      }
    });
  });
});
