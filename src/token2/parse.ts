import { decodeBase64Strict } from '../_internal/base64.js';
import { ByteReader, toHex } from '../_internal/bytes.js';
import { andThen, type InflateResult, type Maybe, type Platform } from '../_internal/platform/platform.js';
import { AgoraTokenError } from '../errors.js';
import { isKnownServiceType, parseService, type Service } from './services.js';

/**
 * The most bytes a token may inflate to. The largest token the builders can
 * make is far smaller; the cap stops a zip bomb.
 */
export const MAX_CONTENT_BYTES = 1 << 20;

/** A decoded AccessToken2 ("007"). Decoding proves nothing: see {@link verifyToken}. */
export interface DecodedToken007 {
  /** The version prefix. */
  readonly version: '007';
  /** The App ID the token names. */
  readonly appId: string;
  /** Unix time of issue, in seconds. */
  readonly issueTs: number;
  /** Seconds after `issueTs` at which the token expires. */
  readonly expire: number;
  /** The salt of the signing key. */
  readonly salt: number;
  /** The services, in wire order, up to (not including) an unknown type. */
  readonly services: readonly Service[];
  /** The 32-byte HMAC-SHA256 signature, as lowercase hex. */
  readonly signatureHex: string;
  /**
   * Set where parsing stopped at a service type this library does not know:
   * the type number. Its length is not on the wire, so it and every service
   * after it are not in `services`; the signature still covers them.
   */
  readonly unknownServiceType?: number;
}

/** A parsed 007 token with the raw bytes its signature covers. */
export interface ParsedToken007 {
  readonly token: DecodedToken007;
  readonly signature: Uint8Array;
  readonly signingInfo: Uint8Array;
}

function malformed(message: string, cause?: unknown): AgoraTokenError {
  return new AgoraTokenError('ERR_TOKEN_MALFORMED', `token is malformed: ${message}`, { cause });
}

/** The content, or the error every entry reports for an inflate that failed. */
function inflated(result: InflateResult): Uint8Array {
  if ('bytes' in result) return result.bytes;
  switch (result.failure) {
    case 'too-large':
      throw new AgoraTokenError(
        'ERR_TOKEN_TOO_LARGE',
        `token is too large: its content inflates to more than ${MAX_CONTENT_BYTES} bytes`,
        { cause: result.cause },
      );
    case 'trailing-bytes':
      throw malformed('there are bytes after the end of the zlib stream');
    default:
      throw malformed('the body after "007" is not one complete zlib stream', result.cause);
  }
}

/** Parses the text after the "007" prefix. */
export function parseToken007Body(platform: Platform, body: string): Maybe<ParsedToken007> {
  const compressed = decodeBase64Strict(platform, body, 'the body after "007"');
  return andThen(platform.inflate(compressed, MAX_CONTENT_BYTES), (result) => parseContent(inflated(result)));
}

/** Parses inflated 007 content: bytes(signature), then the signing info. */
function parseContent(inflatedContent: Uint8Array): ParsedToken007 {
  // A plain Uint8Array view: slicing a Node Buffer goes through Buffer's own
  // subarray, which costs more, and the parser only reads.
  const content =
    Object.getPrototypeOf(inflatedContent) === Uint8Array.prototype
      ? inflatedContent
      : new Uint8Array(inflatedContent.buffer, inflatedContent.byteOffset, inflatedContent.byteLength);
  const reader = new ByteReader(content);
  const signature = reader.bytes('the signature');
  const signingStart = reader.position;
  const appId = reader.string('the app id');
  const issueTs = reader.u32('issueTs');
  const expire = reader.u32('expire');
  const salt = reader.u32('salt');
  const count = reader.u16('the service count');
  const services: Service[] = [];
  let unknownServiceType: number | undefined;
  for (let index = 0; index < count; index++) {
    const type = reader.u16(String(index), 'the type of service ');
    if (!isKnownServiceType(type)) {
      unknownServiceType = type;
      break;
    }
    services.push(parseService(reader, type, index));
  }
  if (unknownServiceType === undefined && reader.remaining !== 0) {
    throw malformed(`${reader.remaining} bytes follow the last service`);
  }
  const token: { -readonly [K in keyof DecodedToken007]: DecodedToken007[K] } = {
    version: '007',
    appId,
    issueTs,
    expire,
    salt,
    services,
    signatureHex: toHex(signature),
  };
  if (unknownServiceType !== undefined) token.unknownServiceType = unknownServiceType;
  return { token, signature, signingInfo: content.subarray(signingStart) };
}
