// verifyToken on the root and web entries: one answer for any input. Either
// the same verdict, or the same error code naming the same argument; never a
// platform error (such as WebCrypto's DOMException for a zero-length key).
// And the Web platform's HMAC-SHA256 against node:crypto for every key length.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { webPlatform } from '../src/_internal/platform/web.js';
import * as root from '../src/index.js';
import * as web from '../src/web.js';
import { TEST_APP_CERTIFICATE as CERT, TEST_APP_ID as APP_ID } from './helpers/vectors.js';

const ISSUE_TS = 1_700_000_000;

type Outcome = { status: string } | { code: string; argument?: string } | { foreign: string };

function outcomeOf(value: unknown, thrown: boolean): Outcome {
  if (!thrown) return { status: (value as root.VerifyResult).status };
  if (value instanceof root.AgoraTokenError) return { code: value.code, ...(value.argument === undefined ? {} : { argument: value.argument }) };
  return { foreign: String(value) };
}

async function both(token: unknown, certificate: unknown, options: unknown): Promise<[Outcome, Outcome]> {
  let rootOutcome: Outcome;
  try {
    rootOutcome = outcomeOf(root.verifyToken(token as string, certificate as string, options as root.VerifyOptions), false);
  } catch (error) {
    rootOutcome = outcomeOf(error, true);
  }
  const webOutcome = await web.verifyToken(token as string, certificate as string, options as root.VerifyOptions).then(
    (result) => outcomeOf(result, false),
    (error: unknown) => outcomeOf(error, true),
  );
  return [rootOutcome, webOutcome];
}

const good007 = root.ChatTokenBuilder2.buildUserToken(APP_ID, CERT, 'alice', 600, { issueTs: ISSUE_TS, salt: 42 });
const good006 = root.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'room-1', 42, root.RtcRole006.PUBLISHER, ISSUE_TS + 600, {
  issueTs: ISSUE_TS,
  salt: 7,
  allowPastTimestamp: true,
});

/** A token: a genuine one, a genuine one with one character changed or cut short, or any string or value. */
const token = fc.oneof(
  fc.constantFrom(good007, good006),
  fc.tuple(fc.constantFrom(good007, good006), fc.nat(), fc.constantFrom('A', '/', '=', '0', ' ')).map(([t, at, ch]) => {
    const i = 3 + (at % (t.length - 3));
    return t.slice(0, i) + ch + t.slice(i + 1);
  }),
  fc.tuple(fc.constantFrom(good007, good006), fc.nat()).map(([t, n]) => t.slice(0, n % t.length)),
  fc.constantFrom(` ${good007}`, `${good007}\n`, '', '007', '006', 'not a token'),
  fc.string({ maxLength: 40 }),
  fc.constantFrom(undefined, null, 7, {}),
);
const hex32 = fc.stringMatching(/^[0-9a-fA-F]{32}$/);
/** A certificate: the right one, another well-formed one, or what a mangled configuration gives. */
const certificate = fc.oneof(
  fc.constant(CERT),
  hex32,
  fc.constantFrom('', ' ', CERT.slice(1), `${CERT}\n`, ` ${CERT}`, CERT.toLowerCase(), 'z'.repeat(32), 'undefined'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 34 }),
  fc.constantFrom(undefined, null, 0, 42, [], {}),
);
const options = fc.oneof(
  fc.constant(undefined),
  fc.record({ now: fc.oneof(fc.constant(ISSUE_TS), fc.integer({ min: 0, max: 0xffff_ffff }), fc.constant(Number.NaN)) }),
  fc.record({ now: fc.constant(ISSUE_TS), channelName: fc.constantFrom('room-1', 'room', ''), uid: fc.constantFrom(42, '42', 0, '') }),
  fc.constantFrom(null, 'options', { nonsense: true }),
);

describe('verifyToken: the root and web entries agree', () => {
  it('gives the same verdict, or the same error code and argument, for any token, certificate and options', async () => {
    await fc.assert(
      fc.asyncProperty(token, certificate, options, async (t, c, o) => {
        const [rootOutcome, webOutcome] = await both(t, c, o);
        expect(webOutcome).toEqual(rootOutcome);
        expect(rootOutcome).not.toHaveProperty('foreign');
      }),
      { numRuns: 600 },
    );
  });

  it('refuses every certificate that is not 32 hex characters, whatever the token, naming appCertificate', async () => {
    const notHex32 = certificate.filter((c) => !(typeof c === 'string' && /^[0-9a-fA-F]{32}$/.test(c)));
    await fc.assert(
      fc.asyncProperty(token, notHex32, async (t, c) => {
        const [rootOutcome, webOutcome] = await both(t, c, { now: ISSUE_TS, channelName: 'room-1', uid: 42 });
        expect(rootOutcome).toEqual({ code: 'ERR_INVALID_ARGUMENT', argument: 'appCertificate' });
        expect(webOutcome).toEqual(rootOutcome);
      }),
      { numRuns: 300 },
    );
  });

  it('an empty certificate on a 006 token: the same argument error on both entries (it was a DOMException on web)', async () => {
    expect(await both(good006, '', { channelName: 'room-1', uid: 42 })).toEqual([
      { code: 'ERR_INVALID_ARGUMENT', argument: 'appCertificate' },
      { code: 'ERR_INVALID_ARGUMENT', argument: 'appCertificate' },
    ]);
  });
});

describe("the Web platform's HMAC-SHA256", () => {
  it("equals node:crypto's for every key length, the empty key and keys longer than a block included", async () => {
    const key = fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ maxLength: 200 }));
    await fc.assert(
      fc.asyncProperty(key, fc.uint8Array({ maxLength: 100 }), async (k, m) => {
        const expected = createHmac('sha256', k).update(m).digest('hex');
        expect(Buffer.from(await webPlatform.hmacSha256(k, m)).toString('hex')).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('with an empty key, gives what node:crypto gives (the same as a key of one zero byte)', async () => {
    const message = new TextEncoder().encode('The quick brown fox jumps over the lazy dog');
    // HMAC-SHA256("", message), from node:crypto: the key is padded with zeros like one zero byte.
    const expected = createHmac('sha256', Buffer.alloc(0)).update(message).digest('hex');
    expect(expected).toBe(createHmac('sha256', Buffer.alloc(1)).update(message).digest('hex'));
    expect(Buffer.from(await webPlatform.hmacSha256(new Uint8Array(0), message)).toString('hex')).toBe(expected);
  });
});
