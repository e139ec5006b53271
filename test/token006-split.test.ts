// A 006 token signs appId + channelName + uid joined together and carries only
// their CRC-32s (SPEC section 3), so it verifies for any other split of the
// same joined string once its CRCs are rewritten (issue 9, defect 7). The
// format cannot prevent this; the README and SECURITY.md say so. This test
// shows the documented behaviour, rewriting the CRCs itself from the layout.
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AccessToken, Privilege006, verifyToken } from '../src/index.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const CERT = '5CFd2fd1755d40ecb72977518be15d3b';
const TS = 2_000_000_000;

/**
 * Rewrites the two CRC-32s of a 006 token. Layout: "006" + appId (32 chars) +
 * base64(content); content = u16 length (32) + signature + u32 crc(channel) +
 * u32 crc(uid) + bytes(m), little-endian.
 */
function withCrcs(token: string, channelName: string, uid: string): string {
  const content = Buffer.from(token.slice(3 + 32), 'base64');
  expect(content.readUInt16LE(0)).toBe(32);
  content.writeUInt32LE(crc32(Buffer.from(channelName, 'utf8')), 2 + 32);
  content.writeUInt32LE(crc32(Buffer.from(uid, 'utf8')), 2 + 32 + 4);
  return token.slice(0, 3 + 32) + content.toString('base64');
}

describe('006: another split of the same channel and uid', () => {
  const token = new AccessToken(APP_ID, CERT, 'room12', 3, { salt: 1, ts: TS }).addPrivilege(Privilege006.joinChannel, 0).build();
  const at = { now: TS - 60 };

  it('a token for (room12, 3) is valid for it, and bad-signature for (room1, 23) as it is', () => {
    expect(verifyToken(token, CERT, { ...at, channelName: 'room12', uid: 3 }).status).toBe('valid');
    expect(verifyToken(token, CERT, { ...at, channelName: 'room1', uid: 23 }).status).toBe('bad-signature');
  });

  it('with its unsigned CRCs rewritten, it verifies as valid for (room1, 23): "room1"+"23" = "room12"+"3"', () => {
    const split = withCrcs(token, 'room1', '23');
    expect(split).not.toBe(token);
    expect(verifyToken(split, CERT, { ...at, channelName: 'room1', uid: 23 }).status).toBe('valid');
    expect(verifyToken(split, CERT, { ...at, channelName: 'room', uid: 123 }).status).toBe('bad-signature');
  });

  it('moves to every split of "room123", the uid "" (any user) included, and to nothing else', () => {
    const joined = 'room123';
    for (let cut = 0; cut <= joined.length; cut += 1) {
      const [channelName, uid] = [joined.slice(0, cut), joined.slice(cut)];
      expect(verifyToken(withCrcs(token, channelName, uid), CERT, { ...at, channelName, uid }).status, `${channelName}|${uid}`).toBe('valid');
    }
    for (const [channelName, uid] of [['room1', '24'], ['room12', '4'], ['room', '12']] as const) {
      expect(verifyToken(withCrcs(token, channelName, uid), CERT, { ...at, channelName, uid }).status).toBe('bad-signature');
    }
  });

  it('with channel names that never end in a digit and numeric uids, only the signed split is well-formed', () => {
    // What SECURITY.md asks a 006 verifier to enforce: the joined string then splits one way only.
    const signed = new AccessToken(APP_ID, CERT, 'room-a', 123, { salt: 1, ts: TS }).addPrivilege(Privilege006.joinChannel, 0).build();
    const joined = 'room-a123';
    const accepted: string[] = [];
    for (let cut = 1; cut <= joined.length; cut += 1) {
      const [channelName, uid] = [joined.slice(0, cut), joined.slice(cut)];
      const verdict = verifyToken(withCrcs(signed, channelName, uid), CERT, { ...at, channelName, uid });
      const wellFormed = !/[0-9]$/.test(channelName) && /^(0|[1-9][0-9]*)?$/.test(uid);
      if (verdict.status === 'valid' && wellFormed) accepted.push(`${channelName}|${uid}`);
    }
    expect(accepted).toEqual(['room-a|123']);
  });
});
