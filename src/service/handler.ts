// The token service as a Fetch handler: `(Request) => Promise<Response>`.
// This file routes; what each route does is in ./routes/, one file each.
// Creating a handler checks the options and nothing more: no I/O, no
// timers, no random draws (a Cloudflare Worker may create it at module scope).
import { assertExpire, assertHexId } from '../_internal/assert.js';
import { AgoraTokenError } from '../errors.js';
import { functionAccounts, storeAccounts, type Accounts } from './accounts.js';
import type { Call, ServiceConfig } from './core.js';
import { ClientGone, corsHeaders, errorResponse, HttpError, methodNotAllowed, preflight, send, sendJson, toResponse, type BodySource, type Reply, type ServiceRequest } from './http.js';
import { runAtOnce, type LoginGate } from './login-gate.js';
import {
  checkFetchOptions,
  checkSessionSecret,
  DEFAULT_EXPIRE,
  DEFAULT_MAX_BODY,
  resolveLifetime,
  resolveRenewalLimit,
  type FetchHandlerOptions,
  type OptionNames,
} from './options.js';
import { pageCsp, renderPage } from './page.js';
import { webServicePlatform, type ServicePlatform } from './platform.js';
import { RenewalLimiter } from './rate-limit.js';
import { demoToken } from './routes/demo.js';
import { login } from './routes/login.js';
import { logout } from './routes/logout.js';
import { asset, ASSET_NAMES, page } from './routes/page.js';
import { register } from './routes/register.js';
import { renew } from './routes/renew.js';
import { rtcToken } from './routes/rtc.js';
import { sessionInfo } from './routes/session.js';
import { SessionKeys } from './session.js';

/**
 * The token service as a function from a Fetch `Request` to a `Response`,
 * from {@link createFetchHandler}.
 *
 * @example
 * ```ts
 * const handler: FetchHandler = createFetchHandler(options);
 * const response = await handler(new Request('https://tokens.example.com/health'));
 * ```
 */
export type FetchHandler = (request: Request) => Promise<Response>;

/** What the Node adapter adds to one request: how to read its body, whether it came over TLS, where it is mounted. */
export interface CallContext {
  /** The path as the client sent it (un-normalised); default: the URL's pathname. */
  readonly path?: string;
  readonly body?: BodySource;
  readonly tls?: boolean;
  /** Mounted by a framework (Express `app.use('/agora', …)`): the path before the framework stripped the mount. */
  readonly originalPath?: string;
  /** Unknown routes resolve `undefined` (the adapter calls `next()`) instead of a 404. */
  readonly passThrough?: boolean;
  /** The request as a Fetch `Request`, for `canRegister` (default: the request itself). */
  readonly fetchRequest?: () => Request;
}

/** What the Node adapter passes besides the options. */
export interface ServiceInternals {
  readonly platform?: ServicePlatform;
  readonly gate?: LoginGate;
  readonly names?: OptionNames;
}

/** A created service: `handle` answers a request (`undefined`: not a route of it, with `passThrough`). */
export interface Service {
  handle(request: ServiceRequest, context?: CallContext): Promise<Reply | undefined>;
  readonly config: ServiceConfig;
}

const CHAT_UUID_ROUTE = /^\/chat\/user\/uuid\/([^/]*)\/token$/;

function resolve(given: FetchHandlerOptions | undefined, internals: ServiceInternals): { config: ServiceConfig; basePath: string } {
  const options = checkFetchOptions(given);
  const { appId, appCertificate } = options;
  if (!appId || !appCertificate) {
    throw new AgoraTokenError(
      'ERR_INVALID_ARGUMENT',
      `${appId ? 'appCertificate' : 'appId'} must be given: the token service needs appId and appCertificate${internals.names ? ' (options, or AGORA_APP_ID and AGORA_APP_CERTIFICATE)' : ''}`,
      { argument: appId ? 'appCertificate' : 'appId' },
    );
  }
  assertHexId(appId, 'appId');
  assertHexId(appCertificate, 'appCertificate');
  const expire = options.expire ?? DEFAULT_EXPIRE;
  const allowLongExpire = options.allowLongExpire === true;
  assertExpire(expire, 'expire', allowLongExpire);
  if (expire === 0) throw new AgoraTokenError('ERR_INVALID_ARGUMENT', 'expire must be at least 1 second', { argument: 'expire' });
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  const platform = internals.platform ?? webServicePlatform;
  const secret = checkSessionSecret(options.sessionSecret, internals.names ?? { sessionSecret: 'sessionSecret' }, warn);

  let accounts: Accounts;
  if (options.store !== undefined) {
    if (options.authenticate !== undefined || options.findUser !== undefined) {
      throw new AgoraTokenError('ERR_INVALID_ARGUMENT', 'give store, or authenticate (with findUser): not both', { argument: 'store' });
    }
    if (options.passwordHasher === undefined) {
      throw new AgoraTokenError('ERR_INVALID_ARGUMENT', 'passwordHasher must be given with store: it checks the passwords against the stored hashes', {
        argument: 'passwordHasher',
      });
    }
    accounts = storeAccounts(options.store, options.passwordHasher, warn);
  } else if (options.authenticate !== undefined) {
    accounts = functionAccounts(options.authenticate, options.findUser);
  } else {
    throw new AgoraTokenError('ERR_INVALID_ARGUMENT', 'give store and passwordHasher, or authenticate: the token service needs a way to check logins', {
      argument: 'store',
    });
  }

  let registration: ServiceConfig['registration'];
  if (options.allowRegistration === true) {
    if (accounts.store === undefined || accounts.hasher === undefined) {
      throw new AgoraTokenError('ERR_INVALID_ARGUMENT', 'allowRegistration needs a store and a passwordHasher to keep the new users in', { argument: 'allowRegistration' });
    }
    if (options.registerChatUser === undefined) {
      throw new AgoraTokenError('ERR_INVALID_ARGUMENT', 'allowRegistration needs registerChatUser (or, on Node, the Agora Chat App Key and REST URL)', {
        argument: 'registerChatUser',
      });
    }
    registration = { canRegister: options.canRegister ?? (() => true), registerChatUser: options.registerChatUser };
  }

  if (options.authorizeChannel !== undefined && accounts.lookUp === undefined) {
    throw new AgoraTokenError('ERR_INVALID_ARGUMENT', 'authorizeChannel needs a store (or findUser) to look up the signed-in user', { argument: 'authorizeChannel' });
  }

  const limit = resolveRenewalLimit(options.renewalLimit);
  let csp: Promise<string> | undefined;
  const config: ServiceConfig = {
    appId,
    appCertificate,
    expire,
    allowLongExpire,
    sessionLifetime: resolveLifetime(options.sessionLifetime),
    allowedOrigin: options.allowedOrigin,
    secureCookie: options.secureCookie === true,
    trustProxy: options.trustProxy === true,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY,
    accounts,
    sessions: new SessionKeys(secret, platform),
    limiter: limit === undefined ? undefined : new RenewalLimiter(limit.burst, limit.intervalMs),
    platform,
    gate: internals.gate ?? runAtOnce,
    onError: options.onError ?? (() => undefined),
    warn,
    page:
      options.page === false
        ? undefined
        : {
            html: renderPage({ demo: options.demo === true, demoHint: options.pageHint }),
            csp: () => (csp ??= pageCsp(platform).catch((error: unknown) => {
              csp = undefined;
              throw error;
            })),
          },
    assets: options.assets,
    demo: options.demo === true,
    registration,
    authorizeChannel: options.authorizeChannel,
  };
  return { config, basePath: (options.basePath ?? '').replace(/\/$/, '') };
}

/** Routes one call; `undefined` when no route matches. */
async function route(call: Call, path: string): Promise<Reply | undefined> {
  const { config, request } = call;
  const method = request.method;
  const isRead = method === 'GET' || method === 'HEAD';
  const post = (run: (call: Call) => Promise<Reply>) => {
    if (method === 'POST') return run(call);
    if (method === 'OPTIONS') return preflight(request, config.allowedOrigin, 'POST, OPTIONS');
    return methodNotAllowed('POST, OPTIONS');
  };
  switch (path) {
    case '/token':
      return post(login);
    case '/token/renew':
      return post(renew);
    case '/logout':
      return post(logout);
    case '/register':
      return config.registration === undefined ? undefined : post(register);
    case '/token/rtc':
      return config.authorizeChannel === undefined ? undefined : post(rtcToken);
    case '/session':
      if (isRead) return sessionInfo(call);
      if (method === 'OPTIONS') return preflight(request, config.allowedOrigin, 'GET, OPTIONS');
      return methodNotAllowed('GET, HEAD, OPTIONS');
    case '/health':
      if (isRead) return sendJson(200, { status: 'ok' });
      return methodNotAllowed('GET, HEAD');
    case '/':
      if (config.page === undefined) return undefined;
      if (isRead) return page(call);
      return methodNotAllowed('GET, HEAD');
  }
  if (path.startsWith('/assets/') && config.page !== undefined && ASSET_NAMES.has(path.slice(8))) {
    if (isRead) return asset(call, path.slice(8));
    return methodNotAllowed('GET, HEAD');
  }
  const chat = CHAT_UUID_ROUTE.exec(path);
  if (chat) {
    if (isRead) return demoToken(call, chat[1]!);
    if (method === 'OPTIONS' && config.demo) return preflight(request, config.allowedOrigin, 'GET, OPTIONS');
    return methodNotAllowed('GET, HEAD, OPTIONS');
  }
  return undefined;
}

/** A 308 to the mount path with its trailing slash, so that the page's relative URLs resolve under it. */
function redirectToSlash(location: string, search: string): Reply {
  return send(308, null, { location: `${location}/${search}` });
}

/** Creates the service: the Fetch handler, and the Node adapter over it. */
export function createService(options: FetchHandlerOptions | undefined, internals: ServiceInternals = {}): Service {
  const { config, basePath } = resolve(options, internals);
  return {
    config,
    async handle(request, context = {}) {
      const url = new URL(request.url);
      const call: Call = {
        request,
        fetchRequest: context.fetchRequest ?? (() => request as Request),
        config,
        body: context.body,
        tls: context.tls ?? url.protocol === 'https:',
      };
      try {
        let path = context.path ?? url.pathname;
        if (basePath !== '') {
          if (path === basePath) return redirectToSlash(basePath, url.search);
          if (!path.startsWith(`${basePath}/`)) {
            if (context.passThrough) return undefined;
            throw new HttpError(404, 'not_found', `no route ${request.method} ${path}`);
          }
          path = path.slice(basePath.length);
        }
        if (path === '/' && context.originalPath !== undefined && !context.originalPath.endsWith('/')) {
          return redirectToSlash(context.originalPath, url.search);
        }
        const response = await route(call, path);
        if (response !== undefined || context.passThrough) return response;
        throw new HttpError(404, 'not_found', `no route ${request.method} ${path}`);
      } catch (error) {
        if (error instanceof ClientGone || request.signal.aborted) return send(499, null);
        if (error instanceof HttpError) return errorResponse(error, corsHeaders(request, config.allowedOrigin));
        config.onError(error);
        return sendJson(500, { error: { code: 'internal_error', message: 'the server failed to answer this request' } });
      }
    },
  };
}

/**
 * Makes the token service as a Fetch handler, `(Request) => Promise<Response>`,
 * for any runtime with the Web platform APIs: Cloudflare Workers (no
 * `nodejs_compat` needed), Deno, Bun, Next.js route handlers, Hono, and Node.
 *
 * Routes (under `basePath`, if given): `POST /token` (log in: a chat user
 * token and a session cookie), `POST /token/renew` (a new token for the
 * session, no password), `GET /session` (who is signed in), `POST /logout`,
 * `GET /health`, `GET /` (the sign-in page) with its scripts under
 * `GET /assets/`; `POST /register` with `allowRegistration`; `POST
 * /token/rtc` with `authorizeChannel`; in demo mode `GET
 * /chat/user/uuid/{uuid}/token`. Errors are JSON `{ "error": { "code",
 * "message" } }` (see `TokenServerErrorCode`). The same routes, answers,
 * headers and cookies as `createTokenHandler` of `agora-token-builder/server`.
 *
 * Creating it does no I/O, starts no timer and draws no random number, so a
 * Worker can create it at module scope.
 *
 * @param options - credentials, where the users are, sessions, CORS, page, limits.
 * @throws `AgoraTokenError` at once, not per request, when an option is missing or not valid.
 *
 * @example A Cloudflare Worker (module syntax, secrets from env)
 * ```ts
 * import { createFetchHandler, createPbkdf2Hasher, type FetchHandler } from 'agora-token-builder/handler';
 * import { createUserStore } from './users.js'; // your UserStore over D1, KV or another database
 *
 * let handler: FetchHandler | undefined;
 * export default {
 *   fetch(request: Request, env: Env) {
 *     handler ??= createFetchHandler({
 *       appId: env.AGORA_APP_ID,
 *       appCertificate: env.AGORA_APP_CERTIFICATE,
 *       sessionSecret: env.AGORA_SESSION_SECRET,
 *       store: createUserStore(env),
 *       passwordHasher: createPbkdf2Hasher(),
 *       page: false,
 *     });
 *     return handler(request);
 *   },
 * };
 * ```
 */
export function createFetchHandler(options: FetchHandlerOptions): FetchHandler {
  const service = createService(options);
  return async (request) => toResponse((await service.handle(request))!);
}
