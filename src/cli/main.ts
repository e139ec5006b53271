// The `agora-token-builder` command. Exit status: 0 success, 1 an invalid
// token or a failed check, 2 a usage error. Every error is one line on stderr.
import { readFileSync } from 'node:fs';
import { AgoraTokenError, ChatTokenBuilder2, decodeToken, type DecodedToken } from '../index.js';
import { integerOption, parseArgs, stringOption, UsageError, type ParsedArgs } from './args.js';
import { checkVectors, summaryLine } from './vectors-check.js';

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
}

type Command = { summary: string; usage: string; run(argv: string[], io: Io): number };

const HELP_FLAGS = ['help'];

function credentials(args: ParsedArgs, io: Io): { appId: string; appCertificate: string } {
  if (args.options.get('demo') === true) {
    io.err('warning: using the built-in DEMO App ID and certificate; these tokens are for trying the tool only');
    return { appId: DEMO_APP_ID, appCertificate: DEMO_APP_CERTIFICATE };
  }
  const appId = stringOption(args, 'app-id') ?? io.env.AGORA_APP_ID;
  const appCertificate = stringOption(args, 'app-certificate') ?? io.env.AGORA_APP_CERTIFICATE;
  if (!appId || !appCertificate) {
    throw new UsageError('give the App ID (--app-id or AGORA_APP_ID) and certificate (AGORA_APP_CERTIFICATE or --app-certificate), or --demo');
  }
  return { appId, appCertificate };
}

const CREDENTIAL_OPTIONS = ['app-id', 'app-certificate'];

const commands: Record<string, Command> = {
  'chat-user': {
    summary: 'build a chat user token',
    usage:
      'chat-user --user-id ID [--expire SECONDS] [--app-id ID] [--app-certificate CERT | env AGORA_APP_CERTIFICATE] [--demo] [--allow-long-expire]\n' +
      '  expire counts seconds from now (default 3600, at most 86400 unless --allow-long-expire)',
    run(argv, io) {
      const args = parseArgs(argv, [...CREDENTIAL_OPTIONS, 'user-id', 'expire'], ['demo', 'allow-long-expire', ...HELP_FLAGS]);
      const userId = stringOption(args, 'user-id') ?? (args.options.get('demo') === true ? 'demo-user' : undefined);
      if (userId === undefined) throw new UsageError('chat-user needs --user-id');
      const { appId, appCertificate } = credentials(args, io);
      const expire = integerOption(args, 'expire', 3600);
      const allowLongExpire = args.options.get('allow-long-expire') === true;
      io.out(ChatTokenBuilder2.buildUserToken(appId, appCertificate, userId, expire, { allowLongExpire }));
      return 0;
    },
  },
  'chat-app': {
    summary: 'build a chat app token (keep it on your servers)',
    usage:
      'chat-app [--expire SECONDS] [--app-id ID] [--app-certificate CERT | env AGORA_APP_CERTIFICATE] [--demo] [--allow-long-expire]',
    run(argv, io) {
      const args = parseArgs(argv, [...CREDENTIAL_OPTIONS, 'expire'], ['demo', 'allow-long-expire', ...HELP_FLAGS]);
      const { appId, appCertificate } = credentials(args, io);
      const expire = integerOption(args, 'expire', 3600);
      const allowLongExpire = args.options.get('allow-long-expire') === true;
      io.out(ChatTokenBuilder2.buildAppToken(appId, appCertificate, expire, { allowLongExpire }));
      return 0;
    },
  },
  decode: {
    summary: 'print what a token holds (proves nothing; see verify)',
    usage: 'decode TOKEN [--json]',
    run(argv, io) {
      const args = parseArgs(argv, [], ['json', ...HELP_FLAGS]);
      if (args.positionals.length !== 1) throw new UsageError('decode takes exactly one TOKEN');
      const decoded = decodeToken(args.positionals[0]!);
      if (args.options.get('json') === true) io.out(JSON.stringify(decoded, null, 2));
      else for (const line of describeToken(decoded)) io.out(line);
      return 0;
    },
  },
  vectors: {
    summary: 'check a vectors file against this library',
    usage: 'vectors check FILE...',
    run(argv, io) {
      const args = parseArgs(argv, [], HELP_FLAGS);
      const [sub, ...files] = args.positionals;
      if (sub !== 'check' || files.length === 0) throw new UsageError('usage: vectors check FILE...');
      let passed = 0;
      let failed = 0;
      let skipped = 0;
      for (const file of files) {
        let document: unknown;
        try {
          document = JSON.parse(readFileSync(file, 'utf8'));
        } catch (error) {
          throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
        }
        const report = checkVectors(document);
        for (const result of report.results) {
          for (const failure of result.failures) io.out(`FAIL ${result.section} ${result.name}: ${failure}`);
        }
        passed += report.passed;
        failed += report.failed;
        skipped += report.skipped;
      }
      io.out(summaryLine({ results: [], passed, failed, skipped }));
      return failed === 0 ? 0 : 1;
    },
  },
};

function describeToken(token: DecodedToken): string[] {
  const lines = [
    `version   ${token.version}`,
    `appId     ${token.appId}`,
    `issueTs   ${token.issueTs} (${new Date(token.issueTs * 1000).toISOString()})`,
    `expire    ${token.expire} s (expires ${new Date((token.issueTs + token.expire) * 1000).toISOString()})`,
    `salt      ${token.salt}`,
    `signature ${token.signatureHex}`,
  ];
  for (const service of token.services) lines.push(`service   ${JSON.stringify(service)}`);
  if (token.unknownServiceType !== undefined) {
    lines.push(`unknown   service type ${token.unknownServiceType}: parsing stopped there`);
  }
  return lines;
}

function usage(): string {
  const lines = ['usage: agora-token-builder COMMAND [options]', '', 'commands:'];
  for (const [name, command] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${command.summary}`);
  lines.push('', 'Run a command with --help for its options.');
  return lines.join('\n');
}

/** Runs the command line; returns the exit status. */
export function main(argv: string[], io: Io): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === 'help') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    io.err(`error: unknown command "${name}"; run agora-token-builder --help`);
    return 2;
  }
  if (rest.includes('--help')) {
    io.out(`usage: agora-token-builder ${command.usage}`);
    return 0;
  }
  try {
    return command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}`);
      return 2;
    }
    if (error instanceof AgoraTokenError) {
      io.err(`error: ${error.code}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
