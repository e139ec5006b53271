// `users add|remove|list`: the users file of the token server. Passwords are
// read from standard input, never from the command line.
import { AgoraChatError, AgoraChatUserClient } from '../../server/agora-chat.js';
import { addUser, checkUsersFilePermissions, listUsers, readUsersFile, removeUser, updateUser, UsersFileError } from '../../server/users.js';
import { expectPositionals, flag, parseArgs, stringOption, UsageError, type ParsedArgs } from '../args.js';
import { HELP, type Command, type Io } from '../common.js';

export const DEFAULT_USERS_FILE = 'agora-users.json';

/** `--users FILE`, else AGORA_USERS_FILE, else agora-users.json in the working directory. */
export function usersFile(args: ParsedArgs, io: Io): string {
  return stringOption(args, 'users') ?? io.env.AGORA_USERS_FILE ?? DEFAULT_USERS_FILE;
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
async function warnIfShared(file: string, io: Io): Promise<void> {
  const warning = await checkUsersFilePermissions(file);
  if (warning !== undefined) io.err(`warning: ${warning}`);
}

const CHAT_OPTIONS = ['app-id', 'app-certificate', 'chat-app-key', 'chat-rest-url'] as const;

async function add(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['users', 'chat-user-name', 'chat-user-uuid', 'chat-user-id', ...CHAT_OPTIONS], ['replace', 'register', 'keep-password', HELP]);
  expectPositionals(args, 1, 'the login NAME');
  const name = args.positionals[0]!;
  const file = usersFile(args, io);
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
  const before = (await readUsersFile(file)).users;
  const existing = Object.hasOwn(before, name) ? before[name] : undefined;
  if (existing !== undefined && !replace) {
    throw new UsersFileError('ERR_USER_EXISTS', `user ${JSON.stringify(name)} is already in ${file}; add --replace to change it`);
  }
  if (keepPassword && existing === undefined) throw new UsageError(`--keep-password: user ${JSON.stringify(name)} is not in ${file}`);
  if (chat !== undefined) {
    chatUserName ??= existing?.chatUserName ?? name;
    if (!/^[a-z0-9_.-]{1,64}$/.test(chatUserName)) {
      throw new UsageError(
        `"${chatUserName}" is not an Agora Chat username (1 to 64 lowercase letters, digits, "_", "-" or "."): give one with --chat-user-name`,
      );
    }
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
  const fields = { ...(chatUserName === undefined ? {} : { chatUserName }), ...(chatUserUuid === undefined ? {} : { chatUserUuid }) };
  const { replaced, user } =
    password === undefined ? await updateUser(file, name, fields) : await addUser(file, name, password, { ...fields, replace });
  io.out(`${replaced ? 'replaced' : 'added'} ${name} (chat username ${user.chatUserName}, chat UUID ${user.chatUserUuid}) ${replaced ? 'in' : 'to'} ${file}`);
  return 0;
}

async function remove(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['users'], [HELP]);
  expectPositionals(args, 1, 'the login NAME');
  const file = usersFile(args, io);
  await warnIfShared(file, io);
  await removeUser(file, args.positionals[0]!);
  io.out(`removed ${args.positionals[0]!} from ${file}`);
  return 0;
}

async function list(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['users'], ['json', HELP]);
  expectPositionals(args, 0, '');
  const file = usersFile(args, io);
  await warnIfShared(file, io);
  const users = await listUsers(file);
  if (flag(args, 'json')) {
    io.out(JSON.stringify(users, null, 2));
  } else if (users.length === 0) {
    io.err(`no users in ${file}`);
  } else {
    const width = Math.max(...users.map((u) => u.userAccount.length), 'LOGIN'.length);
    const nameWidth = Math.max(...users.map((u) => u.chatUserName.length), 'CHAT USERNAME'.length);
    io.out(`${'LOGIN'.padEnd(width)}  ${'CHAT USERNAME'.padEnd(nameWidth)}  CHAT UUID`);
    for (const user of users) io.out(`${user.userAccount.padEnd(width)}  ${user.chatUserName.padEnd(nameWidth)}  ${user.chatUserUuid}`);
  }
  return 0;
}

/** An Agora Chat failure is one line with its code, like the library's errors; a bad option is a usage error (2). */
async function reportingChatErrors(run: Promise<number>, io: Io): Promise<number> {
  try {
    return await run;
  } catch (error) {
    if (!(error instanceof AgoraChatError)) throw error;
    io.err(`error: ${error.code}: ${error.message}${error.code === 'ERR_INVALID_ARGUMENT' ? '' : '; the users file was not changed'}`);
    return error.code === 'ERR_INVALID_ARGUMENT' ? 2 : 1;
  }
}

export const users: Command = {
  summary: 'manage the token server\'s users file (scrypt-hashed passwords)',
  usage:
    'users add NAME (--chat-user-uuid UUID | --register) [--chat-user-name CHATNAME] [--replace]\n' +
    '       agora-token-builder users remove NAME\n' +
    '       agora-token-builder users list [--json]\n' +
    'options of every form: [--users FILE]\n' +
    '  FILE: --users, else AGORA_USERS_FILE, else agora-users.json. Changed under a lock file (FILE.lock), written\n' +
    '  atomically with mode 0600. The password is read from standard input (never the command line).\n' +
    '  NAME is the userAccount a client logs in with. CHATNAME (default: NAME) is the Agora Chat username the client\n' +
    '  opens Agora Chat with; UUID is the id Agora Chat assigned to CHATNAME, and the token is built for it.\n' +
    '  --register: registers CHATNAME in Agora Chat (or finds it there) and stores its UUID; the chat account gets a\n' +
    '    random password nothing uses. Needs AGORA_APP_ID and AGORA_APP_CERTIFICATE (or --app-id, --app-certificate),\n' +
    '    AGORA_CHAT_APP_KEY (or --chat-app-key ORG#APP) and AGORA_CHAT_REST_URL (or --chat-rest-url URL).\n' +
    '  --replace: changes an existing user, keeping the chat username and UUID it is not given;\n' +
    '    --keep-password keeps the password too (nothing is read from standard input).\n' +
    '  --chat-user-id ID (deprecated) sets both CHATNAME and UUID to ID, as version 1 users files stored them.',
  run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'add') return reportingChatErrors(add(rest, io), io);
    if (sub === 'remove') return remove(rest, io);
    if (sub === 'list') return list(rest, io);
    throw new UsageError('usage: users add NAME | users remove NAME | users list');
  },
};
