// A user store in memory: for tests, demos and edge examples. Portable (no
// Node import); everything is lost when the process or isolate ends.
import { UserStoreError, type NewUser, type StoredUser, type UserChanges, type UserStore } from './user-store.js';

function randomVersion(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function randomUid(taken: ReadonlySet<number>): number {
  for (;;) {
    const uid = crypto.getRandomValues(new Uint32Array(1))[0]!;
    if (uid !== 0 && !taken.has(uid)) return uid;
  }
}

/**
 * A {@link UserStore} in memory. Each method answers from the map at once;
 * a password change or a removal makes a new credential version. Nothing is
 * drawn or allocated until the first user is added.
 *
 * @param users - users to start with (each gets a credential version and, if it has none, an `agoraUid`).
 *
 * @example
 * ```ts
 * const store = createMemoryUserStore();
 * await store.addUser({ userAccount: 'alice', chatUserName: 'alice', chatUserUuid: uuid, passwordHash: await hasher.hash('pw') });
 * const handler = createFetchHandler({ appId, appCertificate, sessionSecret, store, passwordHasher: hasher });
 * ```
 */
export function createMemoryUserStore(users: readonly NewUser[] = []): UserStore {
  const byAccount = new Map<string, StoredUser>();
  const uids = () => new Set(Array.from(byAccount.values(), (user) => user.agoraUid));
  const seed = [...users];
  const ready = () => {
    for (const user of seed.splice(0)) add(user, false);
  };
  const add = (user: NewUser, replace: boolean): { user: StoredUser; replaced: boolean } => {
    const old = byAccount.get(user.userAccount);
    if (old !== undefined && !replace) throw new UserStoreError('ERR_USER_EXISTS', `user ${JSON.stringify(user.userAccount)} exists`);
    const stored: StoredUser = {
      userAccount: user.userAccount,
      chatUserName: user.chatUserName,
      chatUserUuid: user.chatUserUuid,
      agoraUid: user.agoraUid ?? old?.agoraUid ?? randomUid(uids()),
      passwordHash: user.passwordHash,
      credentialVersion: randomVersion(),
    };
    byAccount.set(user.userAccount, stored);
    return { user: stored, replaced: old !== undefined };
  };
  const existing = (userAccount: string): StoredUser => {
    const user = byAccount.get(userAccount);
    if (user === undefined) throw new UserStoreError('ERR_USER_NOT_FOUND', `no user ${JSON.stringify(userAccount)}`);
    return user;
  };
  return {
    async findUser(userAccount) {
      ready();
      return byAccount.get(userAccount) ?? null;
    },
    async addUser(user, options) {
      ready();
      return add(user, options?.replace === true);
    },
    async updateUser(userAccount: string, changes: UserChanges) {
      ready();
      const old = existing(userAccount);
      const updated: StoredUser = {
        ...old,
        ...(changes.chatUserName === undefined ? {} : { chatUserName: changes.chatUserName }),
        ...(changes.chatUserUuid === undefined ? {} : { chatUserUuid: changes.chatUserUuid }),
        ...(changes.passwordHash === undefined ? {} : { passwordHash: changes.passwordHash, credentialVersion: randomVersion() }),
      };
      byAccount.set(userAccount, updated);
      return updated;
    },
    async rehashPassword(userAccount, credentialVersion, passwordHash) {
      ready();
      const old = byAccount.get(userAccount);
      if (old === undefined || old.credentialVersion !== credentialVersion) return false;
      byAccount.set(userAccount, { ...old, passwordHash });
      return true;
    },
    async removeUser(userAccount) {
      ready();
      return byAccount.delete(userAccount);
    },
    async *listUsers() {
      ready();
      const names = [...byAccount.keys()].sort();
      for (const name of names) {
        const user = byAccount.get(name);
        if (user !== undefined) yield user;
      }
    },
  };
}
