// One run of the conformance kit: the requests of each vectors file sent to
// the adapter one at a time, each answer judged. The run stops at the first
// sign that the adapter is gone (it could not start, it exited, or it left
// several requests in a row unanswered): what is left is "not run", reported
// once, not once per request.
import { readFileSync } from 'node:fs';
import { Adapter } from './adapter.js';
import { checkAnswer, conformanceCases, type ConformanceCase, type Outcome } from './cases.js';

/** After this many unanswered requests in a row the adapter is given up on. */
export const MAX_TIMEOUTS_IN_A_ROW = 3;
/** Extra time for the first answer: the adapter may still be starting (a JVM, a cold interpreter). */
export const STARTUP_ALLOWANCE_MS = 10_000;
/** How much of the adapter's stderr a run keeps (for the stop message and the JUnit report). */
const MAX_STDERR_CHARS = 100_000;

/** The requests of one vectors file. */
export interface Suite {
  readonly file: string;
  readonly cases: ConformanceCase[];
}

/** A problem with a vectors file: the CLI reports it as a usage error. */
export class VectorsFileError extends Error {
  override name = 'VectorsFileError';
}

/** Reads vectors files and makes their requests; throws VectorsFileError naming the file. */
export function loadSuites(files: readonly string[]): Suite[] {
  return files.map((file) => {
    let document: unknown;
    try {
      document = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new VectorsFileError(`cannot read ${file}: ${(error as Error).message}`);
    }
    try {
      return { file, cases: conformanceCases(document) };
    } catch (error) {
      throw new VectorsFileError(`${file}: ${(error as Error).message}`);
    }
  });
}

/** One request of a run; `outcome` is undefined when it was never answered (the run stopped first). */
export interface Result {
  readonly case: ConformanceCase;
  readonly outcome: Outcome | undefined;
  readonly ms: number;
}

/** Why and where a run stopped early. */
export interface Stop {
  /** One sentence: "the adapter exited (code 2)", "the adapter could not be started: ...". */
  readonly reason: string;
  /** The request that was waiting for an answer. */
  readonly id: string;
  /** How many requests were answered before it. */
  readonly answered: number;
}

/** The results of a run, per vectors file. */
export interface RunReport {
  readonly suites: Array<{ readonly file: string; readonly results: Result[] }>;
  readonly stop: Stop | undefined;
  /** The adapter's stderr (its first 100,000 characters). */
  readonly stderr: string;
}

export interface RunOptions {
  readonly command: readonly string[];
  readonly timeoutMs: number;
  /** Each line the adapter writes to stderr, as it comes. */
  readonly onStderr?: (line: string) => void;
  /** Each judged request, as it comes (not called for requests left unanswered by a stop). */
  readonly onResult?: (result: Result) => void;
}

/** Runs every request of the suites through one adapter process. */
export async function runSuites(suites: readonly Suite[], options: RunOptions): Promise<RunReport> {
  let stderr = '';
  const adapter = new Adapter(options.command, (line) => {
    options.onStderr?.(line);
    if (stderr.length < MAX_STDERR_CHARS) stderr += `${line}\n`;
  });
  let stop: Stop | undefined;
  let timeoutsInARow = 0;
  let answered = 0;
  let first = true;
  const report: RunReport['suites'] = [];
  for (const suite of suites) {
    const results: Result[] = [];
    report.push({ file: suite.file, results });
    for (const c of suite.cases) {
      if (stop !== undefined) {
        results.push({ case: c, outcome: undefined, ms: 0 });
        continue;
      }
      const started = Date.now();
      const allowance = first ? STARTUP_ALLOWANCE_MS : 0;
      first = false;
      const reply = await adapter.request(c.id, { id: c.id, kind: c.kind, ...c.request }, options.timeoutMs + allowance);
      let outcome: Outcome;
      if (reply.kind === 'gone') {
        stop = { reason: reply.reason.replace(/ before answering$/, ''), id: c.id, answered };
        results.push({ case: c, outcome: undefined, ms: Date.now() - started });
        continue;
      }
      if (reply.kind === 'timeout') {
        timeoutsInARow++;
        outcome = { status: 'fail', failures: [`no answer within ${options.timeoutMs + allowance} ms`] };
        if (timeoutsInARow >= MAX_TIMEOUTS_IN_A_ROW) {
          stop = { reason: `the adapter did not answer ${MAX_TIMEOUTS_IN_A_ROW} requests in a row`, id: c.id, answered };
        }
      } else {
        timeoutsInARow = 0;
        answered++;
        outcome = reply.kind === 'answer' ? checkAnswer(c, reply.answer) : { status: 'fail', failures: [`malformed answer: ${reply.reason}`] };
      }
      const result = { case: c, outcome, ms: Date.now() - started };
      results.push(result);
      options.onResult?.(result);
    }
  }
  await adapter.stop();
  return { suites: report, stop, stderr };
}
