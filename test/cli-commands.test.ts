// The command line, through main(argv, io) in process, and a few runs of the
// built executable for what only a real process shows: signals, real stdin,
// exit statuses.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildForTest, cacheFolder } from './helpers/build.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApaasTokenBuilder,
  ConvoAITokenBuilder,
  decodeToken,
  EducationTokenBuilder,
  FpaTokenBuilder,
  RtcTokenBuilder2,
  RtmTokenBuilder2,
  SttTokenBuilder,
  verifyToken,
  type ChatService,
  type DecodedToken007,
} from '../src/index.js';
import { main, type Io } from '../src/cli/main.js';

/** Decodes a token that must be a 007 one (the chat builders make no other). */
function decode007(token: string): DecodedToken007 {
  const decoded = decodeToken(token);
  if (decoded.version !== '007') throw new Error(`expected a 007 token, got ${decoded.version}`);
  return decoded;
}


const APP_ID = '0123456789abcdef0123456789ABCDEF';
const APP_CERTIFICATE = 'fedcba9876543210fedcba9876543210';
const DEMO_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const ENV = { AGORA_APP_ID: APP_ID, AGORA_APP_CERTIFICATE: APP_CERTIFICATE };

interface Run {
  status: number;
  out: string[];
  err: string[];
}

function makeIo(env: Record<string, string | undefined>, stdin?: string, signal?: AbortSignal): Io & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return {
    out_,
    err_,
    out: (line) => out_.push(line),
    err: (line) => err_.push(line),
    env,
    ...(stdin === undefined ? {} : { readStdin: async () => stdin }),
    ...(signal === undefined ? {} : { signal }),
  };
}

/** A command that finishes at once: main returns a number, not a promise. */
function run(argv: string[], env: Record<string, string | undefined> = ENV): Run {
  const io = makeIo(env);
  const status = main(argv, io);
  expect(typeof status).toBe('number');
  return { status: status as number, out: io.out_, err: io.err_ };
}

async function runAsync(argv: string[], options: { env?: Record<string, string | undefined>; stdin?: string } = {}): Promise<Run> {
  const io = makeIo(options.env ?? ENV, options.stdin);
  const status = await main(argv, io);
  return { status, out: io.out_, err: io.err_ };
}

/** Every failure is exactly one line on stderr, and never shows a secret. */
function expectOneErrorLine(result: Run, status: number, pattern?: RegExp): void {
  expect(result.status).toBe(status);
  expect(result.err).toHaveLength(1);
  expect(result.err[0]).toMatch(/^error: /);
  expect(result.err[0]).not.toContain('\n');
  expect(result.err[0]).not.toContain(APP_CERTIFICATE);
  if (pattern) expect(result.err[0]).toMatch(pattern);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atb-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('help and usage', () => {
  const commands = run(['--help']).out.join('\n').match(/^ {2}([a-z0-9-]+) /gm)!.map((line) => line.trim());

  it('lists the commands, and exits 2 without one', () => {
    expect(commands).toEqual(expect.arrayContaining(['chat-user', 'chat-app', 'decode', 'verify', 'vectors', 'serve', 'users']));
    const bare = run([]);
    expect(bare.status).toBe(2);
    expect(bare.out.join('\n')).toContain('usage: agora-token-builder COMMAND');
  });

  it('answers --help on every command with its usage and exit 0', () => {
    for (const name of commands) {
      const result = run([name, '--help']);
      expect(result.status, name).toBe(0);
      expect(result.out[0], name).toMatch(new RegExp(`^usage: agora-token-builder ${name}\\b`));
      expect(result.err, name).toEqual([]);
    }
    expect(run(['users', 'add', '--help']).out[0]).toContain('users add NAME');
  });

  it('exits 2 with one line for an unknown command, option or extra argument', () => {
    expectOneErrorLine(run(['frobnicate']), 2, /unknown command "frobnicate"/);
    expectOneErrorLine(run(['chat-user', '--user-id', 'a', '--colour', 'red']), 2, /unknown option --colour/);
    expectOneErrorLine(run(['chat-app', 'extra']), 2, /unexpected argument "extra"/);
    expectOneErrorLine(run(['chat-user', '--user-id']), 2, /--user-id needs a value/);
    expectOneErrorLine(run(['chat-user', '--user-id', 'a', '--expire', '1h']), 2, /--expire must be a whole number/);
  });
});

describe('build commands', () => {
  it('chat-user reads the credentials from the environment and prints the bare token', () => {
    const result = run(['chat-user', '--user-id', 'alice', '--expire', '600']);
    expect(result.status).toBe(0);
    expect(result.err).toEqual([]);
    expect(result.out).toHaveLength(1);
    const verdict = verifyToken(result.out[0]!, APP_CERTIFICATE);
    expect(verdict.status).toBe('valid');
    expect(verdict.valid && (verdict.token as DecodedToken007).expire).toBe(600);
    expect(verdict.valid && ((verdict.token as DecodedToken007).services[0] as ChatService).userId).toBe('alice');
  });

  it('takes the flags over the environment', () => {
    const other = 'abcdefabcdefabcdefabcdefabcdefab';
    const result = run(['chat-user', '--user-id', 'a', '--app-id', other], ENV);
    expect(decode007(result.out[0]!).appId).toBe(other);
  });

  it('uses the demo values only with --demo, and warns on stderr', () => {
    const result = run(['chat-user', '--demo'], {});
    expect(result.status).toBe(0);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/^warning: .*DEMO/);
    expect(verifyToken(result.out[0]!, DEMO_CERTIFICATE).status).toBe('valid');
    expect((decode007(result.out[0]!).services[0] as ChatService).userId).toBe('demo-user');
  });

  it('exits 2 when the credentials are missing, naming where to put them', () => {
    expectOneErrorLine(run(['chat-user', '--user-id', 'a'], {}), 2, /AGORA_APP_CERTIFICATE/);
    expectOneErrorLine(run(['chat-app'], { AGORA_APP_ID: APP_ID }), 2, /--demo/);
  });

  it('exits 2 for an argument the builder rejects, without echoing the certificate', () => {
    const badCertificate = 'not-a-certificate-but-secret';
    const result = run(['chat-user', '--user-id', 'a'], { AGORA_APP_ID: APP_ID, AGORA_APP_CERTIFICATE: badCertificate });
    expectOneErrorLine(result, 2, /ERR_INVALID_ARGUMENT: appCertificate must be 32 hexadecimal/);
    expect(result.err[0]).not.toContain(badCertificate);
    expectOneErrorLine(run(['chat-user', '--user-id', '']), 2, /userId/);
  });

  it('caps --expire at 24 hours unless --allow-long-expire', () => {
    expectOneErrorLine(run(['chat-user', '--user-id', 'a', '--expire', '86401']), 2, /ERR_EXPIRE_LIMIT/);
    expect(run(['chat-user', '--user-id', 'a', '--expire', '86401', '--allow-long-expire']).status).toBe(0);
  });

  it('chat-app builds an app token; --json adds the decoded token', () => {
    const result = run(['chat-app', '--expire', '300', '--json']);
    expect(result.status).toBe(0);
    const json = JSON.parse(result.out.join('\n')) as { token: string; decoded: { expire: number; services: unknown[] } };
    expect(verifyToken(json.token, APP_CERTIFICATE).status).toBe('valid');
    expect(json.decoded.expire).toBe(300);
    expect(json.decoded.services).toEqual([{ type: 5, userId: '', privileges: { 2: 300 } }]);
  });
});

describe('every builder has a build command', () => {
  const A = APP_ID;
  const C = APP_CERTIFICATE;
  // Each command, and the library call it must make: same services, same expire.
  const cases: Array<[string, string[], () => string]> = [
    ['rtc --uid', ['rtc', '--channel', 'room', '--uid', '42', '--role', 'publisher', '--expire', '600'], () => RtcTokenBuilder2.buildTokenWithUid(A, C, 'room', 42, 1, 600, 0)],
    ['rtc --account', ['rtc', '--channel', 'room', '--account', 'alice', '--role', 'subscriber', '--expire', '600', '--privilege-expire', '300'], () => RtcTokenBuilder2.buildTokenWithUserAccount(A, C, 'room', 'alice', 2, 600, 300)],
    ['rtc --uid with privileges', ['rtc', '--channel', 'room', '--uid', '7', '--expire', '600', '--join', '100', '--audio', '200', '--video', '300', '--data', '400'], () => RtcTokenBuilder2.buildTokenWithUidAndPrivilege(A, C, 'room', 7, 600, 100, 200, 300, 400)],
    ['rtc --account with privileges', ['rtc', '--channel', 'room', '--account', 'bob', '--expire', '600', '--join', '1', '--audio', '0', '--video', '0', '--data', '0'], () => RtcTokenBuilder2.buildTokenWithUserAccountAndPrivilege(A, C, 'room', 'bob', 600, 1, 0, 0, 0)],
    ['rtc --with-rtm', ['rtc', '--channel', 'room', '--account', 'carol', '--role', '1', '--with-rtm', '--expire', '600'], () => RtcTokenBuilder2.buildTokenWithRtm(A, C, 'room', 'carol', 1, 600, 0)],
    ['rtc --rtm-user-id', ['rtc', '--channel', 'room', '--account', 'dave', '--role', 'publisher', '--expire', '600', '--join', '10', '--rtm-user-id', 'dave-rtm', '--rtm-expire', '500'], () => RtcTokenBuilder2.buildTokenWithRtm2(A, C, 'room', 'dave', 1, 600, 10, 0, 0, 0, 'dave-rtm', 500)],
    ['rtm', ['rtm', '--user-id', 'u', '--expire', '600'], () => RtmTokenBuilder2.buildToken(A, C, 'u', 600)],
    ['rtm --permissions', ['rtm', '--user-id', 'u', '--expire', '600', '--permissions', '{"messageChannels": {"read": ["news"], "write": ["chat-*"]}, "4": {"0": ["x"]}}'], () => RtmTokenBuilder2.buildTokenWithPermissions(A, C, 'u', { 0: { 0: ['news'], 1: ['chat-*'] }, 4: { 0: ['x'] } }, 600)],
    ['fpa', ['fpa'], () => FpaTokenBuilder.buildToken(A, C)],
    ['apaas room-user', ['apaas', 'room-user', '--room-uuid', 'r1', '--user-uuid', 's7', '--role', '2', '--expire', '600'], () => ApaasTokenBuilder.buildRoomUserToken(A, C, 'r1', 's7', 2, 600)],
    ['apaas user', ['apaas', 'user', '--user-uuid', 's7', '--expire', '600'], () => ApaasTokenBuilder.buildUserToken(A, C, 's7', 600)],
    ['apaas app', ['apaas', 'app', '--expire', '600'], () => ApaasTokenBuilder.buildAppToken(A, C, 600)],
    ['education room-user', ['education', 'room-user', '--room-uuid', 'r1', '--user-uuid', 's7', '--role', '-1', '--expire', '600'], () => EducationTokenBuilder.buildRoomUserToken(A, C, 'r1', 's7', -1, 600)],
    ['convoai', ['convoai', '--channel', 'c', '--uid', '1000', '--role', 'publisher', '--expire', '600'], () => ConvoAITokenBuilder.buildToken(A, C, 'c', '1000', 1, 600, 0, 0, 0, 0, '1000', 600)],
    ['stt', ['stt', '--channel', 'c', '--account', 'agent', '--role', 'subscriber', '--expire', '600', '--rtm-user-id', 'bot', '--privilege-expire', '60'], () => SttTokenBuilder.buildToken(A, C, 'c', 'agent', 2, 600, 60, 60, 60, 60, 'bot', 600)],
  ];

  it.each(cases)('%s builds what the library builds, and it verifies', (_name, argv, expected) => {
    const result = run(argv);
    expect(result.err).toEqual([]);
    expect(result.status).toBe(0);
    const got = decode007(result.out[0]!);
    const want = decode007(expected());
    expect(got.services).toEqual(want.services);
    expect(got.expire).toBe(want.expire);
    expect(verifyToken(result.out[0]!, APP_CERTIFICATE).status).toBe('valid');
  });

  it('rtc006 builds a 006 token that verifies only for its channel and uid', () => {
    const before = Math.floor(Date.now() / 1000);
    const built = run(['rtc006', '--channel', 'room', '--uid', '42', '--role', 'publisher', '--expire', '600', '--json']);
    expect(built.status).toBe(0);
    const { token, decoded } = JSON.parse(built.out.join('\n')) as { token: string; decoded: { version: string; privileges: Record<string, number> } };
    expect(decoded.version).toBe('006');
    expect(Object.keys(decoded.privileges)).toEqual(['1', '2', '3', '4']);
    expect(decoded.privileges[1]).toBeGreaterThanOrEqual(before + 600);
    expect(run(['verify', token, '--channel', 'room', '--uid', '42']).status).toBe(0);
    expectOneErrorLine(run(['verify', token, '--channel', 'room', '--uid', '43']), 1, /not signed with this certificate/);
    expectOneErrorLine(run(['verify', token]), 2, /006 token needs --channel NAME and --uid UID/);
    const text = run(['decode', token]);
    expect(text.out[0]).toBe('version   006');
    expect(text.out.join('\n')).toMatch(/privilege joinChannel \(1\) until \d+ \(/);
  });

  it('rtc006 takes an absolute --privilege-expired-ts, and refuses one in the past', () => {
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    const ok = run(['rtc006', '--channel', 'room', '--account', 'alice', '--role', 'subscriber', '--privilege-expired-ts', String(inAnHour), '--json']);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.out.join('\n')).decoded.privileges).toEqual({ 1: inAnHour });
    expectOneErrorLine(run(['rtc006', '--channel', 'room', '--uid', '1', '--role', 'publisher', '--privilege-expired-ts', '3600']), 2, /ERR_TIMESTAMP_IN_PAST/);
    expect(run(['rtc006', '--channel', 'room', '--uid', '1', '--role', 'admin', '--privilege-expired-ts', '3600', '--allow-past-timestamp']).status).toBe(0);
    expectOneErrorLine(run(['rtc006', '--channel', 'room', '--uid', '1', '--role', 'admin', '--privilege-expired-ts', '9', '--expire', '9']), 2, /not both/);
  });

  it('rtm006 builds a 006 RTM token, verified with the account as channel', () => {
    const built = run(['rtm006', '--account', 'alice']);
    expect(built.status).toBe(0);
    expect(run(['verify', built.out[0]!, '--channel', 'alice', '--uid', '0']).status).toBe(0);
    expect(run(['verify', built.out[0]!, '--channel', 'bob', '--uid', '0']).status).toBe(1);
  });

  it.each([
    [['rtc', '--channel', 'room', '--uid', '1'], /--role is required/],
    [['rtc', '--channel', 'room', '--uid', '1', '--account', 'a', '--role', 'publisher'], /exactly one of --uid/],
    [['rtc', '--channel', 'room', '--role', 'publisher'], /exactly one of --uid/],
    [['rtc', '--channel', 'room', '--uid', '1', '--join', '5'], /all four .* \(missing --audio, --video, --data\)/],
    [['rtc', '--channel', 'room', '--uid', '1', '--role', 'admin'], /--role must be publisher or subscriber/],
    [['rtc', '--channel', 'room', '--uid', '1', '--role', '3'], /ERR_INVALID_ARGUMENT/],
    [['rtc', '--channel', 'room', '--uid', '1', '--role', '1', '--with-rtm'], /--with-rtm needs --account/],
    [['rtc', '--channel', 'room', '--uid', 'x', '--role', '1'], /ERR_INVALID_ARGUMENT: uid/],
    [['rtm', '--user-id', 'u', '--permissions', 'nope'], /--permissions must be JSON/],
    [['rtm', '--user-id', 'u', '--permissions', '{"bogus": {"read": []}}'], /ERR_INVALID_ARGUMENT/],
    [['apaas'], /give the token kind/],
    [['apaas', 'room', '--user-uuid', 'u'], /unknown token kind "room"/],
    [['apaas', 'room-user', '--room-uuid', 'r', '--user-uuid', 'u', '--role', 'teacher'], /--role must be an integer/],
    [['apaas', 'room-user', '--room-uuid', 'r', '--user-uuid', 'u', '--role', '40000'], /ERR_INVALID_ARGUMENT: role/],
    [['convoai', '--channel', 'c', '--uid', '1'], /--role is required/],
    [['rtm006'], /--account is required/],
  ])('%j exits 2 with one line', (argv, pattern) => {
    expectOneErrorLine(run(argv as string[]), 2, pattern as RegExp);
  });
});

describe('decode and verify', () => {
  const token = () => run(['chat-user', '--user-id', 'alice', '--expire', '600']).out[0]!;

  it('decode prints the fields, or JSON with --json', () => {
    const t = token();
    const text = run(['decode', t]);
    expect(text.status).toBe(0);
    expect(text.out[0]).toBe('version   007');
    expect(text.out.join('\n')).toMatch(/appId {5}0123456789abcdef0123456789ABCDEF/);
    expect(text.out.join('\n')).toContain('"userId":"alice"');
    const json = run(['decode', t, '--json']);
    expect(JSON.parse(json.out.join('\n'))).toEqual(JSON.parse(JSON.stringify(decode007(t))));
  });

  it('decode exits 1 with one line for a token it cannot read, 2 without a token', () => {
    expectOneErrorLine(run(['decode', '007notbase64!!']), 1, /ERR_TOKEN_MALFORMED/);
    expectOneErrorLine(run(['decode', '006abc']), 1, /ERR_TOKEN/);
    expectOneErrorLine(run(['decode']), 2, /missing TOKEN/);
  });

  it('decode - reads the token from standard input', async () => {
    const result = await runAsync(['decode', '-'], { stdin: `${token()}\n` });
    expect(result.status).toBe(0);
    expect(result.out[0]).toBe('version   007');
  });

  it('verify exits 0 for a valid token and 1 for a wrong certificate, an expired or a malformed token', () => {
    const t = token();
    const issueTs = decode007(t).issueTs;
    const valid = run(['verify', t]);
    expect(valid.status).toBe(0);
    expect(valid.out[0]).toMatch(/^valid: signed with this certificate, expires .* \(in 600 s\)$|^valid: .*\(in 59\d s\)$/);
    expect(valid.err).toEqual([]);

    const wrong = run(['verify', t], { AGORA_APP_CERTIFICATE: 'ffffffffffffffffffffffffffffffff' });
    expectOneErrorLine(wrong, 1, /not signed with this certificate/);
    expect(wrong.out[0]).toMatch(/^bad-signature/);

    const expired = run(['verify', t, '--now', String(issueTs + 600)]);
    expectOneErrorLine(expired, 1, /expired/);
    expect(expired.out[0]).toMatch(/^expired: .* \(0 s ago\)$/);

    const iso = new Date((issueTs + 599) * 1000).toISOString();
    expect(run(['verify', t, '--now', iso]).status).toBe(0);

    const malformed = run(['verify', '007AAAA']);
    expectOneErrorLine(malformed, 1, /malformed/);
  });

  it('verify --json reports the status and the time used', () => {
    const t = token();
    const issueTs = decode007(t).issueTs;
    const result = run(['verify', t, '--json', '--now', String(issueTs + 700)]);
    expect(result.status).toBe(1);
    const json = JSON.parse(result.out.join('\n')) as { status: string; valid: boolean; now: number; expiresAt: number };
    expect(json).toMatchObject({ status: 'expired', valid: false, now: issueTs + 700, expiresAt: issueTs + 600 });
    const malformed = JSON.parse(run(['verify', 'nope', '--json']).out.join('\n')) as { error: { code: string } };
    expect(malformed.error.code).toBe('ERR_TOKEN_VERSION');
  });

  it('verify exits 2 for a --now it cannot read or a missing certificate', () => {
    expectOneErrorLine(run(['verify', token(), '--now', 'tomorrow']), 2, /--now must be Unix seconds or an ISO 8601 date/);
    expectOneErrorLine(run(['verify', token()], { AGORA_APP_ID: APP_ID }), 2, /AGORA_APP_CERTIFICATE/);
  });

  it('verify exits 2, naming appCertificate, for a certificate that is not 32 hex characters, never calling the token forged', () => {
    for (const [certificate, detail] of [
      ['xyz', /got a string of 3 characters/],
      [' 5CFd2fd1755d40ecb72977518be15d3b', /whitespace around them/],
    ] as const) {
      const viaFlag = run(['verify', token(), '--app-certificate', certificate]);
      expectOneErrorLine(viaFlag, 2, /^error: ERR_INVALID_ARGUMENT: appCertificate must be 32 hexadecimal characters/);
      expect(viaFlag.err[0]).toMatch(detail);
      expect(viaFlag.out).toEqual([]);
      const viaEnv = run(['verify', token()], { AGORA_APP_CERTIFICATE: certificate });
      expectOneErrorLine(viaEnv, 2, /appCertificate must be 32 hexadecimal characters/);
    }
  });
});

describe('vectors', () => {
  const shipped = readFileSync(new URL('../vectors/agora-reference-vectors.json', import.meta.url), 'utf8');

  it('vectors print writes the shipped vectors to standard output or a file', () => {
    const result = run(['vectors', 'print']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.out.join('\n'))).toEqual(JSON.parse(shipped));
    const file = join(dir, 'printed.json');
    const toFile = run(['vectors', 'print', '--out', file]);
    expect(toFile.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(shipped);
  });

  it('vectors check accepts what vectors print wrote, and reports a summary', () => {
    const file = join(dir, 'check.json');
    run(['vectors', 'print', '--out', file]);
    const result = run(['vectors', 'check', file]);
    expect(result.status).toBe(0);
    expect(result.out.at(-1)).toMatch(/^\d+ passed, 0 failed/);
  });

  it('exits 2 for a missing subcommand or file', () => {
    expectOneErrorLine(run(['vectors']), 2);
    expectOneErrorLine(run(['vectors', 'check']), 2);
    expectOneErrorLine(run(['vectors', 'check', join(dir, 'absent.json')]), 2, /cannot read/);
  });
});

describe('users', () => {
  it('adds (password from stdin), lists and removes users; the password is never printed', async () => {
    const file = join(dir, 'users-a.json');
    const env = { AGORA_USERS_FILE: file };
    const added = await runAsync(['users', 'add', 'alice', '--chat-user-uuid', 'alice-uuid'], { env, stdin: 'hunter2-password\n' });
    expect(added.status).toBe(0);
    expect(added.out).toEqual([`added alice (chat username alice, chat UUID alice-uuid) to ${file}`]);
    expect(readFileSync(file, 'utf8')).not.toContain('hunter2');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    await runAsync(['users', 'add', 'bob', '--chat-user-name', 'bob-chat', '--chat-user-uuid', 'b-1', '--users', file], { env: {}, stdin: 'bob-password' });
    const listed = await runAsync(['users', 'list'], { env });
    const stored = JSON.parse(readFileSync(file, 'utf8')).users;
    // Columns are as wide as their widest cell; the random uids have 1 to 10 digits.
    const width = Math.max('AGORA UID'.length, ...['alice', 'bob'].map((name) => String(stored[name].agoraUid).length));
    const uid = (name: string) => String(stored[name].agoraUid).padEnd(width);
    expect(listed.out).toEqual([
      `LOGIN  CHAT USERNAME  ${'AGORA UID'.padEnd(width)}  CHAT UUID`,
      `alice  alice          ${uid('alice')}  alice-uuid`,
      `bob    bob-chat       ${uid('bob')}  b-1`,
    ]);
    const json = await runAsync(['users', 'list', '--json'], { env });
    expect(JSON.parse(json.out.join('\n'))).toEqual([
      { userAccount: 'alice', chatUserName: 'alice', chatUserUuid: 'alice-uuid', agoraUid: stored.alice.agoraUid },
      { userAccount: 'bob', chatUserName: 'bob-chat', chatUserUuid: 'b-1', agoraUid: stored.bob.agoraUid },
    ]);
    const replaced = await runAsync(['users', 'add', 'bob', '--replace'], { env, stdin: 'bob-password-2' });
    expect(replaced.out).toEqual([`replaced bob (chat username bob-chat, chat UUID b-1) in ${file}`]);
    const legacy = await runAsync(['users', 'add', 'old', '--chat-user-id', 'old-id'], { env, stdin: 'pw' });
    expect(legacy.out).toEqual([`added old (chat username old-id, chat UUID old-id) to ${file}`]);
    await runAsync(['users', 'remove', 'old'], { env });

    const removed = await runAsync(['users', 'remove', 'alice'], { env });
    expect(removed.status).toBe(0);
    expect((await runAsync(['users', 'list', '--json'], { env })).out.join('')).not.toContain('alice');
    for (const r of [added, listed, json, removed]) expect(r.out.join('\n') + r.err.join('\n')).not.toContain('hunter2');
  });

  it('fails with one line: duplicate user 1, unknown user 1, no password 2, a password in argv is an extra argument 2', async () => {
    const file = join(dir, 'users-b.json');
    const env = { AGORA_USERS_FILE: file };
    expectOneErrorLine(await runAsync(['users', 'add', 'carol'], { env, stdin: 'pw' }), 2, /--chat-user-uuid UUID, or --register/);
    await runAsync(['users', 'add', 'carol', '--chat-user-uuid', 'c-1'], { env, stdin: 'pw' });
    expectOneErrorLine(await runAsync(['users', 'add', 'carol', '--chat-user-uuid', 'c-1'], { env, stdin: 'pw' }), 1, /ERR_USER_EXISTS/);
    expect((await runAsync(['users', 'add', 'carol', '--replace'], { env, stdin: 'pw2' })).status).toBe(0);
    expectOneErrorLine(await runAsync(['users', 'remove', 'nobody'], { env }), 1, /ERR_USER_NOT_FOUND/);
    expectOneErrorLine(await runAsync(['users', 'add', 'dave', '--chat-user-uuid', 'd'], { env, stdin: '\n' }), 2, /no password on standard input/);
    expectOneErrorLine(await runAsync(['users', 'add', 'dave', 'secret-in-argv'], { env, stdin: 'pw' }), 2, /unexpected argument/);
    const noStdin = makeIo(env);
    const status = await main(['users', 'add', 'erin', '--chat-user-uuid', 'e'], noStdin);
    expect(status).toBe(2);
    expectOneErrorLine(await runAsync(['users', 'nope'], { env }), 2, /usage: users add/);
  });
});

describe('serve (in process)', () => {
  async function startServe(argv: string[], env: Record<string, string | undefined>) {
    const stop = new AbortController();
    const io = makeIo(env, undefined, stop.signal);
    const done = Promise.resolve(main(['serve', '--port', '0', ...argv], io));
    const deadline = Date.now() + 10_000;
    while (!io.out_.some((line) => line.includes('listening')) && Date.now() < deadline) {
      const early = await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 20, 'waiting'))]);
      if (early !== 'waiting') throw new Error(`serve ended early with ${String(early)}: ${io.err_.join(' | ')}`);
    }
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(io.out_.join('\n'))![0];
    return { url, io, stop: async () => (stop.abort(), done) };
  }

  it('serves POST /token from the users file, then stops gracefully when its signal is aborted', async () => {
    const file = join(dir, 'users-serve.json');
    await runAsync(['users', 'add', 'alice', '--chat-user-id', 'alice-uuid'], { env: { AGORA_USERS_FILE: file }, stdin: 'pw-alice' });
    const server = await startServe(['--users', file, '--expire', '120'], ENV);
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userAccount: 'alice', userPassword: 'pw-alice' }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { accessToken: string; chatUserName: string };
    expect(body.chatUserName).toBe('alice-uuid');
    expect(verifyToken(body.accessToken, APP_CERTIFICATE).status).toBe('valid');
    expect(decode007(body.accessToken).expire).toBe(120);
    const demoEndpoint = await fetch(`${server.url}/chat/user/uuid/x/token`, { signal: AbortSignal.timeout(10_000) });
    expect(demoEndpoint.status).toBe(404);
    await demoEndpoint.body?.cancel();
    expect(await server.stop()).toBe(0);
    expect(server.io.err_.at(-1)).toMatch(/^shutting down/);
    await expect(fetch(`${server.url}/health`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
  });

  it('--demo: demo credentials, the user demo/demo and the seed\'s GET endpoint, with warnings', async () => {
    const server = await startServe(['--demo'], {});
    expect(server.io.err_.join('\n')).toMatch(/DEMO App ID/);
    expect(server.io.err_.join('\n')).toMatch(/hands a token for any user to anyone/);
    const login = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userAccount: 'demo', userPassword: 'demo' }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(login.status).toBe(200);
    const seed = await fetch(`${server.url}/chat/user/uuid/0ffe214b/token`, { signal: AbortSignal.timeout(10_000) });
    const token = await seed.text();
    expect(verifyToken(token, DEMO_CERTIFICATE).status).toBe('valid');
    const page = await (await fetch(`${server.url}/`, { signal: AbortSignal.timeout(10_000) })).text();
    expect(page).toContain('log in as demo / demo');
    expect(await server.stop()).toBe(0);
  });

  it('exits 2 for an expire over 24 hours, and 1 when the port is taken', async () => {
    expectOneErrorLine(await runAsync(['serve', '--port', '0', '--expire', '90000'], { env: ENV }), 2, /ERR_EXPIRE_LIMIT/);
    const first = await startServe([], ENV);
    const port = new URL(first.url).port;
    const taken = await runAsync(['serve', '--port', port], { env: ENV });
    expect(taken.status).toBe(1);
    expect(taken.err.at(-1)).toBe(`error: port ${port} on 127.0.0.1 is already in use: stop what listens there, or choose another port with --port`);
    await first.stop();
  });
});

describe('the built executable', () => {
  // Built into node_modules/.cache so that `vectors print` finds this package's vectors above it.
  let cli: string;
  let buildDir: string;
  beforeAll(async () => {
    buildDir = cacheFolder('atb-cli-');
    await buildForTest({ cli: 'src/cli/bin.ts' }, buildDir, '#!/usr/bin/env node');
    cli = join(buildDir, 'cli.js');
  }, 60_000);
  afterAll(() => {
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  });

  function exec(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [cli, ...args], {
        env: { PATH: process.env.PATH ?? '', ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: 20_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(options.input ?? '');
    });
  }

  it('exits 0, 1 and 2 as documented, with one line on stderr for each error', async () => {
    const ok = await exec(['chat-user', '--user-id', 'a'], { env: ENV });
    expect(ok.code).toBe(0);
    expect(verifyToken(ok.stdout.trim(), APP_CERTIFICATE).status).toBe('valid');
    const bad = await exec(['decode', 'garbage']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const usage = await exec(['chat-user']);
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('reads a users add password from a pipe, and prints the shipped vectors', async () => {
    const file = join(dir, 'users-exec.json');
    const added = await exec(['users', 'add', 'zoe', '--chat-user-uuid', 'zoe-uuid', '--users', file], { input: 'zoe-password\n' });
    expect(added.code).toBe(0);
    expect(added.stdout + added.stderr).not.toContain('zoe-password');
    const listed = await exec(['users', 'list', '--json', '--users', file]);
    expect(JSON.parse(listed.stdout)).toEqual([
      { userAccount: 'zoe', chatUserName: 'zoe', chatUserUuid: 'zoe-uuid', agoraUid: JSON.parse(readFileSync(file, 'utf8')).users.zoe.agoraUid },
    ]);
    const printed = await exec(['vectors', 'print']);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout).schema).toBe(1);
  });

  it('serve stops gracefully on SIGTERM with exit 0', async () => {
    const child = spawn(process.execPath, [cli, 'serve', '--demo', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d;
        const match = /http:\/\/127\.0\.0\.1:\d+/.exec(stdout);
        if (match) resolve(match[0]);
      });
      child.on('close', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
    expect(await health.json()).toEqual({ status: 'ok' });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('shutting down');
  });
});
