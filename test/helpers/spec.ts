// SPEC section 1 written out directly with node:crypto and node:zlib, so tests
// can make expected values and hand-crafted tokens without the library.
import { createHmac } from 'node:crypto';
import { deflateSync } from 'node:zlib';

export function u16le(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16LE(value);
  return buffer;
}

export function i16le(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeInt16LE(value);
  return buffer;
}

export function u32le(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
}

/** `bytes(x)`: u16 length, then the UTF-8 bytes. */
export function packString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([u16le(bytes.length), bytes]);
}

/** `map32(m)`: u16 count, then u16 key + u32 value in ascending key order. */
export function packMap32(entries: ReadonlyArray<readonly [number, number]>): Buffer {
  const sorted = [...entries].sort((a, b) => a[0] - b[0]);
  return Buffer.concat([u16le(sorted.length), ...sorted.flatMap(([k, v]) => [u16le(k), u32le(v)])]);
}

function hmac(key: Buffer | string, message: Buffer | string): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

/** signature = HMAC(HMAC(u32 salt, HMAC(u32 issueTs, ascii(cert))), signingInfo). */
export function specSignature(appCertificate: string, issueTs: number, salt: number, signingInfo: Buffer): Buffer {
  const signingKey = hmac(u32le(salt), hmac(u32le(issueTs), Buffer.from(appCertificate, 'latin1')));
  return hmac(signingKey, signingInfo);
}

/** The header of signingInfo: bytes(appId) + u32 issueTs + u32 expire + u32 salt + u16 serviceCount. */
export function specHeader(appId: string, issueTs: number, expire: number, salt: number, serviceCount: number): Buffer {
  return Buffer.concat([packString(appId), u32le(issueTs), u32le(expire), u32le(salt), u16le(serviceCount)]);
}

/** A 007 token string for the given signing info, signed per SPEC (issueTs and salt are read from it). */
export function signAndWrap(appCertificate: string, signingInfo: Buffer): string {
  const appIdLength = signingInfo.readUInt16LE(0);
  const issueTs = signingInfo.readUInt32LE(2 + appIdLength);
  const salt = signingInfo.readUInt32LE(2 + appIdLength + 8);
  const content = Buffer.concat([packString(specSignature(appCertificate, issueTs, salt, signingInfo)), signingInfo]);
  return wrap007(content);
}

/** "007" + base64(zlib(content)), with no signing. */
export function wrap007(content: Buffer): string {
  return `007${deflateSync(content).toString('base64')}`;
}
