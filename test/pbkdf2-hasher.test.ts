// The portable PasswordHasher (PBKDF2-HMAC-SHA256 on WebCrypto), for stores
// on runtimes without scrypt. Its hashes are checked against node:crypto's
// own PBKDF2, not against itself.
import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AgoraTokenError, createPbkdf2Hasher } from '../src/handler.js';

describe('createPbkdf2Hasher', () => {
  it('hashes as $pbkdf2-sha256$i=N$salt$hash, the PBKDF2 of node:crypto, with a fresh salt each time', async () => {
    const hasher = createPbkdf2Hasher({ iterations: 1000 });
    const encoded = await hasher.hash('correct horse ✓');
    const match = /^\$pbkdf2-sha256\$i=1000\$([A-Za-z0-9_-]{22})\$([A-Za-z0-9_-]{43})$/.exec(encoded);
    expect(match).not.toBeNull();
    const salt = Buffer.from(match![1]!, 'base64url');
    const expected = pbkdf2Sync(Buffer.from('correct horse ✓', 'utf8'), salt, 1000, 32, 'sha256');
    expect(Buffer.from(match![2]!, 'base64url').equals(expected)).toBe(true);
    expect(await hasher.hash('correct horse ✓')).not.toBe(encoded);
  });

  it('verifies the right password only; an unknown user or an unreadable hash is no', async () => {
    const hasher = createPbkdf2Hasher({ iterations: 1000 });
    const encoded = await hasher.hash('pw-1');
    expect(await hasher.verify('pw-1', encoded)).toEqual({ valid: true });
    expect(await hasher.verify('pw-2', encoded)).toEqual({ valid: false });
    expect(await hasher.verify('pw-1', undefined)).toEqual({ valid: false });
    // One spelling: padding or a changed prefix is not read.
    expect(await hasher.verify('pw-1', `${encoded}=`)).toEqual({ valid: false });
    expect(await hasher.verify('pw-1', encoded.replace('sha256', 'sha1'))).toEqual({ valid: false });
    const aborted = AbortSignal.abort();
    expect(await hasher.verify('pw-1', encoded, aborted)).toEqual({ valid: false });
  });

  it('offers a rehash with the current iterations for a hash with others', async () => {
    const old = await createPbkdf2Hasher({ iterations: 1000 }).hash('pw');
    const current = createPbkdf2Hasher({ iterations: 2000 });
    const result = await current.verify('pw', old);
    expect(result.valid).toBe(true);
    expect(result.rehash).toMatch(/^\$pbkdf2-sha256\$i=2000\$/);
    expect(await current.verify('pw', result.rehash)).toEqual({ valid: true });
    expect((await current.verify('wrong', old)).rehash).toBeUndefined();
  });

  it('refuses iterations out of range', () => {
    for (const iterations of [999, 10_000_001, 1.5, Number.NaN]) {
      expect(() => createPbkdf2Hasher({ iterations })).toThrow(AgoraTokenError);
    }
    expect(() => createPbkdf2Hasher({ iterations: 0 })).toThrow(/iterations must be an integer from 1000/);
  });
});
