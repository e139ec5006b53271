// `conformance [OPTIONS] -- COMMAND [ARG ...]`: runs the vectors through
// another implementation's adapter (docs/conformance.md). A shell over
// src/conformance/: options in, lines out.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { unknownOption, UsageError } from '../args.js';
import type { Command, Io } from '../common.js';
import { checkListIds, ListError, parseIdList, verdictOf, type Expectations } from '../../conformance/expectations.js';
import { isGreen, judge, junitReport, resultLines, summaryLines, unsupportedSummary } from '../../conformance/report.js';
import { loadSuites, runSuites, STARTUP_ALLOWANCE_MS, VectorsFileError, type Stop } from '../../conformance/run.js';
import { shippedVectorsPath } from './vectors.js';

const DEFAULT_TIMEOUT_MS = 5000;
/** How many of the adapter's last stderr lines a stop message repeats. */
const STOP_STDERR_LINES = 20;

interface Options {
  vectors: string[];
  junit: string | undefined;
  knownFailures: string | undefined;
  knownUnsupported: string | undefined;
  timeoutMs: number;
  verbose: boolean;
  command: string[];
}

const VALUED = ['vectors', 'junit', 'timeout', 'known-failures', 'known-unsupported'];

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    vectors: [],
    junit: undefined,
    knownFailures: undefined,
    knownUnsupported: undefined,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    verbose: false,
    command: [],
  };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--' || !arg.startsWith('--')) {
      options.command = argv.slice(arg === '--' ? i + 1 : i);
      break;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (name === 'verbose' && eq === -1) {
      options.verbose = true;
      continue;
    }
    if (!VALUED.includes(name)) throw new UsageError(unknownOption(name, [...VALUED, 'verbose']));
    const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    // --vectors may repeat; a second of any other option is a mistake, not an override.
    if (name !== 'vectors' && given.has(name)) throw new UsageError(`--${name} is given twice; give it once`);
    given.add(name);
    if (name === 'vectors') options.vectors.push(value);
    else if (name === 'junit') options.junit = value;
    else if (name === 'known-failures') options.knownFailures = value;
    else if (name === 'known-unsupported') options.knownUnsupported = value;
    else {
      if (!/^[0-9]+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
        throw new UsageError('--timeout must be a whole number of milliseconds, at least 1');
      }
      options.timeoutMs = Number(value);
    }
  }
  if (options.command.length === 0) throw new UsageError('give the adapter to run after --, e.g. conformance -- python3 adapter.py');
  return options;
}

/** The vectors files shipped with this package: every .json file of its vectors folder. */
function shippedVectorsFiles(): string[] {
  const dir = dirname(shippedVectorsPath());
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(dir, name));
}

function readList(file: string, option: string, runIds: ReadonlySet<string>): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${option} ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    const list = parseIdList(text, file);
    checkListIds(list, file, option, runIds);
    return list;
  } catch (error) {
    if (error instanceof ListError) throw new UsageError(error.message);
    throw error;
  }
}

function stopLines(stop: Stop, total: number, notRun: number, stderr: string): string[] {
  const lines = [
    `STOPPED at ${stop.id}: ${stop.reason}; ${stop.answered} of ${total} requests answered, ${notRun} not run.` +
      (stderr === '' ? ' The adapter wrote nothing to stderr.' : ' Its stderr:'),
  ];
  const tail = stderr.trimEnd().split('\n');
  if (stderr !== '') {
    if (tail.length > STOP_STDERR_LINES) lines.push(`  | ... (${tail.length - STOP_STDERR_LINES} earlier lines)`);
    for (const line of tail.slice(-STOP_STDERR_LINES)) lines.push(`  | ${line}`);
  }
  return lines;
}

async function run(argv: string[], io: Io): Promise<number> {
  const options = parseOptions(argv);
  const files = options.vectors.length > 0 ? options.vectors : shippedVectorsFiles();
  let suites: ReturnType<typeof loadSuites>;
  try {
    suites = loadSuites(files);
  } catch (error) {
    if (error instanceof VectorsFileError) throw new UsageError(error.message);
    throw error;
  }
  const runIds = new Set(suites.flatMap((s) => s.cases.map((c) => c.id)));
  const expectations: Expectations = {
    ...(options.knownFailures !== undefined && { knownFailures: readList(options.knownFailures, '--known-failures', runIds) }),
    ...(options.knownUnsupported !== undefined && { knownUnsupported: readList(options.knownUnsupported, '--known-unsupported', runIds) }),
  };
  const both = [...(expectations.knownFailures?.keys() ?? [])].filter((id) => expectations.knownUnsupported?.has(id));
  if (both.length > 0) {
    throw new UsageError(`${both.join(', ')}: listed in both --known-failures and --known-unsupported; a request is one or the other`);
  }

  const total = suites.reduce((sum, s) => sum + s.cases.length, 0);
  io.err(`conformance: ${total} requests from ${files.join(', ')} to: ${options.command.join(' ')}`);
  const report = await runSuites(suites, {
    command: options.command,
    timeoutMs: options.timeoutMs,
    onStderr: (line) => io.err(`adapter: ${line}`),
    onResult: (result) => {
      const verdict = verdictOf(result.case.id, result.outcome, expectations);
      for (const line of resultLines({ ...result, verdict }, expectations, options.verbose)) io.out(line);
    },
  });

  const judged = judge(report, expectations);
  const all = judged.flatMap((s) => s.results);
  if (report.stop !== undefined) for (const line of stopLines(report.stop, total, all.filter((r) => r.outcome === undefined).length, report.stderr)) io.out(line);
  for (const line of unsupportedSummary(all)) io.out(line);
  if (options.junit !== undefined) {
    writeFileSync(options.junit, junitReport(judged, expectations, report.stderr, report.stop?.reason));
    io.err(`wrote ${options.junit}`);
  }
  for (const line of summaryLines(all, expectations)) io.out(line);
  return isGreen(all) ? 0 : 1;
}

export const conformance: Command = {
  summary: 'check another implementation, through an adapter, against the vectors',
  usage:
    'conformance [--vectors FILE ...] [--known-failures FILE] [--known-unsupported FILE]\n' +
    '                                       [--junit FILE] [--timeout MS] [--verbose] -- COMMAND [ARG ...]\n' +
    '  Starts COMMAND once and sends it one JSON request per line on stdin for every vectors case;\n' +
    '  it answers one JSON line each on stdout (protocol: docs/conformance.md in this package).\n' +
    '  --vectors FILE            a vectors file (repeatable); default: the vectors shipped with this package\n' +
    '  --known-failures FILE     request ids expected to fail, one per line (# comments): green when exactly\n' +
    '                            those fail; a listed id that passes is reported (FIXED) and fails the run\n' +
    '  --known-unsupported FILE  request ids expected to be answered unsupported, the same way\n' +
    '  --junit FILE              also write a JUnit XML report\n' +
    `  --timeout MS              how long to wait for each answer (default ${DEFAULT_TIMEOUT_MS}; ${STARTUP_ALLOWANCE_MS / 1000} s more for the first)\n` +
    '  --verbose                 also list each known failure and each unsupported request with its reason\n' +
    '  Prints each new failure, a summary of unsupported requests by reason, then\n' +
    '  "N passed, M failed, K unsupported"; exit 0 when green, 1 when not, 2 for a usage error.',
  run,
};
