// A PasswordHasher on WebCrypto alone (PBKDF2-HMAC-SHA256), for stores on
// runtimes without scrypt: Cloudflare Workers, Deno Deploy, Vercel Edge.
// Encoded as `$pbkdf2-sha256$i=<iterations>$<salt>$<hash>` (base64url, no
// padding). Nothing runs until the first hash or check.
import { invalidArgument } from '../_internal/assert.js';
import type { PasswordHasher } from './user-store.js';
import { base64url, base64urlDecode } from './session.js';

/** Default iterations: workerd's maximum for PBKDF2 (100,000). */
const DEFAULT_ITERATIONS = 100_000;
const MIN_ITERATIONS = 1000;
const MAX_ITERATIONS = 10_000_000;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const ENCODED = /^\$pbkdf2-sha256\$i=([1-9]\d{0,7})\$([A-Za-z0-9_-]{22})\$([A-Za-z0-9_-]{43})$/;

interface Pbkdf2Subtle {
  importKey(format: 'raw', keyData: Uint8Array, algorithm: 'PBKDF2', extractable: false, usages: ['deriveBits']): Promise<unknown>;
  deriveBits(algorithm: { name: 'PBKDF2'; hash: 'SHA-256'; salt: Uint8Array; iterations: number }, key: unknown, length: number): Promise<ArrayBuffer>;
}

function subtle(): Pbkdf2Subtle {
  return (globalThis as unknown as { crypto: { subtle: Pbkdf2Subtle } }).crypto.subtle;
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await subtle().importKey('raw', new TextEncoder().encode(password.normalize('NFC')), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await subtle().deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, HASH_BYTES * 8));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Options of {@link createPbkdf2Hasher}.
 *
 * @example
 * ```ts
 * const options: Pbkdf2HasherOptions = { iterations: 100_000 };
 * ```
 */
export interface Pbkdf2HasherOptions {
  /**
   * PBKDF2 iterations of new hashes, 1,000 to 10,000,000. Default 100,000,
   * the most workerd (Cloudflare Workers) allows. A stored hash with other
   * iterations is checked with its own, then rehashed with these.
   */
  iterations?: number;
}

/**
 * A {@link PasswordHasher} with PBKDF2-HMAC-SHA256 on WebCrypto, for a user
 * store on a runtime without scrypt. Hashes are
 * `$pbkdf2-sha256$i=…$salt$hash`. An unknown user (no hash) costs one
 * derivation with the current iterations, like a wrong password.
 *
 * @param options - the iterations of new hashes.
 * @throws `AgoraTokenError` `ERR_INVALID_ARGUMENT` when `iterations` is out of range.
 *
 * @example
 * ```ts
 * const passwordHasher = createPbkdf2Hasher();
 * const passwordHash = await passwordHasher.hash('correct horse battery staple');
 * ```
 */
export function createPbkdf2Hasher(options: Pbkdf2HasherOptions = {}): PasswordHasher {
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw invalidArgument('iterations', `must be an integer from ${MIN_ITERATIONS} to ${MAX_ITERATIONS} (got ${String(iterations)})`);
  }
  const hash = async (password: string): Promise<string> => {
    const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
    return `$pbkdf2-sha256$i=${iterations}$${base64url(salt)}$${base64url(await derive(password, salt, iterations))}`;
  };
  return {
    hash,
    async verify(password, passwordHash, signal) {
      if (signal?.aborted) return { valid: false };
      const match = passwordHash === undefined ? null : ENCODED.exec(passwordHash);
      const stored = match === null ? undefined : { iterations: Number(match[1]), salt: base64urlDecode(match[2]!), hash: base64urlDecode(match[3]!) };
      if (stored === undefined || stored.salt === undefined || stored.hash === undefined || stored.iterations < MIN_ITERATIONS || stored.iterations > MAX_ITERATIONS) {
        // No user, or a hash this hasher cannot read: the same cost, and no.
        await derive(password, new Uint8Array(SALT_BYTES), iterations);
        return { valid: false };
      }
      const valid = equalBytes(await derive(password, stored.salt, stored.iterations), stored.hash);
      if (!valid || stored.iterations === iterations) return { valid };
      return { valid, rehash: await hash(password) };
    },
  };
}
