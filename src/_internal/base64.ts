// Strict standard base64: the references skip stray characters and accept
// missing padding or the URL-safe alphabet; this decoder accepts none of that.
import { AgoraTokenError } from '../errors.js';

// Linear on any input: one character class, then at most two '=' (with the
// length a multiple of four, that is exactly the padded form).
const STRICT_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function decodeBase64Strict(text: string, what: string): Buffer {
  if (text.length === 0 || text.length % 4 !== 0 || !STRICT_BASE64.test(text)) {
    throw new AgoraTokenError(
      'ERR_TOKEN_MALFORMED',
      `token is malformed: ${what} is not standard padded base64`,
    );
  }
  return Buffer.from(text, 'base64');
}
