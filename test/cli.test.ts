// The `vectors check` and `decode` commands, run in-process through main()
// with a fake Io. (.ci/run runs the same check with the packed package's
// dist/cli.js, so the published executable is covered too.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { token007Case, vectors, VECTORS_PATH, VECTORS_TEXT, wireOrder } from './helpers/vectors.js';

interface Run {
  status: number;
  out: string[];
  err: string[];
}

async function run(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(argv, {
    out: (line) => out.push(...line.split('\n')),
    err: (line) => err.push(...line.split('\n')),
    env: {},
  });
  return { status, out, err };
}

const SUMMARY = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/;
const TOTAL_CASES = vectors.token007.length + vectors.token006.length + vectors.invalid.length;

function summary(result: Run): { passed: number; failed: number; skipped: number } {
  const last = result.out.at(-1) ?? '';
  const match = SUMMARY.exec(last);
  if (match === null) throw new Error(`last line is not a summary: ${JSON.stringify(last)}`);
  return { passed: Number(match[1]), failed: Number(match[2]), skipped: Number(match[3] ?? 0) };
}

const temp = mkdtempSync(join(tmpdir(), 'agora-token-builder-cli-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function writeJson(name: string, value: unknown): string {
  const path = join(temp, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

/** A copy of the shipped vectors with four cases broken, each in a different way. */
function doctoredVectors(): { path: string; broken: string[] } {
  const doc = JSON.parse(VECTORS_TEXT) as {
    token007: Array<Record<string, unknown> & { name: string; tokens: Record<string, string> }>;
    invalid: Array<Record<string, unknown> & { name: string }>;
  };
  const byName = <T extends { name: string }>(list: T[], name: string): T => {
    const found = list.find((c) => c.name === name);
    if (found === undefined) throw new Error(`no case ${name}`);
    return found;
  };
  // A payload one nibble off.
  const payloadCase = byName(doc.token007, 'chat-user-basic');
  const payload = payloadCase.payloadHex as string;
  payloadCase.payloadHex = payload.slice(0, -1) + (payload.endsWith('0') ? '1' : '0');
  // A reference token string that belongs to another case.
  byName(doc.token007, 'test-rtc-uid').tokens.python3 = token007Case('chat-app-basic').tokens.python3!;
  // An invalid case whose expectation is wrong, and one whose token is valid.
  byName(doc.invalid, 'wrong-certificate').expect = 'parse-error';
  byName(doc.invalid, 'bad-base64').token = token007Case('chat-user-basic').tokens.python3!;
  return {
    path: writeJson('doctored.json', doc),
    broken: ['chat-user-basic', 'test-rtc-uid', 'wrong-certificate', 'bad-base64'],
  };
}

describe('vectors check', () => {
  it('passes the shipped vectors and ends with "N passed, 0 failed"', async () => {
    const result = await run('vectors', 'check', VECTORS_PATH);
    expect(result.out.filter((line) => line.startsWith('FAIL'))).toEqual([]);
    const { passed, failed, skipped } = summary(result);
    expect(failed).toBe(0);
    expect(passed + skipped).toBe(TOTAL_CASES);
    // Every 007 and invalid case is checked, none skipped.
    expect(passed).toBeGreaterThanOrEqual(vectors.token007.length + vectors.invalid.length);
    expect(result.status).toBe(0);
  });

  it('prints each failing case by section and name, counts it, and exits 1', async () => {
    const clean = summary(await run('vectors', 'check', VECTORS_PATH));
    const { path, broken } = doctoredVectors();
    const result = await run('vectors', 'check', path);

    expect(result.status).toBe(1);
    const fails = result.out.filter((line) => line.startsWith('FAIL '));
    const failedNames = new Set(fails.map((line) => /^FAIL (token007|invalid) ([^:]+):/.exec(line)?.[2]));
    expect([...failedNames].sort()).toEqual([...broken].sort());
    expect(fails.some((line) => line.startsWith('FAIL token007 chat-user-basic: '))).toBe(true);
    expect(fails.some((line) => line.startsWith('FAIL token007 test-rtc-uid: ') && line.includes('tokens.python3'))).toBe(true);
    expect(fails.some((line) => line.startsWith('FAIL invalid wrong-certificate: '))).toBe(true);
    expect(fails.some((line) => line.startsWith('FAIL invalid bad-base64: '))).toBe(true);

    expect(summary(result)).toEqual({ passed: clean.passed - 4, failed: 4, skipped: clean.skipped });
    expect(result.out.at(-1)).toBe(
      `${clean.passed - 4} passed, 4 failed${clean.skipped > 0 ? `, ${clean.skipped} skipped` : ''}`,
    );
  });

  it('adds up several files into one summary', async () => {
    const clean = summary(await run('vectors', 'check', VECTORS_PATH));
    const { path } = doctoredVectors();
    const result = await run('vectors', 'check', VECTORS_PATH, path);
    expect(result.status).toBe(1);
    expect(summary(result)).toEqual({
      passed: 2 * clean.passed - 4,
      failed: 4,
      skipped: 2 * clean.skipped,
    });
  });

  it('reports a builder call this package refuses by design as unsupported, with its reason, and counts the case passed', async () => {
    const c = token007Case('chat-user-empty');
    expect(c.builder!.args.userId).toBe('');
    const result = await run('vectors', 'check', writeJson('chat-empty.json', { schema: 1, token007: [c] }));
    expect(result.status).toBe(0);
    expect(result.out).toEqual([
      'UNSUPPORTED token007 chat-user-empty/builder: agora-token-builder refuses a chat user token with an empty userId',
      '1 builder call unsupported (refused by design; the rest of each case passed)',
      '1 passed, 0 failed',
    ]);
  });

  it('reads any file of the schema, including one with a single section', async () => {
    const only = writeJson('only-invalid.json', { schema: 1, invalid: vectors.invalid.slice(0, 3) });
    const result = await run('vectors', 'check', only);
    expect(result.status).toBe(0);
    expect(result.out.at(-1)).toBe('3 passed, 0 failed');
  });

  it('fails a builder case whose arguments do not build its payload', async () => {
    const c = token007Case('chat-user-basic');
    const emptyUser = {
      ...token007Case('chat-user-empty'),
      name: 'chat-user-empty-doctored',
      // The payload of an empty user id, the arguments of another user.
      builder: { name: 'ChatTokenBuilder2.buildUserToken', args: { ...c.builder!.args, userId: 'test_user' } },
    };
    const ok = await run('vectors', 'check', writeJson('chat-ok.json', { schema: 1, token007: [c] }));
    expect(ok.out.at(-1)).toBe('1 passed, 0 failed');
    const bad = await run('vectors', 'check', writeJson('chat-bad.json', { schema: 1, token007: [emptyUser] }));
    expect(bad.status).toBe(1);
    expect(bad.out.some((line) => line.startsWith('FAIL token007 chat-user-empty-doctored: '))).toBe(true);
    expect(bad.out.at(-1)).toBe('0 passed, 1 failed');
  });

  it('is a usage error (exit 2, one line on stderr) for a missing file, bad JSON, or no file', async () => {
    for (const argv of [
      ['vectors', 'check', join(temp, 'missing.json')],
      ['vectors', 'check', writeJson('broken.json', '{"schema": 1,')],
      ['vectors', 'check'],
    ]) {
      const result = await run(...argv);
      expect(result.status).toBe(2);
      expect(result.err).toHaveLength(1);
      expect(result.err[0]).toMatch(/^error: /);
    }
  });

  it('refuses a JSON file that is not a vectors file, without a stack trace', async () => {
    const result = await run('vectors', 'check', writeJson('other.json', { name: 'not vectors' }));
    expect(result.status).not.toBe(0);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toContain('schema');
  });
});

describe('decode', () => {
  const c = token007Case('test-multi-five-services');
  const token = c.tokens.python3!;

  it('--json prints the token with the field names of the vectors', async () => {
    const result = await run('decode', token, '--json');
    expect(result.status).toBe(0);
    const printed = JSON.parse(result.out.join('\n')) as Record<string, unknown>;
    expect(Object.keys(printed).sort()).toEqual(['appId', 'expire', 'issueTs', 'salt', 'services', 'signatureHex', 'version']);
    expect(printed).toEqual({
      version: '007',
      appId: c.appId,
      issueTs: c.issueTs,
      expire: c.expire,
      salt: c.salt,
      services: wireOrder(c.services),
      signatureHex: c.signatureHex,
    });
  });

  it('--json reports an unknown service type', async () => {
    const unknown = vectors.invalid.find((v) => v.name === 'unknown-service-type-99-after-rtc')!;
    const result = await run('decode', unknown.token, '--json');
    expect(result.status).toBe(0);
    const printed = JSON.parse(result.out.join('\n')) as { unknownServiceType?: number; services: unknown[] };
    expect(printed.unknownServiceType).toBe(99);
    expect(printed.services).toHaveLength(1);
  });

  it('prints one field a line without --json', async () => {
    const result = await run('decode', token);
    expect(result.status).toBe(0);
    expect(result.out).toContain(`appId     ${c.appId}`);
    expect(result.out).toContain(`salt      ${c.salt}`);
    expect(result.out).toContain(`signature ${c.signatureHex}`);
    expect(result.out.filter((line) => line.startsWith('service '))).toHaveLength(c.services.length);
  });

  it('exits 1 with one line on stderr, the error code first, for a token it cannot decode', async () => {
    for (const bad of ['007AAAA', '008abc', vectors.invalid.find((v) => v.name === 'zlib-bad-adler32')!.token]) {
      const result = await run('decode', bad);
      expect(result.status).toBe(1);
      expect(result.out).toEqual([]);
      expect(result.err).toHaveLength(1);
      expect(result.err[0]).toMatch(/^error: ERR_TOKEN_(MALFORMED|VERSION): /);
    }
  });

  it('is a usage error without exactly one token', async () => {
    expect((await run('decode')).status).toBe(2);
    expect((await run('decode', token, token)).status).toBe(2);
  });
});
