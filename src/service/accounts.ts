// The one place where the service asks who a user is: a login (password
// checked and session stamped from ONE read of the user) and a renewal (one
// lookup by account). Over a UserStore with a PasswordHasher, or over the
// older `authenticate`/`findUser` functions.
import { AgoraTokenError } from '../errors.js';
import { HttpError } from './http.js';
import type { SessionUser } from './session.js';
import type { PasswordHasher, StoredUser, UserStore } from './user-store.js';

/** Longest login name, chat username and chat UUID accepted, in UTF-16 code units. */
export const MAX_NAME_LENGTH = 256;
/** Longest password accepted, in UTF-16 code units. */
export const MAX_PASSWORD_LENGTH = 1024;
/** Seconds a client is told to wait (`Retry-After`) when the user store cannot answer. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * A successful login: the Agora Chat user the token is for.
 *
 * @example
 * ```ts
 * const user: AuthenticatedUser = { chatUserName: 'alice', chatUserUuid: '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b' };
 * ```
 */
export interface AuthenticatedUser {
  /** The Agora Chat username, answered as `chatUserName`; the client logs in to Agora Chat with it. */
  readonly chatUserName: string;
  /** The Agora Chat UUID of that username; the chat user token is built for it. */
  readonly chatUserUuid: string;
}

/**
 * The older shape an `authenticate` may resolve to, from before the chat
 * username and UUID were told apart.
 *
 * @deprecated Its one id was used both as the token's user id and as the
 * answered `chatUserName`; resolve an {@link AuthenticatedUser} instead. It
 * is read as that id in both fields.
 *
 * @example
 * ```ts
 * const old: LegacyAuthenticatedUser = { chatUserId: 'alice' };
 * ```
 */
export interface LegacyAuthenticatedUser {
  /** The one id of the older shape: the token's user id and the answered `chatUserName`. */
  readonly chatUserId: string;
}

/**
 * Checks a login for the service: resolve the chat user, or `null` to refuse
 * (401). A legacy `{ chatUserId }` is still accepted. The third
 * argument aborts when the client goes away.
 *
 * @example
 * ```ts
 * const authenticate: ServiceAuthenticate = async (userAccount, userPassword) =>
 *   (await myUsers.check(userAccount, userPassword)) ? { chatUserName: userAccount, chatUserUuid: await myUsers.uuidOf(userAccount) } : null;
 * ```
 */
export type ServiceAuthenticate = (
  userAccount: string,
  userPassword: string,
  signal: AbortSignal,
) => AuthenticatedUser | LegacyAuthenticatedUser | null | undefined | Promise<AuthenticatedUser | LegacyAuthenticatedUser | null | undefined>;

/**
 * Looks up a user when a session is renewed: the chat names and a credential
 * stamp, or `null` when the user is gone (the session then ends).
 *
 * @example
 * ```ts
 * const findUser: ServiceFindUser = async (userAccount) => {
 *   const row = await db.users.find(userAccount);
 *   return row && { chatUserName: row.chatName, chatUserUuid: row.chatUuid, credentialStamp: row.passwordHash };
 * };
 * ```
 */
export type ServiceFindUser = (userAccount: string) => SessionUser | null | undefined | Promise<SessionUser | null | undefined>;

/** A user as a session sees it: chat names, a credential stamp, and the RTC uid where the store keeps one. */
export interface Account extends SessionUser {
  readonly agoraUid?: number;
}

/** How the service checks logins and looks users up. */
export interface Accounts {
  /** Checks a password: the account (from the same read as the check) or null. */
  login(userAccount: string, userPassword: string, signal: AbortSignal): Promise<Account | null>;
  /** One lookup by account; undefined when there is no way to look up (a session then lasts its lifetime). */
  readonly lookUp: ((userAccount: string) => Promise<Account | null>) | undefined;
  /** The store, when there is one (registration needs it). */
  readonly store: UserStore | undefined;
  readonly hasher: PasswordHasher | undefined;
}

/** A login name, chat username or UUID: 1 to `max` well-formed characters, no control characters. */
export const isName = (value: unknown, max: number): value is string =>
  // eslint-disable-next-line no-control-regex
  typeof value === 'string' && value.length > 0 && value.length <= max && value.isWellFormed() && !/[\u0000-\u001f\u007f]/.test(value);

/** What an `authenticate` resolved, as `{ chatUserName, chatUserUuid }` or null. */
export function normalizeUser(user: unknown): AuthenticatedUser | null {
  if (user === null || user === undefined) return null;
  const invalid = (message: string) => new AgoraTokenError('ERR_INVALID_ARGUMENT', message, { argument: 'authenticate' });
  if (typeof user !== 'object') throw invalid('authenticate must resolve to { chatUserName, chatUserUuid }, null or undefined');
  const u = user as Record<string, unknown>;
  if (u.chatUserName !== undefined || u.chatUserUuid !== undefined) {
    if (!isName(u.chatUserName, MAX_NAME_LENGTH) || !isName(u.chatUserUuid, MAX_NAME_LENGTH)) {
      throw invalid(`authenticate resolved a user without a valid chatUserName and chatUserUuid (each 1 to ${MAX_NAME_LENGTH} characters)`);
    }
    return { chatUserName: u.chatUserName, chatUserUuid: u.chatUserUuid };
  }
  if (isName(u.chatUserId, MAX_NAME_LENGTH)) return { chatUserName: u.chatUserId, chatUserUuid: u.chatUserId };
  throw invalid('authenticate must resolve to { chatUserName, chatUserUuid }, null or undefined');
}

/** True for a store's "cannot answer for now" (`ERR_USER_STORE_UNAVAILABLE`), from any copy of the package. */
export function isStoreUnavailable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ERR_USER_STORE_UNAVAILABLE';
}

/** The 503 of a store that cannot answer for now. */
export function storeUnavailable(): HttpError {
  return new HttpError(503, 'store_unavailable', 'the user store cannot answer for now; try again shortly', {
    'retry-after': String(STORE_RETRY_AFTER_SECONDS),
  });
}

function fromStored(user: StoredUser): Account {
  return { chatUserName: user.chatUserName, chatUserUuid: user.chatUserUuid, credentialStamp: user.credentialVersion, agoraUid: user.agoraUid };
}

/** Logins and lookups over a user store: one `findUser` per decision. */
export function storeAccounts(store: UserStore, hasher: PasswordHasher, warn: (message: string) => void): Accounts {
  return {
    store,
    hasher,
    async login(userAccount, userPassword, signal) {
      const user = await store.findUser(userAccount);
      // An unknown account costs a check too (against no hash), so that answer times do not tell which exist.
      const { valid, rehash } = await hasher.verify(userPassword, user?.passwordHash, signal);
      if (!valid || user === null) return null;
      if (rehash !== undefined) {
        try {
          await store.rehashPassword(userAccount, user.credentialVersion, rehash);
        } catch (error) {
          warn(`could not save the rehashed password of user ${JSON.stringify(userAccount)}: ${(error as Error).message}`);
        }
      }
      return fromStored(user);
    },
    async lookUp(userAccount) {
      const user = await store.findUser(userAccount);
      return user === null ? null : fromStored(user);
    },
  };
}

/** Logins and lookups over `authenticate` and, optionally, `findUser` (the options from before user stores). */
export function functionAccounts(authenticate: ServiceAuthenticate, findUser: ServiceFindUser | undefined): Accounts {
  return {
    store: undefined,
    hasher: undefined,
    async login(userAccount, userPassword, signal) {
      const user = normalizeUser(await authenticate(userAccount, userPassword, signal));
      if (user === null) return null;
      // The stamp from findUser where there is one: a second read (use a store for one read per login).
      const found = findUser === undefined ? undefined : await findUser(userAccount);
      return { ...user, credentialStamp: found?.credentialStamp ?? '' };
    },
    lookUp:
      findUser === undefined
        ? undefined
        : async (userAccount) => {
            const found = await findUser(userAccount);
            return found ? { chatUserName: found.chatUserName, chatUserUuid: found.chatUserUuid, credentialStamp: found.credentialStamp } : null;
          },
  };
}
