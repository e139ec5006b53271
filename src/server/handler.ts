// The token server as one (req, res, next?) function over node:http's
// request and response, so that it runs alone or inside an existing app.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { TokenServerErrorCode } from '../error-codes.js';
import { availableParallelism } from 'node:os';
import { assertInteger, assertPlainObject, checkOptions, invalidArgument, optionalBoolean } from '../_internal/assert.js';
import { AgoraTokenError, ChatTokenBuilder2 } from '../index.js';
import { readAsset, ASSETS } from './assets.js';
import { LoginQueue, LoginRejected } from './login-queue.js';
import { PAGE_CSP, renderPage } from './page.js';
import {
  DEFAULT_SESSION_LIFETIME,
  MIN_SECRET_BYTES,
  readCookie,
  SESSION_COOKIE,
  sessionCookie,
  SessionKeys,
  type Session,
  type SessionFailure,
  type SessionUser,
} from './session.js';
import { createUsersAuthenticator, MAX_NAME_LENGTH, MAX_PASSWORD_LENGTH, normalizeAuthenticatedUser, readUsersFile, type Authenticate, type AuthenticatedUser, type ScryptParams } from './users.js';

export type { TokenServerErrorCode } from '../error-codes.js';

/**
 * Options of {@link createTokenHandler}.
 *
 * @example
 * ```ts
 * const options: TokenHandlerOptions = {
 *   expire: 3600,                          // seconds; at most 86,400
 *   usersFile: '/etc/agora/users.json',    // appId and appCertificate come from the environment
 *   allowedOrigin: 'https://app.example.com',
 * };
 * ```
 */
export interface TokenHandlerOptions {
  /** The App ID (32 hex characters). Default: the `AGORA_APP_ID` environment variable. */
  appId?: string;
  /** The App Certificate (32 hex characters). Default: the `AGORA_APP_CERTIFICATE` environment variable. */
  appCertificate?: string;
  /**
   * Seconds from issue until a token expires. Default 3600. At most 86,400
   * (24 hours, Agora's limit for chat user tokens) unless `allowLongExpire`.
   */
  expire?: number;
  /** Allow an `expire` over 86,400 seconds. Default false. */
  allowLongExpire?: boolean;
  /**
   * Checks a login. Default: {@link createUsersAuthenticator} over `usersFile`.
   * Any {@link Authenticate} fits; it is also given a third argument, an
   * `AbortSignal` that aborts when the client goes away, so that slow work can
   * stop early. A login whose client has gone before its turn is not checked.
   */
  authenticate?: (userAccount: string, userPassword: string, signal: AbortSignal) => ReturnType<Authenticate>;
  /** The users file of the default `authenticate`. Default: `AGORA_USERS_FILE`, else `agora-users.json` in the working directory. */
  usersFile?: string;
  /**
   * The scrypt parameters of the default `authenticate`: a stored hash with
   * other parameters is rehashed with these at the user's next login.
   * Default: `DEFAULT_SCRYPT_PARAMS`.
   */
  scrypt?: Partial<ScryptParams>;
  /**
   * The origin (`https://app.example.com`) allowed to call the server from a
   * browser on another origin, or `'*'`. Default: none (same origin only).
   */
  allowedOrigin?: string;
  /**
   * Demo mode: also serve `GET /chat/user/uuid/{uuid}/token`, which hands a
   * token for any user to anyone who asks. Default false. Never in production.
   */
  demo?: boolean;
  /** A line shown on the page, e.g. which demo user to log in as. */
  pageHint?: string;
  /** Serve the login page at `/`. Default true. */
  page?: boolean;
  /** The largest request body accepted, in bytes: 64 to 1,048,576. Default 4096. */
  maxBodyBytes?: number;
  /**
   * How many logins are checked (password hashes computed) at once: 1 to
   * 1024. Default: the number of CPUs (`os.availableParallelism()`). The
   * others wait for a turn, in order.
   */
  maxConcurrentLogins?: number;
  /**
   * How many logins may wait for a turn: 0 to 100,000. Default 64. Past that,
   * a login is answered `503 server_busy` with `Retry-After: 1` at once, so
   * that a burst cannot queue minutes of hashing.
   */
  maxQueuedLogins?: number;
  /** Called with every unexpected error (a 500). Default: nothing is logged. */
  onError?: (error: unknown) => void;
  /** Environment to read the defaults from. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * The secret that signs session cookies (HMAC-SHA256), at least 32 bytes.
   * Give every process behind one load balancer the same secret and they
   * accept each other's sessions. Default: the `AGORA_SESSION_SECRET`
   * environment variable; without either, a random one is made at start
   * (and `onWarning` says so): sessions then end when the server restarts.
   */
  sessionSecret?: string;
  /** Seconds a session lasts from the login, renewals included. Default: `AGORA_SESSION_LIFETIME`, else 43,200 (12 hours). */
  sessionLifetime?: number;
  /**
   * Mark the session cookie `Secure`: the browser reaches the server over
   * HTTPS. Default false; a TLS server (`https.createServer`) sets it anyway.
   */
  secureCookie?: boolean;
  /**
   * Trust the `X-Forwarded-Proto` header of a reverse proxy: `https` there
   * marks the cookie `Secure`. Only behind a proxy that sets the header itself.
   * Default false.
   */
  trustProxy?: boolean;
  /**
   * Looks up a user when a session is renewed, without a password: resolve
   * to the user's chat names and credential stamp, or `null` when the user is
   * gone (the session then ends). Default with the users file: a lookup in
   * it, the stamp derived from the stored password hash, so that removing a
   * user or changing a password ends their sessions at once. With a custom
   * `authenticate` and no `findUser`, a session lasts its whole lifetime with
   * the chat names of its login.
   */
  findUser?: (userAccount: string) => SessionUser | null | undefined | Promise<SessionUser | null | undefined>;
  /**
   * Called with warnings: no session secret (once, at start), a users file
   * readable by others, a rehash that could not be saved. Default: `console.warn`.
   */
  onWarning?: (message: string) => void;
}

/**
 * A request handler for node:http, Express (`app.use(handler)`) or any
 * framework that exposes node's request and response. Given `next`, it calls
 * `next()` for routes it does not serve instead of answering 404.
 *
 * @example
 * ```ts
 * const handler: TokenHandler = createTokenHandler();
 * createServer((req, res) => handler(req, res, () => res.writeHead(404).end()));
 * ```
 */
export type TokenHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/**
 * Every key of {@link TokenHandlerOptions}; any other key is an error (a
 * misspelt option would otherwise be ignored). A new option must be listed
 * here: the check below fails to compile when one is missing.
 */
export const HANDLER_OPTION_KEYS = [
  'appId',
  'appCertificate',
  'expire',
  'allowLongExpire',
  'authenticate',
  'usersFile',
  'allowedOrigin',
  'demo',
  'pageHint',
  'page',
  'maxBodyBytes',
  'maxConcurrentLogins',
  'maxQueuedLogins',
  'onError',
  'env',
  'scrypt',
  'sessionSecret',
  'sessionLifetime',
  'secureCookie',
  'trustProxy',
  'findUser',
  'onWarning',
] as const satisfies readonly (keyof TokenHandlerOptions)[];
const everyHandlerOptionListed: [Exclude<keyof TokenHandlerOptions, (typeof HANDLER_OPTION_KEYS)[number]>] extends [never]
  ? true
  : never = true;
void everyHandlerOptionListed;

const DEFAULT_EXPIRE = 3600;
const DEFAULT_MAX_BODY = 4096;
const DEFAULT_MAX_QUEUED_LOGINS = 64;
/** How much of an oversized body is read (and dropped) before the connection is cut. */
const MAX_DRAIN = 1 << 20;
/** Seconds a client is told to wait (`Retry-After`) when the login queue is full. */
const RETRY_AFTER_SECONDS = 1;

/** The client went away: nothing to answer, and nothing to log. */
class ClientGone extends Error {}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: TokenServerErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const CHAT_UUID_ROUTE = /^\/chat\/user\/uuid\/([^/]*)\/token$/;

/**
 * Resolves the options: credentials from the environment, the expire checked
 * against the 24-hour cap. Building a probe token checks the App ID,
 * certificate and expire with the library's own messages.
 */
function resolveOptions(given: TokenHandlerOptions | undefined) {
  const options = checkHandlerOptions(given);
  const env = options.env ?? process.env;
  const appId = options.appId ?? env.AGORA_APP_ID;
  const appCertificate = options.appCertificate ?? env.AGORA_APP_CERTIFICATE;
  if (!appId || !appCertificate) {
    throw new AgoraTokenError(
      'ERR_INVALID_ARGUMENT',
      `${appId ? 'appCertificate' : 'appId'} must be given: the token server needs appId and appCertificate (options, or AGORA_APP_ID and AGORA_APP_CERTIFICATE)`,
      { argument: appId ? 'appCertificate' : 'appId' },
    );
  }
  const expire = options.expire ?? DEFAULT_EXPIRE;
  const allowLongExpire = options.allowLongExpire === true;
  ChatTokenBuilder2.buildUserToken(appId, appCertificate, 'probe', expire, { allowLongExpire });
  if (expire === 0) {
    throw new AgoraTokenError('ERR_INVALID_ARGUMENT', 'expire must be at least 1 second', { argument: 'expire' });
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const usersFile = options.usersFile ?? env.AGORA_USERS_FILE ?? 'agora-users.json';
  const lifetimeFromEnv = env.AGORA_SESSION_LIFETIME;
  const sessionLifetime =
    options.sessionLifetime ?? (lifetimeFromEnv !== undefined && /^\d{1,9}$/.test(lifetimeFromEnv) ? Number(lifetimeFromEnv) : lifetimeFromEnv === undefined ? DEFAULT_SESSION_LIFETIME : NaN);
  if (!Number.isSafeInteger(sessionLifetime) || sessionLifetime < 1) {
    throw new AgoraTokenError('ERR_INVALID_ARGUMENT', 'sessionLifetime (or AGORA_SESSION_LIFETIME) must be a whole number of seconds, at least 1', { argument: 'sessionLifetime' });
  }
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  const secret = options.sessionSecret ?? env.AGORA_SESSION_SECRET;
  let sessionKeys: SessionKeys;
  if (secret === undefined || secret === '') {
    sessionKeys = SessionKeys.random();
    warn(
      'warning: no session secret (AGORA_SESSION_SECRET or sessionSecret): using a random one, so sessions end when the server restarts and are not shared between processes',
    );
  } else {
    if (typeof secret !== 'string' || Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
      throw new AgoraTokenError('ERR_INVALID_ARGUMENT', `the session secret (sessionSecret or AGORA_SESSION_SECRET) must be at least ${MIN_SECRET_BYTES} bytes`, {
        argument: 'sessionSecret',
      });
    }
    sessionKeys = new SessionKeys(secret);
  }
  const findUser = options.findUser ?? (options.authenticate === undefined ? findInUsersFile(usersFile) : undefined);
  return {
    appId,
    appCertificate,
    expire,
    allowLongExpire,
    authenticate:
      options.authenticate ??
      createUsersAuthenticator(usersFile, { ...(options.scrypt === undefined ? {} : { scrypt: options.scrypt }), onWarning: warn }),
    allowedOrigin: options.allowedOrigin,
    demo: options.demo === true,
    page: options.page === false ? undefined : renderPage({ demo: options.demo === true, demoHint: options.pageHint }),
    maxBodyBytes,
    logins: new LoginQueue(
      options.maxConcurrentLogins ?? Math.max(1, availableParallelism()),
      options.maxQueuedLogins ?? DEFAULT_MAX_QUEUED_LOGINS,
    ),
    onError: options.onError ?? (() => undefined),
    sessionKeys,
    sessionLifetime,
    secureCookie: options.secureCookie === true,
    trustProxy: options.trustProxy === true,
    findUser,
  };
}

/** The default `findUser`: the users file, the credential stamp from the stored password hash. */
function findInUsersFile(path: string): (userAccount: string) => Promise<SessionUser | null> {
  return async (userAccount) => {
    const { users } = await readUsersFile(path);
    const record = Object.hasOwn(users, userAccount) ? users[userAccount] : undefined;
    if (record === undefined) return null;
    return { chatUserName: record.chatUserName, chatUserUuid: record.chatUserUuid, credentialStamp: `${record.password.salt}$${record.password.hash}` };
  };
}

/**
 * Checks every option's type and range like an argument, so a wrong value is
 * an error at once rather than a surprise per request.
 */
function checkHandlerOptions(given: unknown): TokenHandlerOptions {
  const options = checkOptions(given, 'options', HANDLER_OPTION_KEYS);
  const { appId, appCertificate, usersFile, pageHint, allowedOrigin, env, sessionSecret } = options;
  for (const [name, value] of Object.entries({ appId, appCertificate, usersFile, pageHint, sessionSecret })) {
    if (value !== undefined && typeof value !== 'string') throw invalidArgument(name, `must be a string (got ${typeof value})`);
  }
  if (usersFile === '') throw invalidArgument('usersFile', 'must not be empty');
  if (pageHint !== undefined && (pageHint as string).length > 1000) throw invalidArgument('pageHint', 'must be at most 1000 characters');
  if (allowedOrigin !== undefined && allowedOrigin !== '*' && !isOrigin(allowedOrigin)) {
    throw invalidArgument('allowedOrigin', "must be '*' or an origin such as https://app.example.com (scheme, host, optional port; no path)");
  }
  // Its range (1 s to 24 hours, unless allowLongExpire) is checked by resolveOptions.
  if (options.expire !== undefined && typeof options.expire !== 'number') {
    throw invalidArgument('expire', `must be a whole number of seconds, at least 1 (got ${options.expire === null ? 'null' : typeof options.expire})`);
  }
  for (const name of ['allowLongExpire', 'demo', 'page', 'secureCookie', 'trustProxy'] as const) optionalBoolean(options[name], name);
  for (const name of ['authenticate', 'onError', 'findUser', 'onWarning'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw invalidArgument(name, `must be a function (got ${options[name] === null ? 'null' : typeof options[name]})`);
    }
  }
  if (env !== undefined) assertPlainObject(env, 'env');
  if (options.maxBodyBytes !== undefined) assertInteger(options.maxBodyBytes, 'maxBodyBytes', 64, MAX_DRAIN);
  if (options.maxConcurrentLogins !== undefined) assertInteger(options.maxConcurrentLogins, 'maxConcurrentLogins', 1, 1024);
  if (options.maxQueuedLogins !== undefined) assertInteger(options.maxQueuedLogins, 'maxQueuedLogins', 0, 100_000);
  // 1 s to 10 years; an AGORA_SESSION_LIFETIME from the environment is checked by resolveOptions.
  if (options.sessionLifetime !== undefined) assertInteger(options.sessionLifetime, 'sessionLifetime', 1, 315_360_000);
  if (options.scrypt !== undefined) assertPlainObject(options.scrypt, 'scrypt'); // its values: by createUsersAuthenticator
  return options as TokenHandlerOptions;
}

/** True for a serialized origin: `scheme://host[:port]`, as a browser sends in `Origin`. */
function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

type Resolved = ReturnType<typeof resolveOptions>;

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    'content-length': String(Buffer.byteLength(body)),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(value), { 'content-type': 'application/json; charset=utf-8', ...headers });
}

function corsHeaders(req: IncomingMessage, config: Resolved): Record<string, string> {
  const origin = req.headers.origin;
  if (config.allowedOrigin === undefined || origin === undefined) return {};
  if (config.allowedOrigin === '*') return { 'access-control-allow-origin': '*' };
  return origin === config.allowedOrigin
    ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' }
    : { vary: 'Origin' };
}

/** True for `application/json`, with no charset or a UTF-8 one. */
function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((param) => !param.startsWith('charset=') || /^charset="?utf-8"?$/.test(param));
}

/** Reads the body up to the limit. Over it: drains a bounded amount, then answers 413. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    const fail = () =>
      reject(new HttpError(413, 'body_too_large', `the request body is over ${limit} bytes`, { connection: 'close' }));
    if (tooLarge && declared > MAX_DRAIN) {
      fail();
      return;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (tooLarge) {
        if (size > MAX_DRAIN) {
          req.pause();
          fail();
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? fail() : resolve(Buffer.concat(chunks))));
    // A client that hangs up mid-body is not an error of the server: nothing to log.
    req.on('error', () => reject(new ClientGone()));
    req.on('close', () => {
      if (!req.complete) reject(new ClientGone());
    });
  });
}

/** Aborts when the client goes away before its answer is sent. */
function clientGoneSignal(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort();
  };
  res.once('close', onClose);
  // (req.destroyed is no sign: a request is destroyed once its body has been read.)
  if (req.socket?.destroyed === true || res.destroyed) controller.abort();
  return controller.signal;
}

/**
 * A JSON body: from a framework's parsed `req.body` (express.json()), else
 * from the stream. The JSON content type is required of every POST: a
 * cross-origin page cannot send it without a CORS preflight, which is the
 * server's CSRF defence. With `allowEmpty`, an empty body reads as `{}`.
 */
async function readJson(req: IncomingMessage, config: Resolved, allowEmpty = false): Promise<unknown> {
  if (!isJsonContentType(req.headers['content-type'])) {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as Content-Type: application/json (UTF-8)');
  }
  const parsedByFramework = (req as IncomingMessage & { body?: unknown }).body;
  if (parsedByFramework !== undefined && req.readableEnded) return parsedByFramework;
  const raw = await readBody(req, config.maxBodyBytes);
  if (allowEmpty && raw.length === 0) return {};
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw new HttpError(400, 'invalid_json', 'the request body is not valid JSON');
  }
}

/** The body of POST /token. */
async function readLogin(req: IncomingMessage, config: Resolved): Promise<{ userAccount: string; userPassword: string }> {
  const body = await readJson(req, config);
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

/** A chat user token, and when it expires: `issueTs + expire`, in Unix seconds. */
function buildToken(config: Resolved, chatUserUuid: string) {
  const issueTs = Math.floor(Date.now() / 1000);
  const accessToken = ChatTokenBuilder2.buildUserToken(config.appId, config.appCertificate, chatUserUuid, config.expire, {
    allowLongExpire: config.allowLongExpire,
    issueTs,
  });
  return { accessToken, expireTimestamp: issueTs + config.expire };
}

/** Whether the browser reached the server over HTTPS, as far as the server may tell. */
function isSecure(req: IncomingMessage, config: Resolved): boolean {
  if (config.secureCookie || (req.socket as TLSSocket).encrypted === true) return true;
  if (!config.trustProxy) return false;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

/**
 * Answers the body of `POST /token` and `POST /token/renew`: the seed's
 * `accessToken` and `chatUserName`, plus `chatUserUuid`, `expireTimestamp`
 * (Unix seconds) and `expiresIn` (seconds from now, so that a client needs
 * no clock in common with the server).
 */
function answerToken(req: IncomingMessage, res: ServerResponse, config: Resolved, user: { chatUserName: string; chatUserUuid: string }, headers: Record<string, string> = {}): void {
  let token: ReturnType<typeof buildToken>;
  try {
    token = buildToken(config, user.chatUserUuid);
  } catch (error) {
    config.onError(error);
    throw new HttpError(500, 'internal_error', 'the server could not build a token for this user');
  }
  sendJson(
    res,
    200,
    {
      accessToken: token.accessToken,
      chatUserName: user.chatUserName,
      chatUserUuid: user.chatUserUuid,
      expireTimestamp: token.expireTimestamp,
      expiresIn: config.expire,
    },
    { ...corsHeaders(req, config), ...headers },
  );
}

/** Calls `findUser`; its failure is a 500 with no detail for the client. */
async function lookUp(config: Resolved, userAccount: string): Promise<SessionUser | null | undefined> {
  try {
    return await config.findUser!(userAccount);
  } catch (error) {
    config.onError(error);
    throw new HttpError(500, 'internal_error', 'the server could not look the user up');
  }
}

async function postToken(req: IncomingMessage, res: ServerResponse, config: Resolved): Promise<void> {
  const { userAccount, userPassword } = await readLogin(req, config);
  const gone = clientGoneSignal(req, res);
  let user: AuthenticatedUser | null;
  try {
    // At most maxConcurrentLogins hashes at once; a client that left while waiting costs none.
    // A custom authenticate of version 0.1 resolves { chatUserId }: both fields.
    user = normalizeAuthenticatedUser(await config.logins.run(gone, () => config.authenticate(userAccount, userPassword, gone)));
  } catch (error) {
    if (error instanceof LoginRejected) {
      if (error.reason === 'gone') throw new ClientGone();
      throw new HttpError(
        503,
        'server_busy',
        error.reason === 'busy' ? 'too many logins are waiting; try again shortly' : 'the server is shutting down',
        { 'retry-after': String(RETRY_AFTER_SECONDS), ...(error.reason === 'closing' ? { connection: 'close' } : {}) },
      );
    }
    if (gone.aborted) throw new ClientGone();
    config.onError(error);
    throw new HttpError(500, 'internal_error', 'the server could not check the login');
  }
  if (gone.aborted) throw new ClientGone();
  if (!user) throw new HttpError(401, 'invalid_credentials', 'unknown user or wrong password');
  const chat = { chatUserName: user.chatUserName, chatUserUuid: user.chatUserUuid };
  // The session's fingerprint: from the stored credentials where findUser
  // knows them, so that a password change ends the session.
  const found = config.findUser ? await lookUp(config, userAccount) : undefined;
  const now = Math.floor(Date.now() / 1000);
  const cookie = config.sessionKeys.issue(userAccount, { ...chat, credentialStamp: found?.credentialStamp ?? '' }, now, config.sessionLifetime);
  answerToken(req, res, config, chat, { 'set-cookie': sessionCookie(cookie, config.sessionLifetime, isSecure(req, config)) });
}

const SESSION_MESSAGES: Record<SessionFailure, string> = {
  no_session: 'no session: log in with POST /token first',
  session_invalid: 'the session cookie is not valid: log in again',
  session_expired: 'the session has ended: log in again',
  session_revoked: 'the user was removed or the password changed since the login: log in again',
};

/** POST /token/renew: a new token for the session's user, without a password. */
async function renewToken(req: IncomingMessage, res: ServerResponse, config: Resolved): Promise<void> {
  await readJson(req, config, true);
  const clear = { 'set-cookie': sessionCookie('', 0, isSecure(req, config)) };
  const fail = (failure: SessionFailure): never => {
    throw new HttpError(401, failure, SESSION_MESSAGES[failure], failure === 'no_session' ? {} : clear);
  };
  const value = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (value === undefined || value === '') return fail('no_session');
  const session: Session | SessionFailure = config.sessionKeys.open(value, Math.floor(Date.now() / 1000));
  if (typeof session === 'string') return fail(session);
  let chat = { chatUserName: session.chatUserName, chatUserUuid: session.chatUserUuid };
  if (config.findUser) {
    const found = await lookUp(config, session.userAccount);
    if (!found || !config.sessionKeys.matches(session, found)) return fail('session_revoked');
    chat = { chatUserName: found.chatUserName, chatUserUuid: found.chatUserUuid };
  }
  answerToken(req, res, config, chat);
}

/** POST /logout: ends the session in this browser (the cookie is expired). */
async function logout(req: IncomingMessage, res: ServerResponse, config: Resolved): Promise<void> {
  await readJson(req, config, true);
  send(res, 204, '', { ...corsHeaders(req, config), 'set-cookie': sessionCookie('', 0, isSecure(req, config)) });
}

/**
 * GET /session: whether this browser has a session, always a 200 so that a
 * page's probe logs no error. A minimal version (the cookie's signature and
 * end only); the service's own route replaces it.
 */
function getSession(req: IncomingMessage, res: ServerResponse, config: Resolved): void {
  const value = readCookie(req.headers.cookie, SESSION_COOKIE);
  const session = value ? config.sessionKeys.open(value, Math.floor(Date.now() / 1000)) : 'no_session';
  const body = typeof session === 'string' ? null : { userAccount: session.userAccount, chatUserName: session.chatUserName, chatUserUuid: session.chatUserUuid, expiresAt: session.expiresAt };
  sendJson(res, 200, { session: body }, corsHeaders(req, config));
}

/** GET /assets/…: the browser modules the page loads (the `web` and `client` entries, as built). */
async function asset(res: ServerResponse, name: string): Promise<void> {
  const body = await readAsset(name);
  if (body === undefined) throw new HttpError(404, 'not_found', `no asset ${name} (is the package built?)`);
  send(res, 200, body, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
}

function chatUuidToken(req: IncomingMessage, res: ServerResponse, config: Resolved, encoded: string): void {
  if (!config.demo) {
    throw new HttpError(404, 'demo_only', 'this endpoint hands a token to anyone who asks; it is served only in demo mode');
  }
  let uuid: string;
  try {
    uuid = decodeURIComponent(encoded);
  } catch {
    uuid = '';
  }
  if (uuid.length === 0 || uuid.length > MAX_NAME_LENGTH || !uuid.isWellFormed()) {
    throw new HttpError(400, 'invalid_request', `the chat user uuid must be 1 to ${MAX_NAME_LENGTH} characters`);
  }
  const { accessToken } = buildToken(config, uuid);
  send(res, 200, accessToken, { 'content-type': 'text/plain; charset=utf-8', ...corsHeaders(req, config) });
}

function preflight(req: IncomingMessage, res: ServerResponse, config: Resolved, methods: string): void {
  const cors = corsHeaders(req, config);
  if (cors['access-control-allow-origin'] === undefined) {
    throw new HttpError(403, 'origin_not_allowed', 'this origin may not call the token server from a browser', cors);
  }
  send(res, 204, '', {
    ...cors,
    'access-control-allow-methods': methods,
    'access-control-allow-headers': 'content-type',
    'access-control-max-age': '600',
  });
}

function allow(methods: string): never {
  throw new HttpError(405, 'method_not_allowed', `use ${methods.replace(', OPTIONS', '')}`, { allow: methods });
}

/**
 * The path of the request target, without query or fragment. A target that
 * is not a valid URL (`//[`, `//x:99999`) is a 400, as is one that is neither
 * a path nor an absolute `http(s)://` URL (`*`). The path is used as sent, so
 * `//x` is not `/`.
 */
function requestPath(target: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(target, 'http://localhost');
  } catch {
    // a 400 below
  }
  if (parsed !== undefined) {
    if (target.startsWith('/')) return target.replace(/[?#].*$/s, '');
    if (/^https?:\/\//i.test(target)) return parsed.pathname;
  }
  throw new HttpError(400, 'invalid_request', 'the request target must be a valid URL path starting with /');
}

async function route(req: IncomingMessage, res: ServerResponse, config: Resolved, next?: (error?: unknown) => void): Promise<void> {
  const path = requestPath(req.url ?? '/');
  const method = req.method ?? 'GET';
  const isRead = method === 'GET' || method === 'HEAD';
  if (path === '/token') {
    if (method === 'POST') return postToken(req, res, config);
    if (method === 'OPTIONS') return preflight(req, res, config, 'POST, OPTIONS');
    allow('POST, OPTIONS');
  }
  if (path === '/token/renew' || path === '/logout') {
    if (method === 'POST') return path === '/logout' ? logout(req, res, config) : renewToken(req, res, config);
    if (method === 'OPTIONS') return preflight(req, res, config, 'POST, OPTIONS');
    allow('POST, OPTIONS');
  }
  if (path === '/session') {
    if (isRead) return getSession(req, res, config);
    if (method === 'OPTIONS') return preflight(req, res, config, 'GET, OPTIONS');
    allow('GET, HEAD, OPTIONS');
  }
  if (path.startsWith('/assets/') && config.page !== undefined && ASSETS.has(path.slice(8))) {
    if (isRead) return asset(res, path.slice(8));
    allow('GET, HEAD');
  }
  const chat = CHAT_UUID_ROUTE.exec(path);
  if (chat) {
    if (isRead) return chatUuidToken(req, res, config, chat[1]!);
    if (method === 'OPTIONS' && config.demo) return preflight(req, res, config, 'GET, OPTIONS');
    allow('GET, HEAD, OPTIONS');
  }
  if (path === '/health') {
    if (isRead) return sendJson(res, 200, { status: 'ok' });
    allow('GET, HEAD');
  }
  if (path === '/' && config.page !== undefined) {
    if (isRead) {
      return send(res, 200, config.page, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': PAGE_CSP,
        'referrer-policy': 'no-referrer',
      });
    }
    allow('GET, HEAD');
  }
  if (next) return next();
  throw new HttpError(404, 'not_found', `no route ${method} ${path}`);
}

/**
 * Makes the token server's request handler.
 *
 * Routes: `POST /token` (log in, get a chat user token, start a session),
 * `POST /token/renew` (a new token for the session, no password),
 * `POST /logout` (end the session), `GET /session` (whether there is one,
 * always a 200), `GET /health`, `GET /` (the login page)
 * with its scripts under `GET /assets/`, and in demo mode only `GET
 * /chat/user/uuid/{uuid}/token`. There is no route that hands out app tokens.
 * Errors are JSON `{ "error": { "code", "message" } }`, see
 * {@link TokenServerErrorCode}.
 *
 * @param options - credentials (default: from the environment), expire, how to authenticate, CORS, demo mode.
 * @throws `AgoraTokenError` (from `agora-token-builder`) at once, not per request, when the App ID,
 *   certificate or expire is not valid.
 *
 * @example Plain node:http
 * ```ts
 * import { createServer } from 'node:http';
 * import { createTokenHandler } from 'agora-token-builder/server';
 *
 * createServer(createTokenHandler({ usersFile: 'users.json', expire: 3600 })).listen(8080, '127.0.0.1');
 * ```
 *
 * @example Express, mounted under a prefix
 * ```ts
 * // Before or after express.json(): a body it has parsed (req.body) is used.
 * app.use('/agora', createTokenHandler({ authenticate: async (name, password) => myUsers.check(name, password) }));
 * ```
 */
export function createTokenHandler(options?: TokenHandlerOptions): TokenHandler {
  const config = resolveOptions(options);
  const handler: TokenHandler = (req, res, next) => {
    route(req, res, config, next).catch((error: unknown) => {
      if (error instanceof ClientGone) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        const headers = { ...corsHeaders(req, config), ...error.headers };
        sendJson(res, error.status, { error: { code: error.code, message: error.message } }, headers);
        return;
      }
      config.onError(error);
      sendJson(res, 500, { error: { code: 'internal_error', message: 'the server failed to answer this request' } });
    });
  };
  closeLoginsOf.set(handler, () => config.logins.close());
  return handler;
}

/** For the server's graceful close: refuses new logins and answers the waiting ones 503. */
export const closeLoginsOf = new WeakMap<TokenHandler, () => void>();
