// HMAC-SHA256, salts and constant-time comparison, all from node:crypto.
import { nodeCrypto } from './builtins.js';

export function hmacSha256(key: Uint8Array | string, message: Uint8Array | string): Buffer {
  return nodeCrypto().createHmac('sha256', key).update(message).digest();
}

/** A fresh salt in 1..99999999 from a cryptographically secure source. */
export function randomSalt(): number {
  return nodeCrypto().randomInt(1, 100_000_000);
}

/** Constant-time equality of two byte strings (false when lengths differ). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && nodeCrypto().timingSafeEqual(a, b);
}

export function u32le(value: number): Buffer {
  const buffer = Buffer.allocUnsafe(4);
  buffer.writeUInt32LE(value, 0);
  return buffer;
}
