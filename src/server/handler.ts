// The Node adapter of the token service: one (req, res, next?) function over
// node:http's request and response, for node:http, Express or Connect. What
// a route does lives in ../service (the Fetch handler); here is only what
// Node needs: the environment's defaults, the users file and scrypt, the
// login queue, reading the body within its limit, the client-gone signal,
// and writing the answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { assertInteger, assertPlainObject, checkOptions, invalidArgument } from '../_internal/assert.js';
import { AgoraTokenError, ChatTokenBuilder2, RtcTokenBuilder2 } from '../index.js';
import { storeAccounts } from '../service/accounts.js';
import { createService, type CallContext } from '../service/handler.js';
import { ClientGone, errorResponse, HttpError, MAX_BODY_LIMIT, requestPath, type Reply, type ServiceRequest } from '../service/http.js';
import { FETCH_OPTION_KEYS, type FetchHandlerOptions } from '../service/options.js';
import type { ServicePlatform } from '../service/platform.js';
import { readAsset } from './assets.js';
import { AgoraChatUserClient } from './agora-chat.js';
import { LoginQueue } from './login-queue.js';
import { createScryptHasher } from './password.js';
import { createFileUserStore } from './stores/file.js';
import { createPostgresUserStore, isPostgresLocation } from './stores/index.js';
import { checkUsersFilePermissions, type ScryptParams } from './users.js';
import type { PasswordHasher } from '../service/user-store.js';

export type { TokenServerErrorCode } from '../error-codes.js';

/**
 * Options of {@link createTokenHandler}: those of the Fetch handler
 * (`createFetchHandler` of `agora-token-builder/handler`), with defaults from
 * the environment, plus the Node-only ones: the users file, scrypt, the
 * login queue.
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
export interface TokenHandlerOptions extends FetchHandlerOptions {
  /** The App ID (32 hex characters). Default: the `AGORA_APP_ID` environment variable. */
  appId?: string;
  /** The App Certificate (32 hex characters). Default: the `AGORA_APP_CERTIFICATE` environment variable. */
  appCertificate?: string;
  /**
   * The secret that signs session cookies (HMAC-SHA256), at least 32 bytes.
   * Default: the `AGORA_SESSION_SECRET` environment variable; without
   * either, a random one (and `onWarning` says so): sessions then end when
   * the server restarts.
   */
  sessionSecret?: string;
  /** Seconds a session lasts from the login, renewals included. Default: `AGORA_SESSION_LIFETIME`, else 43,200 (12 hours). */
  sessionLifetime?: number;
  /**
   * The users file of the default user store (used when neither `store` nor
   * `authenticate` is given). Default: `AGORA_USERS` (a file path or a
   * `postgres://` URL), else `AGORA_USERS_FILE`, else `agora-users.json` in
   * the working directory.
   */
  usersFile?: string;
  /**
   * The scrypt parameters of the default password hasher: a stored hash with
   * other parameters is rehashed with these at the user's next login.
   * Default: `DEFAULT_SCRYPT_PARAMS`.
   */
  scrypt?: Partial<ScryptParams>;
  /**
   * How many logins are checked (password hashes computed) at once: 1 to
   * 1024. Default: the number of CPUs, but at most libuv's thread pool size
   * (`UV_THREADPOOL_SIZE`, default 4) less 2, and at least 1, so that hashes
   * never take every thread file reads and other work need. The others wait
   * for a turn, in order; one whose client has gone is dropped unhashed.
   */
  maxConcurrentLogins?: number;
  /**
   * How many logins may wait for a turn: 0 to 100,000. Default 64. Past that,
   * a login is answered `503 server_busy` with `Retry-After: 1` at once.
   */
  maxQueuedLogins?: number;
  /** Environment to read the defaults from. Default: `process.env`. */
  env?: Record<string, string | undefined>;
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

/** The Node-only keys of {@link TokenHandlerOptions}. */
const NODE_OPTION_KEYS = ['usersFile', 'scrypt', 'env', 'maxConcurrentLogins', 'maxQueuedLogins'] as const;

/**
 * Every key of {@link TokenHandlerOptions}; any other key is an error (a
 * misspelt option would otherwise be ignored).
 */
export const HANDLER_OPTION_KEYS = [...FETCH_OPTION_KEYS, ...NODE_OPTION_KEYS] as const satisfies readonly (keyof TokenHandlerOptions)[];
const everyHandlerOptionListed: [Exclude<keyof TokenHandlerOptions, (typeof HANDLER_OPTION_KEYS)[number]>] extends [never] ? true : never = true;
void everyHandlerOptionListed;

const DEFAULT_MAX_QUEUED_LOGINS = 64;
/** How much of an oversized body is read (and dropped) before the connection is cut. */
const MAX_DRAIN = MAX_BODY_LIMIT;
/** libuv's thread pool size when `UV_THREADPOOL_SIZE` is not set. */
const DEFAULT_UV_THREADS = 4;

/**
 * The default `maxConcurrentLogins`: the CPUs, but leaving two of libuv's
 * threads for everything else (file reads, DNS, crypto jobs), at least 1.
 *
 * @internal
 */
export function defaultLoginConcurrency(cpus: number, uvThreadpoolSize: string | undefined): number {
  const parsed = Number(uvThreadpoolSize);
  const threads = uvThreadpoolSize !== undefined && Number.isInteger(parsed) && parsed >= 1 ? Math.min(parsed, 1024) : DEFAULT_UV_THREADS;
  return Math.max(1, Math.min(cpus, threads - 2));
}

/** The service's primitives on Node: node:crypto, and the root entry's synchronous builders (no thread pool round trip). */
const nodePlatform: ServicePlatform = {
  hmacSha256: (key, message) => createHmac('sha256', key).update(message).digest(),
  sha256: (data) => createHash('sha256').update(data).digest(),
  randomBytes: (length) => randomBytes(length),
  buildChatUserToken: (appId, appCertificate, uuid, expire, options) => ChatTokenBuilder2.buildUserToken(appId, appCertificate, uuid, expire, options),
  buildRtcToken: (appId, appCertificate, channel, uid, role, expire, options) =>
    RtcTokenBuilder2.buildTokenWithUid(appId, appCertificate, channel, uid, role, expire, expire, options),
};

/** The Chat REST client of `POST /register`, when the environment configures one. */
function chatRegistrar(
  env: Record<string, string | undefined>,
  appId: string | undefined,
  appCertificate: string | undefined,
): ((name: string) => Promise<{ chatUserUuid: string }>) | undefined {
  if (!env.AGORA_CHAT_APP_KEY || !env.AGORA_CHAT_REST_URL) return undefined;
  let client: AgoraChatUserClient | undefined;
  return async (chatUserName) => {
    client ??= new AgoraChatUserClient({ env, ...(appId === undefined ? {} : { appId }), ...(appCertificate === undefined ? {} : { appCertificate }) });
    const user = await client.registerUser(chatUserName);
    return { chatUserUuid: user.uuid };
  };
}

/**
 * The Node adapter's options as the Fetch handler's: credentials, session
 * secret and lifetime from the environment, the users file and scrypt as a
 * store and a hasher, the page's assets from the package. Also the login
 * queue, which only the adapter has. Tests serve these same options with
 * `createFetchHandler`, so that both run one test suite.
 *
 * @internal
 */
export function resolveNodeOptions(given: TokenHandlerOptions | undefined): { fetchOptions: FetchHandlerOptions; logins: LoginQueue } {
  const options = checkOptions(given, 'options', HANDLER_OPTION_KEYS) as TokenHandlerOptions;
  const { usersFile, env: envOption, scrypt, maxConcurrentLogins, maxQueuedLogins, ...rest } = options;
  if (usersFile !== undefined && (typeof usersFile !== 'string' || usersFile === '')) throw invalidArgument('usersFile', 'must be a non-empty string');
  if (envOption !== undefined) assertPlainObject(envOption, 'env');
  if (scrypt !== undefined) assertPlainObject(scrypt, 'scrypt');
  if (maxConcurrentLogins !== undefined) assertInteger(maxConcurrentLogins, 'maxConcurrentLogins', 1, 1024);
  if (maxQueuedLogins !== undefined) assertInteger(maxQueuedLogins, 'maxQueuedLogins', 0, 100_000);
  const env = envOption ?? process.env;
  const lifetimeFromEnv = env.AGORA_SESSION_LIFETIME;
  let sessionLifetime = rest.sessionLifetime;
  if (sessionLifetime === undefined && lifetimeFromEnv !== undefined) {
    if (!/^\d{1,9}$/.test(lifetimeFromEnv) || Number(lifetimeFromEnv) < 1) {
      throw new AgoraTokenError('ERR_INVALID_ARGUMENT', 'sessionLifetime (or AGORA_SESSION_LIFETIME) must be a whole number of seconds, at least 1', { argument: 'sessionLifetime' });
    }
    sessionLifetime = Number(lifetimeFromEnv);
  }
  const logins = new LoginQueue(
    maxConcurrentLogins ?? defaultLoginConcurrency(availableParallelism(), process.env.UV_THREADPOOL_SIZE),
    maxQueuedLogins ?? DEFAULT_MAX_QUEUED_LOGINS,
  );
  // Where the users are: the options' store or authenticate, else the users file with scrypt.
  let users: Pick<FetchHandlerOptions, 'store' | 'passwordHasher' | 'authenticate'> = {};
  if (rest.store !== undefined) {
    users = { passwordHasher: rest.passwordHasher ?? createScryptHasher(scrypt) };
  } else if (rest.authenticate === undefined) {
    const warn = rest.onWarning ?? ((message: string) => console.warn(message));
    // AGORA_USERS may name a database (postgres://…); usersFile and AGORA_USERS_FILE are files.
    const location = usersFile ?? env.AGORA_USERS ?? env.AGORA_USERS_FILE ?? 'agora-users.json';
    const inDatabase = usersFile === undefined && isPostgresLocation(location);
    const store = inDatabase ? createPostgresUserStore({ url: location, onWarning: warn }) : createFileUserStore(location, { onWarning: warn });
    const hasher = rest.passwordHasher ?? createScryptHasher(scrypt);
    const passwordHasher = inDatabase ? hasher : checkPermissionsAtFirstLogin(hasher, location, rest.onWarning);
    // With a custom findUser, the users file checks the passwords and findUser decides about sessions.
    users = rest.findUser === undefined ? { store, passwordHasher } : { authenticate: storeAccounts(store, passwordHasher, warn).login };
  }
  const appId = rest.appId ?? env.AGORA_APP_ID;
  const appCertificate = rest.appCertificate ?? env.AGORA_APP_CERTIFICATE;
  const fetchOptions: FetchHandlerOptions = {
    ...rest,
    ...users,
    appId,
    appCertificate,
    sessionSecret: rest.sessionSecret ?? env.AGORA_SESSION_SECRET,
    ...(sessionLifetime === undefined ? {} : { sessionLifetime }),
    assets: rest.assets ?? readAsset,
    ...(rest.allowRegistration === true && rest.registerChatUser === undefined ? { registerChatUser: chatRegistrar(env, appId, appCertificate) } : {}),
  };
  return { fetchOptions, logins };
}

/**
 * The hasher, which at the first login also checks that the users file is
 * private (it holds password hashes) and tells `onWarning` when it is not.
 */
function checkPermissionsAtFirstLogin(hasher: PasswordHasher, path: string, onWarning: ((message: string) => void) | undefined): PasswordHasher {
  if (onWarning === undefined) return hasher;
  let checked: Promise<void> | undefined;
  return {
    hash: (password) => hasher.hash(password),
    async verify(password, passwordHash, signal) {
      await (checked ??= checkUsersFilePermissions(path).then(
        (warning) => (warning === undefined ? undefined : onWarning(warning)),
        () => undefined,
      ));
      return hasher.verify(password, passwordHash, signal);
    },
  };
}

/** Makes the service with Node's platform and login queue. */
function createNodeService(given: TokenHandlerOptions | undefined) {
  const { fetchOptions, logins } = resolveNodeOptions(given);
  const service = createService(fetchOptions, {
    platform: nodePlatform,
    gate: (signal, task) => logins.run(signal, task),
    names: { sessionSecret: 'AGORA_SESSION_SECRET or sessionSecret' },
  });
  return { service, logins };
}

/** Reads the body up to the limit. Over it: drains a bounded amount, then answers 413. */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    const fail = () => reject(new HttpError(413, 'body_too_large', `the request body is over ${limit} bytes`, { connection: 'close' }));
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

/** Writes the service's reply to node's response. */
function writeReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = reply.body ?? '';
  res.writeHead(reply.status, { 'content-length': String(Buffer.byteLength(body)), ...reply.headers });
  res.end(body);
}

/** Node's request headers as the service reads them: lower-case names, repeated ones joined as node joins them. */
function headerReader(req: IncomingMessage): ServiceRequest['headers'] {
  return {
    get(name) {
      const value = req.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/** The request as a Fetch Request (method, URL and headers; the body has been read), for hooks that take one. */
function fetchRequestOf(req: IncomingMessage, url: string, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    } catch {
      // a header Headers refuses: left out
    }
  }
  const method = req.method ?? 'GET';
  // Request refuses CONNECT, TRACE and TRACK; no route takes them.
  return new Request(url, { method: /^(connect|trace|track)$/i.test(method) ? 'GET' : method, headers, signal });
}

/** The fields of Express's request that tell where the handler is mounted. */
interface MountedRequest extends IncomingMessage {
  body?: unknown;
  originalUrl?: string;
  baseUrl?: string;
}

/**
 * Makes the token server's request handler for Node: the Fetch handler's
 * routes (`createFetchHandler` of `agora-token-builder/handler`), served from
 * node's request and response.
 *
 * Routes: `POST /token` (log in, get a chat user token, start a session),
 * `POST /token/renew` (a new token for the session, no password),
 * `GET /session` (who is signed in), `POST /logout` (end the session),
 * `GET /health`, `GET /` (the sign-in page) with its scripts under
 * `GET /assets/`; `POST /register` with `allowRegistration`; `POST
 * /token/rtc` with `authorizeChannel`; in demo mode only `GET
 * /chat/user/uuid/{uuid}/token`. There is no route that hands out app
 * tokens. Errors are JSON `{ "error": { "code", "message" } }`, see
 * {@link TokenServerErrorCode}.
 *
 * Mounted under a path (Express `app.use('/agora', handler)`), `GET /agora`
 * is redirected (308) to `/agora/`, so that the page's relative URLs work.
 *
 * @param options - credentials (default: from the environment), expire, where the users are, CORS, demo mode.
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
  const { service, logins } = createNodeService(options);
  const { config } = service;
  const handler: TokenHandler = (req, res, next) => {
    const mounted = req as MountedRequest;
    const fail = (error: unknown) => {
      if (error instanceof HttpError) return writeReply(res, errorResponse(error));
      config.onError(error);
      return writeReply(res, errorResponse(new HttpError(500, 'internal_error', 'the server failed to answer this request')));
    };
    let context: CallContext;
    let request: ServiceRequest;
    try {
      const target = req.url ?? '/';
      const path = requestPath(target);
      const tls = (req.socket as TLSSocket | undefined)?.encrypted === true;
      let originalPath: string | undefined;
      if (typeof mounted.baseUrl === 'string' && mounted.baseUrl !== '' && typeof mounted.originalUrl === 'string') {
        originalPath = requestPath(mounted.originalUrl);
      }
      // Not a Fetch Request: building one costs more than the rest of a renewal. The service reads only these.
      const url = new URL(target, tls ? 'https://localhost' : 'http://localhost').href;
      const signal = clientGoneSignal(req, res);
      request = { method: req.method ?? 'GET', url, headers: headerReader(req), signal, body: null };
      context = {
        path,
        tls,
        originalPath,
        passThrough: next !== undefined,
        fetchRequest: () => fetchRequestOf(req, url, signal),
        body: {
          parsed: mounted.body !== undefined && req.readableEnded ? { value: mounted.body } : undefined,
          read: (limit) => readBody(req, limit),
        },
      };
    } catch (error) {
      try {
        fail(error);
      } catch {
        res.destroy();
      }
      return;
    }
    service
      .handle(request, context)
      .then((reply) => {
        if (reply === undefined) return next!();
        if (request.signal.aborted || reply.status === 499) {
          res.destroy();
          return;
        }
        writeReply(res, reply);
      })
      .catch((error: unknown) => fail(error))
      .catch(() => res.destroy());
  };
  closeLoginsOf.set(handler, () => logins.close());
  return handler;
}

/** For the server's graceful close: refuses new logins and answers the waiting ones 503. */
export const closeLoginsOf = new WeakMap<TokenHandler, () => void>();
