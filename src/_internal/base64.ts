// Strict standard base64: the references skip stray characters and accept
// missing padding or the URL-safe alphabet; this decoder accepts none of that,
// nor a last character with unused bits set, so one byte string has exactly
// one accepted spelling.
import { AgoraTokenError } from '../errors.js';

// Linear on any input: one character class, then at most two '=' (with the
// length a multiple of four, that is exactly the padded form).
const STRICT_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function malformed(what: string, problem: string): AgoraTokenError {
  return new AgoraTokenError('ERR_TOKEN_MALFORMED', `token is malformed: ${what} ${problem}`);
}

export function decodeBase64Strict(text: string, what: string): Buffer {
  if (text.length === 0 || text.length % 4 !== 0 || !STRICT_BASE64.test(text)) {
    throw malformed(what, 'is not standard padded base64');
  }
  // Before "==" the last character carries 2 bits of data, before "=" 4; the
  // rest of its 6 bits must be zero (RFC 4648, section 3.5).
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (padding > 0) {
    const last = ALPHABET.indexOf(text[text.length - padding - 1]!);
    const unusedBits = padding === 2 ? 0b1111 : 0b11;
    if ((last & unusedBits) !== 0) throw malformed(what, 'is not canonical base64 (unused bits are set)');
  }
  return Buffer.from(text, 'base64');
}
