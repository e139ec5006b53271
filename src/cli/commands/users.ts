// `users add|remove|list|copy`: the token server's users, in a users file or
// a PostgreSQL database (a user store). Passwords are read from standard
// input, never from the command line.
import { AgoraChatError, AgoraChatUserClient } from '../../server/agora-chat.js';
import { createScryptHasher } from '../../server/password.js';
import { describePostgresUrl, isPostgresLocation, openUserStore } from '../../server/stores/index.js';
import { checkUsersFilePermissions } from '../../server/users.js';
import { UserStoreError, type StoredUser, type UserStore } from '../../service/user-store.js';
import { expectPositionals, flag, parseArgs, stringOption, UsageError, type ParsedArgs } from '../args.js';
import { HELP, type Command, type Io } from '../common.js';

export const DEFAULT_USERS_FILE = 'agora-users.json';

/** `--users LOCATION`, else AGORA_USERS, else AGORA_USERS_FILE, else agora-users.json in the working directory. */
export function usersLocation(args: ParsedArgs, io: Io, option = 'users'): string {
  const given = stringOption(args, option) ?? io.env.AGORA_USERS ?? io.env.AGORA_USERS_FILE ?? DEFAULT_USERS_FILE;
  if (given === '') throw new UsageError(`--${option} (or AGORA_USERS) must not be empty`);
  return given;
}

/** How a location is shown: a file as given, a database URL without its password. */
export function showLocation(location: string): string {
  return isPostgresLocation(location) ? describePostgresUrl(location) : location;
}

/** Opens the store at `location`, warnings to stderr. */
export function openStore(location: string, io: Io): Promise<UserStore> {
  return openUserStore(location, { onWarning: (message) => io.err(`warning: ${message}`) });
}

/** Runs `work` with the store open, and closes it (a database pool) afterwards. */
async function withStore<T>(location: string, io: Io, work: (store: UserStore) => Promise<T>): Promise<T> {
  const store = await openStore(location, io);
  try {
    return await work(store);
  } finally {
    await store.close?.();
  }
}

async function readPassword(io: Io): Promise<string> {
  if (io.readStdin === undefined) throw new UsageError('users add reads the password from standard input, which is not available here');
  const text = await io.readStdin('Password: ');
  const password = text.replace(/\r?\n$/, '');
  if (password.length === 0) throw new UsageError('no password on standard input (pipe it in, e.g. printf %s "$PASSWORD" | agora-token-builder users add NAME)');
  if (password.includes('\n')) throw new UsageError('the password on standard input must be one line');
  return password;
}

/** The users file holds password hashes: say so when others can read it. */
async function warnIfShared(location: string, io: Io): Promise<void> {
  if (isPostgresLocation(location)) return;
  const warning = await checkUsersFilePermissions(location);
  if (warning !== undefined) io.err(`warning: ${warning}`);
}

const CHAT_OPTIONS = ['app-id', 'app-certificate', 'chat-app-key', 'chat-rest-url'] as const;

async function add(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['users', 'chat-user-name', 'chat-user-uuid', 'chat-user-id', ...CHAT_OPTIONS], ['replace', 'register', 'keep-password', HELP]);
  expectPositionals(args, 1, 'the login NAME');
  const name = args.positionals[0]!;
  const file = usersLocation(args, io);
  const shown = showLocation(file);
  const legacyId = stringOption(args, 'chat-user-id'); // deprecated: version 1's one id, both fields
  const register = flag(args, 'register');
  const replace = flag(args, 'replace');
  const keepPassword = flag(args, 'keep-password');
  let chatUserName = stringOption(args, 'chat-user-name') ?? legacyId;
  let chatUserUuid = stringOption(args, 'chat-user-uuid') ?? legacyId;
  if (register && chatUserUuid !== undefined) throw new UsageError('give either --chat-user-uuid or --register, not both');
  if (keepPassword && !replace) throw new UsageError('--keep-password changes an existing user: use it with --replace');
  if (!register && chatUserUuid === undefined && !replace) {
    throw new UsageError('give the chat UUID with --chat-user-uuid UUID, or --register to get it from Agora Chat');
  }
  for (const option of CHAT_OPTIONS) {
    if (!register && args.options.has(option)) throw new UsageError(`--${option} is used with --register only`);
  }
  // Everything that can fail locally fails before Agora Chat is asked.
  const chat = register
    ? new AgoraChatUserClient({
        env: io.env,
        appId: stringOption(args, 'app-id'),
        appCertificate: stringOption(args, 'app-certificate'),
        appKey: stringOption(args, 'chat-app-key'),
        restUrl: stringOption(args, 'chat-rest-url'),
      })
    : undefined;
  await warnIfShared(file, io);
  return withStore(file, io, async (store) => {
    const existing = await store.findUser(name);
    if (existing !== null && !replace) {
      throw new UserStoreError('ERR_USER_EXISTS', `user ${JSON.stringify(name)} is already in ${shown}; add --replace to change it`);
    }
    if (keepPassword && existing === null) throw new UsageError(`--keep-password: user ${JSON.stringify(name)} is not in ${shown}`);
    if (chat !== undefined) {
      chatUserName ??= existing?.chatUserName ?? name;
      if (!/^[a-z0-9_.-]{1,64}$/.test(chatUserName)) {
        throw new UsageError(
          `"${chatUserName}" is not an Agora Chat username (1 to 64 lowercase letters, digits, "_", "-" or "."): give one with --chat-user-name`,
        );
      }
    }
    if (existing === null && chatUserUuid === undefined && !register) {
      throw new UserStoreError('ERR_INVALID_ARGUMENT', 'chatUserUuid is required for a new user: the UUID Agora Chat assigned to the chat username (register the user to get it)');
    }
    const password = keepPassword ? undefined : await readPassword(io);
    if (chat !== undefined && chatUserName !== undefined) {
      const registered = await chat.registerUser(chatUserName);
      io.err(
        registered.created
          ? `registered ${registered.username} in Agora Chat (UUID ${registered.uuid})`
          : `${registered.username} was already registered in Agora Chat (UUID ${registered.uuid})`,
      );
      chatUserUuid = registered.uuid;
    }
    let user: StoredUser;
    let replaced: boolean;
    if (password === undefined) {
      user = await store.updateUser(name, { ...(chatUserName === undefined ? {} : { chatUserName }), ...(chatUserUuid === undefined ? {} : { chatUserUuid }) });
      replaced = true;
    } else {
      const passwordHash = await createScryptHasher().hash(password);
      ({ user, replaced } = await store.addUser(
        {
          userAccount: name,
          chatUserName: chatUserName ?? existing?.chatUserName ?? name,
          chatUserUuid: (chatUserUuid ?? existing?.chatUserUuid)!,
          passwordHash,
        },
        { replace },
      ));
    }
    io.out(`${replaced ? 'replaced' : 'added'} ${name} (chat username ${user.chatUserName}, chat UUID ${user.chatUserUuid}) ${replaced ? 'in' : 'to'} ${shown}`);
    return 0;
  });
}

async function remove(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['users'], [HELP]);
  expectPositionals(args, 1, 'the login NAME');
  const file = usersLocation(args, io);
  const name = args.positionals[0]!;
  await warnIfShared(file, io);
  return withStore(file, io, async (store) => {
    if (!(await store.removeUser(name))) throw new UserStoreError('ERR_USER_NOT_FOUND', `user ${JSON.stringify(name)} is not in ${showLocation(file)}`);
    io.out(`removed ${name} from ${showLocation(file)}`);
    return 0;
  });
}

async function list(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['users'], ['json', HELP]);
  expectPositionals(args, 0, '');
  const file = usersLocation(args, io);
  await warnIfShared(file, io);
  return withStore(file, io, async (store) => {
    const users: { userAccount: string; chatUserName: string; chatUserUuid: string; agoraUid: number }[] = [];
    for await (const { userAccount, chatUserName, chatUserUuid, agoraUid } of store.listUsers()) users.push({ userAccount, chatUserName, chatUserUuid, agoraUid });
    if (flag(args, 'json')) {
      io.out(JSON.stringify(users, null, 2));
    } else if (users.length === 0) {
      io.err(`no users in ${showLocation(file)}`);
    } else {
      const width = Math.max(...users.map((u) => u.userAccount.length), 'LOGIN'.length);
      const nameWidth = Math.max(...users.map((u) => u.chatUserName.length), 'CHAT USERNAME'.length);
      const uidWidth = Math.max(...users.map((u) => String(u.agoraUid).length), 'AGORA UID'.length);
      io.out(`${'LOGIN'.padEnd(width)}  ${'CHAT USERNAME'.padEnd(nameWidth)}  ${'AGORA UID'.padEnd(uidWidth)}  CHAT UUID`);
      for (const u of users) io.out(`${u.userAccount.padEnd(width)}  ${u.chatUserName.padEnd(nameWidth)}  ${String(u.agoraUid).padEnd(uidWidth)}  ${u.chatUserUuid}`);
    }
    return 0;
  });
}

/** `users copy --from A --to B`: every user with their hash and uid (their sessions end: new credential versions). */
async function copy(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['from', 'to'], ['replace', HELP]);
  expectPositionals(args, 0, '');
  const from = stringOption(args, 'from');
  const to = stringOption(args, 'to');
  if (from === undefined || to === undefined) throw new UsageError('users copy needs --from LOCATION and --to LOCATION (a users file or a postgres:// URL)');
  if (from === to) throw new UsageError('--from and --to name the same store');
  const replace = flag(args, 'replace');
  await warnIfShared(from, io);
  return withStore(from, io, (source) =>
    withStore(to, io, async (target) => {
      const users: StoredUser[] = [];
      for await (const user of source.listUsers()) users.push(user);
      // One write for a whole file, one transaction for a database; not one change per user.
      const bulk = target as unknown as { importUsers?(users: readonly StoredUser[], replace: boolean): Promise<number> };
      const copied = bulk.importUsers !== undefined ? await bulk.importUsers(users, replace) : await importOneByOne(target, users, replace);
      io.out(`copied ${copied} user${copied === 1 ? '' : 's'} from ${showLocation(from)} to ${showLocation(to)}`);
      return 0;
    }),
  );
}

/** A store without a bulk path: one addUser per user. */
async function importOneByOne(target: UserStore, users: readonly StoredUser[], replace: boolean): Promise<number> {
  let copied = 0;
  for (const user of users) {
    const { userAccount, chatUserName, chatUserUuid, agoraUid, passwordHash } = user;
    await target.addUser({ userAccount, chatUserName, chatUserUuid, agoraUid, passwordHash }, { replace }).catch((error: unknown) => {
      if (error instanceof UserStoreError && error.code === 'ERR_USER_EXISTS') {
        throw new UserStoreError('ERR_USER_EXISTS', `${error.message} (copied ${copied} of ${users.length} users; give --replace to overwrite users that are there)`);
      }
      throw error;
    });
    copied++;
  }
  return copied;
}

/** An Agora Chat failure is one line with its code, like the library's errors; a bad option is a usage error (2). */
async function reportingChatErrors(run: Promise<number>, io: Io): Promise<number> {
  try {
    return await run;
  } catch (error) {
    if (!(error instanceof AgoraChatError)) throw error;
    io.err(`error: ${error.code}: ${error.message}${error.code === 'ERR_INVALID_ARGUMENT' ? '' : '; the users were not changed'}`);
    return error.code === 'ERR_INVALID_ARGUMENT' ? 2 : 1;
  }
}

export const users: Command = {
  summary: 'manage the token server\'s users (a users file or PostgreSQL; scrypt-hashed passwords)',
  usage:
    'users add NAME (--chat-user-uuid UUID | --register) [--chat-user-name CHATNAME] [--replace]\n' +
    '       agora-token-builder users remove NAME\n' +
    '       agora-token-builder users list [--json]\n' +
    '       agora-token-builder users copy --from LOCATION --to LOCATION [--replace]\n' +
    'options of every form: [--users LOCATION]\n' +
    '  LOCATION: a users file, or a postgres:// (postgresql://) URL (needs npm install pg; the table is made at first\n' +
    '  use). --users, else AGORA_USERS, else AGORA_USERS_FILE, else agora-users.json. A file is changed under a lock\n' +
    '  file (FILE.lock), written atomically, keeping its owner, group and mode (0600 when new); a symlink stays one.\n' +
    '  The password is read from standard input (never the command line).\n' +
    '  NAME is the userAccount a client logs in with. CHATNAME (default: NAME) is the Agora Chat username the client\n' +
    '  opens Agora Chat with; UUID is the id Agora Chat assigned to CHATNAME, and the token is built for it.\n' +
    '  --register: registers CHATNAME in Agora Chat (or finds it there) and stores its UUID; the chat account gets a\n' +
    '    random password nothing uses. Needs AGORA_APP_ID and AGORA_APP_CERTIFICATE (or --app-id, --app-certificate),\n' +
    '    AGORA_CHAT_APP_KEY (or --chat-app-key ORG#APP) and AGORA_CHAT_REST_URL (or --chat-rest-url URL).\n' +
    '  --replace: changes an existing user, keeping the chat username and UUID it is not given;\n' +
    '    --keep-password keeps the password too (nothing is read from standard input).\n' +
    '  --chat-user-id ID (deprecated) sets both CHATNAME and UUID to ID, as version 1 users files stored them.\n' +
    '  copy: every user of --from into --to with their password hash and agoraUid (e.g. a users file into\n' +
    '    PostgreSQL); --replace overwrites users already in --to. Copied users log in again (new credential versions).',
  run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'add') return reportingChatErrors(add(rest, io), io);
    if (sub === 'remove') return remove(rest, io);
    if (sub === 'list') return list(rest, io);
    if (sub === 'copy') return copy(rest, io);
    throw new UsageError('usage: users add NAME | users remove NAME | users list | users copy --from LOCATION --to LOCATION');
  },
};
