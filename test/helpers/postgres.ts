// A real PostgreSQL server for tests: Debian's postgresql package, a cluster
// made by initdb in a temporary folder (as the postgres user: initdb refuses
// root), listening on a free 127.0.0.1 port, stopped and removed afterwards.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian installs the server binaries (the newest version there). */
export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('PostgreSQL is not installed (apt-get install postgresql): /usr/lib/postgresql/*/bin/initdb is missing');
  return join(root, versions[0]!, 'bin');
}

export interface TestPostgres {
  /** postgres://agora:PASSWORD@127.0.0.1:PORT/agora */
  readonly url: string;
  readonly port: number;
  readonly password: string;
  /** Stops the server (fast shutdown); `start` starts it again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function asPostgres(command: string, args: string[]): Promise<string> {
  const { stdout } = await run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 120_000 });
  return stdout;
}

/** Makes a cluster and starts it; `close()` it in an afterAll. */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'agora-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const password = 'pg-Secret-7f3a9c'; // what the tests look for in messages
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o644 });
  await run('chown', ['postgres:postgres', dir]);
  await asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'agora', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const ctl = join(bin, 'pg_ctl');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  let running = false;
  const start = async () => {
    await asPostgres(ctl, ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
    running = true;
  };
  const stop = async () => {
    if (!running) return;
    await asPostgres(ctl, ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
    running = false;
  };
  try {
    await start();
    // The database the URL names.
    await run('runuser', ['-u', 'postgres', '--', join(bin, 'psql'), '-h', dir, '-p', String(port), '-U', 'agora', '-d', 'postgres', '-c', 'CREATE DATABASE agora'], {
      env: { ...process.env, PGPASSWORD: password },
    });
  } catch (error) {
    await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://agora:${password}@127.0.0.1:${port}/agora`,
    port,
    password,
    start,
    stop,
    async close() {
      try {
        await stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
