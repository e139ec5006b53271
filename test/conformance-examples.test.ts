// The example adapters shipped in the package (conformance/adapters/), run
// through the built kit as a user runs them: the Java one (JDK only,
// compiled with javac here) and the Python one pass every request they
// claim; a deliberately broken copy of each fails exactly the requests its
// mistake touches. Expected ids and counts come from the vectors files.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildForTest, cacheFolder } from './helpers/build.js';

interface Run {
  code: number | null;
  out: string[];
  err: string[];
}

type Builder = { name: string; args: Record<string, unknown> } | null | undefined;
type AnyCase = { name: string; builder?: Builder; tokens?: Record<string, string>; privileges?: Record<string, number>; services?: Array<{ type: number; privileges: Record<string, number> }>; expect?: string };
type Doc = { token007?: AnyCase[]; token006?: AnyCase[]; invalid?: AnyCase[] };

const FILES = readdirSync('vectors').filter((name) => name.endsWith('.json')).sort().map((name) => join('vectors', name));
const DOCS = FILES.map((file) => JSON.parse(readFileSync(file, 'utf8')) as Doc);
const CASES = DOCS.flatMap((d) => [...(d.token007 ?? []), ...(d.token006 ?? [])]);
/** Every request id, by the rules of docs/conformance.md ("Request ids"). */
const ALL_IDS = DOCS.flatMap((d) => [
  ...[...(d.token007 ?? []), ...(d.token006 ?? [])].flatMap((c) => [
    c.name,
    ...(c.builder ? [`${c.name}/builder`] : []),
    ...Object.keys(c.tokens ?? {}).map((ref) => `${c.name}/verify/${ref}`),
  ]),
  ...(d.invalid ?? []).filter((c) => c.expect !== 'unknown-service').map((c) => c.name),
]);

/** The builder calls the Java example answers unsupported: arguments its API does not take (its enums, its refusals). */
function javaRefuses(builder: Builder): boolean {
  if (!builder) return false;
  const { name, args } = builder;
  if (/^(RtcTokenBuilder2|ConvoAITokenBuilder|SttTokenBuilder)\./.test(name)) {
    const role = args.role ?? args.rtcRole;
    if (role !== undefined && role !== 1 && role !== 2) return true;
  }
  if (/^RtcTokenBuilder\./.test(name) && ![0, 1, 2, 101].includes(args.role as number)) return true;
  if (name === 'RtmTokenBuilder.buildToken' && args.role !== 1) return true;
  return name === 'ChatTokenBuilder2.buildUserToken' && args.userId === '';
}
const JAVA_UNSUPPORTED = CASES.filter((c) => javaRefuses(c.builder)).map((c) => `${c.name}/builder`).sort();

let dir: string;
let cli: string;
let javaClasses: string;

beforeAll(async () => {
  dir = cacheFolder('atb-examples-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'agora-token-builder', type: 'module' }));
  cpSync('vectors', join(dir, 'vectors'), { recursive: true });
  cpSync('conformance', join(dir, 'conformance'), { recursive: true });
  await buildForTest({ cli: 'src/cli/bin.ts' }, join(dir, 'dist'));
  cli = join(dir, 'dist', 'cli.js');
  javaClasses = javac(join(dir, 'conformance', 'adapters', 'java'), join(dir, 'java-classes'));
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function javac(sources: string, out: string): string {
  const files = readdirSync(sources).filter((name) => name.endsWith('.java')).map((name) => join(sources, name));
  const result = spawnSync('javac', ['-encoding', 'UTF-8', '-d', out, ...files], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`javac failed: ${result.stderr}`);
  return out;
}

function conformance(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'conformance', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out: stdout.trim().split('\n'), err: stderr.trim().split('\n') }));
  });
}

const failedIds = (run: Run) => [...new Set(run.out.flatMap((line) => /^FAIL (\S+): /.exec(line)?.[1] ?? []))].sort();
const summary = (run: Run) => run.out.at(-1);
const java = (classes: string) => ['--', 'java', '-Dfile.encoding=UTF-8', '-cp', classes, 'ConformanceAdapter'];

describe('the Java example adapter (JDK only)', () => {
  it('passes every request of the shipped vectors but the arguments its API does not take, answered unsupported', async () => {
    expect(JAVA_UNSUPPORTED.length).toBeGreaterThanOrEqual(3);
    const run = await conformance(['--verbose', ...java(javaClasses)]);
    expect(failedIds(run)).toEqual([]);
    const unsupported = run.out.flatMap((line) => /^UNSUPPORTED (\S+): /.exec(line)?.[1] ?? []).sort();
    expect(unsupported).toEqual(JAVA_UNSUPPORTED);
    expect(summary(run)).toBe(`${ALL_IDS.length - JAVA_UNSUPPORTED.length} passed, 0 failed, ${JAVA_UNSUPPORTED.length} unsupported`);
    expect(run.code).toBe(0);
  });

  it('a broken copy that sorts privilege keys as signed shorts fails exactly the cases mixing keys below and from 32,768, naming the byte', async () => {
    const broken = join(dir, 'java-broken');
    cpSync(join(dir, 'conformance', 'adapters', 'java'), broken, { recursive: true });
    const source = join(broken, 'AgoraTokens.java');
    const original = readFileSync(source, 'utf8');
    const line = 'for (Map.Entry<Integer, Long> e : map.entrySet()) u16(e.getKey()).u32(e.getValue());';
    expect(original).toContain(line);
    writeFileSync(
      source,
      original.replace(
        line,
        'java.util.List<Map.Entry<Integer, Long>> signed = new java.util.ArrayList<>(map.entrySet()); ' +
          'signed.sort((a, b) -> Short.compare((short) (int) a.getKey(), (short) (int) b.getKey())); ' +
          'for (Map.Entry<Integer, Long> e : signed) u16(e.getKey()).u32(e.getValue());',
      ),
    );
    const classes = javac(broken, join(dir, 'java-broken-classes'));
    // A case is touched when one privilege map holds keys on both sides of 32,768.
    const mixed = (privileges: Record<string, number> | undefined) => {
      const keys = Object.keys(privileges ?? {}).map(Number);
      return keys.some((k) => k < 32768) && keys.some((k) => k >= 32768);
    };
    const touched = CASES.filter((c) => mixed(c.privileges) || (c.services ?? []).some((s) => mixed(s.privileges)));
    const expected = touched.flatMap((c) => [c.name, ...(c.builder && !javaRefuses(c.builder) ? [`${c.name}/builder`] : [])]).sort();
    expect(expected.length).toBeGreaterThanOrEqual(2);
    const run = await conformance(java(classes));
    expect(failedIds(run)).toEqual(expected);
    for (const id of touched.map((c) => c.name)) {
      expect(run.out, id).toContainEqual(expect.stringMatching(new RegExp(`^FAIL ${id}: bytes: the (inflated|decoded) content .* first differs at byte \\d+, in (services\\[\\d+\\]\\.)?privileges \\(key #\\d+\\)`)));
    }
    expect(run.code).toBe(1);
  });
});

describe('the Java example adapter, with the platform charset instead of UTF-8 (the JVM trap of docs/conformance.md)', () => {
  it('fails exactly the 007 requests that pack a string outside ASCII, naming the byte', async () => {
    const broken = join(dir, 'java-charset');
    cpSync(join(dir, 'conformance', 'adapters', 'java'), broken, { recursive: true });
    const source = join(broken, 'AgoraTokens.java');
    const original = readFileSync(source, 'utf8');
    const line = 'return bytes(text.getBytes(StandardCharsets.UTF_8));';
    expect(original).toContain(line);
    writeFileSync(source, original.replace(line, 'return bytes(text.getBytes());'));
    const classes = javac(broken, join(dir, 'java-charset-classes'));
    const nonAscii = (value: unknown): boolean =>
      typeof value === 'string' ? /[^\x00-\x7f]/.test(value) : typeof value === 'object' && value !== null && Object.values(value).some(nonAscii);
    const touched = DOCS.flatMap((d) => d.token007 ?? []).filter((c) => (c.services ?? []).some((s) => nonAscii({ ...s, privileges: {} })));
    const expected = touched.flatMap((c) => [c.name, ...(c.builder && !javaRefuses(c.builder) ? [`${c.name}/builder`] : [])]).sort();
    expect(expected.length).toBeGreaterThanOrEqual(4);
    const run = await conformance(['--', 'java', '-Dfile.encoding=ISO-8859-1', '-cp', classes, 'ConformanceAdapter']);
    expect(failedIds(run)).toEqual(expected);
    for (const c of touched) expect(run.out, c.name).toContainEqual(expect.stringMatching(new RegExp(`^FAIL ${c.name}: bytes: the inflated content \\(\\d+ bytes, expected \\d+\\) first differs at byte \\d+, in services\\[\\d+\\]\\.`)));
    expect(run.code).toBe(1);
    // The same copy under -Dfile.encoding=UTF-8 passes: the flag is the fix for code that uses the platform charset.
    const fixed = await conformance(['--', 'java', '-Dfile.encoding=UTF-8', '-cp', classes, 'ConformanceAdapter']);
    expect(failedIds(fixed)).toEqual([]);
    expect(fixed.code).toBe(0);
  });
});

describe('the Python example adapter (standard library only)', () => {
  const chatIds = () => {
    const chat = DOCS.flatMap((d) => d.token007 ?? []).filter((c) => (c.services ?? []).length > 0 && c.services!.every((s) => s.type === 5));
    const builders = DOCS.flatMap((d) => d.token007 ?? []).filter((c) => c.builder && c.builder.name.startsWith('ChatTokenBuilder2.'));
    return [...chat.map((c) => c.name), ...builders.map((c) => `${c.name}/builder`)].sort();
  };

  it('passes every chat request of the shipped vectors and answers unsupported for the rest', async () => {
    const run = await conformance(['--', 'python3', join('conformance', 'adapters', 'chat_adapter.py')]);
    expect(failedIds(run)).toEqual([]);
    const chat = chatIds();
    expect(chat.length).toBeGreaterThanOrEqual(19);
    expect(summary(run)).toBe(`${chat.length} passed, 0 failed, ${ALL_IDS.length - chat.length} unsupported`);
    expect(run.out).toContain('unsupported, by reason (--verbose lists every id):');
    expect(run.code).toBe(0);
  });

  it('a broken copy that packs salt before expire fails every chat request, naming expire and salt', async () => {
    const original = readFileSync(join('conformance', 'adapters', 'chat_adapter.py'), 'utf8');
    const line = 'pack_u32(issue_ts) + pack_u32(expire) + pack_u32(salt)';
    expect(original).toContain(line);
    const broken = join(dir, 'chat_adapter_broken.py');
    writeFileSync(broken, original.replace(line, 'pack_u32(issue_ts) + pack_u32(salt) + pack_u32(expire)'));
    const run = await conformance(['--', 'python3', broken]);
    expect(failedIds(run)).toEqual(chatIds());
    expect(run.out).toContainEqual(expect.stringMatching(/^FAIL chat-user-basic: expire: got 12345678, expected 600$/));
    expect(run.out).toContainEqual(expect.stringMatching(/^FAIL chat-user-basic: bytes: the inflated content \(\d+ bytes, expected \d+\) first differs at byte 72, in expire: got 4e, expected 58$/));
    expect(run.code).toBe(1);
  });
});

describe('a vectors file names each builder in the languages of the references', () => {
  it('every builder of the vectors has an entry in builderImplementations of the reference file', () => {
    const reference = JSON.parse(readFileSync(join('vectors', 'agora-reference-vectors.json'), 'utf8')) as {
      builderImplementations: Record<string, Record<string, Record<string, string>>>;
    };
    const named = new Set(Object.values(reference.builderImplementations).flatMap((byName) => Object.keys(byName)));
    for (const c of CASES) if (c.builder) expect(named, c.builder.name).toContain(c.builder.name);
  });
});
