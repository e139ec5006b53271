// Opens a user store by its location: a users file path, or a PostgreSQL URL.
import type { UserStore } from '../../service/user-store.js';
import { UserStoreError } from '../../service/user-store.js';
import { createFileUserStore, type FileUserStoreOptions } from './file.js';
import { createPostgresUserStore, type PostgresUserStoreOptions } from './postgres.js';

export { createFileUserStore, type FileUserStore, type FileUserStoreOptions } from './file.js';
export {
  createPostgresUserStore,
  describePostgresUrl,
  POSTGRES_SCHEMA_VERSION,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
  type PostgresUserStore,
  type PostgresUserStoreOptions,
} from './postgres.js';

/**
 * Options of {@link openUserStore}: those of either store; each takes its own.
 *
 * @example
 * ```ts
 * const options: OpenUserStoreOptions = { onWarning: (message) => console.warn(`warning: ${message}`) };
 * ```
 */
export interface OpenUserStoreOptions extends FileUserStoreOptions, Omit<PostgresUserStoreOptions, 'url' | 'pool' | 'onWarning'> {}

/**
 * True for a location that names a PostgreSQL database rather than a file.
 *
 * @example
 * ```ts
 * isPostgresLocation('postgresql://db.internal/agora'); // true
 * isPostgresLocation('/etc/agora/users.json'); // false
 * ```
 */
export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Opens the user store at `location` and checks it at once: a
 * `postgres://` or `postgresql://` URL is a {@link createPostgresUserStore}
 * (connected, its table created or checked), anything else a users file path
 * ({@link createFileUserStore}, read now). A file that does not exist yet is
 * a store with no users.
 *
 * @throws `UserStoreError` (rejects) with one message naming the file or the
 *   database (never its password) and the problem: `ERR_USER_STORE` for a
 *   users file that cannot be read or is not one, a schema too new, or a
 *   missing `pg` package; `ERR_USER_STORE_UNAVAILABLE` for a database that
 *   cannot be reached; `ERR_INVALID_ARGUMENT` for a bad location or option.
 *
 * @example
 * ```ts
 * const store = await openUserStore(process.env.AGORA_USERS ?? 'agora-users.json');
 * for await (const user of store.listUsers()) console.log(user.userAccount, user.agoraUid);
 * await store.close?.();
 * ```
 */
export async function openUserStore(location: string, options: OpenUserStoreOptions = {}): Promise<UserStore> {
  if (typeof location !== 'string' || location.length === 0) {
    throw new UserStoreError('ERR_INVALID_ARGUMENT', 'the users location must be a file path or a postgres:// URL');
  }
  const { onWarning, refreshMs, lock, ...database } = options;
  if (isPostgresLocation(location)) {
    const store = createPostgresUserStore({ url: location, ...database, ...(onWarning === undefined ? {} : { onWarning }) });
    try {
      await store.check();
    } catch (error) {
      await store.close?.();
      throw error;
    }
    return store;
  }
  const store = createFileUserStore(location, {
    ...(onWarning === undefined ? {} : { onWarning }),
    ...(refreshMs === undefined ? {} : { refreshMs }),
    ...(lock === undefined ? {} : { lock }),
  });
  await store.load();
  return store;
}
