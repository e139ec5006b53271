import { accountToString, assertHexId, assertPackableString, assertU16, assertU32, checkOptions, U16_MAX, invalidArgument, u32OrDefault, unixNow } from '../_internal/assert.js';
import { ByteWriter, concatBytes, utf8 } from '../_internal/bytes.js';
import { currentPlatform, settled, andThen, type Maybe, type Platform } from '../_internal/platform/platform.js';

/** The version prefix of legacy AccessToken strings. */
export const VERSION_006 = '006';

/** The lifetime the references give a 006 token: its `ts` is the build time plus 24 hours. */
export const TOKEN_006_LIFETIME_SECONDS = 86_400;

/**
 * Privileges of a legacy 006 AccessToken. Their values are **absolute** Unix
 * times (seconds), unlike AccessToken2's seconds-from-issue.
 */
export const Privilege006 = {
  /** 1: join the channel. */
  joinChannel: 1,
  /** 2: publish an audio stream. */
  publishAudioStream: 2,
  /** 3: publish a video stream. */
  publishVideoStream: 3,
  /** 4: publish a data stream. */
  publishDataStream: 4,
  /** 1000: log in to Signalling (RTM). */
  rtmLogin: 1000,
} as const;

/** Fixes the values a 006 token would otherwise take from the clock and the random source. */
export interface AccessToken006Options {
  /** Salt, any u32. Default: a fresh secure random value in 1..99999999. */
  salt?: number;
  /** The token's own expiry, absolute Unix seconds. Default: now + 24 hours. */
  ts?: number;
}

/** CRC-32 (IEEE, as zlib computes it) of the UTF-8 bytes of a string. */
export function crc32Utf8(platform: Platform, text: string): number {
  return platform.crc32(utf8(text));
}

/** The signature of a 006 token: HMAC-SHA256 keyed with the certificate's ASCII over appId + channelName + uid + message. */
export function sign006(
  platform: Platform,
  appCertificate: string,
  appId: string,
  channelName: string,
  uid: string,
  message: Uint8Array,
): Maybe<Uint8Array> {
  return platform.hmacSha256(utf8(appCertificate), concatBytes(utf8(appId + channelName + uid), message));
}

/**
 * A legacy AccessToken ("006") under construction: add privileges, then build.
 * Prefer AccessToken2 ("007") for anything new; this format exists for
 * services and SDKs that still expect it.
 *
 * @example
 * ```ts
 * import { AccessToken, Privilege006 } from 'agora-token-builder';
 *
 * const inOneHour = Math.floor(Date.now() / 1000) + 3600;
 * const token = new AccessToken(appId, appCertificate, 'room-1', 42)
 *   .addPrivilege(Privilege006.joinChannel, inOneHour)
 *   .build();
 * ```
 */
export class AccessToken {
  /** The App ID, as given. */
  readonly appId: string;
  /** The channel name the signature covers (the token carries only its CRC-32). */
  readonly channelName: string;
  /** The uid as packed: a decimal string, "" for uid 0 or any user. */
  readonly uid: string;
  /** The salt of the signature. */
  readonly salt: number;
  /** The token's own expiry, absolute Unix seconds. */
  readonly ts: number;
  readonly #appCertificate: string;
  readonly #privileges = new Map<number, number>();

  /**
   * @param appId - 32 hexadecimal characters.
   * @param appCertificate - 32 hexadecimal characters; used as ASCII text.
   * @param channelName - the channel (for RTM tokens: the user account).
   * @param uid - a user id or account; the number 0 packs as "" (any user).
   * @param options - a fixed `salt` and `ts`, for reproducible tokens; any other key is an error.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` for any value out of range, and for
   *   `options` that is not an object (or `undefined`) or holds an unknown key.
   */
  constructor(appId: string, appCertificate: string, channelName: string, uid: string | number, options: AccessToken006Options = {}) {
    assertHexId(appId, 'appId');
    assertHexId(appCertificate, 'appCertificate');
    assertPackableString(channelName, 'channelName');
    const uidString = accountToString(uid, 'uid');
    const checked = checkOptions(options, 'options', ['salt', 'ts']);
    const salt = u32OrDefault(checked.salt, 'options.salt', () => currentPlatform().randomSalt());
    const ts = u32OrDefault(checked.ts, 'options.ts', () => unixNow() + TOKEN_006_LIFETIME_SECONDS);
    this.appId = appId;
    this.#appCertificate = appCertificate;
    this.channelName = channelName;
    this.uid = uidString;
    this.salt = salt;
    this.ts = ts;
  }

  /**
   * Grants a privilege until an absolute time (0: no limit of its own).
   * Adding the same privilege again replaces its time.
   *
   * @param privilege - a {@link Privilege006} value (any u16).
   * @param expireTimestamp - absolute Unix time in seconds, or 0.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` for values out of range.
   */
  addPrivilege(privilege: number, expireTimestamp: number): this {
    assertU16(privilege, 'privilege');
    assertU32(expireTimestamp, 'expireTimestamp');
    if (!this.#privileges.has(privilege) && this.#privileges.size === U16_MAX) {
      throw invalidArgument('privilege', `cannot be added: a token holds at most ${U16_MAX} privileges`);
    }
    this.#privileges.set(privilege, expireTimestamp);
    return this;
  }

  /** The privileges added so far: privilege to absolute expiry time. */
  get privileges(): Record<number, number> {
    return Object.fromEntries(this.#sortedPrivileges());
  }

  #sortedPrivileges(): Array<[number, number]> {
    return [...this.#privileges].sort((a, b) => a[0] - b[0]);
  }

  /** The signed message `m`: u32 salt + u32 ts + the privileges. */
  message(): Uint8Array {
    return this.#message().slice();
  }

  #message(): Uint8Array {
    return new ByteWriter().u32(this.salt).u32(this.ts).map32(this.#sortedPrivileges()).finish();
  }

  /** The token string: `"006"` + appId + base64(content). */
  build(): string {
    const platform = currentPlatform();
    const message = this.#message();
    const signature = sign006(platform, this.#appCertificate, this.appId, this.channelName, this.uid, message);
    return settled(
      andThen(signature, (signatureBytes) => {
        const content = new ByteWriter()
          .bytes(signatureBytes)
          .u32(crc32Utf8(platform, this.channelName))
          .u32(crc32Utf8(platform, this.uid))
          .bytes(message)
          .finish();
        return VERSION_006 + this.appId + platform.base64Encode(content);
      }),
    );
  }
}
