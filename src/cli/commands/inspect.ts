// `decode` (read a token, prove nothing) and `verify` (check its signature
// with the certificate, then its expiry).
import { decodeToken, Privilege006, verifyToken, type DecodedToken, type VerifyOptions, type VerifyResult } from '../../index.js';
import { expectPositionals, flag, parseArgs, stringOption, UsageError } from '../args.js';
import { certificate, HELP, iso, parseTime, readTokenArgument, type Command, type Io } from '../common.js';

/** Runs `body` on the token argument, synchronously unless the token is `-` (standard input). */
function withToken(value: string, io: Io, body: (token: string) => number): number | Promise<number> {
  return value === '-' ? readTokenArgument(value, io).then(body) : body(value);
}

const PRIVILEGE_006_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(Privilege006).map(([name, key]) => [key, name]),
);

/** The human-readable lines of `decode`. */
export function describeToken(token: DecodedToken): string[] {
  if (token.version === '006') {
    const lines = [
      `version   ${token.version}`,
      `appId     ${token.appId}`,
      `ts        ${token.ts} (the token expires ${iso(token.ts)})`,
      `salt      ${token.salt}`,
      `crc       channelName ${token.crcChannelName}, uid ${token.crcUid}`,
      `signature ${token.signatureHex}`,
    ];
    for (const [key, at] of Object.entries(token.privileges)) {
      const name = PRIVILEGE_006_NAMES[Number(key)] ?? `privilege ${key}`;
      lines.push(`privilege ${name} (${key}) until ${at === 0 ? 'no limit (0)' : `${at} (${iso(at)})`}`);
    }
    return lines;
  }
  const lines = [
    `version   ${token.version}`,
    `appId     ${token.appId}`,
    `issueTs   ${token.issueTs} (${iso(token.issueTs)})`,
    `expire    ${token.expire} s (expires ${iso(token.issueTs + token.expire)})`,
    `salt      ${token.salt}`,
    `signature ${token.signatureHex}`,
  ];
  for (const service of token.services) lines.push(`service   ${JSON.stringify(service)}`);
  if (token.unknownServiceType !== undefined) {
    lines.push(`unknown   service type ${token.unknownServiceType}: parsing stopped there`);
  }
  return lines;
}

export const decode: Command = {
  summary: 'print what a token holds (proves nothing; see verify)',
  usage: 'decode TOKEN|- [--json]\n  - reads the token from standard input. Exit 1 when the token cannot be decoded.',
  run(argv, io) {
    const args = parseArgs(argv, [], ['json', HELP]);
    expectPositionals(args, 1, 'TOKEN');
    return withToken(args.positionals[0]!, io, (token) => {
      const decoded = decodeToken(token);
      if (flag(args, 'json')) io.out(JSON.stringify(decoded, null, 2));
      else for (const line of describeToken(decoded)) io.out(line);
      return 0;
    });
  },
};

/** A 007 token's issueTs when it is after `now`: the clock (or --now) is behind the one that made it. */
function issuedAfter(result: VerifyResult, now: number): number | undefined {
  if (result.status === 'malformed' || result.token.version !== '007') return undefined;
  return result.token.issueTs > now ? result.token.issueTs : undefined;
}

function clockSkew(issueTs: number, now: number, rawNow: string | undefined): string {
  const clock = rawNow === undefined ? "this machine's clock" : `--now ${rawNow}`;
  return `the token was issued at ${iso(issueTs)}, ${issueTs - now} s after ${clock} (${iso(now)}): check the clock`;
}

function verdictLine(result: VerifyResult, now: number, rawNow: string | undefined): string {
  const future = issuedAfter(result, now);
  switch (result.status) {
    case 'valid':
      if (future !== undefined) return `valid: signed with this certificate, expires ${iso(result.expiresAt)}; but ${clockSkew(future, now, rawNow)}`;
      return `valid: signed with this certificate, expires ${iso(result.expiresAt)} (in ${result.expiresAt - now} s)`;
    case 'expired':
      return `expired: signed with this certificate, but expired at ${iso(result.expiresAt)} (${now - result.expiresAt} s ago)`;
    case 'bad-signature':
      return 'bad-signature: not signed with this certificate (or, for 006, not for this channel and uid)';
    case 'malformed':
      return `malformed: ${result.error.message}`;
  }
}

const FAILURE: Record<VerifyResult['status'], string> = {
  valid: '',
  expired: 'the token has expired',
  'bad-signature': 'the token is not signed with this certificate',
  malformed: 'the token is malformed',
};

/** --channel and --uid, which a 006 token needs: it carries only their CRC-32s. */
function options006(token: string, channel: string | undefined, uid: string | undefined): Pick<VerifyOptions, 'channelName' | 'uid'> {
  if (!token.startsWith('006')) return {};
  if (channel === undefined || uid === undefined) {
    throw new UsageError('verifying a 006 token needs --channel NAME and --uid UID (the token holds only their CRC-32s; --uid 0 for any uid or an RTM token)');
  }
  return { channelName: channel, uid: /^[0-9]+$/.test(uid) ? Number(uid) : uid };
}

export const verify: Command = {
  summary: 'check a token against the App Certificate, then its expiry',
  usage:
    'verify TOKEN|- [--now UNIX_SECONDS|ISO_DATE] [--json]\n' +
    'options: [--channel NAME --uid UID] [--app-certificate CERT | env AGORA_APP_CERTIFICATE] [--demo]\n' +
    '  --channel and --uid: required for 006 tokens, which are signed for them (an RTM 006 token: --channel ACCOUNT --uid 0).\n' +
    '  Exit 0 when the token is valid; 1 when it is expired, not signed with this certificate, or malformed.',
  run(argv, io) {
    const args = parseArgs(argv, ['now', 'app-certificate', 'channel', 'uid'], ['json', 'demo', HELP]);
    expectPositionals(args, 1, 'TOKEN');
    const rawNow = stringOption(args, 'now');
    const now = rawNow === undefined ? Math.floor(Date.now() / 1000) : parseTime(rawNow, 'now');
    const appCertificate = certificate(args, io);
    return withToken(args.positionals[0]!, io, (token) => {
      const result = verifyToken(token, appCertificate, { now, ...options006(token, stringOption(args, 'channel'), stringOption(args, 'uid')) });
      if (flag(args, 'json')) {
        const json =
          result.status === 'malformed'
            ? { status: result.status, valid: false, error: { code: result.error.code, message: result.error.message } }
            : result;
        io.out(JSON.stringify({ now, ...json }, null, 2));
      } else {
        io.out(verdictLine(result, now, rawNow));
      }
      const future = issuedAfter(result, now);
      if (future !== undefined && flag(args, 'json')) io.err(`warning: ${clockSkew(future, now, rawNow)}`);
      if (result.valid) return 0;
      io.err(`error: ${FAILURE[result.status]}`);
      return 1;
    });
  },
};
