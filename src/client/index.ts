/**
 * The browser side of the token server (`agora-token-builder/server`): log
 * in once with a password, then keep an Agora Chat user token fresh through
 * the server's session, without keeping the password.
 *
 * - {@link TokenClient.login} posts the password to `POST /token`; the
 *   server answers a token and sets an `HttpOnly` session cookie. The
 *   password is not kept anywhere.
 * - When 80% of the token's life has passed, the client asks
 *   `POST /token/renew` (cookie only, no password) for a new one, retrying a
 *   bounded number of times; if that failed, it tries again when the token
 *   expires. Every new token goes to your `onToken` callback.
 * - {@link TokenClient.attach} plugs it into an Agora Chat SDK connection:
 *   the SDK's `onTokenWillExpire` and `onTokenExpired` trigger a renewal, and
 *   each renewed token is handed to `conn.renewToken(token)`.
 *
 * No Node built-ins: it needs `fetch` and timers, nothing else.
 *
 * @example
 * ```ts
 * import { TokenClient } from 'agora-token-builder/client';
 *
 * const tokens = new TokenClient({ onToken: (token) => console.log('token until', new Date(token.expiresAt)) });
 * const { accessToken, chatUserName } = await tokens.login(username, password);
 * await conn.open({ user: chatUserName, agoraToken: accessToken }); // the Agora Chat SDK connection
 * tokens.attach(conn);
 * ```
 *
 * @module agora-token-builder/client
 */

import { AgoraTokenError, brandClass, hasBrand } from '../errors.js';
import type { TokenClientErrorCode } from '../error-codes.js';

/**
 * A chat user token from the token server, with when it expires on this
 * browser's clock.
 *
 * @example
 * ```ts
 * const token: ChatToken = await tokens.login('alice', password);
 * conn.open({ user: token.chatUserName, agoraToken: token.accessToken });
 * ```
 */
export interface ChatToken {
  /** The token, for `conn.open({ agoraToken })` and `conn.renewToken()`. */
  readonly accessToken: string;
  /** The Agora Chat username to log in with (`conn.open({ user })`). */
  readonly chatUserName: string;
  /** The user's Agora Chat UUID, which the token is built for. */
  readonly chatUserUuid: string;
  /** When the token expires, in Unix seconds on the server's clock. */
  readonly expireTimestamp: number;
  /** When the token was received, in milliseconds on this browser's clock (`Date.now()`). */
  readonly receivedAt: number;
  /**
   * When the token expires, in milliseconds on this browser's clock: counted
   * from `receivedAt` by the lifetime the server states, so that a browser
   * clock set differently from the server's does not matter.
   */
  readonly expiresAt: number;
}

/**
 * How a token was obtained: by a password `login`, a `renew`al through the
 * session, or a `resume` of a session that already existed (a page reload).
 *
 * @example
 * ```ts
 * const onToken = (token: ChatToken, reason: TokenReason) => { if (reason === 'renew') conn.renewToken(token.accessToken); };
 * ```
 */
export type TokenReason = 'login' | 'renew' | 'resume';

/**
 * The part of an Agora Chat SDK connection (`new WebIM.connection(...)`,
 * `new AgoraChat.connection(...)`) that {@link TokenClient.attach} uses.
 *
 * @example
 * ```ts
 * const conn: ChatConnection = new AgoraChat.connection({ appKey: 'org#app' });
 * ```
 */
export interface ChatConnection {
  /** Registers SDK event handlers under an id. */
  addEventHandler(id: string, handlers: { onTokenWillExpire?: () => void; onTokenExpired?: () => void }): void;
  /** Removes the handlers registered under an id (used by the function `attach` returns, when present). */
  removeEventHandler?(id: string): void;
  /** Gives the SDK a new token for the open connection. */
  renewToken(token: string): unknown;
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

  /**
   * @param code - the server's code or the client's own.
   * @param status - the HTTP status; 0 when there was no answer.
   * @param message - what failed; never the password or a token.
   * @param options - the wrapped error, if any.
   */
  constructor(code: TokenClientErrorCode, status: number, message: string, options?: { cause?: unknown }) {
    super(code, message, { cause: options?.cause });
    this.name = 'TokenClientError';
    this.status = status;
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
   * Where the token server's routes are: `token`, `token/renew` and `logout`
   * are resolved against it. Default: relative to the page, for a page served
   * by the token server itself. Cross-origin, the server must allow this
   * page's origin (`allowedOrigin`).
   */
  baseUrl?: string;
  /** The fraction of a token's life after which it is renewed, between 0 and 1. Default 0.8. */
  renewAt?: number;
  /** How many times a failed renewal is tried again before giving up until the next trigger. Default 3. */
  retries?: number;
  /** Milliseconds before the first retry; each next one waits twice as long (or what `Retry-After` asks, up to 30 s). Default 1000. */
  retryDelay?: number;
  /** Called with every new token: after `login`, `resume` and each renewal. */
  onToken?: (token: ChatToken, reason: TokenReason) => void;
  /** Called when a renewal attempt failed; `willRetry` tells whether another attempt is scheduled. */
  onRenewError?: (error: TokenClientError, willRetry: boolean) => void;
  /** Called once when the session is over (the server refused it, or `logout`): show the login form again. */
  onSessionEnd?: (error: TokenClientError | undefined) => void;
  /** The `fetch` to use. Default: the global `fetch`. */
  fetch?: typeof fetch;
}

/** setTimeout's longest delay; longer waits are done in steps. */
const MAX_DELAY = 2 ** 31 - 1;
const MAX_RETRY_AFTER = 30_000;

/**
 * Logs in to the token server, keeps the chat token fresh through the
 * session, and hands each new token to a callback or to an Agora Chat SDK
 * connection. See the module's overview for the flow.
 *
 * @example
 * ```ts
 * const tokens = new TokenClient({ onSessionEnd: () => showLoginForm() });
 * form.onsubmit = async () => {
 *   const token = await tokens.login(form.username.value, form.password.value);
 *   form.password.value = ''; // the client does not keep it either
 *   await conn.open({ user: token.chatUserName, agoraToken: token.accessToken });
 *   tokens.attach(conn);
 * };
 * logoutButton.onclick = () => tokens.logout();
 * ```
 */
export class TokenClient {
  readonly #options: Required<Pick<TokenClientOptions, 'renewAt' | 'retries' | 'retryDelay'>> & TokenClientOptions;
  #token: ChatToken | undefined;
  #timers: ReturnType<typeof setTimeout>[] = [];
  #renewing: Promise<ChatToken> | undefined;
  #connections = new Set<ChatConnection>();
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
   * The password is sent once and not kept.
   *
   * @returns the token; log in to Agora Chat with its `chatUserName` and `accessToken`.
   * @throws {@link TokenClientError}, e.g. `invalid_credentials` (401).
   */
  async login(userAccount: string, userPassword: string): Promise<ChatToken> {
    this.#reset();
    const generation = this.#generation;
    const token = await this.#post('token', { userAccount, userPassword }, generation);
    return this.#accept(token, 'login', generation);
  }

  /**
   * Picks up a session that already exists (after a page reload): a renewal
   * without a password.
   *
   * @returns the token, or undefined when there is no valid session (show the login form).
   * @throws {@link TokenClientError} for other failures (network, server error).
   */
  async resume(): Promise<ChatToken | undefined> {
    this.#reset();
    const generation = this.#generation;
    try {
      const token = await this.#post('token/renew', {}, generation);
      return this.#accept(token, 'resume', generation);
    } catch (error) {
      if (error instanceof TokenClientError && error.sessionEnded) return undefined;
      throw error;
    }
  }

  /**
   * Renews the token now through the session (`POST /token/renew`), with the
   * bounded retries. Calls made while a renewal is in flight share it. Each
   * new token goes to `onToken` and to every attached connection's
   * `renewToken`.
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
   */
  async logout(): Promise<void> {
    const hadToken = this.#token !== undefined;
    this.#reset();
    try {
      await this.#request('logout', {});
    } finally {
      if (hadToken) this.#options.onSessionEnd?.(undefined);
    }
  }

  /**
   * Stops the timers without ending the session (e.g. when the page goes
   * away); {@link TokenClient.resume} starts again.
   */
  stop(): void {
    this.#reset();
  }

  /**
   * Plugs the client into an Agora Chat SDK connection: the SDK's
   * `onTokenWillExpire` and `onTokenExpired` events trigger a renewal, and
   * every renewed token is passed to `conn.renewToken(token)`.
   *
   * @param conn - the SDK connection, already opened with the token of `login`.
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
  attach(conn: ChatConnection, id = 'agora-token-builder'): () => void {
    const renew = () => {
      this.renew().catch(() => undefined); // reported through onRenewError / onSessionEnd
    };
    conn.addEventHandler(id, { onTokenWillExpire: renew, onTokenExpired: renew });
    this.#connections.add(conn);
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
    const life = token.expiresAt - token.receivedAt;
    const renew = () => void this.renew().catch(() => undefined);
    this.#at(token.receivedAt + life * this.#options.renewAt, renew); // "about to expire"
    this.#at(token.expiresAt, renew); // expired, if the first renewal failed
    this.#options.onToken?.(token, reason);
    if (reason === 'renew') {
      for (const conn of this.#connections) {
        Promise.resolve()
          .then(() => conn.renewToken(token.accessToken))
          .catch((error: unknown) => {
            this.#options.onRenewError?.(new TokenClientError('sdk_error', 0, 'the chat connection refused the renewed token', { cause: error }), false);
          });
      }
    }
    return token;
  }

  async #renewWithRetries(generation: number): Promise<ChatToken> {
    const { retries, retryDelay } = this.#options;
    for (let attempt = 0; ; attempt++) {
      try {
        const token = await this.#post('token/renew', {}, generation);
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
        const retryable = error.status === 0 || error.status === 429 || error.status >= 500;
        const willRetry = retryable && attempt < retries;
        this.#options.onRenewError?.(error, willRetry);
        if (!willRetry) throw error;
        const wait = Math.max(retryDelay * 2 ** attempt, Math.min(this.#retryAfter, MAX_RETRY_AFTER));
        await new Promise<void>((resolve) => setTimeout(resolve, Math.min(wait, MAX_DELAY)));
        if (generation !== this.#generation) throw new TokenClientError('stopped', 0, 'the client was stopped while waiting to retry');
      }
    }
  }

  #retryAfter = 0;

  /** POSTs JSON with the session cookie; resolves to the answer's JSON, or throws TokenClientError. */
  async #request(path: string, body: object): Promise<unknown> {
    const base = this.#options.baseUrl;
    const url = base === undefined ? path : `${base.endsWith('/') ? base : `${base}/`}${path}`;
    const doFetch = this.#options.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'include',
      });
    } catch (error) {
      throw new TokenClientError('network_error', 0, `the token server could not be reached (POST ${path})`, { cause: error });
    }
    const seconds = Number(response.headers.get('retry-after'));
    this.#retryAfter = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
    if (response.status === 204) return undefined;
    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      throw new TokenClientError(response.ok ? 'bad_response' : `http_${response.status}`, response.status, `POST ${path} answered ${response.status} without JSON`, { cause: error });
    }
    if (!response.ok) {
      const detail = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      // The server's own code (TokenServerErrorCode), passed on as it is.
      const code = typeof detail?.code === 'string' ? (detail.code as TokenClientErrorCode) : (`http_${response.status}` as const);
      const message = typeof detail?.message === 'string' ? detail.message : `POST ${path} answered ${response.status}`;
      throw new TokenClientError(code, response.status, message);
    }
    return json;
  }

  async #post(path: string, body: object, generation: number): Promise<ChatToken> {
    const json = (await this.#request(path, body)) as Record<string, unknown> | undefined;
    const receivedAt = Date.now();
    if (generation !== this.#generation) throw new TokenClientError('stopped', 0, 'the client was stopped while the request was in flight');
    const { accessToken, chatUserName, chatUserUuid, expireTimestamp, expiresIn } = json ?? {};
    if (typeof accessToken !== 'string' || typeof chatUserName !== 'string' || typeof expireTimestamp !== 'number') {
      throw new TokenClientError('bad_response', 200, `POST ${path} answered without accessToken, chatUserName and expireTimestamp`);
    }
    // Servers that do not state expiresIn (the seed's contract): count from expireTimestamp on this clock.
    const lifeMs = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn * 1000 : Math.max(0, expireTimestamp * 1000 - receivedAt);
    return {
      accessToken,
      chatUserName,
      chatUserUuid: typeof chatUserUuid === 'string' ? chatUserUuid : chatUserName,
      expireTimestamp,
      receivedAt,
      expiresAt: receivedAt + lifeMs,
    };
  }
}
