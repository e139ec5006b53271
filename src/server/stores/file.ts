// TEMPORARY: replaced by the stores branch at merge
// The users file as a UserStore, over users.ts's functions: read whole on
// every call (the stores branch brings the in-memory index).
import { UserStoreError, type StoredUser, type UserStore } from '../../service/user-store.js';
import { encodePasswordHash } from '../password.js';
import { listUsers as listFileUsers, readUsersFile, removeUser as removeFileUser, type UserRecord } from '../users.js';

/** A stable uid from the login name (FNV-1a, never 0). */
function uidOf(userAccount: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(userAccount)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h === 0 ? 1 : h;
}

function stored(userAccount: string, record: UserRecord): StoredUser {
  return {
    userAccount,
    chatUserName: record.chatUserName,
    chatUserUuid: record.chatUserUuid,
    agoraUid: uidOf(userAccount),
    passwordHash: encodePasswordHash(record.password),
    credentialVersion: `${record.password.salt}$${record.password.hash}`,
  };
}

/**
 * The users file as a {@link UserStore}.
 *
 * @param path - the users file.
 * @param options - `onWarning`: told about what the operator should fix.
 *
 * @example
 * ```ts
 * const store = createFileUserStore('/etc/agora/users.json');
 * ```
 */
export function createFileUserStore(path: string, options: { onWarning?: (message: string) => void } = {}): UserStore {
  void options;
  const unsupported = () => new UserStoreError('ERR_USER_STORE', 'the temporary users file store cannot add or change users');
  return {
    async findUser(userAccount) {
      const { users } = await readUsersFile(path);
      const record = Object.hasOwn(users, userAccount) ? users[userAccount] : undefined;
      return record === undefined ? null : stored(userAccount, record);
    },
    async addUser() {
      throw unsupported();
    },
    async updateUser() {
      throw unsupported();
    },
    async rehashPassword() {
      // This store's credential version is derived from the hash, so a rehash would end the user's
      // sessions: it keeps the old hash instead (the stores branch keeps versions apart from hashes).
      return false;
    },
    async removeUser(userAccount) {
      try {
        await removeFileUser(path, userAccount);
        return true;
      } catch {
        return false;
      }
    },
    async *listUsers() {
      const { users } = await readUsersFile(path);
      for (const summary of await listFileUsers(path)) yield stored(summary.userAccount, users[summary.userAccount]!);
    },
  };
}
