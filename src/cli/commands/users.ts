// `users add|remove|list`: the users file of the token server. Passwords are
// read from standard input, never from the command line.
import { addUser, listUsers, removeUser } from '../../server/users.js';
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

async function add(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['users', 'chat-user-id'], ['replace', HELP]);
  expectPositionals(args, 1, 'the login NAME');
  const name = args.positionals[0]!;
  const file = usersFile(args, io);
  const chatUserId = stringOption(args, 'chat-user-id') ?? name;
  const password = await readPassword(io);
  await addUser(file, name, password, { chatUserId, replace: flag(args, 'replace') });
  io.out(`added ${name} (chat user id ${chatUserId}) to ${file}`);
  return 0;
}

async function remove(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['users'], [HELP]);
  expectPositionals(args, 1, 'the login NAME');
  const file = usersFile(args, io);
  await removeUser(file, args.positionals[0]!);
  io.out(`removed ${args.positionals[0]!} from ${file}`);
  return 0;
}

async function list(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['users'], ['json', HELP]);
  expectPositionals(args, 0, '');
  const users = await listUsers(usersFile(args, io));
  if (flag(args, 'json')) {
    io.out(JSON.stringify(users, null, 2));
  } else if (users.length === 0) {
    io.err(`no users in ${usersFile(args, io)}`);
  } else {
    const width = Math.max(...users.map((u) => u.userAccount.length), 'LOGIN'.length);
    io.out(`${'LOGIN'.padEnd(width)}  CHAT USER ID`);
    for (const user of users) io.out(`${user.userAccount.padEnd(width)}  ${user.chatUserId}`);
  }
  return 0;
}

export const users: Command = {
  summary: 'manage the token server\'s users file (scrypt-hashed passwords)',
  usage:
    'users add NAME [--chat-user-id ID] [--replace]   (the password on standard input)\n' +
    '       agora-token-builder users remove NAME\n' +
    '       agora-token-builder users list [--json]\n' +
    'options of every form: [--users FILE]\n' +
    '  FILE: --users, else AGORA_USERS_FILE, else agora-users.json. Written atomically, mode 0600.\n' +
    '  NAME is the userAccount a client logs in with; the token is built for ID (default: NAME).',
  run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'add') return add(rest, io);
    if (sub === 'remove') return remove(rest, io);
    if (sub === 'list') return list(rest, io);
    throw new UsageError('usage: users add NAME | users remove NAME | users list');
  },
};
