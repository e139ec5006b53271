// `vectors check FILE...` runs vectors files through this library;
// `vectors print` writes the vectors the package ships, for other languages' CI.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectPositionals, parseArgs, stringOption, UsageError } from '../args.js';
import { HELP, type Command, type Io } from '../common.js';
import { packageRoot } from '../package.js';
import { checkVectors, summaryLine } from '../../conformance/vectors-check.js';

export const SHIPPED_VECTORS = 'agora-reference-vectors.json';

/**
 * The `vectors` folder of this package: next to the package.json named
 * agora-token-builder above this module (dist/cli.js, or src/cli/commands in
 * the repository).
 */
export function shippedVectorsPath(): string {
  return join(packageRoot().dir, 'vectors', SHIPPED_VECTORS);
}

/** A message on one line, at most 200 characters (JSON.parse quotes the text it failed on, newlines included). */
function oneLine(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function check(files: string[], io: Io): number {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const unsupported: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : oneLine((error as Error).message)}`);
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${file} is not JSON: ${oneLine((error as Error).message)}`);
    }
    let report: ReturnType<typeof checkVectors>;
    try {
      report = checkVectors(document);
    } catch (error) {
      throw new UsageError(`${file}: ${oneLine((error as Error).message)}`);
    }
    for (const result of report.results) {
      for (const failure of result.failures) io.out(`FAIL ${result.section} ${result.name}: ${failure}`);
      if (result.unsupported !== undefined) unsupported.push(`UNSUPPORTED ${result.section} ${result.name}/builder: ${result.unsupported}`);
    }
    passed += report.passed;
    failed += report.failed;
    skipped += report.skipped;
  }
  // The one rule for arguments an API cannot express (docs/conformance.md): the builder call is unsupported,
  // counted apart; the rest of its case still passed.
  for (const line of unsupported) io.out(line);
  if (unsupported.length > 0) {
    io.out(`${unsupported.length} builder call${unsupported.length === 1 ? '' : 's'} unsupported (refused by design; the rest of each case passed)`);
  }
  io.out(summaryLine({ results: [], passed, failed, skipped }));
  return failed === 0 ? 0 : 1;
}

function print(argv: string[], io: Io): number {
  const args = parseArgs(argv, ['out'], [HELP]);
  expectPositionals(args, 0, '');
  const text = readFileSync(shippedVectorsPath(), 'utf8');
  const out = stringOption(args, 'out');
  if (out === undefined) {
    io.out(text.endsWith('\n') ? text.slice(0, -1) : text);
  } else {
    writeFileSync(out, text);
    io.err(`wrote ${out}`);
  }
  return 0;
}

export const vectors: Command = {
  summary: 'check vectors files against this library, or print the shipped ones',
  usage:
    'vectors check FILE...\n' +
    '       agora-token-builder vectors print [--out FILE]\n' +
    '  check: exit 0 when every case passes, 1 when one fails.\n' +
    `  print: writes the shipped ${SHIPPED_VECTORS} to standard output or FILE.\n` +
    '  The vectors schema: docs/format.md in this package (node_modules/agora-token-builder/docs/format.md).',
  run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'check') {
      const args = parseArgs(rest, [], [HELP]);
      if (args.positionals.length === 0) throw new UsageError('usage: vectors check FILE...');
      return check(args.positionals, io);
    }
    if (sub === 'print') return print(rest, io);
    throw new UsageError('usage: vectors check FILE... | vectors print [--out FILE]');
  },
};
