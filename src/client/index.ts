/**
 * The browser side of the token server (`agora-token-builder/server`): log
 * in once with a password, then keep an Agora Chat user token fresh through
 * the server's session, without keeping the password, and keep the user
 * online in Agora Chat across each token's expiry.
 *
 * - {@link TokenClient.login} posts the password to `POST /token`; the
 *   server answers a token and sets an `HttpOnly` session cookie. The
 *   password is not kept anywhere.
 * - When 80% of the token's life has passed, the client asks
 *   `POST /token/renew` (cookie only, no password) for a new one, retrying a
 *   bounded number of times (and waiting as long as a `429` or `503`
 *   answer's `Retry-After` asks); if that failed, it tries again when the
 *   token expires. Every new token goes to your `onToken` callback. The
 *   times come from the token server's answer (the token's own issue time
 *   and lifetime), corrected for the difference between the server's clock
 *   and this browser's.
 * - {@link TokenClient.attach} plugs it into an Agora Chat SDK connection:
 *   the SDK's `onTokenWillExpire` and `onTokenExpired` trigger a renewal, and
 *   each renewed token is handed to `conn.renewToken(token)`. At expiry the
 *   SDK closes its connection by itself and refuses `renewToken`: the client
 *   then logs in again with `conn.open({ user: chatUserName, accessToken })`
 *   and the fresh token. While the SDK is reconnecting after a network drop,
 *   the token is handed over once it is connected again.
 *
 * No Node built-ins: it needs `fetch` and timers, nothing else.
 *
 * `AgoraChat` in the examples is the default export of the `agora-chat`
 * package, imported with a bundler; its script defines no `AgoraChat`
 * global (loaded with a `<script>` tag it sets `window.WebIM`). Open the SDK
 * with `accessToken`: its `agoraToken` option is deprecated.
 *
 * @example
 * ```ts
 * import AgoraChat from 'agora-chat';
 * import { TokenClient } from 'agora-token-builder/client';
 *
 * const conn = new AgoraChat.connection({ appKey: 'org#app' });
 * const tokens = new TokenClient({ onToken: (token) => console.log('token until', new Date(token.expiresAt)) });
 * const { accessToken, chatUserName } = await tokens.login(username, password);
 * await conn.open({ user: chatUserName, accessToken });
 * tokens.attach(conn); // renews before expiry; logs in again if the SDK closed at expiry
 * ```
 *
 * @module agora-token-builder/client
 */

import { AgoraTokenError, brandClass, hasBrand } from '../errors.js';
import type { TokenClientErrorCode } from '../error-codes.js';

/**
 * A chat user token from the token server, with when it was issued and when
 * it expires on this browser's clock.
 *
 * @example
 * ```ts
 * const token: ChatToken = await tokens.login('alice', password);
 * await conn.open({ user: token.chatUserName, accessToken: token.accessToken });
 * ```
 */
export interface ChatToken {
  /** The token, for `conn.open({ accessToken })` and `conn.renewToken()`. */
  readonly accessToken: string;
  /** The Agora Chat username to log in with (`conn.open({ user })`). */
  readonly chatUserName: string;
  /** The user's Agora Chat UUID, which the token is built for. */
  readonly chatUserUuid: string;
  /** When the token expires, in Unix seconds on the server's clock: the token's issue time plus its lifetime. */
  readonly expireTimestamp: number;
  /** When the token was received, in milliseconds on this browser's clock (`Date.now()`). */
  readonly receivedAt: number;
  /**
   * When the token was issued, in milliseconds on this browser's clock: the
   * token's issue time (`expireTimestamp` minus the lifetime the server
   * states), moved by the difference between the server's clock and this
   * browser's.
   */
  readonly issuedAt: number;
  /**
   * When the token expires, in milliseconds on this browser's clock:
   * `issuedAt` plus the token's lifetime. The server's clock is known to the
   * second only, so this is up to about a second (plus the request's
   * round trip) early, never late.
   */
  readonly expiresAt: number;
}

/**
 * How a token was obtained: by a password `login`, a `renew`al through the
 * session, or a `resume` of a session that already existed (a page reload).
 *
 * @example
 * ```ts
 * const onToken = (token: ChatToken, reason: TokenReason) => { if (reason === 'renew') console.log('renewed until', new Date(token.expiresAt)); };
 * ```
 */
export type TokenReason = 'login' | 'renew' | 'resume';

/**
 * What {@link TokenClient.attach} did with a token on a connection:
 * `renewToken` (handed to the open connection), `open` (the SDK had closed
 * the connection at the token's expiry, so the client logged in again with
 * `conn.open({ user, accessToken })`), or `wait` (the SDK is reconnecting:
 * the token is handed over once it is connected again).
 *
 * @example
 * ```ts
 * const onHandOver = (action: HandOverAction) => { if (action === 'open') console.log('back online'); };
 * ```
 */
export type HandOverAction = 'renewToken' | 'open' | 'wait';

/**
 * The SDK events {@link TokenClient.attach} listens to.
 *
 * @example
 * ```ts
 * const handlers: ChatConnectionHandlers = { onTokenWillExpire: () => void tokens.renew() };
 * ```
 */
export interface ChatConnectionHandlers {
  /** The SDK's timer: 80% of the token's life has passed. */
  onTokenWillExpire?: () => void;
  /** The SDK's timer: the token has expired; the SDK closes the connection right after. */
  onTokenExpired?: () => void;
  /** The connection is open (after `open`, or after a reconnect). */
  onConnected?: () => void;
  /** The connection was lost and the SDK tries to reconnect. */
  onReconnecting?: () => void;
  /** The connection is closed (by `close()`, at expiry, or after the reconnects failed). */
  onDisconnected?: () => void;
}

/**
 * The part of an Agora Chat SDK connection (`new AgoraChat.connection(...)`
 * from `import AgoraChat from 'agora-chat'`) that {@link TokenClient.attach}
 * uses.
 *
 * @example
 * ```ts
 * import AgoraChat from 'agora-chat';
 *
 * const conn: ChatConnection = new AgoraChat.connection({ appKey: 'org#app' });
 * ```
 */
export interface ChatConnection {
  /** Registers SDK event handlers under an id. */
  addEventHandler(id: string, handlers: ChatConnectionHandlers): void;
  /** Removes the handlers registered under an id (used by the function `attach` returns, when present). */
  removeEventHandler?(id: string): void;
  /** Gives the SDK a new token for the open connection; the SDK rejects it when the connection is not open. */
  renewToken(token: string): unknown;
  /** Logs in; used to log in again after the SDK closed the connection at the token's expiry. */
  open?(options: { user: string; accessToken: string }): unknown;
  /** Whether the connection is open. */
  isOpened?(): boolean;
}

export type { TokenClientErrorCode } from '../error-codes.js';
export { AgoraTokenError, type AgoraTokenErrorCode } from '../errors.js';

/**
 * A request to the token server that failed: an {@link AgoraTokenError} with a
 * code of {@link TokenClientErrorCode}. The message never contains the
 * password or a token.
 *
 * @example
 * ```ts
 * try {
 *   await tokens.login(username, password);
 * } catch (error) {
 *   if (error instanceof TokenClientError && error.code === 'invalid_credentials') showError('Wrong username or password');
 * }
 * ```
 */
export class TokenClientError extends AgoraTokenError {
  /** True for token client errors only, from any copy of the package (by a `Symbol.for` brand). */
  static override [Symbol.hasInstance](value: unknown): value is TokenClientError {
    return hasBrand(value, TOKEN_CLIENT_ERROR);
  }

  /** The server's error code, or one of the client's own (see {@link TokenClientErrorCode}). */
  declare readonly code: TokenClientErrorCode;
  /** The HTTP status; 0 when there was no answer. */
  readonly status: number;
  /** The seconds the server asked to wait before trying again (`Retry-After` of a `429` or `503`), else undefined. */
  readonly retryAfter: number | undefined;

  /**
   * @param code - the server's code or the client's own.
   * @param status - the HTTP status; 0 when there was no answer.
   * @param message - what failed; never the password or a token.
   * @param options - the wrapped error, if any, and the answer's `Retry-After` in seconds.
   */
  constructor(code: TokenClientErrorCode, status: number, message: string, options?: { cause?: unknown; retryAfter?: number }) {
    super(code, message, { cause: options?.cause });
    this.name = 'TokenClientError';
    this.status = status;
    this.retryAfter = options?.retryAfter;
  }

  /** True when the session is over (no session, expired, invalid or revoked): log in again. */
  get sessionEnded(): boolean {
    return this.status === 401 && (this.code === 'no_session' || this.code.startsWith('session_'));
  }
}

const TOKEN_CLIENT_ERROR = brandClass(TokenClientError, 'agora-token-builder.TokenClientError');

/**
 * Options of {@link TokenClient}.
 *
 * @example
 * ```ts
 * const options: TokenClientOptions = {
 *   baseUrl: 'https://tokens.example.com/',
 *   onToken: (token, reason) => render(token, reason),
 *   onSessionEnd: () => showLoginForm(),
 * };
 * ```
 */
export interface TokenClientOptions {
  /**
   * Where the token server's routes are: `token`, `token/renew`, `session`
   * and `logout` are resolved against it. Default: relative to the page, for
   * a page served by the token server itself. Cross-origin, the server must
   * allow this page's origin (`allowedOrigin`).
   */
  baseUrl?: string;
  /** The fraction of a token's life after which it is renewed, between 0 and 1. Default 0.8. */
  renewAt?: number;
  /**
   * How many times a failed request is tried again: a renewal (network
   * error, 429, 5xx) before giving up until the next trigger, a login
   * answered `503` with `Retry-After`, and handing a token to an attached
   * connection. Default 3.
   */
  retries?: number;
  /** Milliseconds before the first retry; each next one waits twice as long (or what `Retry-After` asks, up to 30 s). Default 1000. */
  retryDelay?: number;
  /** Called with every new token: after `login`, `resume` and each renewal. */
  onToken?: (token: ChatToken, reason: TokenReason) => void;
  /**
   * Called when a renewal attempt failed, or an attached connection refused
   * a token (`sdk_error`); `willRetry` tells whether another attempt is
   * scheduled.
   */
  onRenewError?: (error: TokenClientError, willRetry: boolean) => void;
  /** Called when a token reached an attached connection, with how: see {@link HandOverAction}. */
  onHandOver?: (action: HandOverAction, token: ChatToken) => void;
  /** Called once when the session is over (the server refused it, or `logout`): show the login form again. */
  onSessionEnd?: (error: TokenClientError | undefined) => void;
  /** The `fetch` to use. Default: the global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * The session the token server holds for this browser (`GET /session`):
 * who is signed in and until when. No token.
 *
 * @example
 * ```ts
 * const session: SessionInfo | null = await tokens.session();
 * if (session) console.log('signed in as', session.userAccount);
 * ```
 */
export interface SessionInfo {
  /** The login name. */
  readonly userAccount: string;
  /** The Agora Chat username. */
  readonly chatUserName: string;
  /** The Agora Chat UUID. */
  readonly chatUserUuid: string;
  /** When the session ends, in Unix seconds on the server's clock. */
  readonly expiresAt: number;
}

/** setTimeout's longest delay; longer waits are done in steps. */
const MAX_DELAY = 2 ** 31 - 1;
const MAX_RETRY_AFTER = 30_000;
const DEFAULT_HANDLER_ID = 'agora-token-builder';

/** What the client knows of one attached connection, from the SDK's events. */
interface Attached {
  /** `open`; `reconnecting` after a drop; `expired` when the SDK closed it at the token's expiry; `closed` by the app or after failed reconnects. */
  state: 'open' | 'reconnecting' | 'expired' | 'closed';
  /** The token the SDK holds (the last one handed over or logged in with). */
  sdkToken: string | undefined;
  /** The hand-over in progress, if any: one at a time per connection. */
  delivering: Promise<void> | undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(Math.max(ms, 0), MAX_DELAY)));

/**
 * Logs in to the token server, keeps the chat token fresh through the
 * session, and hands each new token to a callback or to an Agora Chat SDK
 * connection. See the module's overview for the flow.
 *
 * @example
 * ```ts
 * import AgoraChat from 'agora-chat';
 *
 * const conn = new AgoraChat.connection({ appKey: 'org#app' });
 * const tokens = new TokenClient({ onSessionEnd: () => showLoginForm() });
 * form.onsubmit = async () => {
 *   const token = await tokens.login(form.username.value, form.password.value);
 *   form.password.value = ''; // the client does not keep it either
 *   await conn.open({ user: token.chatUserName, accessToken: token.accessToken });
 *   tokens.attach(conn);
 * };
 * logoutButton.onclick = async () => {
 *   await tokens.logout(); // rejects when the server could not end the session: still signed in
 *   conn.close();
 * };
 * ```
 */
export class TokenClient {
  readonly #options: Required<Pick<TokenClientOptions, 'renewAt' | 'retries' | 'retryDelay'>> & TokenClientOptions;
  #token: ChatToken | undefined;
  #timers: ReturnType<typeof setTimeout>[] = [];
  #renewing: Promise<ChatToken> | undefined;
  #connections = new Map<ChatConnection, Attached>();
  /** Bumped by stop/logout/login: answers to older requests are dropped. */
  #generation = 0;

  /**
   * @param options - where the server is, when to renew, how often to retry, and the callbacks.
   * @throws `RangeError` when `renewAt`, `retries` or `retryDelay` is out of range.
   */
  constructor(options: TokenClientOptions = {}) {
    const { renewAt = 0.8, retries = 3, retryDelay = 1000 } = options;
    if (!(renewAt > 0 && renewAt < 1)) throw new RangeError('renewAt must be between 0 and 1 (exclusive)');
    if (!Number.isInteger(retries) || retries < 0 || retries > 10) throw new RangeError('retries must be an integer from 0 to 10');
    if (!(retryDelay >= 0 && retryDelay <= 60_000)) throw new RangeError('retryDelay must be from 0 to 60,000 milliseconds');
    this.#options = { ...options, renewAt, retries, retryDelay };
  }

  /** The current token, or undefined before a login and after a logout. */
  get token(): ChatToken | undefined {
    return this.#token;
  }

  /**
   * Logs in with a username and password (`POST /token`) and starts renewing.
   * The password is sent once and not kept. A `503` with `Retry-After` (the
   * server is busy) is tried again after the time it asks, up to `retries`
   * times.
   *
   * @returns the token; log in to Agora Chat with its `chatUserName` and `accessToken`.
   * @throws {@link TokenClientError}, e.g. `invalid_credentials` (401).
   */
  async login(userAccount: string, userPassword: string): Promise<ChatToken> {
    this.#reset();
    const generation = this.#generation;
    for (let attempt = 0; ; attempt++) {
      try {
        const token = await this.#postToken('token', { userAccount, userPassword }, generation);
        return this.#accept(token, 'login', generation);
      } catch (error) {
        // Only when the server said when: a 503 with Retry-After (busy, or its store down for a moment).
        const wait = error instanceof TokenClientError && error.status === 503 && error.retryAfter !== undefined ? this.#retryWait(error, attempt) : undefined;
        if (wait === undefined || attempt >= this.#options.retries) throw error;
        await sleep(wait);
        if (generation !== this.#generation) throw new TokenClientError('stopped', 0, 'the client was stopped while waiting to retry');
      }
    }
  }

  /**
   * Asks the token server whether this browser has a session (`GET
   * /session`), without a token and without an error when there is none.
   *
   * @returns the session, or null when there is none.
   * @throws {@link TokenClientError} when the server could not be asked (network, server error, a server without the route: `not_found`).
   */
  async session(): Promise<SessionInfo | null> {
    const json = (await this.#request('GET', 'session')) as { session?: unknown } | undefined;
    const session = json?.session;
    if (session === null) return null;
    const { userAccount, chatUserName, chatUserUuid, expiresAt } = (session ?? {}) as Record<string, unknown>;
    if (typeof userAccount !== 'string' || typeof chatUserName !== 'string' || typeof chatUserUuid !== 'string' || typeof expiresAt !== 'number') {
      throw new TokenClientError('bad_response', 200, 'GET session answered without { session: null } or { session: { userAccount, chatUserName, chatUserUuid, expiresAt } }');
    }
    return { userAccount, chatUserName, chatUserUuid, expiresAt };
  }

  /**
   * Picks up a session that already exists (after a page reload): asks
   * whether there is one (`GET /session`, whose "no session" answer is a
   * plain `200`, so a fresh visit logs no error in the browser's console),
   * and only then renews without a password. Against a server without `GET
   * /session`, it renews straight away.
   *
   * @returns the token, or undefined when there is no valid session (show the login form).
   * @throws {@link TokenClientError} for other failures (network, server error).
   */
  async resume(): Promise<ChatToken | undefined> {
    this.#reset();
    const generation = this.#generation;
    try {
      let known: boolean;
      try {
        known = (await this.session()) !== null;
      } catch (error) {
        if (!(error instanceof TokenClientError && error.status === 404)) throw error;
        known = true; // an older server: ask for a token instead
      }
      if (generation !== this.#generation) throw new TokenClientError('stopped', 0, 'the client was stopped while the request was in flight');
      if (!known) return undefined;
      const token = await this.#postToken('token/renew', {}, generation);
      return this.#accept(token, 'resume', generation);
    } catch (error) {
      if (error instanceof TokenClientError && error.sessionEnded) return undefined;
      throw error;
    }
  }

  /**
   * Renews the token now through the session (`POST /token/renew`), with the
   * bounded retries. Calls made while a renewal is in flight share it. Each
   * new token goes to `onToken` and to every attached connection.
   *
   * @throws {@link TokenClientError} when every attempt failed; `sessionEnded` tells whether to log in again.
   */
  renew(): Promise<ChatToken> {
    this.#renewing ??= this.#renewWithRetries(this.#generation).finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  /**
   * Ends the session (`POST /logout`) and stops renewing. The token already
   * handed out stays valid until it expires: close the chat connection too.
   *
   * When the server could not be reached or answered an error (e.g. a
   * proxy's `503`), the session cookie is still there: `logout` rejects with
   * the {@link TokenClientError}, the client stays signed in (renewals go
   * on), and `onSessionEnd` is not called. Tell the user, and let them try
   * again.
   *
   * @throws {@link TokenClientError} when the session could not be ended.
   */
  async logout(): Promise<void> {
    const hadToken = this.#token !== undefined;
    await this.#request('POST', 'logout', {});
    this.#reset();
    if (hadToken) this.#options.onSessionEnd?.(undefined);
  }

  /**
   * Stops the timers without ending the session (e.g. when the page goes
   * away); {@link TokenClient.resume} starts again.
   */
  stop(): void {
    this.#reset();
  }

  /**
   * Plugs the client into an Agora Chat SDK connection and keeps its user
   * online across each token's expiry:
   *
   * - the SDK's `onTokenWillExpire` and `onTokenExpired` events trigger a
   *   renewal (shared with the client's own timers: one request, one token);
   * - every renewed token is passed to `conn.renewToken(token)`;
   * - when the SDK refuses it because it closed the connection at the
   *   token's expiry, the client logs in again with `conn.open({ user:
   *   chatUserName, accessToken })`; while the SDK is reconnecting after a
   *   network drop, the token is handed over once it is connected again;
   * - a refusal is retried up to `retries` times and reported to
   *   `onRenewError` (code `sdk_error`); what was done goes to `onHandOver`.
   *
   * Attach after `conn.open` resolved (or before: the client then waits for
   * the SDK's `onConnected`). It logs in again only after the SDK closed the
   * connection at a token's expiry. When signing out, call `logout()` (or
   * the function `attach` returns) before `conn.close()`: the client then
   * leaves the connection alone.
   *
   * @param conn - the SDK connection.
   * @param id - the event handler id. Default `'agora-token-builder'`.
   * @returns a function that detaches it again.
   *
   * @example
   * ```ts
   * const detach = tokens.attach(conn);
   * // later
   * detach();
   * ```
   */
  attach(conn: ChatConnection, id = DEFAULT_HANDLER_ID): () => void {
    const opened = typeof conn.isOpened === 'function' ? conn.isOpened() : true;
    const attached: Attached = { state: opened ? 'open' : 'closed', sdkToken: opened ? this.#token?.accessToken : undefined, delivering: undefined };
    const renew = () => {
      // Not after logout() or stop(), nor before a login: no session to renew.
      if (this.#token !== undefined) this.renew().catch(() => undefined); // reported through onRenewError / onSessionEnd
    };
    conn.addEventHandler(id, {
      onTokenWillExpire: () => {
        // A newer token than the SDK's is already here: hand it over rather than renew again.
        if (this.#token !== undefined && this.#token.accessToken !== attached.sdkToken) this.#handOver(conn, attached);
        else renew();
      },
      onTokenExpired: () => {
        // The SDK closes the connection right after this event, and forgets its token.
        attached.state = 'expired';
        attached.sdkToken = undefined;
        if (this.#token !== undefined && this.#token.expiresAt > Date.now()) this.#handOver(conn, attached);
        else renew();
      },
      onConnected: () => {
        attached.state = 'open';
        if (this.#token !== undefined && this.#token.accessToken !== attached.sdkToken) this.#handOver(conn, attached);
      },
      onReconnecting: () => {
        if (attached.state !== 'expired') attached.state = 'reconnecting';
      },
      onDisconnected: () => {
        if (attached.state !== 'expired') attached.state = 'closed';
      },
    });
    this.#connections.set(conn, attached);
    return () => {
      this.#connections.delete(conn);
      conn.removeEventHandler?.(id);
    };
  }

  #reset(): void {
    this.#generation += 1;
    this.#clearTimers();
    this.#token = undefined;
    this.#renewing = undefined;
  }

  #clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers = [];
  }

  /** Runs `action` at `at` (Date.now() milliseconds), in steps for long waits. */
  #at(at: number, action: () => void): void {
    const delay = at - Date.now();
    const timer = setTimeout(() => {
      this.#timers = this.#timers.filter((t) => t !== timer);
      if (Date.now() < at) this.#at(at, action);
      else action();
    }, Math.min(Math.max(delay, 0), MAX_DELAY));
    this.#timers.push(timer);
  }

  #accept(token: ChatToken, reason: TokenReason, generation: number): ChatToken {
    if (generation !== this.#generation) throw new TokenClientError('stopped', 0, 'the client was stopped while the request was in flight');
    this.#token = token;
    this.#clearTimers();
    const life = token.expiresAt - token.issuedAt;
    const renew = () => void this.renew().catch(() => undefined);
    this.#at(token.issuedAt + life * this.#options.renewAt, renew); // "about to expire"
    this.#at(token.expiresAt, renew); // expired, if the first renewal failed
    this.#options.onToken?.(token, reason);
    if (reason === 'renew') for (const [conn, attached] of this.#connections) this.#handOver(conn, attached);
    return token;
  }

  /** Hands the current token to one connection, one hand-over at a time: a later call runs after the one in progress. */
  #handOver(conn: ChatConnection, attached: Attached): void {
    const next: Promise<void> = (attached.delivering ?? Promise.resolve())
      .then(() => this.#deliver(conn, attached))
      .catch(() => undefined) // a callback that threw: the next hand-over still runs
      .finally(() => {
        if (attached.delivering === next) attached.delivering = undefined;
      });
    attached.delivering = next;
  }

  async #deliver(conn: ChatConnection, attached: Attached): Promise<void> {
    const generation = this.#generation;
    for (let attempt = 0; ; attempt++) {
      // Let the SDK finish what it is doing first: it dispatches onTokenExpired and then closes the connection.
      await sleep(0);
      const token = this.#token;
      if (token === undefined || generation !== this.#generation || !this.#connections.has(conn)) return;
      if (token.accessToken === attached.sdkToken) return; // already there
      if (attached.state === 'closed') return; // closed by the app (signed out) or reconnects given up: not ours to reopen
      if (attached.state === 'reconnecting') {
        this.#options.onHandOver?.('wait', token); // onConnected hands it over
        return;
      }
      const reopen = attached.state === 'expired';
      let refused = false;
      let failure: unknown;
      try {
        if (reopen) {
          if (typeof conn.open !== 'function') throw new TypeError('the connection has no open()');
          await conn.open({ user: token.chatUserName, accessToken: token.accessToken });
          attached.state = 'open';
        } else {
          await conn.renewToken(token.accessToken);
        }
        if (attached.state !== 'open') {
          refused = true;
          failure = new Error('the connection closed while it was given the token');
        }
      } catch (error) {
        refused = true;
        failure = error;
      }
      if (!refused) {
        attached.sdkToken = token.accessToken;
        this.#options.onHandOver?.(reopen ? 'open' : 'renewToken', token);
        return;
      }
      if (generation !== this.#generation) return;
      const willRetry = attempt < this.#options.retries;
      // Refused because the SDK closed at expiry or started reconnecting meanwhile: look again at once.
      if (!reopen && attached.state !== 'open' && willRetry) continue;
      const message = reopen ? 'the chat connection refused to log in again with the renewed token' : 'the chat connection refused the renewed token';
      this.#options.onRenewError?.(new TokenClientError('sdk_error', 0, message, { cause: failure }), willRetry);
      if (!willRetry) return;
      await sleep(this.#options.retryDelay * 2 ** attempt);
    }
  }

  /** How long to wait before retry `attempt` (0-based): the doubling delay, or longer when the server asked. */
  #retryWait(error: TokenClientError, attempt: number): number {
    const asked = error.retryAfter === undefined ? 0 : Math.min(error.retryAfter * 1000, MAX_RETRY_AFTER);
    return Math.max(this.#options.retryDelay * 2 ** attempt, asked);
  }

  async #renewWithRetries(generation: number): Promise<ChatToken> {
    const { retries } = this.#options;
    for (let attempt = 0; ; attempt++) {
      try {
        const token = await this.#postToken('token/renew', {}, generation);
        return this.#accept(token, 'renew', generation);
      } catch (caught) {
        const error = caught instanceof TokenClientError ? caught : new TokenClientError('bad_response', 0, 'the renewal failed', { cause: caught });
        if (error.code === 'stopped' || generation !== this.#generation) throw error;
        if (error.sessionEnded) {
          this.#reset();
          this.#options.onRenewError?.(error, false);
          this.#options.onSessionEnd?.(error);
          throw error;
        }
        // No answer, too many renewals (429 renew_rate_limited), or the server or its store is down (5xx).
        const retryable = error.status === 0 || error.status === 429 || error.status >= 500;
        const willRetry = retryable && attempt < retries;
        this.#options.onRenewError?.(error, willRetry);
        if (!willRetry) throw error;
        await sleep(this.#retryWait(error, attempt));
        if (generation !== this.#generation) throw new TokenClientError('stopped', 0, 'the client was stopped while waiting to retry');
      }
    }
  }

  /** A request with the session cookie (JSON body for POST); resolves to the answer's JSON and when it was sent and received, or throws TokenClientError. */
  async #exchange(method: 'GET' | 'POST', path: string, body?: object): Promise<{ json: unknown; sentAt: number; receivedAt: number; date: number | undefined }> {
    const base = this.#options.baseUrl;
    const url = base === undefined ? path : `${base.endsWith('/') ? base : `${base}/`}${path}`;
    const doFetch = this.#options.fetch ?? globalThis.fetch;
    let response: Response;
    const sentAt = Date.now();
    try {
      response = await doFetch(url, {
        method,
        ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) } : {}),
        credentials: 'include',
      });
    } catch (error) {
      throw new TokenClientError('network_error', 0, `the token server could not be reached (${method} ${path})`, { cause: error });
    }
    const receivedAt = Date.now();
    const header = response.headers.get('retry-after');
    const seconds = header === null || header.trim() === '' ? NaN : Number(header);
    const retryAfter = Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
    const dateHeader = response.headers.get('date'); // readable same-origin (cross-origin only if exposed)
    const date = dateHeader === null ? undefined : Date.parse(dateHeader);
    if (response.status === 204) return { json: undefined, sentAt, receivedAt, date };
    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      throw new TokenClientError(response.ok ? 'bad_response' : `http_${response.status}`, response.status, `${method} ${path} answered ${response.status} without JSON`, {
        cause: error,
        ...(retryAfter === undefined ? {} : { retryAfter }),
      });
    }
    if (!response.ok) {
      const detail = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      // The server's own code (TokenServerErrorCode), passed on as it is.
      const code = typeof detail?.code === 'string' ? (detail.code as TokenClientErrorCode) : (`http_${response.status}` as const);
      const message = typeof detail?.message === 'string' ? detail.message : `${method} ${path} answered ${response.status}`;
      throw new TokenClientError(code, response.status, message, retryAfter === undefined ? undefined : { retryAfter });
    }
    return { json, sentAt, receivedAt, date: Number.isFinite(date) ? date : undefined };
  }

  async #request(method: 'GET' | 'POST', path: string, body?: object): Promise<unknown> {
    return (await this.#exchange(method, path, body)).json;
  }

  async #postToken(path: string, body: object, generation: number): Promise<ChatToken> {
    const { json, sentAt, receivedAt, date } = await this.#exchange('POST', path, body);
    if (generation !== this.#generation) throw new TokenClientError('stopped', 0, 'the client was stopped while the request was in flight');
    const { accessToken, chatUserName, chatUserUuid, expireTimestamp, expiresIn } = (json ?? {}) as Record<string, unknown>;
    if (typeof accessToken !== 'string' || typeof chatUserName !== 'string' || typeof expireTimestamp !== 'number') {
      throw new TokenClientError('bad_response', 200, `POST ${path} answered without accessToken, chatUserName and expireTimestamp`);
    }
    const { issuedAt, expiresAt } = browserTimes(expireTimestamp, typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : undefined, sentAt, receivedAt, date);
    return { accessToken, chatUserName, chatUserUuid: typeof chatUserUuid === 'string' ? chatUserUuid : chatUserName, expireTimestamp, receivedAt, issuedAt, expiresAt };
  }
}

/**
 * When a token was issued and expires on this browser's clock.
 *
 * The token is valid from its issue time (`expireTimestamp - expiresIn`, Unix
 * seconds on the server's clock) until `expireTimestamp`. The server read its
 * clock (truncated to the second) between `sentAt` and `receivedAt` on this
 * browser's clock, so the server was at most one second past that second at
 * `sentAt`: `offset = sentAt - (serverSecond + 1) * 1000` is the browser's
 * clock minus the server's at its smallest, which makes the expiry early by
 * at most a second plus the round trip, never late. The `Date` header (when
 * readable) is another reading of the server's clock, taken later; the
 * larger offset of the two is the closer one. Without either (a server that
 * states no lifetime and no readable `Date`), the clocks are taken to agree.
 */
function browserTimes(expireTimestamp: number, expiresIn: number | undefined, sentAt: number, receivedAt: number, date: number | undefined): { issuedAt: number; expiresAt: number } {
  const offsets: number[] = [];
  if (expiresIn !== undefined) offsets.push(sentAt - ((expireTimestamp - expiresIn) + 1) * 1000);
  if (date !== undefined) offsets.push(sentAt - (date + 1000));
  let offset = offsets.length === 0 ? 0 : Math.max(...offsets);
  // The server cannot have read its clock after the answer arrived: the offset is at most this.
  if (expiresIn !== undefined) offset = Math.min(offset, receivedAt - (expireTimestamp - expiresIn) * 1000);
  const expiresAt = expireTimestamp * 1000 + offset;
  const issuedAt = expiresIn !== undefined ? expiresAt - expiresIn * 1000 : Math.min(receivedAt, expiresAt);
  return { issuedAt, expiresAt };
}
