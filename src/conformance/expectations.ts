// The lists a team keeps of the requests it expects to fail, or to be
// answered "unsupported" (`--known-failures FILE`, `--known-unsupported
// FILE`), and the verdict on each request once the lists are applied
// (docs/conformance.md, "Known failures").
import type { Outcome } from './cases.js';

/** A list file: request id -> the comment on its line ('' when none). */
export type IdList = ReadonlyMap<string, string>;

/** A problem with a list file: the CLI reports it as a usage error. */
export class ListError extends Error {
  override name = 'ListError';
}

/**
 * Reads a list: one request id per line; text after `#` is a comment (kept as
 * the reason); blank lines are ignored; spaces around an id are trimmed.
 * An id may not contain `#` or spaces. A repeated id is an error (two reasons
 * for one request would be ambiguous).
 */
export function parseIdList(text: string, file: string): Map<string, string> {
  const ids = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    const hash = line.indexOf('#');
    const id = (hash === -1 ? line : line.slice(0, hash)).trim();
    const comment = hash === -1 ? '' : line.slice(hash + 1).trim();
    if (id === '') return;
    if (/\s/.test(id)) throw new ListError(`${file} line ${index + 1}: one request id per line, got ${JSON.stringify(id)}`);
    if (ids.has(id)) throw new ListError(`${file} line ${index + 1}: ${id} is listed twice`);
    ids.set(id, comment);
  });
  return ids;
}

/**
 * Refuses a list naming ids the run does not have (a typo must not hide a
 * failure): the error names up to 10 of them.
 */
export function checkListIds(list: IdList, file: string, option: string, runIds: ReadonlySet<string>): void {
  const unknown = [...list.keys()].filter((id) => !runIds.has(id));
  if (unknown.length === 0) return;
  const shown = unknown.slice(0, 10).join(', ') + (unknown.length > 10 ? `, and ${unknown.length - 10} more` : '');
  throw new ListError(
    `${option} ${file} names ${unknown.length} request id${unknown.length === 1 ? '' : 's'} that these vectors do not have: ${shown} ` +
      '(ids are the vectors case names, with /builder or /verify/REFERENCE; see docs/conformance.md)',
  );
}

/** What a request's outcome means once the lists are applied. */
export type Verdict =
  | 'pass'
  /** Failed, and not listed: red. */
  | 'fail'
  /** Failed, and listed in --known-failures: green. */
  | 'known-failure'
  /** Listed in --known-failures, but passed or was answered unsupported: red, so that the list shrinks. */
  | 'fixed'
  /** Answered unsupported; no --known-unsupported list was given, or it lists the id. */
  | 'unsupported'
  /** Answered unsupported, a --known-unsupported list was given and does not list it: red. */
  | 'new-unsupported'
  /** Listed in --known-unsupported, but passed: red, so that the list shrinks. */
  | 'now-supported'
  /** Never answered: the adapter stopped (could not start, exited, or stopped answering). Red. */
  | 'not-run';

/** The verdicts that make the run red. */
export const RED_VERDICTS: ReadonlySet<Verdict> = new Set(['fail', 'fixed', 'new-unsupported', 'now-supported', 'not-run']);

/** The lists of a run; either may be absent. */
export interface Expectations {
  readonly knownFailures?: IdList;
  readonly knownUnsupported?: IdList;
}

/** The verdict on one request. `undefined` outcome: the request was never answered. */
export function verdictOf(id: string, outcome: Outcome | undefined, expectations: Expectations): Verdict {
  if (outcome === undefined) return 'not-run';
  const knownFailure = expectations.knownFailures?.has(id) ?? false;
  if (outcome.status === 'fail') return knownFailure ? 'known-failure' : 'fail';
  if (knownFailure) return 'fixed';
  if (outcome.status === 'unsupported') {
    return expectations.knownUnsupported === undefined || expectations.knownUnsupported.has(id) ? 'unsupported' : 'new-unsupported';
  }
  return expectations.knownUnsupported?.has(id) ? 'now-supported' : 'pass';
}
