import { decodeBase64Strict } from '../_internal/base64.js';
import { ByteReader, toHex } from '../_internal/bytes.js';
import { andThen, type Maybe, type Platform } from '../_internal/platform/platform.js';
import { AgoraTokenError } from '../errors.js';
import { crc32Utf8, sign006 } from './access-token.js';

/**
 * A decoded legacy AccessToken ("006"). Field names follow the vectors
 * schema. The token names its channel and uid only by CRC-32, so verifying
 * it needs them from elsewhere. Decoding proves nothing: see {@link verifyToken}.
 */
export interface DecodedToken006 {
  /** The version prefix. */
  readonly version: '006';
  /** The App ID the token names (the 32 characters after "006"). */
  readonly appId: string;
  /** The 32-byte HMAC-SHA256 signature, as lowercase hex. */
  readonly signatureHex: string;
  /** CRC-32 of the UTF-8 channel name. */
  readonly crcChannelName: number;
  /** CRC-32 of the UTF-8 uid string ("" for uid 0). */
  readonly crcUid: number;
  /** The salt of the signature. */
  readonly salt: number;
  /** The token's own expiry, **absolute** Unix seconds. */
  readonly ts: number;
  /** Privilege to **absolute** Unix expiry time (0: no limit of its own). */
  readonly privileges: Readonly<Record<number, number>>;
}

/** A parsed 006 token with the raw bytes its signature covers. */
export interface ParsedToken006 {
  readonly token: DecodedToken006;
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
}

const APP_ID_LENGTH = 32;
const HEX32 = /^[0-9a-fA-F]{32}$/;

function malformed(message: string): AgoraTokenError {
  return new AgoraTokenError('ERR_TOKEN_MALFORMED', `token is malformed: ${message}`);
}

/** Parses the text after the "006" prefix: 32 App ID characters, then base64 content. */
export function parseToken006Body(platform: Platform, body: string): ParsedToken006 {
  const appId = body.slice(0, APP_ID_LENGTH);
  if (!HEX32.test(appId)) {
    throw malformed('a 006 token must continue with a 32-character hexadecimal App ID');
  }
  const reader = new ByteReader(decodeBase64Strict(platform, body.slice(APP_ID_LENGTH), 'the body after the App ID'));
  const signature = reader.bytes('the signature');
  const crcChannelName = reader.u32('crcChannelName');
  const crcUid = reader.u32('crcUid');
  const message = reader.bytes('the message');
  if (reader.remaining !== 0) throw malformed(`${reader.remaining} bytes follow the message`);

  const messageReader = new ByteReader(message);
  const salt = messageReader.u32('salt');
  const ts = messageReader.u32('ts');
  const privileges = messageReader.map32('the privileges');
  if (messageReader.remaining !== 0) throw malformed(`${messageReader.remaining} bytes follow the privileges in the message`);

  const token: DecodedToken006 = {
    version: '006',
    appId,
    signatureHex: toHex(signature),
    crcChannelName,
    crcUid,
    salt,
    ts,
    privileges,
  };
  return { token, signature, message };
}

/**
 * True when the token was signed with `appCertificate` for exactly this
 * channel and uid. The CRCs are not covered by the signature, so they are
 * compared too: a token whose CRCs name another channel or uid was altered.
 */
export function verifyToken006Signature(
  platform: Platform,
  parsed: ParsedToken006,
  appCertificate: string,
  channelName: string,
  uid: string,
): Maybe<boolean> {
  const { token } = parsed;
  return andThen(sign006(platform, appCertificate, token.appId, channelName, uid, parsed.message), (expected) => {
    const signatureMatches = platform.timingSafeEqual(parsed.signature, expected);
    return signatureMatches && token.crcChannelName === crc32Utf8(platform, channelName) && token.crcUid === crc32Utf8(platform, uid);
  });
}
