// What every route shares: the resolved configuration, one request in
// flight (`Call`), and the steps several routes take (read a login body,
// open the session cookie, build and answer a token capped at the session's end).
import type { Accounts } from './accounts.js';
import { isStoreUnavailable, MAX_NAME_LENGTH, MAX_PASSWORD_LENGTH, storeUnavailable } from './accounts.js';
import { corsHeaders, HttpError, readJson, sendJson, type BodySource, type ServiceRequest, type Reply } from './http.js';
import type { LoginGate } from './login-gate.js';
import type { ChannelUser, RtcRoleName } from './options.js';
import type { ServicePlatform } from './platform.js';
import type { RenewalLimiter } from './rate-limit.js';
import { readCookie, SESSION_COOKIE, sessionCookie, type Session, type SessionFailure, type SessionKeys } from './session.js';

/** The handler's options, checked and resolved. */
export interface ServiceConfig {
  readonly appId: string;
  readonly appCertificate: string;
  readonly expire: number;
  readonly allowLongExpire: boolean;
  readonly sessionLifetime: number;
  readonly allowedOrigin: string | undefined;
  readonly secureCookie: boolean;
  readonly trustProxy: boolean;
  readonly maxBodyBytes: number;
  readonly accounts: Accounts;
  readonly sessions: SessionKeys;
  readonly limiter: RenewalLimiter | undefined;
  readonly platform: ServicePlatform;
  readonly gate: LoginGate;
  readonly onError: (error: unknown) => void;
  readonly warn: (message: string) => void;
  readonly page: { readonly html: string; readonly csp: () => Promise<string> } | undefined;
  readonly assets: ((name: string) => string | undefined | Promise<string | undefined>) | undefined;
  readonly demo: boolean;
  readonly registration:
    | { readonly canRegister: (request: Request) => boolean | Promise<boolean>; readonly registerChatUser: (chatUserName: string) => Promise<{ chatUserUuid: string }> }
    | undefined;
  readonly authorizeChannel: ((user: ChannelUser, channelName: string, role: RtcRoleName) => boolean | Promise<boolean>) | undefined;
}

/** One request being answered. */
export interface Call {
  readonly request: ServiceRequest;
  /** The request as a Fetch `Request`, for hooks that take one (made on demand by the Node adapter). */
  readonly fetchRequest: () => Request;
  readonly config: ServiceConfig;
  /** How to read the body, where the adapter reads it. */
  readonly body: BodySource | undefined;
  /** The connection is TLS (the adapter knows; the Fetch handler reads the URL's scheme). */
  readonly tls: boolean;
}

/** Unix seconds now. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The CORS headers of this call. */
export function cors(call: Call): Record<string, string> {
  return corsHeaders(call.request, call.config.allowedOrigin);
}

/** Whether the browser reached the service over HTTPS, as far as the service may tell. */
export function isSecure(call: Call): boolean {
  if (call.config.secureCookie || call.tls) return true;
  if (!call.config.trustProxy) return false;
  const first = call.request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

/** The Set-Cookie header that ends the session cookie. */
export function clearCookie(call: Call): Record<string, string> {
  return { 'set-cookie': sessionCookie('', 0, isSecure(call)) };
}

/** The body of `POST /token` and `POST /register`. */
export async function readCredentials(call: Call): Promise<{ userAccount: string; userPassword: string }> {
  const body = await readJson(call.request, call.config.maxBodyBytes, call.body);
  const { userAccount, userPassword } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const ok = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;
  if (!ok(userAccount, MAX_NAME_LENGTH) || !ok(userPassword, MAX_PASSWORD_LENGTH)) {
    throw new HttpError(
      400,
      'invalid_request',
      `the body must be a JSON object with "userAccount" (1-${MAX_NAME_LENGTH} characters) and "userPassword" (1-${MAX_PASSWORD_LENGTH} characters)`,
    );
  }
  return { userAccount, userPassword };
}

/** Calls the user store (or findUser): "unavailable" is a 503, anything else a 500 with no detail. */
export async function askStore<T>(call: Call, ask: () => Promise<T>, what: string): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    if (isStoreUnavailable(error)) throw storeUnavailable();
    call.config.onError(error);
    throw new HttpError(500, 'internal_error', `the server could not ${what}`);
  }
}

/** Seconds a token built now may last: `expire`, but never past `sessionEnd`. */
export function cappedExpire(config: ServiceConfig, sessionEnd: number, now: number): number {
  return Math.min(config.expire, sessionEnd - now);
}

/**
 * Answers the body of `POST /token`, `/token/renew` and `/register`: the
 * seed's `accessToken` and `chatUserName`, plus `chatUserUuid`,
 * `expireTimestamp` (Unix seconds) and `expiresIn` (seconds from now, so
 * that a client needs no clock in common with the server). The token ends
 * no later than the session.
 */
export async function answerToken(
  call: Call,
  user: { chatUserName: string; chatUserUuid: string },
  sessionEnd: number,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const { config } = call;
  const issueTs = nowSeconds();
  const expire = cappedExpire(config, sessionEnd, issueTs);
  let accessToken: string;
  try {
    accessToken = await config.platform.buildChatUserToken(config.appId, config.appCertificate, user.chatUserUuid, expire, {
      allowLongExpire: config.allowLongExpire,
      issueTs,
    });
  } catch (error) {
    config.onError(error);
    throw new HttpError(500, 'internal_error', 'the server could not build a token for this user');
  }
  return sendJson(
    200,
    { accessToken, chatUserName: user.chatUserName, chatUserUuid: user.chatUserUuid, expireTimestamp: issueTs + expire, expiresIn: expire },
    { ...cors(call), ...headers },
  );
}

/** Starts a session: its cookie, stamped with the credential version of the record the login was checked against. */
export async function startSession(call: Call, userAccount: string, user: { chatUserName: string; chatUserUuid: string; credentialStamp: string }): Promise<{ cookie: Record<string, string>; end: number }> {
  const { config } = call;
  const now = nowSeconds();
  const value = await config.sessions.issue(userAccount, user, now, config.sessionLifetime);
  return { cookie: { 'set-cookie': sessionCookie(value, config.sessionLifetime, isSecure(call)) }, end: now + config.sessionLifetime };
}

export const SESSION_MESSAGES: Record<SessionFailure, string> = {
  no_session: 'no session: log in with POST /token first',
  session_invalid: 'the session cookie is not valid: log in again',
  session_expired: 'the session has ended: log in again',
  session_revoked: 'the user was removed or the password changed since the login: log in again',
};

/** The session of the cookie, or why there is none; `cookieSent` tells whether a cookie was there to clear. */
export async function openSession(call: Call): Promise<{ session: Session } | { failure: SessionFailure; cookieSent: boolean }> {
  const value = readCookie(call.request.headers.get('cookie'), SESSION_COOKIE);
  if (value === undefined || value === '') return { failure: 'no_session', cookieSent: false };
  const session = await call.config.sessions.open(value, nowSeconds());
  return typeof session === 'string' ? { failure: session, cookieSent: true } : { session };
}

/**
 * The current user of a session: one lookup by account where the service
 * can look users up (null when removed or the password changed), else the
 * names of the login.
 */
export async function currentUser(call: Call, session: Session): Promise<{ chatUserName: string; chatUserUuid: string; agoraUid?: number } | null> {
  const lookUp = call.config.accounts.lookUp;
  if (lookUp === undefined) return { chatUserName: session.chatUserName, chatUserUuid: session.chatUserUuid };
  const found = await askStore(call, () => lookUp(session.userAccount), 'look the user up');
  if (found === null || !(await call.config.sessions.matches(session, found.credentialStamp))) return null;
  return found;
}

/** The 401 of a refused session; the cookie is cleared when one was sent. */
export function sessionError(call: Call, failure: SessionFailure): HttpError {
  return new HttpError(401, failure, SESSION_MESSAGES[failure], failure === 'no_session' ? {} : clearCookie(call));
}
