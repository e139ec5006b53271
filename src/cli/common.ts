// What every command shares: the Io it writes to, the Command shape, and
// where the App ID and certificate come from.
import { flag, stringOption, UsageError, type ParsedArgs } from './args.js';

/**
 * Demo credentials: the App ID and certificate Agora's own test suites use.
 * They belong to no project; tokens made with them log in nowhere.
 */
export const DEMO_APP_ID = '970CA35de60c44645bbae8a215061b33';
export const DEMO_APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';

/** Where the command line writes, and the environment it reads. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  /**
   * Reads standard input to its end (a password for `users add`, a token
   * given as `-`). The executable prompts without echo on a terminal.
   * Commands that need it fail with a usage error where it is missing.
   */
  readStdin?(prompt: string): Promise<string>;
  /** When aborted, `serve` shuts down gracefully. The executable aborts it on SIGTERM and SIGINT. */
  signal?: AbortSignal;
}

/** One command: `run` returns the exit status, or a promise of it for the commands that wait. */
export interface Command {
  readonly summary: string;
  /** The usage text after `agora-token-builder `; more lines may follow. */
  readonly usage: string;
  run(argv: string[], io: Io): number | Promise<number>;
}

export const HELP = 'help';
export const CREDENTIAL_OPTIONS = ['app-id', 'app-certificate'] as const;
export const CREDENTIAL_USAGE =
  '  credentials: --app-id ID or AGORA_APP_ID, and AGORA_APP_CERTIFICATE (or --app-certificate CERT,\n' +
  '               which other users of this machine can see); --demo: public demo values, with a warning';

export function demoWarning(io: Io): void {
  io.err('warning: using the built-in DEMO App ID and certificate; these tokens are for trying the tool only and log in nowhere');
}

/** The App ID and certificate: from the flags, else the environment, else the demo values when `--demo` is given. */
export function credentials(args: ParsedArgs, io: Io): { appId: string; appCertificate: string } {
  if (flag(args, 'demo')) {
    demoWarning(io);
    return { appId: DEMO_APP_ID, appCertificate: DEMO_APP_CERTIFICATE };
  }
  const appId = stringOption(args, 'app-id') ?? io.env.AGORA_APP_ID;
  const appCertificate = stringOption(args, 'app-certificate') ?? io.env.AGORA_APP_CERTIFICATE;
  // Name only what is missing.
  if (!appId && !appCertificate) {
    throw new UsageError(
      'give the App ID (--app-id or AGORA_APP_ID) and certificate (AGORA_APP_CERTIFICATE or --app-certificate), or --demo',
    );
  }
  if (!appCertificate) throw new UsageError('give the certificate (AGORA_APP_CERTIFICATE or --app-certificate), or --demo: the App ID is set');
  if (!appId) throw new UsageError('give the App ID (--app-id or AGORA_APP_ID), or --demo: the certificate is set');
  return { appId, appCertificate };
}

/** Only the certificate, for `verify`. */
export function certificate(args: ParsedArgs, io: Io): string {
  if (flag(args, 'demo')) {
    demoWarning(io);
    return DEMO_APP_CERTIFICATE;
  }
  const appCertificate = stringOption(args, 'app-certificate') ?? io.env.AGORA_APP_CERTIFICATE;
  if (!appCertificate) throw new UsageError('give the certificate (AGORA_APP_CERTIFICATE or --app-certificate), or --demo');
  return appCertificate;
}

/** A token argument; `-` reads it from standard input. */
export async function readTokenArgument(value: string, io: Io): Promise<string> {
  if (value !== '-') return value;
  if (io.readStdin === undefined) throw new UsageError('cannot read the token from standard input here');
  return (await io.readStdin('Token: ')).trim();
}

/** A time given as Unix seconds or an ISO 8601 date, in Unix seconds. */
export function parseTime(value: string, name: string): number {
  if (/^[0-9]+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\d/.test(value) || Number.isNaN(ms)) {
    throw new UsageError(`--${name} must be Unix seconds or an ISO 8601 date such as 2025-01-31T12:00:00Z`);
  }
  return Math.floor(ms / 1000);
}

export function iso(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}
