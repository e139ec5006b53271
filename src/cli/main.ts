// The `agora-token-builder` command. Exit status: 0 success, 1 an invalid
// token or a failed check, 2 a usage error. Every error is one line on stderr.
import { adviseFor } from '../_internal/advice.js';
import { AgoraTokenError } from '../index.js';
import { UsersFileError } from '../server/users.js';
import { UsageError } from './args.js';
import { buildCommands } from './commands/build.js';
import { conformance } from './commands/conformance.js';
import { decode, verify } from './commands/inspect.js';
import { serveCommand } from './commands/serve.js';
import { users } from './commands/users.js';
import { vectors } from './commands/vectors.js';
import type { Command, Io } from './common.js';
import { packageVersion } from './package.js';

export { DEMO_APP_CERTIFICATE, DEMO_APP_ID, type Command, type Io } from './common.js';

const commands: Record<string, Command> = {
  ...buildCommands,
  decode,
  verify,
  vectors,
  conformance,
  serve: serveCommand,
  users,
};

/** Argument mistakes caught by the library: the user's to fix, like a usage error. */
const ARGUMENT_CODES = new Set(['ERR_INVALID_ARGUMENT', 'ERR_EXPIRE_LIMIT', 'ERR_TIMESTAMP_IN_PAST']);

function usage(): string {
  const lines = ['usage: agora-token-builder COMMAND [options]', '', 'commands:'];
  for (const [name, command] of Object.entries(commands)) lines.push(`  ${name.padEnd(12)} ${command.summary}`);
  lines.push(
    '',
    'Run a command with --help for its options; --version (-V) prints the version.',
    'Exit status: 0 success, 1 invalid token or failed check, 2 usage error.',
  );
  return lines.join('\n');
}

/** One line on stderr, and the exit status for the error. */
function report(error: unknown, io: Io): number {
  // Whatever a message holds (a quoted file, a multi-line cause), the error stays one line.
  // (Not a spread of io: that would read its lazy `signal` and install signal handlers.)
  const err = io.err.bind(io);
  io = { out: io.out.bind(io), env: io.env, err: (line) => err(line.replace(/\s*\n\s*/g, ' ')) };
  if (error instanceof UsageError) {
    io.err(`error: ${error.message}`);
    return 2;
  }
  if (error instanceof AgoraTokenError) {
    // The library's advice names a builder option; on the command line it is a flag.
    io.err(`error: ${error.code}: ${adviseFor(error.code, error.message, 'cli')}`);
    return ARGUMENT_CODES.has(error.code) ? 2 : 1;
  }
  if (error instanceof UsersFileError) {
    io.err(`error: ${error.code}: ${error.message}`);
    return error.code === 'ERR_INVALID_ARGUMENT' ? 2 : 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`error: ${message}`);
  return 1;
}

/**
 * Runs the command line and returns the exit status: a number for every
 * command that finishes at once, a promise of one for `serve`, `users`, and
 * `decode -` / `verify -` (which read standard input).
 */
export function main(argv: string[], io: Io): number | Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(packageVersion());
    return 0;
  }
  const command = commands[name];
  if (command === undefined) {
    io.err(`error: unknown command "${name}"; run agora-token-builder --help`);
    return 2;
  }
  // After `--` come another program's arguments (conformance), not ours.
  const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (own.includes('--help') || own.includes('-h')) {
    io.out(`usage: agora-token-builder ${command.usage}`);
    return 0;
  }
  try {
    const status = command.run(rest, io);
    return typeof status === 'number' ? status : status.catch((error: unknown) => report(error, io));
  } catch (error) {
    return report(error, io);
  }
}
