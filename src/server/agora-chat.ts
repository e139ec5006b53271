// A small client of the Agora Chat RESTful API's user accounts: register a
// user and look one up, authorised by an app token this client builds and
// renews itself. Global fetch only, no dependency.
import { randomBytes } from 'node:crypto';
import type { AgoraChatErrorCode } from '../error-codes.js';
import { AgoraTokenError, brandClass, hasBrand } from '../errors.js';
import { ChatTokenBuilder2 } from '../index.js';

export type { AgoraChatErrorCode } from '../error-codes.js';

/**
 * The one error {@link AgoraChatUserClient} throws: an {@link AgoraTokenError}
 * with a code of {@link AgoraChatErrorCode}. Switch on `code`. The
 * message says what failed and what to check; it never contains the app
 * certificate, an app token or a password.
 *
 * @example
 * ```ts
 * try {
 *   await chat.registerUser('alice');
 * } catch (error) {
 *   if (error instanceof AgoraChatError && error.code === 'ERR_CHAT_AUTH') console.error('check the App Key and certificate');
 * }
 * ```
 */
export class AgoraChatError extends AgoraTokenError {
  /** True for Agora Chat client errors only, from any copy of the package (by a `Symbol.for` brand). */
  static override [Symbol.hasInstance](value: unknown): value is AgoraChatError {
    return hasBrand(value, AGORA_CHAT_ERROR);
  }

  /** A stable, machine-readable code for the kind of failure. */
  declare readonly code: AgoraChatErrorCode;
  /** The HTTP status of Agora Chat's answer, when there was one. */
  readonly status: number | undefined;
  /** Agora Chat's own error code from the answer's `error` field (e.g. `duplicate_unique_property_exists`), when given. */
  readonly chatError: string | undefined;

  /**
   * @param code - the stable code.
   * @param message - what failed; never a secret.
   * @param details - the HTTP status, Agora's error code and the wrapped error, where known.
   */
  constructor(code: AgoraChatErrorCode, message: string, details: { status?: number; chatError?: string; cause?: unknown } = {}) {
    super(code, message, { cause: details.cause });
    this.name = 'AgoraChatError';
    this.status = details.status;
    this.chatError = details.chatError;
  }
}

const AGORA_CHAT_ERROR = brandClass(AgoraChatError, 'agora-token-builder.AgoraChatError');

/**
 * Options of {@link AgoraChatUserClient}. Each falls back to the environment
 * (`env`, default `process.env`) where one is named.
 *
 * @example
 * ```ts
 * const options: AgoraChatUserClientOptions = {
 *   appKey: '611000000#1000000',
 *   restUrl: 'https://a41.chat.agora.io',
 *   appId: process.env.AGORA_APP_ID,
 *   appCertificate: process.env.AGORA_APP_CERTIFICATE,
 * };
 * ```
 */
export interface AgoraChatUserClientOptions {
  /** The App Key of the Chat project, `org_name#app_name`, from the Agora console. Default: `AGORA_CHAT_APP_KEY`. */
  appKey?: string;
  /**
   * The Chat RESTful API base URL (the console's "REST API" domain, e.g.
   * `https://a41.chat.agora.io`; a bare host name gets `https://`). Plain
   * `http` is accepted only for a loopback host (`127.0.0.1`, `::1`,
   * `localhost`), so the app token never crosses a network unencrypted.
   * Default: `AGORA_CHAT_REST_URL`.
   */
  restUrl?: string;
  /** The project's App ID. Default: `AGORA_APP_ID`. */
  appId?: string;
  /** The project's App Certificate; it signs the app token and is never sent. Default: `AGORA_APP_CERTIFICATE`. */
  appCertificate?: string;
  /** Where the defaults above are read. Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Seconds each app token this client builds lasts, 60 to 86,400. Default 600. It is renewed when a fifth of its life is left. */
  appTokenExpire?: number;
  /** Milliseconds one HTTP request may take, 1 to 600,000. Default 10,000. */
  timeoutMs?: number;
  /** How many times a `429 Too Many Requests` is retried, 0 to 10. Default 3. */
  maxRetries?: number;
  /** The longest wait before a retry, in milliseconds (0 to 600,000): a longer `Retry-After` fails at once. Default 30,000. */
  maxRetryDelayMs?: number;
  /** The clock, in milliseconds since the epoch; it sets the app token's `issueTs`. Default `Date.now`. */
  now?: () => number;
}

/**
 * A user account of Agora Chat, as its RESTful API describes it.
 *
 * @example
 * ```ts
 * const user: AgoraChatUser = { username: 'alice', uuid: '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b', created: true };
 * ```
 */
export interface AgoraChatUser {
  /** The username, as Agora Chat answers it. */
  readonly username: string;
  /** The UUID Agora Chat assigned to it: the user id to build its chat user tokens for. */
  readonly uuid: string;
  /** True when this call registered the user; false when it was already registered and was looked up. */
  readonly created: boolean;
}

/**
 * Options of {@link AgoraChatUserClient.registerUser}.
 *
 * @example
 * ```ts
 * await chat.registerUser('alice', { nickname: 'Alice', ifExists: 'error' });
 * ```
 */
export interface RegisterChatUserOptions {
  /**
   * The chat account's password. Default: 32 random bytes, used by nothing
   * (users log in with tokens) and not kept. It is never the user's login password.
   */
  password?: string;
  /** A display name stored with the account. */
  nickname?: string;
  /** When the username is already registered: `'lookup'` (default) answers its UUID, `'error'` throws `ERR_CHAT_USER_EXISTS`. */
  ifExists?: 'lookup' | 'error';
  /** Aborts the requests (then `ERR_CHAT_ABORTED`). */
  signal?: AbortSignal;
}

/**
 * Options of {@link AgoraChatUserClient.getUser}.
 *
 * @example
 * ```ts
 * await chat.getUser('alice', { signal: AbortSignal.timeout(5000) });
 * ```
 */
export interface GetChatUserOptions {
  /** Aborts the request (then `ERR_CHAT_ABORTED`). */
  signal?: AbortSignal;
}

/** Longest Agora Chat username, in characters. */
const MAX_USERNAME = 64;
/** Agora Chat usernames: lowercase letters, digits, `_`, `-` and `.` (its RESTful API documentation). */
const USERNAME = /^[a-z0-9_.-]{1,64}$/;

function argument(message: string): AgoraChatError {
  return new AgoraChatError('ERR_INVALID_ARGUMENT', message);
}

function checkObject(value: unknown, name: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw argument(`${name} must be an object`);
}

function checkSignal(signal: unknown): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw argument('signal must be an AbortSignal');
}

function intOption(value: number | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw argument(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function parseRestUrl(raw: string): URL {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw argument('the Agora Chat REST URL must be a URL such as https://a41.chat.agora.io (AGORA_CHAT_REST_URL or restUrl)');
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw argument('the Agora Chat REST URL must use https (plain http only for a loopback host): the app token must not travel unencrypted');
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw argument('the Agora Chat REST URL must have no user, password, query or fragment');
  }
  return url;
}

/** The largest answer read from Agora Chat, in bytes: past it, `ERR_CHAT_BAD_RESPONSE` (documented answers are a few hundred bytes). */
export const MAX_CHAT_ANSWER_BYTES = 1024 * 1024;

/** An access token of any kind ("007" + base64) or a bearer credential, wherever it appears in text. */
const TOKEN_LIKE = /\b007[A-Za-z0-9+/=_-]{16,}|\bBearer\s+[^\s"',;]+/gi;

/**
 * Text from the remote side with every secret taken out: the given values
 * (the app tokens, the certificate), anything that looks like an access
 * token, and bearer credentials. Done before any excerpt is cut, so no
 * part of a secret survives either.
 */
function redact(value: string, secrets: readonly string[]): string {
  let text = value;
  for (const secret of secrets) {
    if (secret.length < 8) continue;
    const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    text = text.replace(new RegExp(escaped, 'gi'), '[redacted]');
  }
  return text.replace(TOKEN_LIKE, '[redacted]');
}

/** A short, printable excerpt of text from the remote side, secrets removed, safe to put in a message. */
function excerpt(value: unknown, secrets: readonly string[] = []): string {
  if (typeof value !== 'string') return '';
  // eslint-disable-next-line no-control-regex
  const clean = redact(value, secrets).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

/** The body of an answer, read as a stream and given up past `MAX_CHAT_ANSWER_BYTES` (never buffered whole). */
async function readCapped(response: Response): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_CHAT_ANSWER_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_CHAT_ANSWER_BYTES) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AgoraChatError('ERR_CHAT_ABORTED', 'the Agora Chat request was aborted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AgoraChatError('ERR_CHAT_ABORTED', 'the Agora Chat request was aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly chatError: string | undefined;
  readonly description: string;
}

/**
 * A client of Agora Chat's user accounts over its RESTful API: it registers
 * a user and looks one up, as the first step of Agora's "Generate a user
 * token" guide does, so that the token server can store the user's UUID.
 *
 * Requests carry an app token (`ChatTokenBuilder2.buildAppToken`) that the
 * client builds from the App ID and certificate, reuses, and renews before
 * it expires. Every failure is an {@link AgoraChatError} with a stable code.
 *
 * @example
 * ```ts
 * import { AgoraChatUserClient } from 'agora-token-builder/server';
 *
 * // AGORA_APP_ID, AGORA_APP_CERTIFICATE, AGORA_CHAT_APP_KEY and AGORA_CHAT_REST_URL from the environment:
 * const chat = new AgoraChatUserClient();
 * const { uuid, created } = await chat.registerUser('alice');
 * ```
 */
export class AgoraChatUserClient {
  /** The App Key, `org_name#app_name`. */
  readonly appKey: string;
  /** The organization name: the part of the App Key before `#`. */
  readonly orgName: string;
  /** The app name: the part of the App Key after `#`. */
  readonly appName: string;
  /** The REST base URL requests go to, without a trailing slash. */
  readonly restUrl: string;

  readonly #appId: string;
  readonly #appCertificate: string;
  readonly #appTokenExpire: number;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #maxRetryDelayMs: number;
  readonly #now: () => number;
  #appToken: { token: string; renewAtMs: number } | undefined;
  #recentTokens: string[] = [];

  /**
   * @param options - the App Key, REST URL and credentials (default: the environment), and limits.
   * @throws {@link AgoraChatError} `ERR_INVALID_ARGUMENT` when one is missing or not allowed.
   */
  constructor(options: AgoraChatUserClientOptions = {}) {
    checkObject(options, 'options');
    if (options.env !== undefined) checkObject(options.env, 'options.env');
    const env = options.env ?? process.env;
    const appKey = options.appKey ?? env.AGORA_CHAT_APP_KEY;
    const match = typeof appKey === 'string' ? /^([^#/\s?%]+)#([^#/\s?%]+)$/.exec(appKey) : null;
    if (match === null) {
      throw argument('the Agora Chat App Key must be "org_name#app_name" as the Agora console shows it (AGORA_CHAT_APP_KEY or appKey)');
    }
    const restUrl = options.restUrl ?? env.AGORA_CHAT_REST_URL;
    if (typeof restUrl !== 'string' || restUrl === '') {
      throw argument('give the Agora Chat REST URL from the Agora console, e.g. https://a41.chat.agora.io (AGORA_CHAT_REST_URL or restUrl)');
    }
    const url = parseRestUrl(restUrl);
    const appId = options.appId ?? env.AGORA_APP_ID;
    const appCertificate = options.appCertificate ?? env.AGORA_APP_CERTIFICATE;
    if (typeof appId !== 'string' || typeof appCertificate !== 'string' || appId === '' || appCertificate === '') {
      throw argument('give the App ID (AGORA_APP_ID or appId) and App Certificate (AGORA_APP_CERTIFICATE or appCertificate): the app token is built from them');
    }
    if (options.now !== undefined && typeof options.now !== 'function') throw argument('now must be a function returning milliseconds');
    this.appKey = appKey as string;
    this.orgName = match[1]!;
    this.appName = match[2]!;
    this.restUrl = url.href.replace(/\/+$/, '');
    this.#appId = appId;
    this.#appCertificate = appCertificate;
    this.#appTokenExpire = intOption(options.appTokenExpire, 'appTokenExpire', 60, 86_400, 600);
    this.#timeoutMs = intOption(options.timeoutMs, 'timeoutMs', 1, 600_000, 10_000);
    this.#maxRetries = intOption(options.maxRetries, 'maxRetries', 0, 10, 3);
    this.#maxRetryDelayMs = intOption(options.maxRetryDelayMs, 'maxRetryDelayMs', 0, 600_000, 30_000);
    this.#now = options.now ?? Date.now;
    this.#buildAppToken(); // an App ID or certificate the builder refuses fails here, not at the first request
  }

  /**
   * Registers `username` in Agora Chat (`POST {restUrl}/{org}/{app}/users`)
   * and answers its UUID. When it is already registered, it is looked up
   * instead (unless `ifExists: 'error'`).
   *
   * @param username - the Agora Chat username: 1 to 64 lowercase letters, digits, `_`, `-` or `.`.
   * @throws {@link AgoraChatError} with one of the codes of {@link AgoraChatErrorCode}.
   *
   * @example
   * ```ts
   * const { uuid, created } = await chat.registerUser('alice');
   * console.log(created ? 'registered' : 'already registered', uuid);
   * ```
   */
  async registerUser(username: string, options: RegisterChatUserOptions = {}): Promise<AgoraChatUser> {
    checkUsername(username);
    checkObject(options, 'options');
    checkSignal(options.signal);
    const password = options.password === undefined ? randomBytes(32).toString('base64url') : options.password;
    if (typeof password !== 'string' || password.length === 0 || password.length > 64) {
      throw argument('password must be 1 to 64 characters');
    }
    if (options.nickname !== undefined && (typeof options.nickname !== 'string' || options.nickname.length > 100)) {
      throw argument('nickname must be a string of at most 100 characters');
    }
    if (options.ifExists !== undefined && options.ifExists !== 'lookup' && options.ifExists !== 'error') {
      throw argument('ifExists must be "lookup" or "error"');
    }
    const entity: Record<string, string> = { username, password };
    if (options.nickname !== undefined) entity.nickname = options.nickname;
    const answer = await this.#request('POST', this.#usersPath(), [entity], options.signal);
    if (answer.status === 200) return { ...readEntity(answer.body, username), created: true };
    if (isUserExists(answer)) {
      if (options.ifExists === 'error') {
        throw new AgoraChatError('ERR_CHAT_USER_EXISTS', `the Agora Chat username "${username}" is already registered`, {
          status: answer.status,
          chatError: answer.chatError,
        });
      }
      const found = await this.getUser(username, options.signal === undefined ? {} : { signal: options.signal });
      return { ...found, created: false };
    }
    throw this.#failure(answer, `to register "${username}"`);
  }

  /**
   * Looks up a registered user (`GET {restUrl}/{org}/{app}/users/{username}`) and answers its UUID.
   *
   * @throws {@link AgoraChatError} `ERR_CHAT_USER_NOT_FOUND` when there is no such user, or another code of {@link AgoraChatErrorCode}.
   *
   * @example
   * ```ts
   * const { uuid } = await chat.getUser('alice');
   * ```
   */
  async getUser(username: string, options: GetChatUserOptions = {}): Promise<AgoraChatUser> {
    checkUsername(username);
    checkObject(options, 'options');
    checkSignal(options.signal);
    const answer = await this.#request('GET', `${this.#usersPath()}/${encodeURIComponent(username)}`, undefined, options.signal);
    if (answer.status === 200) return { ...readEntity(answer.body, username), created: false };
    if (answer.status === 404 && !isAppNotFound(answer)) {
      throw new AgoraChatError('ERR_CHAT_USER_NOT_FOUND', `there is no Agora Chat user "${username}"`, {
        status: 404,
        chatError: answer.chatError,
      });
    }
    throw this.#failure(answer, `to look up "${username}"`);
  }

  #usersPath(): string {
    return `/${encodeURIComponent(this.orgName)}/${encodeURIComponent(this.appName)}/users`;
  }

  #buildAppToken(): string {
    const nowMs = this.#now();
    try {
      const token = ChatTokenBuilder2.buildAppToken(this.#appId, this.#appCertificate, this.#appTokenExpire, {
        issueTs: Math.floor(nowMs / 1000),
      });
      this.#appToken = { token, renewAtMs: nowMs + this.#appTokenExpire * 800 }; // renew when a fifth of its life is left
      this.#recentTokens = [token, ...this.#recentTokens].slice(0, 4);
      return token;
    } catch (error) {
      if (error instanceof AgoraTokenError) throw argument(`cannot build the app token: ${error.message}`);
      throw error;
    }
  }

  #currentAppToken(): string {
    const cached = this.#appToken;
    if (cached !== undefined && this.#now() < cached.renewAtMs) return cached.token;
    return this.#buildAppToken();
  }

  /** What must never appear in a message: the app tokens built so far (the last few) and the certificate. */
  #secrets(): string[] {
    return [...this.#recentTokens, this.#appCertificate];
  }

  async #request(method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal | undefined): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      const answer = await this.#send(method, path, body, signal);
      if (answer.status !== 429) return answer;
      const wait = retryAfterMs(answer.retryAfter, Date.now()) ?? Math.min(1000 * 2 ** attempt, this.#maxRetryDelayMs);
      if (attempt >= this.#maxRetries || wait > this.#maxRetryDelayMs) {
        const after = answer.retryAfter === null ? '' : ` (Retry-After: ${excerpt(answer.retryAfter)})`;
        const why = attempt >= this.#maxRetries ? `after ${attempt + 1} attempts` : `and asks to wait longer than ${this.#maxRetryDelayMs} ms`;
        throw new AgoraChatError('ERR_CHAT_RATE_LIMITED', `Agora Chat rate-limited the request ${why}${after}; try again later`, {
          status: 429,
          chatError: answer.chatError,
        });
      }
      await sleep(wait, signal);
    }
  }

  async #send(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<Answer & { retryAfter: string | null }> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${this.#currentAppToken()}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const url = `${this.restUrl}${path}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: combined,
        redirect: 'manual', // a redirect would carry the app token to another place
      });
      const read = await readCapped(response);
      if (read === undefined) {
        throw new AgoraChatError(
          'ERR_CHAT_BAD_RESPONSE',
          `Agora Chat answered ${method} ${path} with more than ${MAX_CHAT_ANSWER_BYTES} bytes (HTTP ${response.status}); the answer was not read`,
          { status: response.status },
        );
      }
      text = read;
    } catch (error) {
      if (error instanceof AgoraChatError) throw error;
      if (signal?.aborted) throw new AgoraChatError('ERR_CHAT_ABORTED', 'the Agora Chat request was aborted', { cause: error });
      if (timeout.aborted) {
        throw new AgoraChatError('ERR_CHAT_TIMEOUT', `Agora Chat at ${this.restUrl} did not answer within ${this.#timeoutMs} ms`, { cause: error });
      }
      const cause = (error as { cause?: { code?: unknown } }).cause;
      const reason = typeof cause?.code === 'string' ? cause.code : 'no answer';
      throw new AgoraChatError('ERR_CHAT_UNREACHABLE', `cannot reach Agora Chat at ${this.restUrl} (${reason}): check AGORA_CHAT_REST_URL and the network`, {
        cause: error,
      });
    }
    if (response.status >= 300 && response.status < 400) {
      throw new AgoraChatError(
        'ERR_CHAT_BAD_RESPONSE',
        `Agora Chat answered ${method} ${path} with a redirect (HTTP ${response.status}), which is not followed so that the app token goes nowhere else: check AGORA_CHAT_REST_URL`,
        { status: response.status },
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
    const secrets = this.#secrets();
    const chatError = typeof record?.error === 'string' ? excerpt(record.error, secrets) : undefined;
    const description = excerpt(record?.error_description, secrets);
    const retryAfter = response.headers.get('retry-after');
    if (response.ok && parsed === undefined) {
      throw new AgoraChatError('ERR_CHAT_BAD_RESPONSE', `Agora Chat answered ${method} ${path} with HTTP ${response.status} but not JSON`, {
        status: response.status,
      });
    }
    return { status: response.status, body: parsed, chatError, description, retryAfter: retryAfter === null ? null : excerpt(retryAfter, secrets) };
  }

  #failure(answer: Answer, what: string): AgoraChatError {
    const details = { status: answer.status, chatError: answer.chatError };
    const said = [answer.chatError, answer.description].filter((s) => s !== undefined && s !== '').join(': ');
    const agora = said === '' ? '' : ` (Agora Chat: ${said})`;
    if (answer.status === 401 || answer.status === 403 || isAppNotFound(answer)) {
      return new AgoraChatError(
        'ERR_CHAT_AUTH',
        `Agora Chat refused ${what} with HTTP ${answer.status}${agora}: check AGORA_APP_ID, AGORA_APP_CERTIFICATE and AGORA_CHAT_APP_KEY, and that Chat is enabled for the project`,
        details,
      );
    }
    if (answer.status >= 200 && answer.status < 300) {
      return new AgoraChatError('ERR_CHAT_BAD_RESPONSE', `Agora Chat answered HTTP ${answer.status}, which is not a documented answer, when asked ${what}`, details);
    }
    return new AgoraChatError('ERR_CHAT_REFUSED', `Agora Chat refused ${what} with HTTP ${answer.status}${agora}`, details);
  }
}

function checkUsername(username: unknown): asserts username is string {
  if (typeof username !== 'string' || !USERNAME.test(username)) {
    throw argument(`an Agora Chat username must be 1 to ${MAX_USERNAME} characters: lowercase letters a-z, digits, "_", "-" or "."`);
  }
}

function isUserExists(answer: Answer): boolean {
  return answer.chatError === 'duplicate_unique_property_exists';
}

function isAppNotFound(answer: Answer): boolean {
  return answer.status === 404 && (answer.chatError === 'organization_application_not_found' || answer.chatError === 'application_not_found');
}

/** The first entity of a documented answer, checked: `{ entities: [{ uuid, username, ... }] }`. */
function readEntity(body: unknown, username: string): { username: string; uuid: string } {
  const entities = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).entities : undefined;
  const first = Array.isArray(entities) ? (entities[0] as Record<string, unknown> | undefined) : undefined;
  const uuid = first?.uuid;
  const name = first?.username;
  if (typeof first !== 'object' || first === null || typeof uuid !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(uuid) || typeof name !== 'string') {
    throw new AgoraChatError('ERR_CHAT_BAD_RESPONSE', 'Agora Chat answered without the documented entities[0].uuid and entities[0].username', {
      status: 200,
    });
  }
  if (name.toLowerCase() !== username.toLowerCase()) {
    throw new AgoraChatError('ERR_CHAT_BAD_RESPONSE', `Agora Chat answered for another username than "${username}"`, { status: 200 });
  }
  return { username: name, uuid };
}
