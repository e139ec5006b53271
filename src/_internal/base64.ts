// Strict standard base64: the references skip stray characters and accept
// missing padding or the URL-safe alphabet; this decoder accepts none of that,
// nor a last character with unused bits set, so one byte string has exactly
// one accepted spelling. The codec here is plain JavaScript, for platforms
// without a native one; the Node platform checks with Buffer instead.
import { AgoraTokenError } from '../errors.js';
import type { Platform } from './platform/platform.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

function malformed(what: string, problem: string): AgoraTokenError {
  return new AgoraTokenError('ERR_TOKEN_MALFORMED', `token is malformed: ${what} ${problem}`);
}

/** The bytes of a token body, which must be canonical standard padded base64. */
export function decodeBase64Strict(platform: Platform, text: string, what: string): Uint8Array {
  const bytes = text.length === 0 ? undefined : platform.base64Decode(text);
  if (bytes !== undefined) return bytes;
  // Only on failure: which rule the text broke.
  if (text.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    throw malformed(what, 'is not canonical base64 (unused bits are set)');
  }
  throw malformed(what, 'is not standard padded base64');
}

/** Standard padded base64 of `data`. */
export function base64Encode(data: Uint8Array): string {
  let text = '';
  let i = 0;
  for (; i + 2 < data.length; i += 3) {
    const n = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
    text += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = data.length - i;
  if (rest === 1) {
    const n = data[i]! << 16;
    text += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (data[i]! << 16) | (data[i + 1]! << 8);
    text += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + '=';
  }
  return text;
}

function value(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? VALUES[code]! : -1;
}

/**
 * The bytes of `text` when it is canonical standard padded base64: a
 * non-empty multiple of four characters from the standard alphabet, at most
 * two '=' at the end, and the unused bits of the last character zero
 * (RFC 4648, section 3.5). Otherwise undefined.
 */
export function base64DecodeCanonical(text: string): Uint8Array | undefined {
  const length = text.length;
  if (length === 0 || length % 4 !== 0) return undefined;
  const padding = text.charCodeAt(length - 1) === 0x3d ? (text.charCodeAt(length - 2) === 0x3d ? 2 : 1) : 0;
  const out = new Uint8Array((length / 4) * 3 - padding);
  const full = length - (padding > 0 ? 4 : 0);
  let o = 0;
  for (let i = 0; i < full; i += 4) {
    const a = value(text, i);
    const b = value(text, i + 1);
    const c = value(text, i + 2);
    const d = value(text, i + 3);
    if ((a | b | c | d) < 0) return undefined;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (padding > 0) {
    const a = value(text, full);
    const b = value(text, full + 1);
    if ((a | b) < 0) return undefined;
    if (padding === 2) {
      if ((b & 0b1111) !== 0) return undefined;
      out[o] = (a << 2) | (b >>> 4);
    } else {
      const c = value(text, full + 2);
      if (c < 0 || (c & 0b11) !== 0) return undefined;
      out[o++] = (a << 2) | (b >>> 4);
      out[o] = ((b & 0b1111) << 4) | (c >>> 2);
    }
  }
  return out;
}
