// The stable codes of the errors the server and client entries throw, kept
// apart from their classes so that src/errors.ts (and with it the browser
// client) can name them without reaching any Node built-in.

/**
 * The `code` of every error the server answers, with its HTTP status:
 *
 * | status | code | when |
 * |---|---|---|
 * | 400 | `invalid_json` | the body of `POST /token` is not JSON |
 * | 400 | `invalid_request` | the JSON is not an object with string `userAccount` and `userPassword` of allowed lengths (or `channelName` and `role` for `POST /token/rtc`), the uuid of the demo endpoint is empty or too long, or the request target is not a path (e.g. `//[`) |
 * | 401 | `invalid_credentials` | unknown user **or** wrong password: one answer for both, so that it does not tell which users exist |
 * | 401 | `no_session` | `POST /token/renew` without a session cookie |
 * | 401 | `session_invalid` | `POST /token/renew` with a session cookie that is malformed or not signed with this server's secret |
 * | 401 | `session_expired` | `POST /token/renew` after the session's lifetime (`sessionLifetime`) |
 * | 401 | `session_revoked` | `POST /token/renew` for a user who was removed or whose password changed since the login |
 * | 403 | `origin_not_allowed` | a CORS preflight from an origin other than `allowedOrigin` |
 * | 403 | `registration_closed` | `POST /register` refused by the `canRegister` hook |
 * | 403 | `channel_not_allowed` | `POST /token/rtc` for a channel and role the `authorizeChannel` hook refused |
 * | 404 | `not_found` | no such route |
 * | 404 | `demo_only` | `GET /chat/user/uuid/{uuid}/token` when the server is not in demo mode |
 * | 405 | `method_not_allowed` | a known route with another method (the `Allow` header lists the right ones) |
 * | 413 | `body_too_large` | the body is over `maxBodyBytes` |
 * | 409 | `user_exists` | `POST /register` for an account that exists |
 * | 415 | `unsupported_media_type` | `POST /token`, `/token/renew` or `/logout` without `Content-Type: application/json` (UTF-8) |
 * | 429 | `renew_rate_limited` | `POST /token/renew` more often than the per-session limit (default: 3 at once, then 1 per 5 s); `Retry-After` says when to try again (seconds) |
 * | 500 | `internal_error` | `authenticate` threw, or the token could not be built; details go to `onError`, never to the client |
 * | 502 | `chat_registration_failed` | `POST /register` could not register the chat user with Agora Chat |
 * | 503 | `server_busy` | `maxQueuedLogins` logins already wait for a turn, or the server is shutting down; `Retry-After` says when to try again (seconds) |
 * | 503 | `store_unavailable` | the user store cannot answer for now (a database down, a users file being replaced); `Retry-After` says when to try again (seconds) |
 *
 * @example
 * ```ts
 * const response = await fetch('/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
 * if (!response.ok) {
 *   const { error } = (await response.json()) as { error: { code: TokenServerErrorCode; message: string } };
 *   if (error.code === 'invalid_credentials') showLoginError();
 * }
 * ```
 */
export type TokenServerErrorCode =
  | 'invalid_json'
  | 'invalid_request'
  | 'invalid_credentials'
  | 'no_session'
  | 'session_invalid'
  | 'session_expired'
  | 'session_revoked'
  | 'origin_not_allowed'
  | 'not_found'
  | 'demo_only'
  | 'method_not_allowed'
  | 'body_too_large'
  | 'unsupported_media_type'
  | 'internal_error'
  | 'server_busy'
  | 'store_unavailable'
  | 'renew_rate_limited'
  | 'user_exists'
  | 'registration_closed'
  | 'channel_not_allowed'
  | 'chat_registration_failed';

/**
 * The stable codes of {@link UsersFileError}.
 *
 * - `ERR_USERS_FILE`: the file cannot be read or written, is not JSON, or does not have the users file's shape
 *   (including scrypt settings above the bounds, naming the user).
 * - `ERR_USERS_FILE_LOCKED`: another process held the users file's lock for longer than the wait allowed.
 * - `ERR_USER_EXISTS`: `addUser` was asked to add a login name that is already there, without `replace`.
 * - `ERR_USER_NOT_FOUND`: `removeUser` was asked to remove a login name that is not there.
 * - `ERR_INVALID_ARGUMENT`: a login name, chat username, chat UUID, password or scrypt parameter is not allowed.
 *
 * @example
 * ```ts
 * const code: UsersFileErrorCode = 'ERR_USER_EXISTS';
 * ```
 */
export type UsersFileErrorCode =
  | 'ERR_USERS_FILE'
  | 'ERR_USERS_FILE_LOCKED'
  | 'ERR_USER_EXISTS'
  | 'ERR_USER_NOT_FOUND'
  | 'ERR_INVALID_ARGUMENT';

/**
 * The stable codes of `UserStoreError`, what a user store rejects with.
 *
 * - `ERR_USER_STORE_UNAVAILABLE`: the store cannot answer for now (a database
 *   that is down, a users file being replaced); the token service answers
 *   `503` with `Retry-After`. Try again later.
 * - `ERR_USER_STORE`: the store is broken or misconfigured (a corrupt file, a
 *   schema it does not know); trying again will not help.
 * - `ERR_USER_EXISTS`: `addUser` without `replace` for a login name that is there.
 * - `ERR_USER_NOT_FOUND`: `updateUser` or `removeUser` for a login name that is not there.
 * - `ERR_INVALID_ARGUMENT`: a login name, chat name, uid or hash is not allowed.
 *
 * @example
 * ```ts
 * const code: UserStoreErrorCode = 'ERR_USER_STORE_UNAVAILABLE';
 * ```
 */
export type UserStoreErrorCode =
  | 'ERR_USER_STORE_UNAVAILABLE'
  | 'ERR_USER_STORE'
  | 'ERR_USER_EXISTS'
  | 'ERR_USER_NOT_FOUND'
  | 'ERR_INVALID_ARGUMENT';

/**
 * The stable codes of {@link AgoraChatError}.
 *
 * - `ERR_INVALID_ARGUMENT`: an option or argument is missing or not allowed
 *   (App Key, REST URL, App ID, certificate, username, a limit).
 * - `ERR_CHAT_AUTH`: Agora Chat refused the app token or does not know the
 *   App Key (HTTP 401 or 403, or 404 naming the organization/app): check the
 *   App ID, certificate and App Key, and that Chat is enabled for the project.
 * - `ERR_CHAT_USER_EXISTS`: the username is already registered, and the
 *   caller asked not to look it up (`ifExists: 'error'`).
 * - `ERR_CHAT_USER_NOT_FOUND`: no user of that username (lookup).
 * - `ERR_CHAT_RATE_LIMITED`: HTTP 429 after the allowed retries, or with a
 *   `Retry-After` longer than the client may wait.
 * - `ERR_CHAT_UNREACHABLE`: no HTTP answer at all (DNS, refused connection,
 *   TLS failure).
 * - `ERR_CHAT_TIMEOUT`: no complete answer within `timeoutMs`.
 * - `ERR_CHAT_ABORTED`: the caller's `signal` aborted the request.
 * - `ERR_CHAT_BAD_RESPONSE`: an answer that is not the documented JSON
 *   (not JSON, or no `entities[0].uuid` and `username`).
 * - `ERR_CHAT_REFUSED`: any other error status (e.g. 400 for a username
 *   Agora Chat does not accept, or a 5xx).
 *
 * @example
 * ```ts
 * const code: AgoraChatErrorCode = 'ERR_CHAT_RATE_LIMITED';
 * ```
 */
export type AgoraChatErrorCode =
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_CHAT_AUTH'
  | 'ERR_CHAT_USER_EXISTS'
  | 'ERR_CHAT_USER_NOT_FOUND'
  | 'ERR_CHAT_RATE_LIMITED'
  | 'ERR_CHAT_UNREACHABLE'
  | 'ERR_CHAT_TIMEOUT'
  | 'ERR_CHAT_ABORTED'
  | 'ERR_CHAT_BAD_RESPONSE'
  | 'ERR_CHAT_REFUSED';

/**
 * The `code` of a {@link TokenClientError}: the token server's error code
 * ({@link TokenServerErrorCode}, the README's server table, e.g.
 * `invalid_credentials`, `session_expired`), or one of the client's own:
 * `network_error` (no answer: offline, DNS, CORS refused), `bad_response`
 * (an answer that is not the server's JSON), `http_<status>` (an error
 * answer without the server's JSON, e.g. `http_502` from a proxy),
 * `stopped` (the client was stopped or logged out while a request was in
 * flight), `sdk_error` (an attached connection refused a token: its
 * `renewToken` or, after the SDK closed at expiry, its `open` threw or
 * rejected; reported to `onRenewError`). A code another server sends is
 * passed on as it is.
 *
 * @example
 * ```ts
 * const sessionOver = (code: TokenClientErrorCode) => code.startsWith('session_') || code === 'no_session';
 * ```
 */
export type TokenClientErrorCode = TokenServerErrorCode | 'network_error' | 'bad_response' | `http_${number}` | 'stopped' | 'sdk_error';
