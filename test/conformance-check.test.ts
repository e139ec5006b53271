// How the conformance kit judges one answer (src/conformance/cases.ts),
// in-process: wrong tokens are made from the vectors' reference tokens with
// node:zlib, or built with wrong inputs; the expected values are the vectors'.
import { createHmac } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkAnswer, conformanceCases, type ConformanceCase } from '../src/conformance/cases.js';
import { AccessToken } from '../src/index.js';
import { vectors } from './helpers/vectors.js';

const cases = conformanceCases(vectors);
function byId(id: string): ConformanceCase {
  const found = cases.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no request ${id}`);
  return found;
}
const failuresOf = (id: string, answer: Record<string, unknown>) => {
  const outcome = checkAnswer(byId(id), { id, ...answer });
  return outcome.status === 'fail' ? outcome.failures : [];
};

type Case006 = { name: string; appId: string; appCertificate: string; channelName: string; uid: string; salt: number; ts: number; privileges: Record<string, number>; tokens: Record<string, string> };
const case006 = vectors.token006.find((c) => c.name === '006-rtc-account') as unknown as Case006;

function build006(change: Partial<Pick<Case006, 'ts' | 'salt' | 'privileges' | 'channelName'>>): string {
  const c = { ...case006, ...change };
  const token = new AccessToken(c.appId, c.appCertificate, c.channelName, c.uid, { salt: c.salt, ts: c.ts });
  for (const [key, value] of Object.entries(c.privileges)) token.addPrivilege(Number(key), value);
  return token.build();
}

describe('the requests made from a vectors file', () => {
  it('carry the vectors schema names and nothing of this library', () => {
    expect(byId('test-chat-user').request).toEqual({
      appId: '970CA35de60c44645bbae8a215061b33',
      appCertificate: '5CFd2fd1755d40ecb72977518be15d3b',
      issueTs: 1111111,
      salt: 1,
      expire: 600,
      services: [{ type: 5, privileges: { '1': 600 }, userId: '2882341273' }],
    });
    expect(byId('006-rtc-account/builder').request).toEqual({
      name: 'RtcTokenBuilder.buildTokenWithAccount',
      args: expect.objectContaining({ channelName: 'demo', account: 'test_user', role: 1 }) as unknown,
      salt: 7654321,
      ts: 1700086400,
    });
    expect(byId('006-rtc-account/verify/python3').request).toEqual({
      token: case006.tokens.python3,
      appCertificate: case006.appCertificate,
      channelName: 'demo',
      uid: 'test_user',
    });
    expect(byId('006-invalid').request).toEqual({ token: '006invalid', appCertificate: '5CFd2fd1755d40ecb72977518be15d3b', channelName: '', uid: '' });
    expect(cases.some((c) => c.id.startsWith('unknown-service'))).toBe(false);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });
});

describe('a 006 answer', () => {
  it('passes when it is the reference token', () => {
    expect(checkAnswer(byId('006-rtc-account'), { token: case006.tokens.python3 })).toEqual({ status: 'pass' });
  });

  it('names ts and signature when ts is off by one', () => {
    const failures = failuresOf('006-rtc-account', { token: build006({ ts: case006.ts + 1 }) });
    expect(failures[0]).toBe(`ts: got ${case006.ts + 1}, expected ${case006.ts}`);
    expect(failures[1]).toMatch(/^signature: got [0-9a-f]{64}, expected [0-9a-f]{64}$/);
    // 006 content: bytes(signature) 34 + crcChannelName 4 + crcUid 4 + message length 2 + salt 4: ts starts at byte 48.
    expect(failures[2]).toMatch(/^bytes: the decoded content \(\d+ bytes, expected \d+\) first differs at byte 48, in ts: got [0-9a-f]{2}, expected [0-9a-f]{2}$/);
    expect(failures).toHaveLength(3);
  });

  it('names privileges, and crcChannelName plus verify for another channel', () => {
    const privileges = failuresOf('006-rtc-account', { token: build006({ privileges: { '1': 1700003600 } }) });
    expect(privileges[0]).toBe('privileges: got {"1":1700003600}, expected {"1":1700003600,"2":1700003600,"3":1700003600,"4":1700003600}');
    const channel = failuresOf('006-rtc-account', { token: build006({ channelName: 'demo2' }) });
    expect(channel[0]).toMatch(/^crcChannelName: got \d+, expected 3594706848$/);
    expect(channel.at(-1)).toBe("verify: the token does not verify with the case's appCertificate, channelName and uid (bad-signature)");
  });

  it('a 007 token where a 006 one is expected names the version', () => {
    expect(failuresOf('006-rtc-account', { token: vectors.token007[0]!.tokens.python3 })).toEqual(['version: got "007", expected "006"']);
  });
});

describe('a 007 answer', () => {
  const reference = vectors.token007.find((c) => c.name === 'test-chat-user')!;
  const content = inflateSync(Buffer.from(reference.tokens.python3!.slice(3), 'base64'));
  const token007 = (bytes: Buffer) => `007${deflateSync(bytes).toString('base64')}`;

  it('passes for every reference string, whatever its deflate', () => {
    for (const token of Object.values(reference.tokens)) expect(checkAnswer(byId('test-chat-user'), { token })).toEqual({ status: 'pass' });
  });

  it('that does not parse: the parse error and the first differing byte of the content', () => {
    const failures = failuresOf('test-chat-user', { token: token007(Buffer.concat([content, Buffer.from([0xab])])) });
    expect(failures[0]).toMatch(/^token does not parse: /);
    expect(failures[1]).toBe(
      `bytes: the inflated content (${content.length + 1} bytes, expected ${content.length}) first differs at byte ${content.length}, ` +
        'past the end of the expected content: got ab, expected end',
    );
  });

  it('with a service field changed after signing: the field, then verify', () => {
    // The user id is the last field: change its last character ('3' -> '4').
    const changed = Buffer.from(content);
    changed[changed.length - 1] = 0x34;
    const failures = failuresOf('test-chat-user', { token: token007(changed) });
    expect(failures).toEqual([
      'services[0].userId: got "2882341274", expected "2882341273"',
      `bytes: the inflated content (${content.length} bytes, expected ${content.length}) first differs at byte ${content.length - 1}, in services[0].userId: got 34, expected 33`,
      "verify: the token does not verify with the case's appCertificate (bad-signature)",
    ]);
  });

  it('packed with privilege keys out of order but signed correctly: the first differing byte and its field', () => {
    // What a writer that sorts u16 keys as signed numbers does with keys 1 and 32768: 32768 first.
    // Every decoded field is equal and the token verifies; only the bytes (and so the signature) differ.
    const c = vectors.token007.find((v) => v.name === 'privilege-key-extremes')!;
    expect(Object.keys(c.services[0]!.privileges)).toEqual(['0', '1', '32767', '32768', '65535']);
    const expected = Buffer.from(c.payloadHex, 'hex');
    const signingInfo = Buffer.from(expected.subarray(34));
    // bytes(signature) 2 + 32, bytes(appId) 2 + 32, issueTs, expire, salt 12, service count 2, type 2, privilege count 2: the first key at byte 86.
    const first = 86 - 34;
    const entries = Array.from({ length: 5 }, (_, i) => Buffer.from(signingInfo.subarray(first + 6 * i, first + 6 * i + 6)));
    // Sorted as signed shorts: 32768 and 65535 (-32768, -1) come first.
    Buffer.concat([entries[3]!, entries[4]!, entries[0]!, entries[1]!, entries[2]!]).copy(signingInfo, first);
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n);
      return b;
    };
    const key = createHmac('sha256', u32(c.salt)).update(createHmac('sha256', u32(c.issueTs)).update(c.appCertificate).digest()).digest();
    const signature = createHmac('sha256', key).update(signingInfo).digest();
    const reordered = Buffer.concat([Buffer.from([32, 0]), signature, signingInfo]);
    const failures = failuresOf('privilege-key-extremes', { token: token007(reordered) });
    // Key 32768 is 00 80 and key 0 is 00 00: the low bytes agree, the first difference is byte 87.
    expect(failures).toEqual([
      `signature: got ${signature.toString('hex')}, expected ${c.signatureHex}`,
      `bytes: the inflated content (${expected.length} bytes, expected ${expected.length}) first differs at byte 87, in services[0].privileges (key #1): got 80, expected 00`,
    ]);
  });

  it('names the version when it is not 007', () => {
    expect(failuresOf('test-chat-user', { token: `008${reference.tokens.python3!.slice(3)}` })).toEqual(['version: got "008", expected "007"']);
  });
});

describe('answers of the wrong shape, and verify answers', () => {
  it('verify: true for a reference token, false for an invalid case', () => {
    expect(checkAnswer(byId('test-chat-user/verify/java'), { valid: true }).status).toBe('pass');
    expect(failuresOf('test-chat-user/verify/java', { valid: false })).toEqual([
      'valid: got false, expected true: the token java made, signed with appCertificate',
    ]);
    expect(failuresOf('flipped-signature-bit', { valid: true })).toEqual([
      'valid: got true, expected false: the signature does not match appCertificate (bad-signature)',
    ]);
  });

  it('certificate-not-hex: Agora\'s verdict (valid: false) or an argument error passes; on other invalid cases an error fails', () => {
    expect(byId('certificate-not-hex').request.appCertificate).toBe('not-a-certificate');
    expect(checkAnswer(byId('certificate-not-hex'), { valid: false })).toEqual({ status: 'pass' });
    expect(checkAnswer(byId('certificate-not-hex'), { error: 'appCertificate must be 32 hexadecimal characters' })).toEqual({ status: 'pass' });
    expect(failuresOf('certificate-not-hex', { valid: true })[0]).toMatch(/^valid: got true, expected false/);
    expect(failuresOf('flipped-signature-bit', { error: 'boom' })).toEqual(['the adapter answered an error: "boom"']);
    expect(failuresOf('006-invalid', { error: 'boom' })).toEqual(['the adapter answered an error: "boom"']);
  });

  it('unsupported, with or without a reason; error; two answers at once', () => {
    expect(checkAnswer(byId('test-chat-user'), { unsupported: true })).toEqual({ status: 'unsupported' });
    expect(checkAnswer(byId('test-chat-user'), { unsupported: true, reason: 'no chat' })).toEqual({ status: 'unsupported', reason: 'no chat' });
    expect(failuresOf('test-chat-user', { error: 'boom' })).toEqual(['the adapter answered an error: "boom"']);
    expect(failuresOf('test-chat-user', { valid: true })[0]).toMatch(/^malformed answer: a token007 request takes/);
    expect(failuresOf('test-chat-user/verify/java', { token: 'x' })[0]).toMatch(/^malformed answer: a verify request takes/);
    expect(failuresOf('test-chat-user', {})[0]).toMatch(/^malformed answer: expected exactly one of token, valid, unsupported, error/);
  });
});
