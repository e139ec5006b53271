// Sessions of the token server: a signed, stateless cookie that lets a
// logged-in browser renew its chat token without sending the password again.
//
// Cookie value: `v1.<payload>.<signature>`, both parts base64url.
//   payload   = JSON { a: userAccount, n: chatUserName, u: chatUserUuid,
//                      f: fingerprint, iat: issued (Unix s), exp: end (Unix s) }
//   signature = HMAC-SHA256(secret, "v1." + payload)
//   fingerprint = first 16 bytes of HMAC-SHA256(secret, "fingerprint\0" +
//                 userAccount + "\0" + credential stamp), base64url
// The credential stamp is derived from what the server stores for the user
// (the salt and hash of the users file's password hash): when the password
// changes or the user is removed, the fingerprint no longer matches and the
// session ends at once. Nothing is kept on the server, so every process
// holding the same secret accepts the others' sessions.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The cookie's name. */
export const SESSION_COOKIE = 'agora_session';
/** Default session lifetime: 12 hours, in seconds. */
export const DEFAULT_SESSION_LIFETIME = 12 * 60 * 60;
/** Shortest accepted session secret, in bytes of UTF-8. */
export const MIN_SECRET_BYTES = 32;

/**
 * What the server knows about a user when it checks a session: the chat
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
}

/** Why a session cookie was refused. */
export type SessionFailure = 'no_session' | 'session_invalid' | 'session_expired' | 'session_revoked';

const b64url = (bytes: Buffer): string => bytes.toString('base64url');

export class SessionKeys {
  readonly #key: Buffer;

  constructor(secret: string | Uint8Array) {
    this.#key = Buffer.from(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
  }

  /** A fresh random secret, for a server started without one. */
  static random(): SessionKeys {
    return new SessionKeys(randomBytes(32));
  }

  fingerprint(userAccount: string, credentialStamp: string): string {
    return b64url(createHmac('sha256', this.#key).update(`fingerprint\0${userAccount}\0${credentialStamp}`, 'utf8').digest().subarray(0, 16));
  }

  #sign(data: string): Buffer {
    return createHmac('sha256', this.#key).update(data, 'utf8').digest();
  }

  /** The cookie value of a new session. */
  issue(userAccount: string, user: SessionUser, now: number, lifetime: number): string {
    const payload = {
      a: userAccount,
      n: user.chatUserName,
      u: user.chatUserUuid,
      f: this.fingerprint(userAccount, user.credentialStamp),
      iat: now,
      exp: now + lifetime,
    };
    const data = `v1.${b64url(Buffer.from(JSON.stringify(payload), 'utf8'))}`;
    return `${data}.${b64url(this.#sign(data))}`;
  }

  /** Checks the signature, shape and end time of a cookie value. */
  open(value: string, now: number): Session | SessionFailure {
    const parts = value.split('.');
    if (parts.length !== 3 || parts[0] !== 'v1' || value.length > 4096) return 'session_invalid';
    const given = Buffer.from(parts[2]!, 'base64url');
    const expected = this.#sign(`${parts[0]}.${parts[1]}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'session_invalid';
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
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
    return { userAccount: a, chatUserName: n, chatUserUuid: u, fingerprint: f, issuedAt: iat as number, expiresAt: exp as number };
  }

  /** True when the session's fingerprint matches the user's current credential stamp (constant time). */
  matches(session: Session, user: SessionUser): boolean {
    const given = Buffer.from(session.fingerprint, 'utf8');
    const expected = Buffer.from(this.fingerprint(session.userAccount, user.credentialStamp), 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/** The value of one cookie from a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
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
