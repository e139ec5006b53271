// decodeToken narrowed to AccessToken2: fails the test when a token decodes as another version.
import { decodeToken, type DecodedToken007 } from '../../src/index.js';

export function decode007(token: string): DecodedToken007 {
  const decoded = decodeToken(token);
  if (decoded.version !== '007') throw new Error(`expected a 007 token, decoded version ${String(decoded.version)}`);
  return decoded;
}
