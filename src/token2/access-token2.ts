import { assertHexId, assertU32, checkOptions, invalidArgument, U16_MAX, u32OrDefault, unixNow } from '../_internal/assert.js';
import { ByteWriter, u32le, utf8 } from '../_internal/bytes.js';
import { currentPlatform, settled, andThen, type Maybe, type Platform } from '../_internal/platform/platform.js';
import { checkService, packService, type CheckedService, type Service, type ServiceInit } from './services.js';

/** The version prefix of AccessToken2 strings. */
export const VERSION_007 = '007';

/** Fixes the values a token would otherwise take from the clock and the random source. */
export interface AccessToken2Options {
  /** Unix time of issue, in seconds. Default: now. */
  issueTs?: number;
  /** Salt, any u32. Default: a fresh secure random value in 1..99999999. */
  salt?: number;
}

// The inner signing key depends only on issueTs and the certificate, and
// issueTs changes once a second, so a server building many tokens reuses it.
// The cached key is a plain value, whichever platform computed it.
let innerKeyCache: { issueTs: number; appCertificate: string; key: Uint8Array } | undefined;

// The UTF-8 of the last certificate seen: a server signs and verifies with one.
// The bytes are only ever read.
let certificateCache: { appCertificate: string; bytes: Uint8Array } | undefined;

function certificateBytes(appCertificate: string): Uint8Array {
  const cached = certificateCache;
  if (cached !== undefined && cached.appCertificate === appCertificate) return cached.bytes;
  const bytes = utf8(appCertificate);
  certificateCache = { appCertificate, bytes };
  return bytes;
}

function innerKey(platform: Platform, issueTs: number, appCertificate: string): Maybe<Uint8Array> {
  const cached = innerKeyCache;
  if (cached !== undefined && cached.issueTs === issueTs && cached.appCertificate === appCertificate) {
    return cached.key;
  }
  return andThen(platform.hmacSha256(u32le(issueTs), certificateBytes(appCertificate)), (key) => {
    innerKeyCache = { issueTs, appCertificate, key };
    return key;
  });
}

/** HMAC-SHA256 of the signing info with the key derived from certificate, issueTs and salt. */
export function signToken2(
  platform: Platform,
  appCertificate: string,
  issueTs: number,
  salt: number,
  signingInfo: Uint8Array,
): Maybe<Uint8Array> {
  return andThen(innerKey(platform, issueTs, appCertificate), (inner) =>
    andThen(platform.hmacSha256(u32le(salt), inner), (signingKey) => platform.hmacSha256(signingKey, signingInfo)),
  );
}

/**
 * An AccessToken2 ("007") under construction: add services, then build.
 *
 * Services are packed sorted by type; services of the same type keep the
 * order they were added in. Every value is checked when it is given, so
 * `build` does not fail.
 *
 * @example
 * ```ts
 * import { AccessToken2, ServiceType, ChatPrivilege } from 'agora-token-builder';
 *
 * const token = new AccessToken2(appId, appCertificate, 3600)
 *   .addService({ type: ServiceType.Chat, userId: 'alice', privileges: { [ChatPrivilege.user]: 3600 } })
 *   .build();
 * ```
 */
export class AccessToken2 {
  /** The App ID, as given. */
  readonly appId: string;
  /** Unix time of issue, in seconds. */
  readonly issueTs: number;
  /** Seconds after `issueTs` at which the token expires. */
  readonly expire: number;
  /** The salt mixed into the signing key. */
  readonly salt: number;
  readonly #appCertificate: string;
  readonly #services: CheckedService[] = [];

  /**
   * @param appId - 32 hexadecimal characters.
   * @param appCertificate - 32 hexadecimal characters; used as ASCII text, never hex-decoded.
   * @param expire - seconds from `issueTs` until the token expires (0..2^32-1).
   * @param options - a fixed `issueTs` and `salt`, for reproducible tokens; any other key is an error.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` for any value out of range, and for
   *   `options` that is not an object (or `undefined`) or holds an unknown key.
   */
  constructor(appId: string, appCertificate: string, expire: number, options: AccessToken2Options = {}) {
    assertHexId(appId, 'appId');
    assertHexId(appCertificate, 'appCertificate');
    assertU32(expire, 'expire');
    const { issueTs, salt } = issueTsAndSalt(checkOptions(options, 'options', ['issueTs', 'salt']));
    this.appId = appId;
    this.#appCertificate = appCertificate;
    this.expire = expire;
    this.issueTs = issueTs;
    this.salt = salt;
  }

  /**
   * Adds a service. Its fields and privileges are checked now.
   *
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` naming the bad field,
   *   or when the token already holds 65,535 services.
   */
  addService(service: ServiceInit): this {
    if (this.#services.length === U16_MAX) {
      throw invalidArgument('service', `cannot be added: a token holds at most ${U16_MAX} services`);
    }
    this.#services.push(checkService(service, 'service'));
    return this;
  }

  /** The services added so far, in the order they will be packed. */
  get services(): Service[] {
    return this.#sorted().map((checked) => checked.service);
  }

  #sorted(): CheckedService[] {
    // Array.prototype.sort is stable, so equal types keep insertion order.
    return this.#services.slice().sort((a, b) => a.service.type - b.service.type);
  }

  /**
   * The uncompressed token content: `bytes(signature)` followed by the signing
   * info. This is what two implementations must agree on byte for byte; the
   * deflate step after it is not canonical.
   */
  content(): Uint8Array {
    const services = this.#services.length > 1 ? this.#sorted() : this.#services;
    // A copy: the packer's array may share its memory with other results.
    return settled(andThen(packToken2(currentPlatform(), this.#appCertificate, this, services), (content) => content.slice()));
  }

  /** The token string: `"007"` + base64(zlib(content)). */
  build(): string {
    const platform = currentPlatform();
    const services = this.#services.length > 1 ? this.#sorted() : this.#services;
    return settled(andThen(packToken2(platform, this.#appCertificate, this, services), (content) => deflateToken2(platform, content)));
  }
}

/** The given issueTs and salt, checked, or now and a fresh salt. */
function issueTsAndSalt(options: { readonly issueTs?: unknown; readonly salt?: unknown } | undefined): { issueTs: number; salt: number } {
  return {
    issueTs: u32OrDefault(options?.issueTs, 'options.issueTs', unixNow),
    salt: u32OrDefault(options?.salt, 'options.salt', () => currentPlatform().randomSalt()),
  };
}

/** The header fields of a token, all checked u32 values but the App ID. */
interface Token2Header {
  readonly appId: string;
  readonly issueTs: number;
  readonly expire: number;
  readonly salt: number;
}

/**
 * Packs and signs checked services, already in wire order. Internal: the
 * builders call it directly after checking their own arguments.
 */
export function packToken2(
  platform: Platform,
  appCertificate: string,
  header: Token2Header,
  services: readonly CheckedService[],
): Maybe<Uint8Array> {
  const writer = new ByteWriter();
  // Reserve room for bytes(signature) in front of the signing info.
  writer.u16(32).raw(EMPTY_SIGNATURE);
  writer.string(header.appId).u32(header.issueTs).u32(header.expire).u32(header.salt);
  writer.u16(services.length);
  for (const checked of services) packService(writer, checked);
  const content = writer.finish();
  return andThen(signToken2(platform, appCertificate, header.issueTs, header.salt, content.subarray(34)), (signature) => {
    content.set(signature, 2);
    return content;
  });
}

/** `"007"` + base64(zlib(content)), with zlib's default settings as every reference uses. */
export function deflateToken2(platform: Platform, content: Uint8Array): Maybe<string> {
  return andThen(platform.deflate(content), (compressed) => VERSION_007 + platform.base64Encode(compressed));
}

/**
 * Builds a token from services that passed their builder's checks: resolves
 * and checks issueTs and salt, packs the services sorted by type, signs.
 * Internal to the builders, which check appId, appCertificate and expire first.
 */
export function issueToken2(
  appId: string,
  appCertificate: string,
  expire: number,
  options: AccessToken2Options | undefined,
  services: CheckedService[],
): string {
  const { issueTs, salt } = issueTsAndSalt(options);
  if (services.length > 1) services.sort((a, b) => a.service.type - b.service.type);
  const platform = currentPlatform();
  const content = packToken2(platform, appCertificate, { appId, issueTs, expire, salt }, services);
  return settled(andThen(content, (bytes) => deflateToken2(platform, bytes)));
}

const EMPTY_SIGNATURE = new Uint8Array(32);
