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
import { createTokenHandler, type TokenHandlerOptions } from './handler.js';

export { createTokenHandler, type TokenHandler, type TokenHandlerOptions, type TokenServerErrorCode } from './handler.js';
export {
  addUser,
  createUsersAuthenticator,
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  listUsers,
  parseUsersFile,
  readUsersFile,
  removeUser,
  UsersFileError,
  verifyPassword,
  writeUsersFile,
  type AddUserOptions,
  type Authenticate,
  type AuthenticatedUser,
  type PasswordHash,
  type ScryptParams,
  type UserRecord,
  type UsersFile,
  type UsersFileErrorCode,
  type UserSummary,
} from './users.js';

/**
 * Makes an `http.Server` running the token handler; it does not listen yet.
 *
 * @example
 * ```ts
 * const server = createTokenServer({ usersFile: 'users.json' });
 * server.listen(8080, '127.0.0.1');
 * ```
 */
export function createTokenServer(options: TokenHandlerOptions = {}): Server {
  const server = createServer(createTokenHandler(options));
  // A client that opens a connection and sends nothing must not hold it for ever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
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
export interface TokenServerOptions extends TokenHandlerOptions {
  /** The address to listen on. Default `127.0.0.1`, so nothing outside this machine can reach it. */
  host?: string;
  /** The port. Default 0: a free port, chosen by the system (see `RunningTokenServer.port`). */
  port?: number;
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
   * Stops it gracefully: no new connections, answers in flight are finished,
   * idle keep-alive connections are closed at once, and any connection still
   * open after `timeoutMs` (default 5000) is cut. Resolves when it is closed.
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
export async function startTokenServer(options: TokenServerOptions = {}): Promise<RunningTokenServer> {
  const { host = '127.0.0.1', port = 0, ...handlerOptions } = options;
  const server = createTokenServer(handlerOptions);
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
    close(timeoutMs = 5000) {
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
      });
      return closing;
    },
  };
}
