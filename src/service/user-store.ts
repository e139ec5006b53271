// The one interface between the token service and where its users live: a
// users file, PostgreSQL, memory, or the operator's own database. Portable:
// no Node import, so the Fetch handler can take a store on any runtime.
import type { UserStoreErrorCode } from '../error-codes.js';
import { AgoraTokenError, brandClass, hasBrand } from '../errors.js';

/**
 * One user as a {@link UserStore} keeps it. Column names follow Agora's Chat
 * App Server sample (user account, chat username, chat UUID), with a password
 * hash where the sample keeps a password.
 *
 * @example
 * ```ts
 * const user: StoredUser = {
 *   userAccount: 'alice',
 *   chatUserName: 'alice',
 *   chatUserUuid: '0ffe2b70-e979-11e8-9b1f-1d7a0b5d214b',
 *   agoraUid: 2882341273,
 *   passwordHash: '$scrypt$ln=15,r=8,p=1$…$…',
 *   credentialVersion: 'k3Jd9x',
 * };
 * ```
 */
export interface StoredUser {
  /** The login name: the `userAccount` of `POST /token`. */
  readonly userAccount: string;
  /** The Agora Chat username the client opens the Chat SDK with. */
  readonly chatUserName: string;
  /** The UUID Agora Chat assigned to that username: chat tokens are built for it. */
  readonly chatUserUuid: string;
  /**
   * The user's RTC uid: a stable whole number from 1 to 2^32 − 1, assigned
   * when the user is added and kept across password changes.
   */
  readonly agoraUid: number;
  /** The encoded password hash, interpreted by a {@link PasswordHasher}; never a password. */
  readonly passwordHash: string;
  /**
   * Changes whenever the password changes or the user is removed and added
   * again; a session remembers the version of its login and ends when it
   * differs. Opaque to the service; compare with `===` only.
   */
  readonly credentialVersion: string;
}

/**
 * What {@link UserStore.addUser} takes: a user without a credential version
 * (the store makes one) and optionally without `agoraUid` (the store assigns
 * one that no other user has).
 *
 * @example
 * ```ts
 * const user: NewUser = { userAccount: 'alice', chatUserName: 'alice', chatUserUuid: uuid, passwordHash: await hasher.hash(password) };
 * ```
 */
export interface NewUser {
  /** The login name. */
  readonly userAccount: string;
  /** The Agora Chat username. */
  readonly chatUserName: string;
  /** The Agora Chat UUID. */
  readonly chatUserUuid: string;
  /** The RTC uid; default: one the store assigns. */
  readonly agoraUid?: number;
  /** The encoded password hash. */
  readonly passwordHash: string;
}

/**
 * The changes {@link UserStore.updateUser} applies. A new `passwordHash`
 * gives the user a new credential version (their sessions end); the chat
 * names alone do not.
 *
 * @example
 * ```ts
 * const changes: UserChanges = { passwordHash: await hasher.hash(newPassword) };
 * ```
 */
export interface UserChanges {
  /** A new Agora Chat username. */
  readonly chatUserName?: string;
  /** A new Agora Chat UUID. */
  readonly chatUserUuid?: string;
  /** A new encoded password hash. */
  readonly passwordHash?: string;
}

/**
 * Where the token service finds its users. Every method may be called from
 * many requests at once; each answers from one consistent read of one user.
 *
 * Failures: a store that cannot answer *for now* (a database that is down, a
 * users file being replaced) rejects with an `AgoraTokenError` whose code is
 * `ERR_USER_STORE_UNAVAILABLE`; the service answers such a request `503` with
 * `Retry-After`, never `401`. `ERR_USER_EXISTS` and `ERR_USER_NOT_FOUND` are
 * the answers of `addUser` without `replace` and of `updateUser`/`removeUser`
 * for a missing user. Anything else is a fault (a `500`).
 *
 * @example
 * ```ts
 * const user = await store.findUser('alice'); // a StoredUser, or null
 * ```
 */
export interface UserStore {
  /** The user of this login name, or `null` when there is none. One read. */
  findUser(userAccount: string): Promise<StoredUser | null>;
  /**
   * Adds a user, or replaces one with `replace: true` (which makes a new
   * credential version and keeps the old `agoraUid` unless one is given).
   */
  addUser(
    user: NewUser,
    options?: { readonly replace?: boolean },
  ): Promise<{
    /** The user as stored, with its credential version. */
    user: StoredUser;
    /** Whether a user of that login name was replaced. */
    replaced: boolean;
  }>;
  /** Changes a user; a new password hash makes a new credential version. */
  updateUser(userAccount: string, changes: UserChanges): Promise<StoredUser>;
  /**
   * Replaces the password hash of a user whose password did not change (a
   * rehash with stronger parameters at login), keeping the credential
   * version, and only while the user still has `credentialVersion`.
   * Resolves whether it did.
   */
  rehashPassword(userAccount: string, credentialVersion: string, passwordHash: string): Promise<boolean>;
  /** Removes a user: their sessions end at their next renewal. Resolves whether there was one. */
  removeUser(userAccount: string): Promise<boolean>;
  /** Every user, in login name order. */
  listUsers(): AsyncIterable<StoredUser>;
  /** Frees what the store holds (connections, watchers, timers). */
  close?(): Promise<void>;
}

/**
 * Hashes passwords for a {@link UserStore} and checks them. The service
 * checks every login through it, also for unknown login names (against a
 * dummy hash) so that answer times do not tell which names exist.
 *
 * @example
 * ```ts
 * const { valid, rehash } = await hasher.verify(userPassword, user?.passwordHash);
 * ```
 */
export interface PasswordHasher {
  /** Hashes a new password with the current parameters. */
  hash(password: string): Promise<string>;
  /**
   * Checks a password. With `passwordHash` undefined (an unknown user) it
   * costs what a check with the current parameters costs, and resolves
   * `valid: false`. `rehash`, on a valid password whose hash has other
   * parameters than the current ones, is a new hash to store.
   */
  verify(
    password: string,
    passwordHash: string | undefined,
    signal?: AbortSignal,
  ): Promise<{
    /** The password matches the hash. */
    valid: boolean;
    /** A new hash with the current parameters, to store. */
    rehash?: string;
  }>;
}

export type { UserStoreErrorCode };

/**
 * The error a {@link UserStore} rejects with: an `AgoraTokenError` with a code
 * of {@link UserStoreErrorCode}. Messages name the store and the login name;
 * never a password, a hash or a connection string's password.
 *
 * @example
 * ```ts
 * throw new UserStoreError('ERR_USER_STORE_UNAVAILABLE', 'users database postgres://db.internal/agora: connection refused');
 * ```
 */
export class UserStoreError extends AgoraTokenError {
  /** True for user store errors only, from any copy of the package (by a `Symbol.for` brand). */
  static override [Symbol.hasInstance](value: unknown): value is UserStoreError {
    return hasBrand(value, USER_STORE_ERROR);
  }

  /** A stable, machine-readable code for the kind of failure. */
  declare readonly code: UserStoreErrorCode;

  /**
   * @param code - the stable code.
   * @param message - what failed; never a password, hash or secret.
   * @param options - the wrapped error, if any.
   */
  constructor(code: UserStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { cause: options?.cause });
    this.name = 'UserStoreError';
  }
}

const USER_STORE_ERROR = brandClass(UserStoreError, 'agora-token-builder.UserStoreError');
