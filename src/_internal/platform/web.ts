// The web entry's platform: asynchronous, from the Web platform APIs alone
// (crypto.subtle, crypto.getRandomValues, CompressionStream and
// DecompressionStream), with CRC-32, MD5 and base64 in plain JavaScript.
// Each primitive is looked up when it is used, so a runtime without one fails
// with ERR_PLATFORM_UNSUPPORTED naming it, and only where it is needed.
import { base64DecodeCanonical, base64Encode } from '../base64.js';
import { crc32 } from '../crc32.js';
import { md5Hex } from '../md5.js';
import { unsupported, type InflateResult, type Platform } from './platform.js';

// The few members used, typed here so the core needs no DOM typings.
interface Subtle {
  importKey(
    format: 'raw',
    keyData: Uint8Array,
    algorithm: { name: 'HMAC'; hash: 'SHA-256' },
    extractable: false,
    usages: ['sign'],
  ): Promise<unknown>;
  sign(algorithm: 'HMAC', key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
}

interface WebCrypto {
  readonly subtle?: Subtle;
  getRandomValues?<T extends ArrayBufferView>(array: T): T;
}

function webCrypto(): WebCrypto | undefined {
  return (globalThis as { crypto?: WebCrypto }).crypto;
}

function subtle(): Subtle {
  const value = webCrypto()?.subtle;
  if (value === undefined || value === null) {
    throw unsupported('crypto.subtle (browsers offer it only to https and localhost pages)', 'HMAC-SHA256');
  }
  return value;
}

type StreamClass = new (format: 'deflate') => { readonly readable: ReadableStream<Uint8Array>; readonly writable: WritableStream<Uint8Array> };

function streamClass(name: 'CompressionStream' | 'DecompressionStream', purpose: string): StreamClass {
  const value = (globalThis as Record<string, unknown>)[name];
  if (typeof value !== 'function') throw unsupported(name, purpose);
  return value as StreamClass;
}

/** HMAC pads a key shorter than its 64-byte block with zeros, so an empty key is the key of one zero byte. */
const EMPTY_KEY_EQUIVALENT = new Uint8Array(1);

async function hmacSha256(key: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  const api = subtle();
  // WebCrypto refuses a zero-length HMAC key (a DOMException), where HMAC
  // itself and node:crypto accept it: give it the key that HMAC makes the same.
  const raw = key.length === 0 ? EMPTY_KEY_EQUIVALENT : key;
  const cryptoKey = await api.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await api.sign('HMAC', cryptoKey, message));
}

/** Runs `data` through a (de)compression stream; stops reading past `maxBytes`. */
async function transform(
  Stream: StreamClass,
  data: Uint8Array,
  maxBytes: number,
): Promise<{ bytes: Uint8Array } | { tooLarge: true } | { error: unknown }> {
  const stream = new Stream('deflate');
  const writer = stream.writable.getWriter();
  // Errors surface on the readable side; these promises must not go unhandled.
  writer.write(data).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        reader.cancel().catch(() => {});
        return { tooLarge: true };
      }
      chunks.push(value);
    }
  } catch (error) {
    return { error };
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { bytes };
}

async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const result = await transform(streamClass('CompressionStream', 'deflate'), data, Number.POSITIVE_INFINITY);
  if ('error' in result) throw result.error;
  return (result as { bytes: Uint8Array }).bytes;
}

/** Adler-32 (RFC 1950): the checksum that ends a zlib stream. */
function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return b * 65536 + a;
}

let truncationDetected: Promise<boolean> | undefined;

/**
 * Whether this runtime's DecompressionStream fails on a stream cut short:
 * Node, Bun, workerd and Chromium do; Deno (2.9) inflates a stream without
 * its last bytes, or its checksum, as if it were whole. Probed once, with
 * zlib's stream of no bytes less its last byte.
 */
function detectsTruncation(Stream: StreamClass): Promise<boolean> {
  return (truncationDetected ??= transform(Stream, new Uint8Array([120, 156, 3, 0, 0, 0, 0]), 16).then((r) => !('bytes' in r)));
}

async function inflate(data: Uint8Array, maxBytes: number): Promise<InflateResult> {
  const Stream = streamClass('DecompressionStream', 'inflate');
  const result = await transform(Stream, data, maxBytes);
  if ('tooLarge' in result) return { failure: 'too-large' };
  if ('error' in result) return { failure: 'corrupt', cause: result.error };
  // Runtimes differ on bytes after the end of the stream: some reject them,
  // some ignore them. Without its last byte, a stream that ends exactly at
  // the end of `data` is incomplete and fails; if it still inflates, `data`
  // had bytes after the stream. That holds only where the runtime notices an
  // incomplete stream; Deno does not, but rejects bytes after the stream.
  if (data.length > 0 && (await detectsTruncation(Stream))) {
    const shortened = await transform(Stream, data.subarray(0, data.length - 1), maxBytes);
    if ('bytes' in shortened) return { failure: 'trailing-bytes' };
  }
  // The stream must end in the Adler-32 of what it inflated to, checked here
  // because not every runtime checks it (or notices that it is missing).
  const end = data.byteOffset + data.length - 4;
  if (end < data.byteOffset || new DataView(data.buffer, end, 4).getUint32(0) !== adler32(result.bytes)) return { failure: 'corrupt' };
  return { bytes: result.bytes };
}

// The largest multiple of the range below 2^32: drawing under it and reducing
// modulo the range gives every salt the same probability.
const SALT_RANGE = 99_999_999;
const SALT_LIMIT = Math.floor(0x1_0000_0000 / SALT_RANGE) * SALT_RANGE;

function randomSalt(): number {
  const source = webCrypto();
  if (typeof source?.getRandomValues !== 'function') throw unsupported('crypto.getRandomValues', 'random salts');
  const draw = new Uint32Array(1);
  for (;;) {
    source.getRandomValues(draw);
    if (draw[0]! < SALT_LIMIT) return 1 + (draw[0]! % SALT_RANGE);
  }
}

function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/** The Web platform. */
export const webPlatform: Platform = {
  hmacSha256,
  deflate,
  inflate,
  randomSalt,
  crc32,
  md5Hex,
  timingSafeEqual,
  base64Encode,
  base64Decode: base64DecodeCanonical,
};
