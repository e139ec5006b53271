// The options of the Fetch handler: their types, their checks, and what they
// resolve to. Read from the options object only: an edge runtime has no
// process.env (the Node adapter reads the environment and passes options).
import { assertInteger, checkOptions, invalidArgument, optionalBoolean } from '../_internal/assert.js';
import { AgoraTokenError } from '../errors.js';
import type { ServiceAuthenticate, ServiceFindUser } from './accounts.js';
import { isOrigin, MAX_BODY_LIMIT } from './http.js';
import { DEFAULT_SESSION_LIFETIME, MIN_SECRET_BYTES, weakSecretReason } from './session.js';
import type { PasswordHasher, StoredUser, UserStore } from './user-store.js';

/**
 * The per-session renewal limit: `burst` renewals at once, then one per
 * `intervalSeconds`. Per process.
 *
 * @example
 * ```ts
 * const limit: RenewalLimit = { burst: 3, intervalSeconds: 5 };
 * ```
 */
export interface RenewalLimit {
  /** Renewals a session may make at once: 1 to 1,000. Default 3. */
  burst?: number;
  /** Seconds per renewal after the burst: 1 to 3,600. Default 5. */
  intervalSeconds?: number;
}

/**
 * The RTC role asked for on `POST /token/rtc`: `'publisher'` or `'subscriber'`.
 *
 * @example
 * ```ts
 * const role: RtcRoleName = 'subscriber';
 * ```
 */
export type RtcRoleName = 'publisher' | 'subscriber';

/**
 * The signed-in user that {@link FetchHandlerOptions.authorizeChannel} decides about.
 *
 * @example
 * ```ts
 * const user: ChannelUser = { userAccount: 'alice', chatUserName: 'alice', chatUserUuid: '0ffe…', agoraUid: 2882341273 };
 * ```
 */
export interface ChannelUser {
  /** The login name. */
  readonly userAccount: string;
  /** The Agora Chat username. */
  readonly chatUserName: string;
  /** The Agora Chat UUID. */
  readonly chatUserUuid: string;
  /** The RTC uid the token is built for. */
  readonly agoraUid: number;
}

/**
 * What {@link FetchHandlerOptions.registerChatUser} resolves: the Agora Chat user of a new account.
 *
 * @example
 * ```ts
 * const registered: RegisteredChatUser = { chatUserUuid: '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b' };
 * ```
 */
export interface RegisteredChatUser {
  /** The UUID Agora Chat assigned to the username. */
  readonly chatUserUuid: string;
}

/**
 * Options of {@link createFetchHandler}: everything comes from here (an edge
 * runtime has no `process.env`; pass secrets from the platform's own
 * configuration, e.g. a Worker's `env`).
 *
 * @example
 * ```ts
 * const options: FetchHandlerOptions = {
 *   appId: env.AGORA_APP_ID,
 *   appCertificate: env.AGORA_APP_CERTIFICATE,
 *   sessionSecret: env.AGORA_SESSION_SECRET,
 *   store: myStore,
 *   passwordHasher: myHasher,
 * };
 * ```
 */
export interface FetchHandlerOptions {
  /** The App ID (32 hex characters). Required. */
  appId?: string;
  /** The App Certificate (32 hex characters). Required. */
  appCertificate?: string;
  /**
   * Seconds from issue until a token expires. Default 3600. At most 86,400
   * (24 hours, Agora's limit for chat user tokens) unless `allowLongExpire`.
   * Never past the session's end: a token is capped there.
   */
  expire?: number;
  /** Allow an `expire` over 86,400 seconds. Default false. */
  allowLongExpire?: boolean;
  /**
   * Where the users are: one `findUser` per login (the password is checked
   * against that record and the session stamped with its credential
   * version) and one per renewal. Needs `passwordHasher`. Instead of
   * `authenticate`/`findUser`.
   */
  store?: UserStore;
  /** Checks passwords against the store's hashes (and hashes new ones, for `POST /register`). */
  passwordHasher?: PasswordHasher;
  /**
   * Checks a login, instead of a store: resolve `{ chatUserName, chatUserUuid }`
   * or `null`. Its third argument aborts when the client goes away.
   */
  authenticate?: ServiceAuthenticate;
  /**
   * With `authenticate`: looks a user up when a session is renewed (and
   * stamps the session at login), so that removing a user or changing a
   * password ends their sessions. Without it, a session lasts its whole
   * lifetime with the chat names of its login.
   */
  findUser?: ServiceFindUser;
  /**
   * The secret that signs session cookies (HMAC-SHA256), at least 32 bytes.
   * Every process (or isolate) with the same secret accepts the others'
   * sessions. Without one, a random secret is drawn at the first request
   * (with a warning): sessions then end with the process and are not shared.
   */
  sessionSecret?: string;
  /** Seconds a session lasts from the login, renewals included: 1 to 315,360,000. Default 43,200 (12 hours). */
  sessionLifetime?: number;
  /** Mark the session cookie `Secure`. Default: when the request URL is `https:`. */
  secureCookie?: boolean;
  /** Trust `X-Forwarded-Proto: https` from a reverse proxy to mark the cookie `Secure`. Default false. */
  trustProxy?: boolean;
  /** The origin (`https://app.example.com`) allowed to call from a browser on another origin, or `'*'`. Default: none. */
  allowedOrigin?: string;
  /**
   * The per-session renewal limit, per process, or `false` for none.
   * Default `{ burst: 3, intervalSeconds: 5 }`; past it, `429 renew_rate_limited` with `Retry-After`.
   */
  renewalLimit?: RenewalLimit | false;
  /** Serve the sign-in page at the mount's root. Default true. */
  page?: boolean;
  /** A line shown on the page, e.g. which demo user to sign in as. */
  pageHint?: string;
  /**
   * The page's two browser modules (`agora-token-builder-web.js`,
   * `agora-token-builder-client.js`) by name: the built `dist/web.js` and
   * `dist/client/index.js` of this package. The Node adapter reads them from
   * the package; elsewhere, give them (e.g. bundled as text) or serve them
   * yourself under `assets/` beside the page.
   */
  assets?: (name: string) => string | undefined | Promise<string | undefined>;
  /**
   * The path the handler is mounted under, e.g. `/agora`: requests outside it
   * are 404, `/agora` itself is redirected (308) to `/agora/`. Default: none.
   */
  basePath?: string;
  /** Demo mode: also serve `GET /chat/user/uuid/{uuid}/token` (a token for anyone who asks). Never in production. */
  demo?: boolean;
  /** The largest request body accepted, in bytes: 64 to 1,048,576. Default 4096. */
  maxBodyBytes?: number;
  /**
   * Open `POST /register` (needs `store` and `passwordHasher`). Default false.
   * Anyone who can reach the service can then make accounts: put it behind
   * `canRegister`.
   */
  allowRegistration?: boolean;
  /** Decides whether a request may register (an invitation code, a captcha...). Default: every request may. */
  canRegister?: (request: Request) => boolean | Promise<boolean>;
  /**
   * Registers (or finds) the Agora Chat user of a new account and resolves
   * its UUID. Required with `allowRegistration`; the Node adapter defaults it
   * to `AgoraChatUserClient` when the Chat App Key and REST URL are configured.
   */
  registerChatUser?: (chatUserName: string) => Promise<RegisteredChatUser>;
  /**
   * Opens `POST /token/rtc`: decides whether the signed-in user may have an
   * RTC token for a channel in a role. Without it, the route does not exist.
   */
  authorizeChannel?: (user: ChannelUser, channelName: string, role: RtcRoleName) => boolean | Promise<boolean>;
  /** Called with every unexpected error (a 500). Default: nothing is logged. */
  onError?: (error: unknown) => void;
  /** Called with warnings (no or weak session secret, a rehash not saved). Default: `console.warn`. */
  onWarning?: (message: string) => void;
}

/** Every key of {@link FetchHandlerOptions}. */
export const FETCH_OPTION_KEYS = [
  'appId',
  'appCertificate',
  'expire',
  'allowLongExpire',
  'store',
  'passwordHasher',
  'authenticate',
  'findUser',
  'sessionSecret',
  'sessionLifetime',
  'secureCookie',
  'trustProxy',
  'allowedOrigin',
  'renewalLimit',
  'page',
  'pageHint',
  'assets',
  'basePath',
  'demo',
  'maxBodyBytes',
  'allowRegistration',
  'canRegister',
  'registerChatUser',
  'authorizeChannel',
  'onError',
  'onWarning',
] as const satisfies readonly (keyof FetchHandlerOptions)[];
const everyFetchOptionListed: [Exclude<keyof FetchHandlerOptions, (typeof FETCH_OPTION_KEYS)[number]>] extends [never] ? true : never = true;
void everyFetchOptionListed;

export const DEFAULT_EXPIRE = 3600;
export const DEFAULT_MAX_BODY = 4096;
const DEFAULT_RENEWAL_BURST = 3;
const DEFAULT_RENEWAL_INTERVAL = 5;

/** Where a setting came from, for messages: the Node adapter names its environment variables too. */
export interface OptionNames {
  readonly sessionSecret: string;
}

const FUNCTION_OPTIONS = ['authenticate', 'findUser', 'onError', 'onWarning', 'assets', 'canRegister', 'registerChatUser', 'authorizeChannel'] as const;

/** Checks every option's type and range like an argument, so a wrong value is an error at once. */
export function checkFetchOptions(given: unknown, keys: readonly string[] = FETCH_OPTION_KEYS): FetchHandlerOptions {
  const options = checkOptions(given, 'options', keys) as FetchHandlerOptions & Record<string, unknown>;
  const { appId, appCertificate, pageHint, allowedOrigin, sessionSecret, basePath } = options;
  for (const [name, value] of Object.entries({ appId, appCertificate, pageHint, sessionSecret, basePath })) {
    if (value !== undefined && typeof value !== 'string') throw invalidArgument(name, `must be a string (got ${typeof value})`);
  }
  if (pageHint !== undefined && pageHint.length > 1000) throw invalidArgument('pageHint', 'must be at most 1000 characters');
  if (allowedOrigin !== undefined && allowedOrigin !== '*' && !isOrigin(allowedOrigin)) {
    throw invalidArgument('allowedOrigin', "must be '*' or an origin such as https://app.example.com (scheme, host, optional port; no path)");
  }
  if (basePath !== undefined && basePath !== '' && !/^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+\/?$/.test(basePath)) {
    throw invalidArgument('basePath', "must be a path such as '/agora' (segments of URL path characters)");
  }
  if (options.expire !== undefined && typeof options.expire !== 'number') {
    throw invalidArgument('expire', `must be a whole number of seconds, at least 1 (got ${options.expire === null ? 'null' : typeof options.expire})`);
  }
  for (const name of ['allowLongExpire', 'demo', 'page', 'secureCookie', 'trustProxy', 'allowRegistration'] as const) optionalBoolean(options[name], name);
  for (const name of FUNCTION_OPTIONS) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw invalidArgument(name, `must be a function (got ${options[name] === null ? 'null' : typeof options[name]})`);
    }
  }
  for (const [name, methods] of [['store', ['findUser', 'addUser', 'updateUser', 'rehashPassword', 'removeUser', 'listUsers']], ['passwordHasher', ['hash', 'verify']]] as const) {
    const value = options[name] as unknown as Record<string, unknown> | undefined;
    if (value === undefined) continue;
    if (typeof value !== 'object' || value === null || methods.some((method) => typeof value[method] !== 'function')) {
      throw invalidArgument(name, `must be an object with the methods ${methods.join(', ')}`);
    }
  }
  if (options.maxBodyBytes !== undefined) assertInteger(options.maxBodyBytes, 'maxBodyBytes', 64, MAX_BODY_LIMIT);
  if (options.sessionLifetime !== undefined) assertInteger(options.sessionLifetime, 'sessionLifetime', 1, 315_360_000);
  const limit = options.renewalLimit;
  if (limit !== undefined && limit !== false) {
    const checked = checkOptions(limit, 'renewalLimit', ['burst', 'intervalSeconds']);
    if (checked.burst !== undefined) assertInteger(checked.burst, 'renewalLimit.burst', 1, 1000);
    if (checked.intervalSeconds !== undefined) assertInteger(checked.intervalSeconds, 'renewalLimit.intervalSeconds', 1, 3600);
  }
  return options;
}

/** Checks the session secret: undefined (a random one, with a warning), or at least 32 bytes; warns when weak. */
export function checkSessionSecret(secret: string | undefined, names: OptionNames, warn: (message: string) => void): string | undefined {
  if (secret === undefined || secret === '') {
    warn(
      `warning: no session secret (${names.sessionSecret}): using a random one, so sessions end when the server restarts and are not shared between processes`,
    );
    return undefined;
  }
  if (new TextEncoder().encode(secret).length < MIN_SECRET_BYTES) {
    throw new AgoraTokenError('ERR_INVALID_ARGUMENT', `the session secret (${names.sessionSecret}) must be at least ${MIN_SECRET_BYTES} bytes`, {
      argument: 'sessionSecret',
    });
  }
  const weak = weakSecretReason(secret);
  if (weak !== undefined) {
    warn(
      `warning: the session secret (${names.sessionSecret}) is weak: ${weak}. Anyone who captures a cookie can guess it and sign sessions; use 32 random bytes, e.g. from \`openssl rand -base64 32\``,
    );
  }
  return secret;
}

/** The renewal limit, resolved: undefined for none. */
export function resolveRenewalLimit(limit: RenewalLimit | false | undefined): { burst: number; intervalMs: number } | undefined {
  if (limit === false) return undefined;
  return { burst: limit?.burst ?? DEFAULT_RENEWAL_BURST, intervalMs: (limit?.intervalSeconds ?? DEFAULT_RENEWAL_INTERVAL) * 1000 };
}

/** `sessionLifetime`, defaulted. */
export function resolveLifetime(value: number | undefined): number {
  return value ?? DEFAULT_SESSION_LIFETIME;
}

export type { StoredUser };
