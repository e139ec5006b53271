// `serve`: the token server, until SIGTERM or SIGINT.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkUsersFilePermissions, createUsersAuthenticator, hashPassword, startTokenServer, type UserRecord } from '../../server/index.js';
import { createPostgresUserStore, isPostgresLocation, openUserStore } from '../../server/stores/index.js';
import { UserStoreError, type UserStore } from '../../service/user-store.js';
import { expectPositionals, flag, integerOption, parseArgs, stringOption, UsageError, type ParsedArgs } from '../args.js';
import { credentials, CREDENTIAL_OPTIONS, CREDENTIAL_USAGE, HELP, type Command, type Io } from '../common.js';
import { showLocation, usersLocation } from './users.js';

/** A yes/no setting: the flag, else the environment variable (1/true/yes/on or 0/false/no/off). */
function switchSetting(args: ParsedArgs, io: Io, name: string, variable: string): boolean {
  if (flag(args, name)) return true;
  const raw = io.env[variable];
  if (raw === undefined || raw === '') return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new UsageError(`${variable} must be 1, true, yes, on or 0, false, no, off (got "${raw}")`);
}

/**
 * The user store, checked before the server starts: a users file that
 * cannot be read or is not one stops `serve` (one line, exit 1). A database
 * that cannot be reached yet does not: the server answers 503 until it is.
 */
async function openServeStore(location: string, io: Io): Promise<UserStore> {
  const onWarning = (message: string) => io.err(`warning: ${message}`);
  try {
    return await openUserStore(location, { onWarning });
  } catch (error) {
    if (isPostgresLocation(location) && error instanceof UserStoreError && error.code === 'ERR_USER_STORE_UNAVAILABLE') {
      io.err(`warning: ${error.message}; starting anyway: logins answer 503 until the database is reachable`);
      return createPostgresUserStore({ url: location, onWarning });
    }
    throw error;
  }
}

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
    ['demo', 'allow-long-expire', 'secure-cookie', 'trust-proxy', HELP],
  );
  expectPositionals(args, 0, '');
  const demo = flag(args, 'demo');
  const { appId, appCertificate } = credentials(args, io);
  const host = stringOption(args, 'host') ?? '127.0.0.1';
  const port = integerOption(args, 'port', DEFAULT_PORT, 'a port number');
  const expire = integerOption(args, 'expire', 3600);
  const file = stringOption(args, 'users') === undefined && demo ? undefined : usersLocation(args, io);
  const secureCookie = switchSetting(args, io, 'secure-cookie', 'AGORA_SECURE_COOKIE');
  const trustProxy = switchSetting(args, io, 'trust-proxy', 'AGORA_TRUST_PROXY');
  const store = file === undefined ? undefined : await openServeStore(file, io);
  const demoUser = file === undefined ? await demoAuthenticator() : undefined;
  const running = await listening(port, host, () => startTokenServer({
    secureCookie,
    trustProxy,
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
      : { store: store! }),
    onError: (error) => io.err(`error: ${error instanceof Error ? error.message : String(error)}`),
    onWarning: (message) => io.err(message),
    env: io.env, // AGORA_SESSION_SECRET
  }));
  const isFile = file !== undefined && !isPostgresLocation(file);
  if (isFile && !existsSync(file)) {
    io.err(
      `warning: the users file ${file} (${resolve(file)}) does not exist yet, so every login fails; add users with: agora-token-builder users add NAME`,
    );
  }
  const shared = isFile ? await checkUsersFilePermissions(file) : undefined;
  if (shared !== undefined) io.err(`warning: ${shared}`);
  if (demo) {
    io.err('warning: demo mode: GET /chat/user/uuid/{uuid}/token hands a token for any user to anyone who asks; never expose it');
  }
  io.out(
    `token server listening on ${running.url} (tokens expire after ${expire} s${
      file === undefined ? ', demo user demo/demo' : isFile ? `, users file ${file}` : `, users in ${showLocation(file)}`
    })`,
  );
  await new Promise<void>((resolve) => {
    if (io.signal === undefined) return; // runs until the process ends
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  io.err('shutting down: finishing the requests in flight');
  await running.close();
  await store?.close?.();
  return 0;
}

export const serveCommand: Command = {
  summary: 'run the token server (POST /token, the login page at /)',
  usage:
    'serve [options]\n' +
    `options: [--host 127.0.0.1] [--port ${DEFAULT_PORT}] [--expire 3600] [--allow-long-expire]\n` +
    '         [--users LOCATION] [--allowed-origin ORIGIN] [--secure-cookie] [--trust-proxy]\n' +
    '         [--app-id ID] [--app-certificate CERT] [--demo]\n' +
    `${CREDENTIAL_USAGE}\n` +
    '  --expire: seconds each token lasts (at most 86400 unless --allow-long-expire)\n' +
    '  --users: a users file or a postgres:// URL (default AGORA_USERS, else AGORA_USERS_FILE, else agora-users.json);\n' +
    '         manage it with `users add|remove|list|copy`. A users file that cannot be read or is not one stops serve.\n' +
    '  --secure-cookie (or AGORA_SECURE_COOKIE=1): mark the session cookie Secure (the browser reaches the server over HTTPS)\n' +
    '  --trust-proxy (or AGORA_TRUST_PROXY=1): trust X-Forwarded-Proto from the reverse proxy in front (https: Secure cookie)\n' +
    '  --allowed-origin: the one browser origin allowed to call it cross-origin (CORS), or *\n' +
    '  --demo: demo credentials, the user demo/demo (unless --users), and GET /chat/user/uuid/{uuid}/token.\n' +
    '         Never in production.\n' +
    '  Stops gracefully on SIGTERM or SIGINT.',
  run: serve,
};
