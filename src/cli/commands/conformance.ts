// `conformance [--vectors FILE ...] [--junit FILE] [--timeout MS] -- COMMAND [ARG ...]`:
// runs the vectors through another implementation's adapter (docs/conformance.md).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../args.js';
import type { Command, Io } from '../common.js';
import { Adapter } from '../conformance-adapter.js';
import { checkAnswer, conformanceCases, type ConformanceCase, type Outcome } from '../conformance-cases.js';
import { shippedVectorsPath } from './vectors.js';

const DEFAULT_TIMEOUT_MS = 5000;
/** After this many unanswered requests in a row the adapter is given up on. */
const MAX_TIMEOUTS_IN_A_ROW = 3;
/** Extra time for the first answer: the adapter may still be starting (a JVM, a cold interpreter). */
const STARTUP_ALLOWANCE_MS = 10_000;
/** How much of the adapter's stderr the JUnit report keeps. */
const MAX_STDERR_CHARS = 100_000;

interface Options {
  vectors: string[];
  junit: string | undefined;
  timeoutMs: number;
  command: string[];
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { vectors: [], junit: undefined, timeoutMs: DEFAULT_TIMEOUT_MS, command: [] };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--' || !arg.startsWith('--')) {
      options.command = argv.slice(arg === '--' ? i + 1 : i);
      break;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (name !== 'vectors' && name !== 'junit' && name !== 'timeout') throw new UsageError(`unknown option --${name}`);
    const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    // --vectors may repeat; a second --junit or --timeout is a mistake, not an override.
    if (name !== 'vectors' && given.has(name)) throw new UsageError(`--${name} is given twice; give it once`);
    given.add(name);
    if (name === 'vectors') options.vectors.push(value);
    else if (name === 'junit') options.junit = value;
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

interface Suite {
  readonly file: string;
  readonly cases: ConformanceCase[];
}

function loadSuites(files: string[]): Suite[] {
  return files.map((file) => {
    let document: unknown;
    try {
      document = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    try {
      return { file, cases: conformanceCases(document) };
    } catch (error) {
      throw new UsageError(`${file}: ${(error as Error).message}`);
    }
  });
}

interface Result {
  readonly case: ConformanceCase;
  readonly outcome: Outcome;
  readonly ms: number;
}

const fail = (...failures: string[]): Outcome => ({ status: 'fail', failures });

/** Text allowed in XML 1.0, escaped for an attribute or element. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function junitReport(suites: Array<{ file: string; results: Result[] }>, stderr: string): string {
  const count = (results: Result[], status: Outcome['status']) => results.filter((r) => r.outcome.status === status).length;
  const all = suites.flatMap((s) => s.results);
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="agora-token-builder conformance" tests="${all.length}" failures="${count(all, 'fail')}" ` +
      `skipped="${count(all, 'unsupported')}" errors="0">`,
  ];
  for (const suite of suites) {
    const time = suite.results.reduce((sum, r) => sum + r.ms, 0);
    lines.push(
      `  <testsuite name="${xml(basename(suite.file))}" tests="${suite.results.length}" failures="${count(suite.results, 'fail')}" ` +
        `skipped="${count(suite.results, 'unsupported')}" errors="0" time="${seconds(time)}">`,
    );
    for (const { case: c, outcome, ms } of suite.results) {
      const open = `    <testcase classname="${xml(`${c.section}.${c.kind}`)}" name="${xml(c.id)}" time="${seconds(ms)}"`;
      if (outcome.status === 'pass') {
        lines.push(`${open}/>`);
      } else if (outcome.status === 'unsupported') {
        const message = outcome.reason === undefined ? 'unsupported by the adapter' : `unsupported: ${outcome.reason}`;
        lines.push(`${open}><skipped message="${xml(message)}"/></testcase>`);
      } else {
        lines.push(
          `${open}><failure message="${xml(outcome.failures[0]!)}" type="conformance">${xml(outcome.failures.join('\n'))}</failure></testcase>`,
        );
      }
    }
    // The adapter's stderr, once, in the last suite (JUnit puts system-err inside a testsuite).
    if (suite === suites.at(-1) && stderr !== '') lines.push(`    <system-err>${xml(stderr)}</system-err>`);
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

async function run(argv: string[], io: Io): Promise<number> {
  const options = parseOptions(argv);
  const files = options.vectors.length > 0 ? options.vectors : shippedVectorsFiles();
  const suites = loadSuites(files);
  const total = suites.reduce((sum, s) => sum + s.cases.length, 0);
  io.err(`conformance: ${total} requests from ${files.join(', ')} to: ${options.command.join(' ')}`);

  let stderr = '';
  const adapter = new Adapter(options.command, (line) => {
    io.err(`adapter: ${line}`);
    if (stderr.length < MAX_STDERR_CHARS) stderr += `${line}\n`;
  });
  let givenUp: string | undefined;
  let timeoutsInARow = 0;
  let first = true;
  const report: Array<{ file: string; results: Result[] }> = [];
  for (const suite of suites) {
    const results: Result[] = [];
    report.push({ file: suite.file, results });
    for (const c of suite.cases) {
      const started = Date.now();
      let outcome: Outcome;
      if (givenUp !== undefined) {
        outcome = fail(`not sent: ${givenUp}`);
      } else {
        const allowance = first ? STARTUP_ALLOWANCE_MS : 0;
        first = false;
        const reply = await adapter.request(c.id, { id: c.id, kind: c.kind, ...c.request }, options.timeoutMs + allowance);
        if (reply.kind === 'timeout') {
          timeoutsInARow++;
          outcome = fail(`no answer within ${options.timeoutMs + allowance} ms`);
          if (timeoutsInARow >= MAX_TIMEOUTS_IN_A_ROW) givenUp = `the adapter did not answer ${MAX_TIMEOUTS_IN_A_ROW} requests in a row`;
        } else {
          timeoutsInARow = 0;
          if (reply.kind === 'answer') outcome = checkAnswer(c, reply.answer);
          else if (reply.kind === 'malformed') outcome = fail(`malformed answer: ${reply.reason}`);
          else {
            givenUp = `${reply.reason.replace(/ before answering$/, '')} (its stderr, if any, is shown above as "adapter:" lines)`;
            outcome = fail(reply.reason);
          }
        }
      }
      results.push({ case: c, outcome, ms: Date.now() - started });
      if (outcome.status === 'fail') for (const failure of outcome.failures) io.out(`FAIL ${c.id}: ${failure}`);
    }
  }
  await adapter.stop();

  const all = report.flatMap((s) => s.results);
  const passed = all.filter((r) => r.outcome.status === 'pass').length;
  const failed = all.filter((r) => r.outcome.status === 'fail').length;
  const unsupported = all.length - passed - failed;
  if (options.junit !== undefined) {
    writeFileSync(options.junit, junitReport(report, stderr));
    io.err(`wrote ${options.junit}`);
  }
  io.out(`${passed} passed, ${failed} failed, ${unsupported} unsupported`);
  return failed === 0 ? 0 : 1;
}

export const conformance: Command = {
  summary: 'check another implementation, through an adapter, against the vectors',
  usage:
    'conformance [--vectors FILE ...] [--junit FILE] [--timeout MS] -- COMMAND [ARG ...]\n' +
    '  Starts COMMAND once and sends it one JSON request per line on stdin for every vectors case;\n' +
    '  it answers one JSON line each on stdout (protocol: docs/conformance.md in this package).\n' +
    '  --vectors FILE  a vectors file (repeatable); default: the vectors shipped with this package\n' +
    '  --junit FILE    also write a JUnit XML report (unsupported cases are "skipped")\n' +
    `  --timeout MS    how long to wait for each answer (default ${DEFAULT_TIMEOUT_MS}; 10 s more for the first)\n` +
    '  Prints each failure, then "N passed, M failed, K unsupported"; exit 0 when nothing failed, 1 otherwise.',
  run,
};
