// Sessions of the token service: a signed, stateless cookie that lets a
// signed-in browser renew its chat token without sending the password again.
//
// Cookie value: `v1.<payload>.<signature>`, both parts base64url, unpadded.
//   payload     = JSON { a: userAccount, n: chatUserName, u: chatUserUuid,
//                        f: fingerprint, iat: issued (Unix s), exp: end (Unix s) }
//   signature   = HMAC-SHA256(secret, "v1." + payload)
//   fingerprint = first 16 bytes of HMAC-SHA256(secret, "fingerprint\0" +
//                 userAccount + "\0" + credential version), base64url
// The credential version comes from the user store and changes when the
// password changes or the user is removed: the fingerprint then no longer
// matches and the session ends at its next renewal. Nothing is kept on the
// server, so every process holding the same secret accepts the others'
// sessions. The signature has exactly one accepted spelling: the 43
// characters this code writes.
import type { ServicePlatform } from './platform.js';

/** The cookie's name. */
export const SESSION_COOKIE = 'agora_session';
/** Default session lifetime: 12 hours, in seconds. */
export const DEFAULT_SESSION_LIFETIME = 12 * 60 * 60;
/** Shortest accepted session secret, in bytes of UTF-8. */
export const MIN_SECRET_BYTES = 32;
/** Longest cookie value accepted. */
const MAX_COOKIE_LENGTH = 4096;

/**
 * What the service knows about a user when it checks a session: the chat
 * names to answer, and a stamp that changes whenever the user's password does.
 *
 * @example
 * ```ts
 * const found: SessionUser = { chatUserName: 'alice', chatUserUuid: '0ffe2c10-…', credentialStamp: row.passwordHash };
 * ```
 */
export interface SessionUser {
  /** The username the client logs in to Agora Chat with (answered as `chatUserName`). */
  readonly chatUserName: string;
  /** The user's UUID in Agora Chat; the token is built for it. */
  readonly chatUserUuid: string;
  /**
   * A value that changes when the user's password (or anything that should
   * end their sessions) changes, e.g. the stored password hash. It never
   * leaves the server: the cookie holds an HMAC of it.
   */
  readonly credentialStamp: string;
}

/** A checked session. */
export interface Session {
  readonly userAccount: string;
  readonly chatUserName: string;
  readonly chatUserUuid: string;
  readonly fingerprint: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** The signature part of the cookie: one per session, a key for per-session limits. */
  readonly id: string;
}

/** Why a session cookie was refused. */
export type SessionFailure = 'no_session' | 'session_invalid' | 'session_expired' | 'session_revoked';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < B64URL.length; i++) B64URL_VALUES[B64URL.charCodeAt(i)] = i;

/** Unpadded base64url. */
export function base64url(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) text += B64URL[(n >>> (18 - 6 * c)) & 63]!;
  }
  return text;
}

/** The bytes of canonical unpadded base64url (unused bits zero), else undefined. */
export function base64urlDecode(text: string): Uint8Array | undefined {
  if (text.length % 4 === 1) return undefined;
  const bytes = new Uint8Array(Math.floor((text.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let out = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? B64URL_VALUES[code]! : -1;
    if (value < 0) return undefined;
    acc = ((acc << 6) | value) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[out++] = (acc >>> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return undefined;
  return bytes;
}

const utf8 = new TextEncoder();

/** Equality of two strings in time that depends on their length only. */
function equalStrings(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Why a session secret is weak, or undefined: fewer than 8 distinct bytes, or
 * one short pattern repeated (`abcabcabc…`). Such a secret falls to a few
 * offline guesses from one captured cookie.
 */
export function weakSecretReason(secret: string): string | undefined {
  const bytes = utf8.encode(secret);
  const distinct = new Set(bytes).size;
  if (distinct < 8) return `it has only ${distinct} distinct byte${distinct === 1 ? '' : 's'}`;
  for (let period = 1; period <= bytes.length / 2; period++) {
    let repeats = true;
    for (let i = period; i < bytes.length && repeats; i++) repeats = bytes[i] === bytes[i - period];
    if (repeats) return `it repeats a pattern of ${period} bytes`;
  }
  return undefined;
}

/** Signs and checks session cookies with one secret. */
export class SessionKeys {
  #key: Uint8Array | undefined;
  readonly #makeKey: () => Uint8Array;
  readonly #platform: ServicePlatform;

  /** `secret` undefined: a random one, drawn at first use (never at creation). */
  constructor(secret: string | undefined, platform: ServicePlatform) {
    this.#platform = platform;
    this.#makeKey = secret === undefined ? () => platform.randomBytes(32) : () => utf8.encode(secret);
  }

  get #bytes(): Uint8Array {
    return (this.#key ??= this.#makeKey());
  }

  async #sign(data: string): Promise<string> {
    return base64url(await this.#platform.hmacSha256(this.#bytes, utf8.encode(data)));
  }

  /** The fingerprint of a user's credential version. */
  async fingerprint(userAccount: string, credentialStamp: string): Promise<string> {
    const mac = await this.#platform.hmacSha256(this.#bytes, utf8.encode(`fingerprint\0${userAccount}\0${credentialStamp}`));
    return base64url(mac.subarray(0, 16));
  }

  /** The cookie value of a new session. */
  async issue(userAccount: string, user: SessionUser, now: number, lifetime: number): Promise<string> {
    const payload = {
      a: userAccount,
      n: user.chatUserName,
      u: user.chatUserUuid,
      f: await this.fingerprint(userAccount, user.credentialStamp),
      iat: now,
      exp: now + lifetime,
    };
    const data = `v1.${base64url(utf8.encode(JSON.stringify(payload)))}`;
    return `${data}.${await this.#sign(data)}`;
  }

  /** Checks the signature (one spelling), shape and end time of a cookie value. */
  async open(value: string, now: number): Promise<Session | SessionFailure> {
    if (value.length > MAX_COOKIE_LENGTH) return 'session_invalid';
    const parts = value.split('.');
    if (parts.length !== 3 || parts[0] !== 'v1') return 'session_invalid';
    const expected = await this.#sign(`v1.${parts[1]}`);
    if (!equalStrings(parts[2]!, expected)) return 'session_invalid';
    const bytes = base64urlDecode(parts[1]!);
    let payload: Record<string, unknown> | null;
    try {
      payload = bytes === undefined ? null : (JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Record<string, unknown>);
    } catch {
      return 'session_invalid';
    }
    const { a, n, u, f, iat, exp } = payload ?? {};
    if (
      typeof a !== 'string' || typeof n !== 'string' || typeof u !== 'string' || typeof f !== 'string' ||
      !Number.isSafeInteger(iat) || !Number.isSafeInteger(exp)
    ) {
      return 'session_invalid';
    }
    if (now >= (exp as number)) return 'session_expired';
    return { userAccount: a, chatUserName: n, chatUserUuid: u, fingerprint: f, issuedAt: iat as number, expiresAt: exp as number, id: parts[2]! };
  }

  /** True when the session's fingerprint matches the user's current credential stamp (constant time). */
  async matches(session: Session, credentialStamp: string): Promise<boolean> {
    return equalStrings(session.fingerprint, await this.fingerprint(session.userAccount, credentialStamp));
  }
}

/** The value of one cookie from a Cookie header, or undefined. */
export function readCookie(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** A Set-Cookie header value. `maxAge` 0 ends the cookie. */
export function sessionCookie(value: string, maxAge: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
