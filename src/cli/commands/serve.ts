// `serve`: the token server, until SIGTERM or SIGINT.
import { existsSync } from 'node:fs';
import { checkUsersFilePermissions, createUsersAuthenticator, hashPassword, startTokenServer, type UserRecord } from '../../server/index.js';
import { expectPositionals, flag, integerOption, parseArgs, stringOption } from '../args.js';
import { credentials, CREDENTIAL_OPTIONS, CREDENTIAL_USAGE, HELP, type Command, type Io } from '../common.js';
import { usersFile } from './users.js';

export const DEFAULT_PORT = 8090; // the port of the seed guide's Java server
const DEMO_USER = 'demo';
const DEMO_PASSWORD = 'demo';

/** The one user of demo mode without a users file: demo / demo. */
async function demoAuthenticator() {
  const users: Record<string, UserRecord> = {
    [DEMO_USER]: { chatUserName: DEMO_USER, chatUserUuid: DEMO_USER, password: await hashPassword(DEMO_PASSWORD) },
  };
  return createUsersAuthenticator({ version: 2, users });
}

/** Starts the server; a port in use, or not ours to take, is one line that names it and --port. */
async function listening<T>(port: number, host: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'EADDRINUSE') throw new Error(`port ${port} on ${host} is already in use: stop what listens there, or choose another port with --port`);
    if (code === 'EACCES') throw new Error(`port ${port} on ${host} is not open to this user: choose another port with --port (above 1023)`);
    throw error;
  }
}

async function serve(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(
    argv,
    [...CREDENTIAL_OPTIONS, 'host', 'port', 'expire', 'users', 'allowed-origin'],
    ['demo', 'allow-long-expire', HELP],
  );
  expectPositionals(args, 0, '');
  const demo = flag(args, 'demo');
  const { appId, appCertificate } = credentials(args, io);
  const host = stringOption(args, 'host') ?? '127.0.0.1';
  const port = integerOption(args, 'port', DEFAULT_PORT, 'a port number');
  const expire = integerOption(args, 'expire', 3600);
  const file = stringOption(args, 'users') === undefined && demo ? undefined : usersFile(args, io);
  const demoUser = file === undefined ? await demoAuthenticator() : undefined;
  const running = await listening(port, host, () => startTokenServer({
    appId,
    appCertificate,
    host,
    port,
    expire,
    allowLongExpire: flag(args, 'allow-long-expire'),
    demo,
    allowedOrigin: stringOption(args, 'allowed-origin'),
    ...(file === undefined
      ? { authenticate: demoUser, pageHint: `Demo mode: log in as ${DEMO_USER} / ${DEMO_PASSWORD}.` }
      : { usersFile: file }),
    onError: (error) => io.err(`error: ${error instanceof Error ? error.message : String(error)}`),
    onWarning: (message) => io.err(message),
    env: io.env, // AGORA_SESSION_SECRET
  }));
  if (file !== undefined && !existsSync(file)) {
    io.err(`warning: the users file ${file} does not exist yet, so every login fails; add users with: agora-token-builder users add NAME`);
  }
  const shared = file === undefined ? undefined : await checkUsersFilePermissions(file);
  if (shared !== undefined) io.err(`warning: ${shared}`);
  if (demo) {
    io.err('warning: demo mode: GET /chat/user/uuid/{uuid}/token hands a token for any user to anyone who asks; never expose it');
  }
  io.out(`token server listening on ${running.url} (tokens expire after ${expire} s${file === undefined ? ', demo user demo/demo' : `, users file ${file}`})`);
  await new Promise<void>((resolve) => {
    if (io.signal === undefined) return; // runs until the process ends
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  io.err('shutting down: finishing the requests in flight');
  await running.close();
  return 0;
}

export const serveCommand: Command = {
  summary: 'run the token server (POST /token, the login page at /)',
  usage:
    'serve [options]\n' +
    `options: [--host 127.0.0.1] [--port ${DEFAULT_PORT}] [--expire 3600] [--allow-long-expire]\n` +
    '         [--users FILE] [--allowed-origin ORIGIN] [--app-id ID] [--app-certificate CERT] [--demo]\n' +
    `${CREDENTIAL_USAGE}\n` +
    '  --expire: seconds each token lasts (at most 86400 unless --allow-long-expire)\n' +
    '  --users: the users file (default AGORA_USERS_FILE, else agora-users.json); manage it with `users add|remove|list`\n' +
    '  --allowed-origin: the one browser origin allowed to call it cross-origin (CORS), or *\n' +
    '  --demo: demo credentials, the user demo/demo (unless --users), and GET /chat/user/uuid/{uuid}/token.\n' +
    '         Never in production.\n' +
    '  Stops gracefully on SIGTERM or SIGINT.',
  run: serve,
};
