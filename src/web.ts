/**
 * `agora-token-builder/web`: the same API as the root entry for runtimes with
 * the Web platform APIs and no Node built-ins (browsers, Cloudflare Workers
 * without `nodejs_compat`, Vercel and Next.js edge functions, Deno Deploy).
 *
 * Every method that builds, decodes or verifies returns a `Promise` of what
 * the root entry returns, because WebCrypto and the compression streams are
 * asynchronous; await each one. Everything else (names, arguments, options,
 * checks, error codes, decoded objects, verdicts) is the root entry's. A
 * runtime that lacks a primitive (`crypto.subtle` on a plain-http page,
 * `CompressionStream`, `DecompressionStream`, `crypto.getRandomValues`)
 * rejects with {@link AgoraTokenError} `ERR_PLATFORM_UNSUPPORTED` naming it.
 *
 * @example
 * ```ts
 * import { ChatTokenBuilder2, verifyToken } from 'agora-token-builder/web';
 *
 * const token = await ChatTokenBuilder2.buildUserToken(appId, appCertificate, chatUserUuid, 3600);
 * const result = await verifyToken(token, appCertificate);
 * ```
 *
 * @module agora-token-builder/web
 */
import { onWeb } from './_internal/platform/on-web.js';
import { runWithPlatform } from './_internal/platform/platform.js';
import { webPlatform } from './_internal/platform/web.js';
import * as decode from './decode.js';
import * as token006 from './token006/access-token.js';
import * as token2 from './token2/access-token2.js';
import type { Service, ServiceInit } from './token2/services.js';

export { AgoraTokenError, type AgoraTokenErrorCode, type AgoraTokenErrorOptions } from './errors.js';
export {
  ChatTokenBuilder2,
  RtcTokenBuilder2,
  RtmTokenBuilder2,
  FpaTokenBuilder,
  ApaasTokenBuilder,
  EducationTokenBuilder,
  ConvoAITokenBuilder,
  SttTokenBuilder,
  RtcTokenBuilder,
  RtmTokenBuilder,
} from './web-builders.js';
export {
  ServiceType,
  RtcPrivilege,
  RtmPrivilege,
  StreamingPrivilege,
  FpaPrivilege,
  ChatPrivilege,
  FCdnPrivilege,
  ApaasPrivilege,
  Rtm2Privilege,
  Rtm2ResourceType,
  Rtm2PermissionType,
  type ServiceTypeNumber,
  type Privileges,
  type Rtm2PermissionMap,
  type ServiceBase,
  type RtcService,
  type RtmService,
  type StreamingService,
  type FpaService,
  type ChatService,
  type FCdnService,
  type ApaasService,
  type Rtm2Service,
  type ConvoAIService,
  type SttService,
  type Service,
  type ServiceInit,
} from './token2/services.js';
export { MAX_CONTENT_BYTES, type DecodedToken007 } from './token2/parse.js';
export { MAX_TOKEN_LENGTH, type DecodedToken, type VerifyOptions, type VerifyResult, type VerifyStatus } from './decode.js';
export { type BuildOptions } from './builders/options.js';
export { RtcRole } from './builders/rtc.js';
export { Rtm2Permissions, type Rtm2PermissionsLike } from './builders/rtm.js';
export { RtcRole006, RtmRole006, type BuildOptions006 } from './builders/legacy.js';
export { Privilege006, type AccessToken006Options } from './token006/access-token.js';
export { type DecodedToken006 } from './token006/parse.js';
export { type AccessToken2Options } from './token2/access-token2.js';

/**
 * Reads a token without checking anything but its form: the root entry's
 * {@link decode.decodeToken}, as a promise. Decoding proves nothing; see
 * {@link verifyToken}.
 *
 * @param token - a token string, `"007…"` or `"006…"`.
 * @returns the token's fields; rejects with {@link AgoraTokenError} as the root entry throws.
 */
export function decodeToken(token: string): Promise<decode.DecodedToken> {
  return onWeb(() => decode.decodeToken(token));
}

/**
 * Checks a token's signature against an App Certificate, then its expiry:
 * the root entry's {@link decode.verifyToken}, as a promise.
 *
 * @param token - the token string, `"007…"` or `"006…"`.
 * @param appCertificate - the App Certificate the token should be signed with.
 * @param options - `now`; for 006 tokens, `channelName` and `uid`.
 * @returns the verdict: `valid`, `bad-signature`, `expired` or `malformed`.
 */
export function verifyToken(token: string, appCertificate: string, options?: decode.VerifyOptions): Promise<decode.VerifyResult> {
  return onWeb(() => decode.verifyToken(token, appCertificate, options));
}

/**
 * An AccessToken2 ("007") under construction, as the root entry's
 * {@link token2.AccessToken2}; `content()` and `build()` return promises.
 *
 * @example
 * ```ts
 * import { AccessToken2, ServiceType, ChatPrivilege } from 'agora-token-builder/web';
 *
 * const token = await new AccessToken2(appId, appCertificate, 3600)
 *   .addService({ type: ServiceType.Chat, userId: 'alice', privileges: { [ChatPrivilege.user]: 3600 } })
 *   .build();
 * ```
 */
export class AccessToken2 {
  readonly #token: token2.AccessToken2;

  /**
   * @param appId - 32 hexadecimal characters.
   * @param appCertificate - 32 hexadecimal characters; used as ASCII text, never hex-decoded.
   * @param expire - seconds from `issueTs` until the token expires (0..2^32-1).
   * @param options - a fixed `issueTs` and `salt`, for reproducible tokens.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` for any value out of range.
   */
  constructor(appId: string, appCertificate: string, expire: number, options: token2.AccessToken2Options = {}) {
    this.#token = runWithPlatform(webPlatform, () => new token2.AccessToken2(appId, appCertificate, expire, options));
  }

  /** The App ID, as given. */
  get appId(): string {
    return this.#token.appId;
  }

  /** Unix time of issue, in seconds. */
  get issueTs(): number {
    return this.#token.issueTs;
  }

  /** Seconds after `issueTs` at which the token expires. */
  get expire(): number {
    return this.#token.expire;
  }

  /** The salt mixed into the signing key. */
  get salt(): number {
    return this.#token.salt;
  }

  /**
   * Adds a service. Its fields and privileges are checked now.
   *
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` naming the bad field.
   */
  addService(service: ServiceInit): this {
    this.#token.addService(service);
    return this;
  }

  /** The services added so far, in the order they will be packed. */
  get services(): Service[] {
    return this.#token.services;
  }

  /** The uncompressed token content: `bytes(signature)` followed by the signing info. */
  content(): Promise<Uint8Array> {
    return onWeb(() => this.#token.content());
  }

  /** The token string: `"007"` + base64(zlib(content)). */
  build(): Promise<string> {
    return onWeb(() => this.#token.build());
  }
}

/**
 * A legacy AccessToken ("006") under construction, as the root entry's
 * {@link token006.AccessToken}; `build()` returns a promise.
 *
 * @example
 * ```ts
 * import { AccessToken, Privilege006 } from 'agora-token-builder/web';
 *
 * const inOneHour = Math.floor(Date.now() / 1000) + 3600;
 * const token = await new AccessToken(appId, appCertificate, 'room-1', 42)
 *   .addPrivilege(Privilege006.joinChannel, inOneHour)
 *   .build();
 * ```
 */
export class AccessToken {
  readonly #token: token006.AccessToken;

  /**
   * @param appId - 32 hexadecimal characters.
   * @param appCertificate - 32 hexadecimal characters.
   * @param channelName - the channel (for an RTM token, the user account).
   * @param uid - a u32 uid (0 packs as "") or a string account.
   * @param options - a fixed `salt` and `ts`, for reproducible tokens.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` for any value out of range.
   */
  constructor(appId: string, appCertificate: string, channelName: string, uid: string | number, options: token006.AccessToken006Options = {}) {
    this.#token = runWithPlatform(webPlatform, () => new token006.AccessToken(appId, appCertificate, channelName, uid, options));
  }

  /** The App ID, as given. */
  get appId(): string {
    return this.#token.appId;
  }

  /** The channel name the signature covers (the token carries only its CRC-32). */
  get channelName(): string {
    return this.#token.channelName;
  }

  /** The uid as packed: its decimal string, "" for 0. */
  get uid(): string {
    return this.#token.uid;
  }

  /** The salt of the signature. */
  get salt(): number {
    return this.#token.salt;
  }

  /** The token's own expiry, absolute Unix seconds. */
  get ts(): number {
    return this.#token.ts;
  }

  /**
   * Grants a privilege until an absolute time (0: no limit of its own).
   *
   * @param privilege - a {@link Privilege006} value (any u16).
   * @param expireTimestamp - absolute Unix time in seconds, or 0.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` for values out of range.
   */
  addPrivilege(privilege: number, expireTimestamp: number): this {
    this.#token.addPrivilege(privilege, expireTimestamp);
    return this;
  }

  /** The privileges added so far: privilege to absolute expiry time. */
  get privileges(): Record<number, number> {
    return this.#token.privileges;
  }

  /** The signed message `m`: u32 salt + u32 ts + the privileges. */
  message(): Uint8Array {
    return this.#token.message();
  }

  /** The token string: `"006"` + appId + base64(content). */
  build(): Promise<string> {
    return onWeb(() => this.#token.build());
  }
}
