/**
 * The token service as a Fetch handler, `(Request) => Promise<Response>`:
 * sign-in, sessions, renewals, the sign-in page, CORS and errors, on any
 * runtime with the Web platform APIs (Cloudflare Workers without
 * `nodejs_compat`, Deno, Bun, Next.js route handlers, Hono, Node). Nothing
 * here imports a Node built-in. `agora-token-builder/server` is the Node
 * adapter over the same service, with the users file and scrypt.
 *
 * @module agora-token-builder/handler
 */
export { createFetchHandler, type FetchHandler } from './service/handler.js';
export type { ChannelUser, FetchHandlerOptions, RegisteredChatUser, RenewalLimit, RtcRoleName } from './service/options.js';
export type { AuthenticatedUser, LegacyAuthenticatedUser, ServiceAuthenticate, ServiceFindUser } from './service/accounts.js';
export type { SessionUser } from './service/session.js';
export { createMemoryUserStore } from './service/memory-store.js';
export { createPbkdf2Hasher, type Pbkdf2HasherOptions } from './service/pbkdf2.js';
export {
  UserStoreError,
  type NewUser,
  type PasswordHasher,
  type StoredUser,
  type UserChanges,
  type UserStore,
  type UserStoreErrorCode,
} from './service/user-store.js';
export type { TokenServerErrorCode } from './error-codes.js';
export { AgoraTokenError, type AgoraTokenErrorCode } from './errors.js';
