/**
 * The token server of Agora's "Generate a user token" guide, on node:http and
 * nothing else: `POST /token` logs a user in and answers a chat user token,
 * a login page at `/` renews it, and a users file keeps scrypt hashes of the
 * passwords. Use it whole ({@link startTokenServer}) or mount its handler
 * ({@link createTokenHandler}) in an existing app.
 *
 * @module agora-token-builder/server
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertInteger, checkOptions, invalidArgument } from '../_internal/assert.js';
import { closeLoginsOf, createTokenHandler, HANDLER_OPTION_KEYS, type TokenHandlerOptions } from './handler.js';

export { createTokenHandler, type TokenHandler, type TokenHandlerOptions, type TokenServerErrorCode } from './handler.js';
export type { SessionUser } from '../service/session.js';
export { AgoraTokenError, type AgoraTokenErrorCode } from '../errors.js';
export {
  AgoraChatError,
  AgoraChatUserClient,
  type AgoraChatErrorCode,
  type AgoraChatUser,
  type AgoraChatUserClientOptions,
  type GetChatUserOptions,
  type RegisterChatUserOptions,
} from './agora-chat.js';
export {
  createScryptHasher,
  decodePasswordHash,
  encodePasswordHash,
} from './password.js';
export {
  createFileUserStore,
  createPostgresUserStore,
  describePostgresUrl,
  isPostgresLocation,
  openUserStore,
  POSTGRES_SCHEMA_VERSION,
  type FileUserStore,
  type FileUserStoreOptions,
  type OpenUserStoreOptions,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
  type PostgresUserStore,
  type PostgresUserStoreOptions,
} from './stores/index.js';
export {
  UserStoreError,
  type NewUser,
  type PasswordHasher,
  type StoredUser,
  type UserChanges as UserStoreChanges,
  type UserStore,
  type UserStoreErrorCode,
} from '../service/user-store.js';
export {
  addUser,
  checkUsersFilePermissions,
  createUsersAuthenticator,
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  listUsers,
  normalizeAuthenticatedUser,
  parseUsersFile,
  readUsersFile,
  removeUser,
  updateUser,
  UsersFileError,
  verifyPassword,
  writeUsersFile,
  type AddUserOptions,
  type AddUserResult,
  type Authenticate,
  type AuthenticatedUser,
  type LegacyAuthenticatedUser,
  type PasswordHash,
  type ScryptParams,
  type UserRecord,
  type UsersFile,
  type UserChanges,
  type UsersAuthenticatorOptions,
  type UsersFileErrorCode,
  type UsersFileLockOptions,
  type UsersFileWriteOptions,
  type UserSummary,
} from './users.js';

/**
 * Options of {@link createTokenServer}: the handler's, plus the HTTP time limits.
 *
 * @example
 * ```ts
 * const options: TokenHttpServerOptions = { usersFile: 'users.json', headersTimeout: 5000, requestTimeout: 15_000 };
 * ```
 */
export interface TokenHttpServerOptions extends TokenHandlerOptions {
  /**
   * Milliseconds a client has to send the whole request head (1,000 to
   * 600,000). Default 10,000. A connection still sending headers after it is
   * cut, within about a second: the server checks its connections every second.
   */
  headersTimeout?: number;
  /**
   * Milliseconds a client has to send the whole request, body included (at
   * least `headersTimeout`, at most 600,000). Default 30,000; checked every second.
   */
  requestTimeout?: number;
}

/** Default `headersTimeout`, in milliseconds. */
const DEFAULT_HEADERS_TIMEOUT = 10_000;
/** Default `requestTimeout`, in milliseconds. */
const DEFAULT_REQUEST_TIMEOUT = 30_000;
/** How often node:http looks for connections past those limits (its own default is 30 s). */
const CONNECTIONS_CHECKING_INTERVAL = 1000;
/** Default drain limit of `close()`, in milliseconds. */
const DEFAULT_CLOSE_TIMEOUT = 5000;
/** The largest time limit accepted, in milliseconds: 10 minutes. */
const MAX_TIMEOUT = 600_000;

const SERVER_OPTION_KEYS = [...HANDLER_OPTION_KEYS, 'headersTimeout', 'requestTimeout'] as const;
const START_OPTION_KEYS = [...SERVER_OPTION_KEYS, 'host', 'port', 'closeTimeout'] as const;

/** Splits off and checks the HTTP options; the rest goes to the handler, which checks it. */
function httpOptions(options: TokenHttpServerOptions): { headersTimeout: number; requestTimeout: number; handlerOptions: TokenHandlerOptions } {
  const { headersTimeout = DEFAULT_HEADERS_TIMEOUT, requestTimeout, ...handlerOptions } = options;
  assertInteger(headersTimeout, 'headersTimeout', 1000, MAX_TIMEOUT);
  // Only undefined means the default; null is checked (and refused) like any other value.
  const request = requestTimeout === undefined ? Math.max(DEFAULT_REQUEST_TIMEOUT, headersTimeout) : requestTimeout;
  assertInteger(request, 'requestTimeout', 1000, MAX_TIMEOUT);
  if (request < headersTimeout) {
    throw invalidArgument('requestTimeout', `must be at least headersTimeout (${headersTimeout}) (got ${request})`);
  }
  return { headersTimeout, requestTimeout: request, handlerOptions };
}

/**
 * Makes an `http.Server` running the token handler; it does not listen yet.
 * Its `headersTimeout` and `requestTimeout` hold within about a second.
 *
 * @throws `AgoraTokenError` (from `agora-token-builder`) `ERR_INVALID_ARGUMENT` when an option has a
 *   wrong type or value, or `options` is not an object or holds an unknown key.
 *
 * @example
 * ```ts
 * const server = createTokenServer({ usersFile: 'users.json' });
 * server.listen(8080, '127.0.0.1');
 * ```
 */
export function createTokenServer(options?: TokenHttpServerOptions): Server {
  const checked = checkOptions(options, 'options', SERVER_OPTION_KEYS) as TokenHttpServerOptions;
  const { headersTimeout, requestTimeout, handlerOptions } = httpOptions(checked);
  // A client that opens a connection and sends nothing must not hold it for ever, and the
  // limits must hold as configured: node checks them every connectionsCheckingInterval.
  const server = createServer(
    { headersTimeout, requestTimeout, connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL },
    createTokenHandler(handlerOptions),
  );
  return server;
}

/**
 * Options of {@link startTokenServer}: the handler's, plus where to listen.
 *
 * @example
 * ```ts
 * await startTokenServer({ host: '127.0.0.1', port: 8090, expire: 3600, usersFile: 'users.json' });
 * ```
 */
export interface TokenServerOptions extends TokenHttpServerOptions {
  /** The address to listen on. Default `127.0.0.1`, so nothing outside this machine can reach it. */
  host?: string;
  /** The port, 0 to 65,535. Default 0: a free port, chosen by the system (see `RunningTokenServer.port`). */
  port?: number;
  /**
   * The drain limit of `close()`, in milliseconds (0 to 600,000): how long
   * answers in flight may take to finish before their connections are cut.
   * Default 5000.
   */
  closeTimeout?: number;
}

/**
 * A listening token server, from {@link startTokenServer}.
 *
 * @example
 * ```ts
 * const running = await startTokenServer({ usersFile: 'users.json' });
 * await fetch(`${running.url}/health`);
 * await running.close();
 * ```
 */
export interface RunningTokenServer {
  /** The underlying node:http server. */
  readonly server: Server;
  /** The port it listens on. */
  readonly port: number;
  /** Its base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /**
   * Stops it gracefully: no new connections, idle keep-alive connections are
   * closed at once, logins waiting for a turn are answered `503 server_busy`,
   * answers in flight are finished, and any connection still open after
   * `timeoutMs` (default: the `closeTimeout` option, 5000) is cut. Resolves
   * when it is closed, so within `timeoutMs` and a few milliseconds; at most
   * `maxConcurrentLogins` password hashes may still be finishing then.
   */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Starts a token server and resolves when it is listening.
 *
 * @throws `AgoraTokenError` (from `agora-token-builder`) when the options are invalid; the promise
 *   rejects when the address cannot be listened on (e.g. `EADDRINUSE`).
 *
 * @example
 * ```ts
 * import { startTokenServer } from 'agora-token-builder/server';
 *
 * const running = await startTokenServer({ port: 8080, usersFile: 'users.json', expire: 3600 });
 * console.log(`token server on ${running.url}`);
 * process.once('SIGTERM', () => void running.close());
 * ```
 */
export async function startTokenServer(options?: TokenServerOptions): Promise<RunningTokenServer> {
  const checked = checkOptions(options, 'options', START_OPTION_KEYS) as TokenServerOptions;
  const { host = '127.0.0.1', port = 0, closeTimeout = DEFAULT_CLOSE_TIMEOUT, ...serverOptions } = checked;
  if (typeof host !== 'string' || host.length === 0 || host.length > 253 || !host.isWellFormed() || /[\s\u0000-\u001f\u007f]/.test(host)) {
    throw invalidArgument('host', 'must be a host name or address: 1 to 253 characters, no whitespace or control characters');
  }
  assertInteger(port, 'port', 0, 65_535);
  assertInteger(closeTimeout, 'closeTimeout', 0, MAX_TIMEOUT);
  const server = createTokenServer(serverOptions);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    server,
    port: address.port,
    url: `http://${shownHost}:${address.port}`,
    close(timeoutMs = closeTimeout) {
      assertInteger(timeoutMs, 'timeoutMs', 0, MAX_TIMEOUT);
      closing ??= new Promise<void>((resolve) => {
        const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
        // A keep-alive connection whose answer was in flight turns idle once it is sent: close it then.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        deadline.unref();
        sweep.unref();
        server.close(() => {
          clearTimeout(deadline);
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
        for (const listener of server.listeners('request')) closeLoginsOf.get(listener as never)?.();
      });
      return closing;
    },
  };
}
