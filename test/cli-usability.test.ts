// The command line as a new user meets it: --version, a repeated option,
// one-line errors, the clock-skew hint of verify, the layout of every
// --help, and the warning for a token that is expired when it is made.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../src/cli/main.js';
import { ChatTokenBuilder2, decodeToken } from '../src/index.js';

const APP_ID = '0123456789abcdef0123456789ABCDEF';
const APP_CERTIFICATE = 'fedcba9876543210fedcba9876543210';
const ENV = { AGORA_APP_ID: APP_ID, AGORA_APP_CERTIFICATE: APP_CERTIFICATE };

interface Run {
  status: number;
  out: string[];
  err: string[];
}

/** Runs a command that finishes at once; every line written is split on newlines, as a terminal shows it. */
function run(argv: string[], env: Record<string, string | undefined> = ENV): Run {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (text) => out.push(...text.split('\n')), err: (text) => err.push(...text.split('\n')), env };
  const status = main(argv, io);
  if (typeof status !== 'number') throw new Error('expected a command that finishes at once');
  return { status, out, err };
}

function expectOneErrorLine(result: Run, status: number, pattern: RegExp): void {
  expect(result.status).toBe(status);
  expect(result.err).toHaveLength(1);
  expect(result.err[0]).toMatch(/^error: /);
  expect(result.err[0]).toMatch(pattern);
}

const temp = mkdtempSync(join(tmpdir(), 'atb-cli-usability-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('--version', () => {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

  it.each([['--version'], ['-V']])('%s prints the version of package.json and exits 0', (flag) => {
    const result = run([flag]);
    expect(result.status).toBe(0);
    expect(result.out).toEqual([manifest.version]);
    expect(result.err).toEqual([]);
  });

  it('is mentioned in the top-level help', () => {
    expect(run(['--help']).out.join('\n')).toContain('--version (-V)');
  });
});

describe('an option given twice', () => {
  it.each([
    [['chat-user', '--user-id', 'a', '--user-id', 'b'], '--user-id'],
    [['chat-user', '--user-id=a', '--user-id', 'b'], '--user-id'],
    [['chat-app', '--expire', '60', '--expire=120'], '--expire'],
    [['verify', 'x', '--now', '1', '--now', '2'], '--now'],
    [['rtc', '--channel', 'a', '--channel', 'b', '--uid', '1', '--role', 'publisher'], '--channel'],
  ])('%j is a usage error naming the option', (argv, name) => {
    expectOneErrorLine(run(argv), 2, new RegExp(`${name} is given twice`));
  });

  it.each([
    [['conformance', '--timeout', '10', '--timeout', '20', '--', 'node', 'adapter.js'], '--timeout'],
    [['conformance', '--junit', 'a.xml', '--junit=b.xml', '--', 'node', 'adapter.js'], '--junit'],
  ])('%j (conformance has its own parser) is a usage error too', async (argv, name) => {
    const err: string[] = [];
    const status = await main(argv, { out: () => {}, err: (line) => err.push(line), env: ENV });
    expect(status).toBe(2);
    expect(err).toEqual([`error: ${name} is given twice; give it once`]);
  });

  it('never echoes the values, which may be a certificate', () => {
    const result = run(['chat-user', '--user-id', 'a', '--app-certificate', APP_CERTIFICATE, '--app-certificate', 'x'.repeat(32)]);
    expectOneErrorLine(result, 2, /--app-certificate is given twice/);
    expect(result.err[0]).not.toContain(APP_CERTIFICATE);
  });

  it('a flag given twice is harmless', () => {
    const result = run(['chat-user', '--user-id', 'a', '--json', '--json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.out.join('\n')).decoded.version).toBe('007');
  });
});

describe('every error is one line', () => {
  function write(name: string, text: string): string {
    const path = join(temp, name);
    writeFileSync(path, text);
    return path;
  }

  it('vectors check of a file that is not JSON says so, on one line, without "cannot read"', () => {
    const path = write('not-json.json', 'this is\nnot JSON\n{ at all\n');
    const result = run(['vectors', 'check', path]);
    expectOneErrorLine(result, 2, /is not JSON: /);
    expect(result.err[0]).toContain(path);
    expect(result.err[0]).not.toContain('cannot read');
  });

  it('vectors check says "cannot read" only when the file cannot be read, and why', () => {
    expectOneErrorLine(run(['vectors', 'check', join(temp, 'missing.json')]), 2, /cannot read .*missing\.json: no such file$/);
    expectOneErrorLine(run(['vectors', 'check', temp]), 2, /cannot read .*: it is a folder$/);
  });

  it('a huge file that is not JSON still gives one short line', () => {
    const path = write('long.json', `[${'1,\n'.repeat(50_000)}oops]`);
    const result = run(['vectors', 'check', path]);
    expectOneErrorLine(result, 2, /is not JSON/);
    expect(result.err[0]!.length).toBeLessThan(300);
  });
});

describe('verify with a clock behind the token', () => {
  const token = ChatTokenBuilder2.buildUserToken(APP_ID, APP_CERTIFICATE, 'alice', 600);
  const { issueTs } = decodeToken(token) as { issueTs: number };

  it('--now before the issueTs gives a clock-skew hint instead of a huge "in N s"', () => {
    const now = issueTs - 7200;
    const result = run(['verify', token, '--now', String(now)]);
    expect(result.status).toBe(0);
    expect(result.out).toHaveLength(1);
    expect(result.out[0]).toMatch(/^valid: /);
    expect(result.out[0]).toContain(`7200 s after --now ${now}`);
    expect(result.out[0]).toContain('check the clock');
    expect(result.out[0]).not.toMatch(/\(in \d+ s\)/);
  });

  it('--now as an ISO date far before the token says the same', () => {
    const result = run(['verify', token, '--now', '1970-01-01T00:16:40Z']);
    expect(result.out[0]).toContain(`${issueTs - 1000} s after --now 1970-01-01T00:16:40Z`);
  });

  it('--json keeps stdout JSON and puts the hint on stderr', () => {
    const result = run(['verify', token, '--now', String(issueTs - 5), '--json']);
    expect(JSON.parse(result.out.join('\n'))).toMatchObject({ now: issueTs - 5, status: 'valid' });
    expect(result.err).toEqual([expect.stringMatching(/^warning: the token was issued at .*, 5 s after --now/)]);
  });

  it('a --now at or after the issueTs gives the plain verdict', () => {
    const result = run(['verify', token, '--now', String(issueTs + 100)]);
    expect(result.out).toEqual([expect.stringMatching(/^valid: signed with this certificate, expires .* \(in 500 s\)$/)]);
    expect(result.err).toEqual([]);
  });
});

describe('--help of every command, as a terminal shows it', () => {
  const commands = run(['--help']).out.flatMap((line) => /^ {2}([a-z0-9-]+) /.exec(line)?.[1] ?? []);

  it('finds the commands', () => {
    expect(commands).toEqual(expect.arrayContaining(['rtc', 'apaas', 'education', 'users', 'vectors', 'serve', 'verify']));
  });

  it('no line is wider than 120 columns, and none ends in spaces', () => {
    for (const name of commands) {
      for (const line of run([name, '--help']).out) {
        expect(line.length, `${name}: ${line}`).toBeLessThanOrEqual(120);
        expect(line, name).not.toMatch(/\s$/);
      }
    }
  });

  it.each([
    ['apaas', ['apaas room-user --room-uuid ID --user-uuid ID --role N', 'apaas user --user-uuid ID', 'apaas app']],
    ['education', ['education room-user', 'education user', 'education app']],
    ['rtc', ['rtc --channel NAME (--uid N | --account NAME) --role ROLE', '--join S --audio S --video S --data S', '--with-rtm', '--rtm-user-id ID']],
    ['users', ['users add NAME', 'users remove NAME', 'users list', 'users copy --from LOCATION --to LOCATION']],
    ['vectors', ['vectors check FILE...', 'vectors print']],
  ])('%s puts each form on a line of its own, then the options every form takes', (name, forms) => {
    const lines = run([name, '--help']).out;
    const formLines = lines.filter((line) => /^(usage: | {7})agora-token-builder /.test(line));
    expect(formLines).toHaveLength(forms.length);
    forms.forEach((form, i) => expect(formLines[i]).toContain(form));
    // A form line holds one form: no option of every form is tacked onto the last one.
    for (const line of formLines) expect(line).not.toMatch(/--app-id|--demo|--users FILE|--users LOCATION|--allow-long-expire|--expire SECONDS/);
  });

  it.each(['apaas', 'education', 'rtc'])('%s lists the options of every form and the common options on their own lines', (name) => {
    const lines = run([name, '--help']).out;
    expect(lines).toContain('options of every form: [--expire SECONDS] [--allow-long-expire]');
    expect(lines).toContain('common options: [--json] [--app-id ID] [--app-certificate CERT] [--demo]');
  });

  it('users gives its shared --users option a line of its own', () => {
    expect(run(['users', '--help']).out).toContain('options of every form: [--users LOCATION]');
  });

  it('vectors --help points to the format document shipped in the package, not to a SPEC section', () => {
    const text = run(['vectors', '--help']).out.join('\n');
    expect(text).toContain('docs/format.md');
    expect(text).not.toMatch(/SPEC section/);
  });
});

describe('a token expired when it is made', () => {
  it('--expire 0 builds the token and warns on stderr', () => {
    const result = run(['chat-user', '--user-id', 'a', '--expire', '0']);
    expect(result.status).toBe(0);
    expect((decodeToken(result.out[0]!) as { expire: number }).expire).toBe(0);
    expect(result.err).toEqual(['warning: this token is expired already: its expire is 0 seconds (expire counts seconds from now)']);
  });

  it('a 006 time in the past, where allowed, warns with the time', () => {
    const result = run(['rtc006', '--channel', 'c', '--uid', '1', '--role', 'publisher', '--privilege-expired-ts', '3600', '--allow-past-timestamp']);
    expect(result.status).toBe(0);
    expect(result.err).toEqual([expect.stringMatching(/^warning: this token's privileges are expired already: they expired at 1970-01-01T01:00:00Z \(now is /)]);
  });

  it('a 006 time of now warns too', () => {
    const now = Math.floor(Date.now() / 1000);
    const result = run(['rtm006', '--account', 'a', '--privilege-expired-ts', String(now), '--allow-past-timestamp']);
    expect(result.status).toBe(0);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/^warning: this token's privileges are expired already/);
  });

  it('no warning for a token that lasts, nor for a 006 time of 0 (no expiry)', () => {
    expect(run(['chat-user', '--user-id', 'a', '--expire', '1']).err).toEqual([]);
    expect(run(['rtc006', '--channel', 'c', '--uid', '1', '--role', 'publisher', '--privilege-expired-ts', '0']).err).toEqual([]);
    expect(run(['rtc', '--channel', 'c', '--uid', '1', '--role', 'publisher', '--privilege-expire', '0']).err).toEqual([]);
  });
});

describe('messages that say what is wrong', () => {
  it('with the App ID set but no certificate, names only the certificate (and the other way round)', () => {
    const noCertificate = run(['chat-user', '--user-id', 'a'], { AGORA_APP_ID: APP_ID });
    expectOneErrorLine(noCertificate, 2, /^error: give the certificate \(AGORA_APP_CERTIFICATE or --app-certificate\), or --demo: the App ID is set$/);
    const noAppId = run(['chat-user', '--user-id', 'a'], { AGORA_APP_CERTIFICATE: APP_CERTIFICATE });
    expectOneErrorLine(noAppId, 2, /^error: give the App ID \(--app-id or AGORA_APP_ID\), or --demo: the certificate is set$/);
    expect(noAppId.err[0]).not.toContain(APP_CERTIFICATE);
    expectOneErrorLine(run(['chat-user', '--user-id', 'a'], {}), 2, /^error: give the App ID \(--app-id or AGORA_APP_ID\) and certificate/);
  });

  it('calls a negative number negative, and quotes a value that is not a number', () => {
    expectOneErrorLine(run(['chat-user', '--user-id', 'a', '--expire', '-5']), 2, /^error: --expire must not be negative \(got -5\); it must be a whole number of seconds$/);
    expectOneErrorLine(run(['chat-user', '--user-id', 'a', '--expire', 'soon']), 2, /^error: --expire must be a whole number of seconds \(got "soon"\)$/);
  });

  it.each([
    [['chat-user', '--userid', 'a'], '--userid; did you mean --user-id?'],
    [['chat-user', '--user_id', 'a'], '--user_id; did you mean --user-id?'],
    [['rtc', '--chanel', 'room', '--uid', '1'], '--chanel; did you mean --channel?'],
    [['chat-user', '--user-id', 'a', '--expires', '60'], '--expires; did you mean --expire?'],
  ])('suggests the option meant: %j', (argv, expected) => {
    expectOneErrorLine(run(argv), 2, new RegExp(`^error: unknown option ${expected.replace(/[?]/g, '\\?')}$`));
  });

  it('suggests the option meant in conformance too', async () => {
    const err: string[] = [];
    const io: Io = { out: () => {}, err: (text) => err.push(...text.split('\n')), env: ENV };
    expect(await main(['conformance', '--vector', 'x.json', '--', 'true'], io)).toBe(2);
    expect(err).toEqual(['error: unknown option --vector; did you mean --vectors?']);
  });

  it('suggests nothing for an option far from every known one', () => {
    expectOneErrorLine(run(['chat-user', '--user-id', 'a', '--colour']), 2, /^error: unknown option --colour$/);
  });

  it('says "1 character", singular', () => {
    expectOneErrorLine(run(['chat-user', '--user-id', 'a'], { AGORA_APP_ID: APP_ID, AGORA_APP_CERTIFICATE: 'f' }), 2, /\(got a string of 1 character\)$/);
    expectOneErrorLine(run(['chat-user', '--user-id', 'a'], { AGORA_APP_ID: APP_ID, AGORA_APP_CERTIFICATE: 'ff' }), 2, /\(got a string of 2 characters\)$/);
  });

  it('says so when a token has whitespace around it', () => {
    const token = ChatTokenBuilder2.buildUserToken(APP_ID, APP_CERTIFICATE, 'alice', 600);
    expectOneErrorLine(run(['decode', ` ${token}`]), 1, /got whitespace before "007": remove the spaces or line breaks around the token\)$/);
    const trailing = run(['verify', `${token}\n`]);
    expect(trailing.status).toBe(1);
    expect(trailing.out.join('\n')).toMatch(/whitespace follows it \(a space or line break after the token\): remove it/);
  });
});

describe('serve on a port that is taken', () => {
  it('prints one error line naming the port and --port, and exits 1', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const err: string[] = [];
      const io: Io = { out: () => {}, err: (text) => err.push(...text.split('\n')), env: {} };
      const status = await main(['serve', '--demo', '--port', String(port)], io);
      expect(status).toBe(1);
      const errors = err.filter((line) => line.startsWith('error'));
      expect(errors).toEqual([`error: port ${port} on 127.0.0.1 is already in use: stop what listens there, or choose another port with --port`]);
      expect(err.join('\n')).not.toContain('EADDRINUSE');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
