// The seam between the core and the runtime. The core (packing, parsing,
// checks, errors) works on Uint8Array only and asks a Platform for the few
// primitives a runtime provides. The root entry installs the synchronous Node
// platform (./node.ts); the web entry runs each call with the asynchronous
// Web platform (./web.ts). Core code that needs a primitive takes the platform
// once, at the start of a public call, and chains results with `then`, so the
// same code runs synchronously on Node and as a promise on the Web platform.
import { AgoraTokenError } from '../../errors.js';

/** A value, or a promise of it where the platform is asynchronous. */
export type Maybe<T> = T | Promise<T>;

/** Why an inflate failed; the core turns it into the error every entry reports. */
export type InflateFailure = 'corrupt' | 'trailing-bytes' | 'too-large';

/** The outcome of {@link Platform.inflate}. */
export type InflateResult = { readonly bytes: Uint8Array } | { readonly failure: InflateFailure; readonly cause?: unknown };

/** The runtime primitives the core needs. */
export interface Platform {
  /** HMAC-SHA256 (RFC 2104) of `message` under `key`, of any length (an empty key included), as node:crypto computes it. */
  hmacSha256(key: Uint8Array, message: Uint8Array): Maybe<Uint8Array>;
  /** One zlib stream (RFC 1950) with zlib's default settings. */
  deflate(data: Uint8Array): Maybe<Uint8Array>;
  /**
   * Inflates `data`, which must be exactly one complete zlib stream, to at
   * most `maxBytes` bytes. Data errors are results, not throws; a missing
   * primitive throws `ERR_PLATFORM_UNSUPPORTED`.
   */
  inflate(data: Uint8Array, maxBytes: number): Maybe<InflateResult>;
  /** A uniformly distributed salt in 1..99999999 from a secure random source. */
  randomSalt(): number;
  /** CRC-32 (IEEE 802.3, as zlib computes it). */
  crc32(data: Uint8Array): number;
  /** MD5 (RFC 1321) as 32 lowercase hex digits. */
  md5Hex(data: Uint8Array): string;
  /** Equality in time that depends on the length only (false when lengths differ). */
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
  /** Standard padded base64 (RFC 4648 section 4). */
  base64Encode(data: Uint8Array): string;
  /**
   * The bytes of `text` when it is the canonical standard padded base64 of
   * them (non-empty, padded, no other characters, unused bits zero), else
   * undefined.
   */
  base64Decode(text: string): Uint8Array | undefined;
}

let installed: Platform | undefined;
let scoped: Platform | undefined;

/** Sets the platform of the calls no entry scopes (the root entry's Node platform). */
export function installPlatform(platform: Platform): void {
  installed = platform;
}

/** The platform of the current call. */
export function currentPlatform(): Platform {
  const platform = scoped ?? installed;
  if (platform === undefined) throw new Error('agora-token-builder: no platform installed (internal error)');
  return platform;
}

/**
 * Runs `fn` (synchronously) with `platform` as the current platform. Core
 * code reads the platform before its first asynchronous step, so the scope
 * needs to last only for the synchronous part of the call.
 */
export function runWithPlatform<T>(platform: Platform, fn: () => T): T {
  const previous = scoped;
  scoped = platform;
  try {
    return fn();
  } finally {
    scoped = previous;
  }
}

/** `f(value)`, after `value` settles when it is a promise. */
export function andThen<T, U>(value: Maybe<T>, f: (value: T) => Maybe<U>): Maybe<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}

/**
 * A core result as its synchronous public signature types it. With the root
 * entry's platform every {@link Maybe} is a plain value; the web entry, which
 * scopes an asynchronous platform, awaits what the call returns.
 */
export function settled<T>(value: Maybe<T>): T {
  return value as T;
}

/** The error for a primitive the runtime lacks. */
export function unsupported(primitive: string, purpose: string): AgoraTokenError {
  return new AgoraTokenError(
    'ERR_PLATFORM_UNSUPPORTED',
    `this runtime has no ${primitive}, which agora-token-builder needs for ${purpose}`,
  );
}
