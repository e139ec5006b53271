// What the service needs from the runtime, in one small seam: HMAC-SHA256 for
// the session cookie, SHA-256 for the page's CSP, random bytes for a session
// secret made on the spot, and the token builders. The default is the Web
// platform (WebCrypto and the `web` entry's builders), looked up on first
// use so that creating a handler touches none of it. The Node adapter passes
// node:crypto and the root entry's synchronous builders instead, so that a
// renewal never waits for libuv's thread pool behind password hashes.
import { ChatTokenBuilder2, RtcTokenBuilder2 } from '../web.js';
import type { RtcRole } from '../builders/rtc.js';

/** A value, or a promise of it. */
export type Maybe<T> = T | Promise<T>;

/** The runtime primitives of the token service. */
export interface ServicePlatform {
  /** HMAC-SHA256 of `message` under `key`. */
  hmacSha256(key: Uint8Array, message: Uint8Array): Maybe<Uint8Array>;
  /** SHA-256 of `data`. */
  sha256(data: Uint8Array): Maybe<Uint8Array>;
  /** `length` bytes from a secure random source. */
  randomBytes(length: number): Uint8Array;
  /** A chat user token (`ChatTokenBuilder2.buildUserToken`). */
  buildChatUserToken(appId: string, appCertificate: string, chatUserUuid: string, expire: number, options: { allowLongExpire: boolean; issueTs: number }): Maybe<string>;
  /** An RTC token (`RtcTokenBuilder2.buildTokenWithUid`, privileges lasting as long as the token). */
  buildRtcToken(appId: string, appCertificate: string, channelName: string, uid: number, role: RtcRole, expire: number, options: { allowLongExpire: boolean; issueTs: number }): Maybe<string>;
}

interface Subtle {
  importKey(format: 'raw', keyData: Uint8Array, algorithm: { name: 'HMAC'; hash: 'SHA-256' }, extractable: false, usages: ['sign']): Promise<unknown>;
  sign(algorithm: 'HMAC', key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
  digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer>;
}

interface WebCrypto {
  readonly subtle: Subtle;
  getRandomValues<T extends ArrayBufferView>(array: T): T;
}

function webCrypto(): WebCrypto {
  const crypto = (globalThis as { crypto?: WebCrypto }).crypto;
  if (crypto?.subtle === undefined) throw new Error('the token service needs WebCrypto (globalThis.crypto.subtle)');
  return crypto;
}

/** Imported HMAC keys, by key bytes: importKey once per secret, not per request. */
const keys = new WeakMap<Uint8Array, Promise<unknown>>();

/** The default platform: WebCrypto and the `web` entry. */
export const webServicePlatform: ServicePlatform = {
  async hmacSha256(key, message) {
    const { subtle } = webCrypto();
    let cryptoKey = keys.get(key);
    if (cryptoKey === undefined) {
      cryptoKey = subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      keys.set(key, cryptoKey);
    }
    return new Uint8Array(await subtle.sign('HMAC', await cryptoKey, message));
  },
  async sha256(data) {
    return new Uint8Array(await webCrypto().subtle.digest('SHA-256', data));
  },
  randomBytes(length) {
    return webCrypto().getRandomValues(new Uint8Array(length));
  },
  buildChatUserToken(appId, appCertificate, chatUserUuid, expire, options) {
    return ChatTokenBuilder2.buildUserToken(appId, appCertificate, chatUserUuid, expire, options);
  },
  buildRtcToken(appId, appCertificate, channelName, uid, role, expire, options) {
    return RtcTokenBuilder2.buildTokenWithUid(appId, appCertificate, channelName, uid, role, expire, expire, options);
  },
};
