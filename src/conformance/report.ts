// What a run of the conformance kit reports: the console lines and the
// JUnit XML (docs/conformance.md, "Reports").
import { basename } from 'node:path';
import { RED_VERDICTS, verdictOf, type Expectations, type Verdict } from './expectations.js';
import type { Result, RunReport } from './run.js';

/** A judged request: its result and its verdict under the lists. */
export interface Judged extends Result {
  readonly verdict: Verdict;
}

/** Applies the lists to every result of a run. */
export function judge(report: RunReport, expectations: Expectations): Array<{ file: string; results: Judged[] }> {
  return report.suites.map(({ file, results }) => ({
    file,
    results: results.map((r) => ({ ...r, verdict: verdictOf(r.case.id, r.outcome, expectations) })),
  }));
}

/** The reason an unsupported answer gave, or a stand-in. */
export function unsupportedReason(result: Result): string {
  return result.outcome?.status === 'unsupported' && result.outcome.reason !== undefined && result.outcome.reason.trim() !== ''
    ? result.outcome.reason.trim()
    : '(no reason given)';
}

/**
 * The console line(s) for one judged request, or none. Red verdicts always
 * print; known failures and unsupported answers only when `verbose`.
 */
export function resultLines(judged: Judged, expectations: Expectations, verbose: boolean): string[] {
  const { id } = judged.case;
  const outcome = judged.outcome;
  switch (judged.verdict) {
    case 'fail': {
      const failures = outcome?.status === 'fail' ? outcome.failures : [];
      const listed = expectations.knownUnsupported?.has(id) ? ' (listed in --known-unsupported)' : '';
      return failures.map((failure, i) => `FAIL ${id}: ${failure}${i === 0 ? listed : ''}`);
    }
    case 'fixed': {
      const how = outcome?.status === 'pass' ? 'passes now' : `is answered unsupported now (${unsupportedReason(judged)})`;
      return [`FIXED ${id}: listed in --known-failures, but ${how}; remove it from the list`];
    }
    case 'new-unsupported':
      return [`UNSUPPORTED-NEW ${id}: answered unsupported (${unsupportedReason(judged)}), but not listed in --known-unsupported`];
    case 'now-supported':
      return [`SUPPORTED-NOW ${id}: listed in --known-unsupported, but passes now; remove it from the list`];
    case 'known-failure': {
      if (!verbose) return [];
      const failures = outcome?.status === 'fail' ? outcome.failures : [];
      const reason = expectations.knownFailures?.get(id);
      return [`KNOWN ${id}: ${failures[0] ?? ''}${reason ? ` (listed: ${reason})` : ''}`];
    }
    case 'unsupported':
      return verbose ? [`UNSUPPORTED ${id}: ${unsupportedReason(judged)}`] : [];
    default:
      return [];
  }
}

/** "N requests: REASON" lines, most frequent first; empty when nothing was unsupported. */
export function unsupportedSummary(results: readonly Judged[]): string[] {
  const byReason = new Map<string, number>();
  for (const r of results) {
    if (r.outcome?.status === 'unsupported') byReason.set(unsupportedReason(r), (byReason.get(unsupportedReason(r)) ?? 0) + 1);
  }
  if (byReason.size === 0) return [];
  const rows = [...byReason].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const width = String(rows[0]![1]).length;
  return ['unsupported, by reason (--verbose lists every id):', ...rows.map(([reason, n]) => `  ${String(n).padStart(width)}  ${reason}`)];
}

/** The closing lines: the lists' tallies (when given), then "N passed, M failed, K unsupported[, S not run]". */
export function summaryLines(results: readonly Judged[], expectations: Expectations): string[] {
  const count = (predicate: (r: Judged) => boolean) => results.filter(predicate).length;
  const lines: string[] = [];
  if (expectations.knownFailures !== undefined) {
    lines.push(
      `known failures: ${count((r) => r.verdict === 'known-failure')} of ${expectations.knownFailures.size} listed still fail, ` +
        `${count((r) => r.verdict === 'fixed')} no longer fail; new failures: ${count((r) => r.verdict === 'fail')}`,
    );
  }
  if (expectations.knownUnsupported !== undefined) {
    lines.push(
      `known unsupported: ${count((r) => r.verdict === 'unsupported')} of ${expectations.knownUnsupported.size} listed still unsupported, ` +
        `${count((r) => r.verdict === 'now-supported')} pass now; newly unsupported: ${count((r) => r.verdict === 'new-unsupported')}`,
    );
  }
  const passed = count((r) => r.outcome?.status === 'pass');
  const failed = count((r) => r.outcome?.status === 'fail');
  const unsupported = count((r) => r.outcome?.status === 'unsupported');
  const notRun = count((r) => r.outcome === undefined);
  lines.push(`${passed} passed, ${failed} failed, ${unsupported} unsupported${notRun > 0 ? `, ${notRun} not run` : ''}`);
  return lines;
}

/** Whether the run is green: no verdict that makes it red. */
export function isGreen(results: readonly Judged[]): boolean {
  return !results.some((r) => RED_VERDICTS.has(r.verdict));
}

/** Text allowed in XML 1.0, escaped for an attribute or element. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const FAILURE_VERDICTS: ReadonlySet<Verdict> = new Set(['fail', 'fixed', 'new-unsupported', 'now-supported']);
const SKIPPED_VERDICTS: ReadonlySet<Verdict> = new Set(['unsupported', 'known-failure']);

/**
 * The JUnit XML report. A testcase per request: nothing inside when it
 * passed; `<failure>` for a red verdict (type `conformance`,
 * `known-failure-passed`, `unexpected-unsupported` or
 * `known-unsupported-passed`); `<skipped>` of type `unsupported` or
 * `known-failure` (the failure text inside); `<error type="not-run">` for a
 * request never answered.
 */
export function junitReport(
  suites: ReadonlyArray<{ file: string; results: readonly Judged[] }>,
  expectations: Expectations,
  stderr: string,
  stopReason: string | undefined,
): string {
  const count = (results: readonly Judged[], set: ReadonlySet<Verdict>) => results.filter((r) => set.has(r.verdict)).length;
  const errors = (results: readonly Judged[]) => results.filter((r) => r.verdict === 'not-run').length;
  const all = suites.flatMap((s) => s.results);
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="agora-token-builder conformance" tests="${all.length}" failures="${count(all, FAILURE_VERDICTS)}" ` +
      `skipped="${count(all, SKIPPED_VERDICTS)}" errors="${errors(all)}">`,
  ];
  for (const suite of suites) {
    const time = suite.results.reduce((sum, r) => sum + r.ms, 0);
    lines.push(
      `  <testsuite name="${xml(basename(suite.file))}" tests="${suite.results.length}" failures="${count(suite.results, FAILURE_VERDICTS)}" ` +
        `skipped="${count(suite.results, SKIPPED_VERDICTS)}" errors="${errors(suite.results)}" time="${seconds(time)}">`,
    );
    for (const r of suite.results) {
      const c = r.case;
      const open = `    <testcase classname="${xml(`${c.section}.${c.kind}`)}" name="${xml(c.id)}" time="${seconds(r.ms)}"`;
      const failures = r.outcome?.status === 'fail' ? r.outcome.failures : [];
      const element = (tag: string, type: string, message: string, body = '') =>
        `${open}><${tag} type="${type}" message="${xml(message)}"${body === '' ? '/>' : `>${xml(body)}</${tag}>`}</testcase>`;
      switch (r.verdict) {
        case 'pass':
          lines.push(`${open}/>`);
          break;
        case 'unsupported':
          lines.push(element('skipped', 'unsupported', `unsupported: ${unsupportedReason(r)}`));
          break;
        case 'known-failure': {
          const listed = expectations.knownFailures?.get(c.id);
          lines.push(element('skipped', 'known-failure', `known failure${listed ? `: ${listed}` : ''}`, failures.join('\n')));
          break;
        }
        case 'fail':
          lines.push(element('failure', 'conformance', failures[0]!, failures.join('\n')));
          break;
        case 'fixed':
          lines.push(element('failure', 'known-failure-passed', 'listed in --known-failures, but did not fail; remove it from the list'));
          break;
        case 'new-unsupported':
          lines.push(element('failure', 'unexpected-unsupported', `answered unsupported (${unsupportedReason(r)}), but not listed in --known-unsupported`));
          break;
        case 'now-supported':
          lines.push(element('failure', 'known-unsupported-passed', 'listed in --known-unsupported, but passed; remove it from the list'));
          break;
        case 'not-run':
          lines.push(element('error', 'not-run', `not run: ${stopReason ?? 'the run stopped'}`));
          break;
      }
    }
    // The adapter's stderr, once, in the last suite (JUnit puts system-err inside a testsuite).
    if (suite === suites.at(-1) && stderr !== '') lines.push(`    <system-err>${xml(stderr)}</system-err>`);
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
