// The conformance kit (`agora-token-builder conformance`), run as a user runs
// it: the built executable spawning the example adapters of
// conformance/adapters/. Expected counts and failures come from the vectors
// file and its notes (vectors/README.md), never from the kit itself.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildForTest, cacheFolder } from './helpers/build.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vectors, VECTORS_PATH } from './helpers/vectors.js';

interface Run {
  code: number | null;
  out: string[];
  err: string[];
}

/** The built package: a copy with this package's name, so the adapters' `import 'agora-token-builder'` finds it. */
let pkg: string;
let cli: string;
let temp: string;

beforeAll(async () => {
  // Inside node_modules/.cache, so that the agora-token adapter finds the agora-token devDependency above it.
  pkg = cacheFolder('atb-conformance-');
  temp = join(pkg, 'tmp');
  mkdirSync(temp);
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: 'agora-token-builder', type: 'module', exports: { '.': './dist/index.js' } }),
  );
  cpSync('vectors', join(pkg, 'vectors'), { recursive: true });
  cpSync('conformance', join(pkg, 'conformance'), { recursive: true });
  await buildForTest({ index: 'src/index.ts', cli: 'src/cli/bin.ts' }, join(pkg, 'dist'));
  cli = join(pkg, 'dist', 'cli.js');
}, 60_000);
afterAll(() => {
  if (pkg) rmSync(pkg, { recursive: true, force: true });
});

function conformance(args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'conformance', ...args], {
      cwd: pkg,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out: stdout.trim().split('\n'), err: stderr.trim().split('\n') }));
  });
}

const adapter = (name: string) => join('conformance', 'adapters', name);
/** The reference vectors only: the counts below are taken from that file. */
const REFERENCE = ['--vectors', VECTORS_PATH];
const node = (name: string, ...args: string[]) => [...REFERENCE, '--', process.execPath, adapter(name), ...args];

function totals(run: Run): { passed: number; failed: number; unsupported: number } {
  const match = /^(\d+) passed, (\d+) failed, (\d+) unsupported(?:, \d+ not run)?$/.exec(run.out.at(-1) ?? '');
  if (match === null) throw new Error(`no summary line: ${JSON.stringify(run.out.at(-1))}\n${run.err.join('\n')}`);
  return { passed: Number(match[1]), failed: Number(match[2]), unsupported: Number(match[3]) };
}

/** Failing request id -> its failure lines. */
function failures(run: Run): Map<string, string[]> {
  const byId = new Map<string, string[]>();
  for (const line of run.out) {
    const match = /^FAIL (\S+): (.*)$/.exec(line);
    if (match === null) continue;
    byId.set(match[1]!, [...(byId.get(match[1]!) ?? []), match[2]!]);
  }
  return byId;
}

// What the kit must send, counted from the vectors file (docs/conformance.md).
type AnyCase = { name: string; builder?: unknown; tokens?: Record<string, string>; services?: Array<{ type: number }>; ts?: number };
type VectorsDoc = { token007: AnyCase[]; token006: AnyCase[]; invalid: Array<{ expect: string }> };
const token007 = vectors.token007 as unknown as AnyCase[];
const token006 = vectors.token006 as unknown as AnyCase[];
const sentInvalid = vectors.invalid.filter((c) => c.expect !== 'unknown-service');
const requestsOf = (c: AnyCase) => 1 + (c.builder ? 1 : 0) + Object.keys(c.tokens ?? {}).length;
/** Per 007/006 case: itself, its builder call, a verify per reference token; per invalid case but unknown-service: a verify. */
const requestCount = (doc: VectorsDoc) =>
  [...(doc.token007 ?? []), ...(doc.token006 ?? [])].reduce((sum, c) => sum + requestsOf(c), 0) +
  (doc.invalid ?? []).filter((c) => c.expect !== 'unknown-service').length;
const TOTAL = requestCount(vectors as unknown as VectorsDoc);

/** The 007 cases of Chat services only, and the chat builder calls: what the Python and broken adapters implement. */
const chatCases = token007.filter((c) => c.services!.length > 0 && c.services!.every((s) => s.type === 5)).map((c) => c.name);
const chatBuilderIds = token007
  .filter((c) => typeof c.builder === 'object' && c.builder !== null && String((c.builder as { name: string }).name).startsWith('ChatTokenBuilder2.'))
  .map((c) => `${c.name}/builder`);
const CHAT_IDS = [...chatCases, ...chatBuilderIds].sort();

describe('conformance over this library', () => {
  it('passes every request but the chat user token with an empty userId, which the library refuses; writes JUnit', async () => {
    const junit = join(temp, 'library.xml');
    const run = await conformance(['--junit', junit, ...node('agora-token-builder.mjs')]);
    expect(run.out.filter((line) => line.startsWith('FAIL'))).toEqual([]);
    expect(totals(run)).toEqual({ passed: TOTAL - 1, failed: 0, unsupported: 1 });
    expect(run.code).toBe(0);
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(TOTAL);
    expect(xml).not.toContain('<failure');
    expect(xml).toMatch(/<testcase classname="token007.builder" name="chat-user-empty\/builder" time="[0-9.]+"><skipped type="unsupported" message="unsupported: [^"]*empty userId"\/>/);
    expect(xml).toMatch(new RegExp(`<testsuite name="agora-reference-vectors.json" tests="${TOTAL}" failures="0" skipped="1"`));
  });

  it('by default runs every vectors file shipped in the package the executable is in', async () => {
    const dir = join(pkg, 'vectors');
    const files = readdirSync(dir).filter((name) => name.endsWith('.json')).sort().map((name) => join(dir, name));
    const docs = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as VectorsDoc);
    const total = docs.reduce((sum, doc) => sum + requestCount(doc), 0);
    // Unsupported by this library's adapter, the builder calls the library refuses by design (SPEC section 5):
    // a chat user token for an empty userId, an RTC role other than 1 or 2, a 006 RTM role other than 1,
    // and 006 builder calls whose ts is below 24 hours (no u32 build time gives them).
    const refused = (c: AnyCase) => {
      const builder = c.builder as { name: string; args: Record<string, unknown> } | null | undefined;
      if (!builder) return false;
      const { name, args } = builder;
      const rtcRole = /^(RtcTokenBuilder2|ConvoAITokenBuilder|SttTokenBuilder)\./.test(name) ? (args.role ?? args.rtcRole) : undefined;
      return (
        (name === 'ChatTokenBuilder2.buildUserToken' && args.userId === '') ||
        (rtcRole !== undefined && rtcRole !== 1 && rtcRole !== 2) ||
        (name === 'RtmTokenBuilder.buildToken' && args.role !== 1) ||
        (c.ts !== undefined && c.ts < 86_400)
      );
    };
    const unsupported = docs.flatMap((doc) => [...doc.token007, ...doc.token006]).filter(refused).length;
    expect(unsupported).toBeGreaterThanOrEqual(1);
    const run = await conformance(['--', process.execPath, adapter('agora-token-builder.mjs')]);
    expect(run.err[0]).toBe(`conformance: ${total} requests from ${files.join(', ')} to: ${process.execPath} ${adapter('agora-token-builder.mjs')}`);
    expect(run.out.filter((line) => line.startsWith('FAIL'))).toEqual([]);
    expect(totals(run)).toEqual({ passed: total - unsupported, failed: 0, unsupported });
    expect(run.code).toBe(0);
  });
});

/** Reads a JUnit report with Python's XML parser: the failing test case names and the number skipped. */
const PARSE_JUNIT = `
import json, sys, xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
rows = [(c.get("name"), c.find("failure") is not None, c.find("skipped") is not None) for c in cases]
print(json.dumps({"failures": sorted(n for n, f, s in rows if f), "skipped": sum(1 for n, f, s in rows if s)}))
`;

describe('conformance over the npm package agora-token 2.0.6', () => {
  // Its known quirks (vectors/README.md and the cases' notes), each with the field that must be named.
  const EXPECTED_FAILURES: Record<string, { field: string; why: string }> = {
    'apaas-room-user/builder': { field: 'services[2].privileges', why: 'buildRoomUserToken never adds the roomUser privilege' },
    'apaas-room-user-md5-leading-zeros/builder': { field: 'services[2].privileges', why: 'the same' },
    'education-room-user/builder': { field: 'services[2].privileges', why: 'the same, under the Education name' },
    'apaas-role-zero': { field: 'services[0].role', why: 'ServiceApaas stores `role || -1`, so role 0 is packed as -1' },
    'base64-invalid-char-inside': { field: 'valid', why: 'its parser skips characters outside the base64 alphabet' },
    'base64-missing-padding': { field: 'valid', why: 'it accepts unpadded base64' },
    'base64-url-safe-alphabet': { field: 'valid', why: 'it accepts the URL-safe base64 alphabet' },
    'zlib-trailing-garbage': { field: 'valid', why: 'it ignores bytes after the end of the zlib stream' },
    'trailing-bytes-after-last-service': { field: 'valid', why: 'it ignores bytes after the last service' },
  };

  it('fails exactly the cases its known quirks explain, naming the field, and passes all else', async () => {
    const junit = join(temp, 'agora-token.xml');
    const run = await conformance(['--junit', junit, ...node('agora-token.mjs')]);
    const failed = failures(run);
    expect([...failed.keys()].sort()).toEqual(Object.keys(EXPECTED_FAILURES).sort());
    for (const [id, { field }] of Object.entries(EXPECTED_FAILURES)) {
      expect(failed.get(id)![0], id).toMatch(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}: got `));
    }
    expect(failed.get('apaas-role-zero')![0]).toBe('services[0].role: got -1, expected 0');
    expect(failed.get('zlib-trailing-garbage')).toEqual(['valid: got true, expected false: the token is malformed (parse-error)']);
    // It has no 006 verifier: every 006 verify request is unsupported.
    const verify006 = token006.reduce((sum, c) => sum + Object.keys(c.tokens ?? {}).length, 0) + sentInvalid.filter((c) => c.token.startsWith('006')).length;
    expect(totals(run)).toEqual({ passed: TOTAL - 9 - verify006, failed: 9, unsupported: verify006 });
    expect(run.code).toBe(1);
    // The JUnit report is well-formed XML (read by Python's parser), with one failure per failing request.
    const parsed = spawnSync('python3', ['-c', PARSE_JUNIT, junit], { encoding: 'utf8' });
    expect(parsed.stderr).toBe('');
    expect(JSON.parse(parsed.stdout)).toEqual({ failures: Object.keys(EXPECTED_FAILURES).sort(), skipped: verify006 });
  });

  it('is green with the shipped known-failures list of exactly those quirks', async () => {
    const list = join('conformance', 'adapters', 'agora-token.known-failures.txt');
    const listed = readFileSync(list, 'utf8').split('\n').map((line) => line.replace(/#.*/, '').trim()).filter(Boolean);
    expect(listed.sort()).toEqual(Object.keys(EXPECTED_FAILURES).sort());
    const run = await conformance(['--known-failures', list, ...node('agora-token.mjs')]);
    expect(run.out.filter((line) => /^(FAIL|FIXED) /.test(line))).toEqual([]);
    expect(run.out.at(-2)).toBe('known failures: 9 of 9 listed still fail, 0 no longer fail; new failures: 0');
    expect(run.code).toBe(0);
  });

  it('the quirks are the ones the vectors notes record for agora-token', () => {
    const notes = new Map([...token007, ...vectors.invalid].map((c) => [c.name, String((c as { note?: string }).note ?? '')]));
    for (const id of Object.keys(EXPECTED_FAILURES)) {
      const note = notes.get(id.replace(/\/builder$/, ''))!;
      expect(note, id).toMatch(/agora-token (token omitted|ACCEPTS)/);
    }
  });
});

describe('conformance over the Python example adapter (standard library only)', () => {
  it('passes every chat token case and answers unsupported for the rest', async () => {
    const run = await conformance([...REFERENCE, '--', 'python3', adapter('chat_adapter.py')]);
    expect(run.out.filter((line) => line.startsWith('FAIL'))).toEqual([]);
    expect(CHAT_IDS.length).toBeGreaterThanOrEqual(19);
    expect(totals(run)).toEqual({ passed: CHAT_IDS.length, failed: 0, unsupported: TOTAL - CHAT_IDS.length });
    expect(run.code).toBe(0);
  });
});

describe('conformance over deliberately broken adapters', () => {
  it.each([
    // mode, fields named, fields not named, whether the token still verifies (is self-consistent)
    ['signature-byte', ['signature'], ['appId', 'issueTs', 'expire', 'salt', 'services[0].privileges'], false],
    ['field-order', ['expire', 'salt'], ['appId', 'issueTs', 'services[0].privileges'], false],
    ['absolute-expire', ['expire'], ['appId', 'issueTs', 'salt', 'services[0].userId'], true],
  ])('%s: every chat case fails, naming %j', async (mode, named, notNamed, verifies) => {
    const run = await conformance(node('broken.mjs', mode));
    const failed = failures(run);
    expect([...failed.keys()].sort()).toEqual(CHAT_IDS);
    for (const [id, lines] of failed) {
      const fields = lines.map((line) => line.slice(0, line.indexOf(':')));
      for (const field of named) expect(fields, id).toContain(field);
      for (const field of notNamed) expect(fields, id).not.toContain(field);
      // A wrong signature (or signing key) is also reported as a token that does not verify.
      if (verifies) expect(fields, id).not.toContain('verify');
      else expect(fields, id).toContain('verify');
    }
    if (mode === 'absolute-expire') {
      // A builder counts its privilege the same wrong way.
      for (const id of chatBuilderIds) expect(failed.get(id)!.join('\n'), id).toMatch(/^services\[0\]\.privileges: got \{"[12]":\d+\}, expected/m);
      expect(failed.get('chat-user-basic')![0]).toBe('expire: got 1700000600, expected 600');
    }
    if (mode === 'signature-byte') expect(failed.get('chat-user-basic')![0]).toMatch(/^signature: got [0-9a-f]{64}, expected [0-9a-f]{64}$/);
    expect(totals(run)).toEqual({ passed: 0, failed: CHAT_IDS.length, unsupported: TOTAL - CHAT_IDS.length });
    expect(run.code).toBe(1);
  });
});

describe('the kit against misbehaving adapters', () => {
  /** A vectors file of three chat cases (requests: each case, its builder call, one verify). */
  let small: string;
  beforeAll(() => {
    const pick = (name: string) => {
      const c = vectors.token007.find((v) => v.name === name)!;
      return { ...c, tokens: { python3: c.tokens.python3! } };
    };
    small = join(temp, 'small.json');
    writeFileSync(small, JSON.stringify({ schema: 1, token007: ['chat-user-basic', 'chat-app-basic', 'chat-user-unicode'].map(pick), token006: [], invalid: [] }));
  });
  const script = (name: string, source: string) => {
    const path = join(temp, name);
    writeFileSync(path, source);
    return path;
  };
  const loop = (body: string) =>
    `const rl = require('node:readline').createInterface({ input: process.stdin }); let n = 0;\n` +
    `rl.on('line', (line) => { const r = JSON.parse(line); n++; ${body} });\n`;

  it('an adapter that crashes stops the run: one STOPPED line with its stderr, no line per request', async () => {
    const crash = script(
      'crash.cjs',
      loop(`if (n === 3) { console.error('boom: out of cheese'); process.exit(3); } console.log(JSON.stringify({ id: r.id, unsupported: true }));`),
    );
    const junit = join(temp, 'crash.xml');
    const run = await conformance(['--vectors', small, '--junit', junit, '--', process.execPath, crash]);
    expect(failures(run).size).toBe(0);
    expect(run.out.filter((line) => line.startsWith('STOPPED'))).toEqual([
      'STOPPED at chat-user-basic/verify/python3: the adapter exited (code 3); 2 of 9 requests answered, 7 not run. Its stderr:',
    ]);
    expect(run.out).toContain('  | boom: out of cheese');
    expect(run.err).toContain('adapter: boom: out of cheese');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<system-err>boom: out of cheese\n<\/system-err>\n  <\/testsuite>/);
    expect(xml.match(/<error type="not-run" message="not run: the adapter exited \(code 3\)"\/>/g)).toHaveLength(7);
    expect(run.out.at(-1)).toBe('0 passed, 0 failed, 2 unsupported, 7 not run');
    expect(run.code).toBe(1);
  });

  it('an adapter that stops answering: a timeout per request, then the run stops; no hang', async () => {
    const hang = script('hang.cjs', loop(`if (n === 1) console.log(JSON.stringify({ id: r.id, unsupported: true }));`));
    const started = Date.now();
    const run = await conformance(['--timeout', '200', '--vectors', small, '--', process.execPath, hang], 20_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    const failed = failures(run);
    expect(failed.get('chat-user-basic/builder')).toEqual(['no answer within 200 ms']);
    expect(failed.get('chat-user-basic/verify/python3')).toEqual(['no answer within 200 ms']);
    expect(failed.get('chat-app-basic')).toEqual(['no answer within 200 ms']);
    expect(failed.size).toBe(3);
    expect(run.out.filter((line) => line.startsWith('STOPPED'))).toEqual([
      'STOPPED at chat-app-basic: the adapter did not answer 3 requests in a row; 1 of 9 requests answered, 5 not run. The adapter wrote nothing to stderr.',
    ]);
    expect(run.out.at(-1)).toBe('0 passed, 3 failed, 1 unsupported, 5 not run');
  });

  it('malformed answers fail their own case only; a late answer to an earlier request is skipped', async () => {
    const odd = script(
      'odd.cjs',
      loop(
        `const answers = [
          'not json',
          JSON.stringify({ id: 'someone-else', token: 'x' }),
          JSON.stringify({ id: r.id, token: 'x', valid: true }),
          JSON.stringify({ id: r.id, valid: 'yes' }),
          JSON.stringify({ id: r.id, error: 'no such builder' }),
          JSON.stringify({ id: r.id, unsupported: 'maybe' }),
          JSON.stringify([r.id]),
        ];
        console.log(answers[n - 1] ?? JSON.stringify({ id: r.id, unsupported: true, reason: 'tired' }));`,
      ),
    );
    const run = await conformance(['--vectors', small, '--', process.execPath, odd]);
    const failed = failures(run);
    expect(failed.get('chat-user-basic')).toEqual(['malformed answer: the answer is not JSON: not json']);
    expect(failed.get('chat-user-basic/builder')).toEqual(['malformed answer: the answer\'s id is "someone-else", expected "chat-user-basic/builder"']);
    expect(failed.get('chat-user-basic/verify/python3')![0]).toMatch(/^malformed answer: expected exactly one of token, valid, unsupported, error/);
    expect(failed.get('chat-app-basic')![0]).toMatch(/^malformed answer: a token007 request takes \{"id", "token": "..."\}/);
    expect(failed.get('chat-app-basic/builder')).toEqual(['the adapter answered an error: "no such builder"']);
    expect(failed.get('chat-app-basic/verify/python3')![0]).toMatch(/^malformed answer: "unsupported" must be true/);
    expect(failed.get('chat-user-unicode')![0]).toMatch(/^malformed answer: the answer is not a JSON object/);
    expect(totals(run)).toEqual({ passed: 0, failed: 7, unsupported: 2 });
  });

  it('skips a late answer, matched by id, and takes the one that follows', async () => {
    // Answers the first request twice; the second copy arrives while the kit waits for request 2.
    const twice = script(
      'twice.cjs',
      loop(`const a = JSON.stringify({ id: r.id, unsupported: true }); console.log(a); if (n === 1) console.log(a);`),
    );
    const run = await conformance(['--vectors', small, '--', process.execPath, twice]);
    expect(totals(run)).toEqual({ passed: 0, failed: 0, unsupported: 9 });
    expect(run.code).toBe(0);
  });

  it('takes several --vectors files: one JUnit testsuite each, one total', async () => {
    const again = join(temp, 'again.json');
    cpSync(small, again);
    const junit = join(temp, 'two.xml');
    const run = await conformance(['--vectors', small, '--vectors', again, '--junit', junit, '--', process.execPath, adapter('agora-token-builder.mjs')]);
    expect(run.err[0]).toBe(`conformance: 18 requests from ${small}, ${again} to: ${process.execPath} ${adapter('agora-token-builder.mjs')}`);
    expect(totals(run)).toEqual({ passed: 18, failed: 0, unsupported: 0 });
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testsuite name="(small|again)\.json" tests="9" failures="0" skipped="0"/g)).toHaveLength(2);
  });

  it('a command that cannot start: one STOPPED line, not one per request', async () => {
    const missing = await conformance(['--vectors', small, '--', join(temp, 'no-such-adapter')]);
    expect(missing.out).toEqual([
      expect.stringMatching(/^STOPPED at chat-user-basic: the adapter could not be started: .*ENOENT.*; 0 of 9 requests answered, 9 not run\. The adapter wrote nothing to stderr\.$/),
      '0 passed, 0 failed, 0 unsupported, 9 not run',
    ]);
    expect(missing.code).toBe(1);
    // A program that starts, but exits at once with a message: the message is shown once, under the STOPPED line.
    const exits = await conformance(['--vectors', small, '--', 'python3', join(temp, 'missing.py')]);
    expect(exits.out[0]).toBe('STOPPED at chat-user-basic: the adapter exited (code 2); 0 of 9 requests answered, 9 not run. Its stderr:');
    expect(exits.out[1]).toMatch(/^  \| \S*python3: can't open file .*missing\.py/);
    expect(exits.out.filter((line) => line.startsWith('FAIL'))).toEqual([]);
    expect(exits.code).toBe(1);
  });

  describe('--known-failures and --known-unsupported', () => {
    // broken.mjs signature-byte on the small file: each case and its builder call fail (6); the verifies are unsupported (3).
    const BROKEN = ['chat-user-basic', 'chat-user-basic/builder', 'chat-app-basic', 'chat-app-basic/builder', 'chat-user-unicode', 'chat-user-unicode/builder'];
    const VERIFIES = ['chat-user-basic/verify/python3', 'chat-app-basic/verify/python3', 'chat-user-unicode/verify/python3'];
    const list = (name: string, text: string) => script(name, text);
    const broken = ['--', process.execPath, adapter('broken.mjs'), 'signature-byte'];

    it('green when exactly the listed requests fail; comments and blank lines ignored; JUnit marks them known-failure', async () => {
      const file = list('known-all.txt', `# quirks of our implementation\n\n${BROKEN.map((id, i) => `${id}   # quirk ${i}`).join('\n')}\n`);
      const junit = join(temp, 'known.xml');
      const run = await conformance(['--vectors', small, '--known-failures', file, '--junit', junit, ...broken]);
      expect(run.out.filter((line) => /^(FAIL|FIXED|KNOWN) /.test(line))).toEqual([]);
      expect(run.out.at(-2)).toBe('known failures: 6 of 6 listed still fail, 0 no longer fail; new failures: 0');
      expect(run.out.at(-1)).toBe('0 passed, 6 failed, 3 unsupported');
      expect(run.code).toBe(0);
      const xml = readFileSync(junit, 'utf8');
      expect(xml).toContain('<testsuites name="agora-token-builder conformance" tests="9" failures="0" skipped="9" errors="0">');
      expect(xml).toMatch(/<testcase classname="token007.token007" name="chat-user-basic" time="[0-9.]+"><skipped type="known-failure" message="known failure: quirk 0">signature: got /);
      // --verbose lists each known failure with its first difference and the list's comment.
      const verbose = await conformance(['--vectors', small, '--known-failures', file, '--verbose', ...broken]);
      expect(verbose.out.filter((line) => line.startsWith('KNOWN '))).toHaveLength(6);
      expect(verbose.out).toContainEqual(expect.stringMatching(/^KNOWN chat-app-basic\/builder: signature: got [0-9a-f]{64}, expected [0-9a-f]{64} \(listed: quirk 3\)$/));
      expect(verbose.code).toBe(0);
    });

    it('red on a new failure, naming it', async () => {
      const file = list('known-five.txt', BROKEN.filter((id) => id !== 'chat-app-basic').join('\n'));
      const run = await conformance(['--vectors', small, '--known-failures', file, ...broken]);
      const failed = failures(run);
      expect([...failed.keys()]).toEqual(['chat-app-basic']);
      expect(run.out.at(-2)).toBe('known failures: 5 of 5 listed still fail, 0 no longer fail; new failures: 1');
      expect(run.code).toBe(1);
    });

    it('red on a listed request that passes now, naming it', async () => {
      const file = list('known-fixed.txt', 'chat-user-basic # fixed since\nchat-app-basic/verify/python3\n');
      const run = await conformance(['--vectors', small, '--known-failures', file, '--', process.execPath, adapter('agora-token-builder.mjs')]);
      expect(run.out.filter((line) => line.startsWith('FIXED '))).toEqual([
        'FIXED chat-user-basic: listed in --known-failures, but passes now; remove it from the list',
        'FIXED chat-app-basic/verify/python3: listed in --known-failures, but passes now; remove it from the list',
      ]);
      expect(failures(run).size).toBe(0);
      expect(run.out.at(-2)).toBe('known failures: 0 of 2 listed still fail, 2 no longer fail; new failures: 0');
      expect(run.code).toBe(1);
    });

    it('refuses a list naming an id these vectors do not have (exit 2, before starting the adapter)', async () => {
      const file = list('known-typo.txt', 'chat-user-basic\nchat-user-basik/builder # typo\n');
      const run = await conformance(['--vectors', small, '--known-failures', file, ...broken]);
      expect(run.code).toBe(2);
      expect(run.out).toEqual(['']);
      expect(run.err).toEqual([
        `error: --known-failures ${file} names 1 request id that these vectors do not have: chat-user-basik/builder ` +
          '(ids are the vectors case names, with /builder or /verify/REFERENCE; see docs/conformance.md)',
      ]);
      const twice = await conformance(['--vectors', small, '--known-failures', list('twice.txt', 'chat-user-basic\nchat-user-basic\n'), ...broken]);
      expect(twice.code).toBe(2);
      expect(twice.err[0]).toMatch(/line 2: chat-user-basic is listed twice$/);
      const both = await conformance(['--vectors', small, '--known-failures', list('b1.txt', 'chat-user-basic'), '--known-unsupported', list('b2.txt', 'chat-user-basic'), ...broken]);
      expect(both.code).toBe(2);
      expect(both.err[0]).toBe('error: chat-user-basic: listed in both --known-failures and --known-unsupported; a request is one or the other');
    });

    it('--known-unsupported: green when exactly those are unsupported; red on a new one and on one that passes now', async () => {
      const known = list('known-failing.txt', BROKEN.join('\n'));
      const exact = await conformance(['--vectors', small, '--known-failures', known, '--known-unsupported', list('u-all.txt', VERIFIES.join('\n')), ...broken]);
      expect(exact.out.at(-2)).toBe('known unsupported: 3 of 3 listed still unsupported, 0 pass now; newly unsupported: 0');
      expect(exact.code).toBe(0);
      const missingOne = await conformance(['--vectors', small, '--known-failures', known, '--known-unsupported', list('u-two.txt', VERIFIES.slice(1).join('\n')), ...broken]);
      expect(missingOne.out.filter((line) => line.startsWith('UNSUPPORTED-NEW '))).toEqual([
        'UNSUPPORTED-NEW chat-user-basic/verify/python3: answered unsupported ((no reason given)), but not listed in --known-unsupported',
      ]);
      expect(missingOne.code).toBe(1);
      const passes = await conformance(['--vectors', small, '--known-unsupported', list('u-pass.txt', 'chat-app-basic'), '--', process.execPath, adapter('agora-token-builder.mjs')]);
      expect(passes.out.filter((line) => line.startsWith('SUPPORTED-NOW '))).toEqual([
        'SUPPORTED-NOW chat-app-basic: listed in --known-unsupported, but passes now; remove it from the list',
      ]);
      expect(passes.code).toBe(1);
    });
  });

  it('lists unsupported requests on the console: a summary by reason, every id with --verbose', async () => {
    const reasons = script(
      'reasons.cjs',
      loop(
        `const reason = r.kind === 'verify' ? 'no verifier yet' : r.kind === 'builder' ? 'no builders' : undefined;
        console.log(JSON.stringify({ id: r.id, unsupported: true, ...(reason && { reason }) }));`,
      ),
    );
    const run = await conformance(['--vectors', small, '--', process.execPath, reasons]);
    expect(run.out).toEqual(['unsupported, by reason (--verbose lists every id):', '  3  (no reason given)', '  3  no builders', '  3  no verifier yet', '0 passed, 0 failed, 9 unsupported']);
    expect(run.code).toBe(0);
    const verbose = await conformance(['--verbose', '--vectors', small, '--', process.execPath, reasons]);
    expect(verbose.out.slice(0, 3)).toEqual([
      'UNSUPPORTED chat-user-basic: (no reason given)',
      'UNSUPPORTED chat-user-basic/builder: no builders',
      'UNSUPPORTED chat-user-basic/verify/python3: no verifier yet',
    ]);
    expect(verbose.out.filter((line) => line.startsWith('UNSUPPORTED '))).toHaveLength(9);
  });

  it('usage errors', async () => {
    const noCommand = await conformance(['--vectors', small]);
    expect(noCommand.code).toBe(2);
    expect(noCommand.err).toEqual(['error: give the adapter to run after --, e.g. conformance -- python3 adapter.py']);
    const badTimeout = await conformance(['--timeout', '0', '--', 'true']);
    expect(badTimeout.code).toBe(2);
    const notVectors = await conformance(['--vectors', VECTORS_PATH.replace(/\.json$/, '.missing.json'), '--', 'true']);
    expect(notVectors.code).toBe(2);
    expect(notVectors.err[0]).toMatch(/^error: cannot read .*missing\.json/);
  });
});
