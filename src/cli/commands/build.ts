// The build commands: one per builder family, each a thin mapping from flags
// to the builder's arguments. The builders check every value; these only
// parse the command line and pick the builder method.
import {
  ApaasTokenBuilder,
  ChatTokenBuilder2,
  ConvoAITokenBuilder,
  decodeToken,
  EducationTokenBuilder,
  FpaTokenBuilder,
  RtcRole,
  RtcRole006,
  RtcTokenBuilder,
  RtcTokenBuilder2,
  Rtm2PermissionType,
  Rtm2ResourceType,
  RtmRole006,
  RtmTokenBuilder,
  RtmTokenBuilder2,
  SttTokenBuilder,
} from '../../index.js';
import { expectPositionals, flag, integerOption, parseArgs, requiredString, stringOption, UsageError, type ParsedArgs } from '../args.js';
import { credentials, CREDENTIAL_OPTIONS, CREDENTIAL_USAGE, HELP, iso, type Command, type Io } from '../common.js';

interface BuildSpec {
  readonly summary: string;
  /** Option names that take a value, besides the credentials. */
  readonly valued: readonly string[];
  /** Option names that take none, besides --demo, --json and --help. */
  readonly flags?: readonly string[];
  /** How many positionals the command takes (default none). */
  readonly positionals?: number;
  /** Each form of the command, after its name: one usage line each. */
  readonly forms: readonly string[];
  /** Options that every form takes, on lines of their own. */
  readonly options?: readonly string[];
  /** Notes printed after the usage line. */
  readonly notes?: readonly string[];
  build(args: ParsedArgs, appId: string, appCertificate: string): string;
}

const EXPIRE_NOTE = '  --expire counts seconds from now (default 3600, at most 86400 unless --allow-long-expire)';

/** `label first-line`, then the other lines aligned under the first. */
function optionLines(label: string, lines: readonly string[]): string[] {
  return lines.map((line, i) => `${i === 0 ? label : ' '.repeat(label.length)} ${line}`);
}

/** Turns a spec into a command: parse, read the credentials, build, print the token (or JSON with the decoded token). */
function buildCommand(name: string, spec: BuildSpec): Command {
  return {
    summary: spec.summary,
    usage: [
      ...spec.forms.map((form, i) => `${i === 0 ? '' : '       agora-token-builder '}${name}${form === '' ? '' : ` ${form}`}`),
      ...optionLines(spec.forms.length === 1 ? 'options:' : 'options of every form:', spec.options ?? []),
      'common options: [--json] [--app-id ID] [--app-certificate CERT] [--demo]',
      ...(spec.notes ?? []),
      CREDENTIAL_USAGE,
      '  --json prints {"token", "decoded"} instead of the bare token',
    ].join('\n'),
    run(argv, io) {
      const args = parseArgs(argv, [...CREDENTIAL_OPTIONS, ...spec.valued], ['demo', 'json', HELP, ...(spec.flags ?? [])]);
      if ((spec.positionals ?? 0) === 0) expectPositionals(args, 0, '');
      const { appId, appCertificate } = credentials(args, io);
      const token = spec.build(args, appId, appCertificate);
      warnIfExpired(token, io);
      io.out(flag(args, 'json') ? JSON.stringify({ token, decoded: decodeToken(token) }, null, 2) : token);
      return 0;
    },
  };
}

/**
 * A token that is expired the moment it is made (an expire of 0, a 006
 * privilege time now or in the past) is allowed, but rarely meant: say so.
 */
function warnIfExpired(token: string, io: Io): void {
  const decoded = decodeToken(token);
  if (decoded.version === '007') {
    if (decoded.expire === 0) io.err('warning: this token is expired already: its expire is 0 seconds (expire counts seconds from now)');
    return;
  }
  const now = Math.floor(Date.now() / 1000);
  const past = Object.values(decoded.privileges).filter((at) => at !== 0 && at <= now);
  if (past.length > 0) {
    io.err(`warning: this token's privileges are expired already: they expired at ${iso(Math.max(...past))} (now is ${iso(now)})`);
  }
}

// --- shared option readers ---------------------------------------------------

const expire = (args: ParsedArgs, name = 'expire') => integerOption(args, name, 3600);
const long = (args: ParsedArgs) => ({ allowLongExpire: flag(args, 'allow-long-expire') });
const seconds = (args: ParsedArgs, name: string, fallback: number) => integerOption(args, name, fallback);

/** A named role (any case) or its number; the builder checks the number. */
function role<T extends Record<string, number>>(args: ParsedArgs, roles: T, what: string): number {
  const raw = requiredString(args, 'role', what);
  const byName = Object.entries(roles).find(([name]) => name.toLowerCase() === raw.toLowerCase());
  if (byName) return byName[1];
  if (/^-?[0-9]+$/.test(raw)) return Number(raw);
  throw new UsageError(`--role must be ${what} (got "${raw}")`);
}

const RTC_ROLES = 'publisher or subscriber (1 or 2)';
const rtcRole = (args: ParsedArgs) => role(args, RtcRole, RTC_ROLES) as RtcRole;

/** `--uid` or `--account`, exactly one. */
function rtcUser(args: ParsedArgs): { uid: string; account?: undefined } | { account: string; uid?: undefined } {
  const uid = stringOption(args, 'uid');
  const account = stringOption(args, 'account');
  if ((uid === undefined) === (account === undefined)) throw new UsageError('give exactly one of --uid NUMBER and --account NAME');
  return uid !== undefined ? { uid } : { account: account! };
}

const PRIVILEGES = ['join', 'audio', 'video', 'data'] as const;

/** The 12 arguments of buildTokenWithRtm2, ConvoAI and Stt, from the flags. */
function rtcRtmArguments(args: ParsedArgs, appId: string, appCertificate: string, defaultRtmUser: boolean) {
  const user = rtcUser(args);
  const rtcAccount = user.account ?? user.uid;
  const tokenExpire = expire(args);
  const privilegeExpire = seconds(args, 'privilege-expire', 0);
  const [join, audio, video, data] = PRIVILEGES.map((p) => seconds(args, p, privilegeExpire)) as [number, number, number, number];
  const rtmUserId = defaultRtmUser ? (stringOption(args, 'rtm-user-id') ?? rtcAccount) : requiredString(args, 'rtm-user-id', 'the RTM user id');
  return [
    appId,
    appCertificate,
    requiredString(args, 'channel', 'the channel name'),
    rtcAccount,
    rtcRole(args),
    tokenExpire,
    join,
    audio,
    video,
    data,
    rtmUserId,
    seconds(args, 'rtm-expire', tokenExpire),
    long(args),
  ] as const;
}

const RTC_RTM_VALUED = ['channel', 'uid', 'account', 'role', 'expire', 'privilege-expire', ...PRIVILEGES, 'rtm-user-id', 'rtm-expire'];

/** `--permissions` JSON: {resourceType: {permissionType: [resource]}}, types by number or by name. */
function permissions(raw: string): Record<number, Record<number, string[]>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new UsageError('--permissions must be JSON, e.g. {"messageChannels": {"read": ["news"], "write": ["chat-*"]}}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError('--permissions must be a JSON object of resource types');
  }
  const key = (name: string, names: Record<string, number>) => (Object.hasOwn(names, name) ? String(names[name]) : name);
  const map: Record<string, unknown> = {};
  for (const [resource, byPermission] of Object.entries(parsed)) {
    const inner: Record<string, unknown> = {};
    if (typeof byPermission === 'object' && byPermission !== null && !Array.isArray(byPermission)) {
      for (const [permission, list] of Object.entries(byPermission)) inner[key(permission, Rtm2PermissionType)] = list;
    }
    map[key(resource, Rtm2ResourceType)] = typeof byPermission === 'object' && byPermission !== null && !Array.isArray(byPermission) ? inner : byPermission;
  }
  return map as Record<number, Record<number, string[]>>; // the builder checks every key and list
}

/** The 006 expiry: `--privilege-expired-ts` (absolute) or `--expire` (seconds from now, default 3600). */
function privilegeExpiredTs(args: ParsedArgs): number {
  if (args.options.has('privilege-expired-ts')) {
    if (args.options.has('expire')) throw new UsageError('give --privilege-expired-ts or --expire, not both');
    return integerOption(args, 'privilege-expired-ts', 0, 'an absolute Unix time in seconds, or 0 for no expiry');
  }
  return Math.floor(Date.now() / 1000) + expire(args);
}

const EXPIRE_006_NOTE =
  '  006 privileges expire at an ABSOLUTE time: --privilege-expired-ts UNIX_SECONDS (0: never),\n' +
  '  or --expire SECONDS from now (default 3600)';

type ApaasBuilder = Pick<typeof ApaasTokenBuilder, 'buildRoomUserToken' | 'buildUserToken' | 'buildAppToken'>;

function apaasSpec(builder: ApaasBuilder, command: string, className: string): BuildSpec {
  return {
    summary: `build a Flexible Classroom token (${className}: room-user, user or app)`,
    valued: ['room-uuid', 'user-uuid', 'role', 'expire'],
    flags: ['allow-long-expire'],
    positionals: 1,
    forms: ['room-user --room-uuid ID --user-uuid ID --role N', 'user --user-uuid ID', 'app'],
    options: ['[--expire SECONDS] [--allow-long-expire]'],
    notes: [
      EXPIRE_NOTE,
      "  --role: the user's role in the room, an integer from -32768 to 32767",
      '  app: an app token; keep app tokens on your servers',
    ],
    build(args, appId, appCertificate) {
      const kind = args.positionals[0];
      if (args.positionals.length !== 1) throw new UsageError('give the token kind: room-user, user or app');
      if (kind === 'room-user') {
        const roleValue = requiredString(args, 'role', 'an integer from -32768 to 32767');
        if (!/^-?[0-9]+$/.test(roleValue)) throw new UsageError('--role must be an integer from -32768 to 32767');
        return builder.buildRoomUserToken(
          appId,
          appCertificate,
          requiredString(args, 'room-uuid', 'the room id'),
          requiredString(args, 'user-uuid', 'the user id'),
          Number(roleValue),
          expire(args),
          long(args),
        );
      }
      if (kind === 'user') return builder.buildUserToken(appId, appCertificate, requiredString(args, 'user-uuid', 'the user id'), expire(args), long(args));
      if (kind === 'app') return builder.buildAppToken(appId, appCertificate, expire(args), long(args));
      throw new UsageError(`unknown token kind "${kind}": give room-user, user or app`);
    },
  };
}

function rtcRtmServiceSpec(name: string, build: typeof ConvoAITokenBuilder.buildToken): BuildSpec {
  return {
    summary: `build a ${name} token (RTC + RTM for an agent)`,
    valued: RTC_RTM_VALUED,
    flags: ['allow-long-expire'],
    forms: ['--channel NAME (--uid N | --account NAME) --role publisher|subscriber'],
    options: [
      '[--expire SECONDS] [--privilege-expire SECONDS] [--join S] [--audio S] [--video S] [--data S]',
      '[--rtm-user-id ID] [--rtm-expire S] [--allow-long-expire]',
    ],
    notes: [
      EXPIRE_NOTE,
      '  --join/--audio/--video/--data default to --privilege-expire (default 0: as long as the token)',
      '  --rtm-user-id defaults to the RTC uid or account; --rtm-expire to --expire',
    ],
    build: (args, appId, appCertificate) => build(...rtcRtmArguments(args, appId, appCertificate, true)),
  };
}

const specs: Record<string, BuildSpec> = {
  'chat-user': {
    summary: 'build a chat user token (ChatTokenBuilder2.buildUserToken)',
    valued: ['user-id', 'expire'],
    flags: ['allow-long-expire'],
    forms: ['--user-id ID [--expire SECONDS] [--allow-long-expire]'],
    notes: [EXPIRE_NOTE, '  with --demo, --user-id defaults to demo-user'],
    build(args, appId, appCertificate) {
      const userId = flag(args, 'demo') && !args.options.has('user-id') ? 'demo-user' : requiredString(args, 'user-id', "the user's chat user id");
      return ChatTokenBuilder2.buildUserToken(appId, appCertificate, userId, expire(args), long(args));
    },
  },
  'chat-app': {
    summary: 'build a chat app token (ChatTokenBuilder2.buildAppToken; keep it on your servers)',
    valued: ['expire'],
    flags: ['allow-long-expire'],
    forms: ['[--expire SECONDS] [--allow-long-expire]'],
    notes: [EXPIRE_NOTE],
    build: (args, appId, appCertificate) => ChatTokenBuilder2.buildAppToken(appId, appCertificate, expire(args), long(args)),
  },
  rtc: {
    summary: 'build an RTC token (RtcTokenBuilder2), optionally with RTM',
    valued: RTC_RTM_VALUED,
    flags: ['allow-long-expire', 'with-rtm'],
    forms: [
      '--channel NAME (--uid N | --account NAME) --role ROLE [--privilege-expire S]',
      '--channel NAME (--uid N | --account NAME) --join S --audio S --video S --data S',
      '--channel NAME --account NAME --role ROLE --with-rtm [--privilege-expire S]',
      '--channel NAME (--uid N | --account NAME) --role ROLE --rtm-user-id ID [--rtm-expire S]',
    ],
    options: ['[--expire SECONDS] [--allow-long-expire]'],
    notes: [
      EXPIRE_NOTE,
      '  ROLE: publisher or subscriber (1 or 2); S: seconds from now',
      '  --uid: buildTokenWithUid (0 lets any uid join); --account: buildTokenWithUserAccount',
      '  --join/--audio/--video/--data (all four): buildTokenWith…AndPrivilege, one time per privilege',
      '  --with-rtm: buildTokenWithRtm (an RTM login for the same account)',
      '  --rtm-user-id: buildTokenWithRtm2; it also takes --join/--audio/--video/--data, each by default',
      '    --privilege-expire; --rtm-expire defaults to --expire',
      '  --privilege-expire: seconds from now for the RTC privileges (default 0: as long as the token)',
    ],
    build(args, appId, appCertificate) {
      const given = PRIVILEGES.filter((p) => args.options.has(p));
      if (args.options.has('rtm-user-id')) {
        if (flag(args, 'with-rtm')) throw new UsageError('give --with-rtm or --rtm-user-id, not both');
        return RtcTokenBuilder2.buildTokenWithRtm2(...rtcRtmArguments(args, appId, appCertificate, false));
      }
      const channel = requiredString(args, 'channel', 'the channel name');
      const user = rtcUser(args);
      const tokenExpire = expire(args);
      if (flag(args, 'with-rtm')) {
        if (user.account === undefined) throw new UsageError('--with-rtm needs --account (the RTM login uses the same account)');
        if (given.length > 0) throw new UsageError('--with-rtm takes --role and --privilege-expire, not --join/--audio/--video/--data');
        return RtcTokenBuilder2.buildTokenWithRtm(appId, appCertificate, channel, user.account, rtcRole(args), tokenExpire, seconds(args, 'privilege-expire', 0), long(args));
      }
      if (given.length > 0) {
        if (given.length < PRIVILEGES.length) {
          throw new UsageError(`give all four of --join, --audio, --video and --data (missing --${PRIVILEGES.filter((p) => !given.includes(p)).join(', --')})`);
        }
        if (args.options.has('role') || args.options.has('privilege-expire')) {
          throw new UsageError('--join/--audio/--video/--data replace --role and --privilege-expire');
        }
        const [join, audio, video, data] = PRIVILEGES.map((p) => seconds(args, p, 0)) as [number, number, number, number];
        return user.uid !== undefined
          ? RtcTokenBuilder2.buildTokenWithUidAndPrivilege(appId, appCertificate, channel, user.uid, tokenExpire, join, audio, video, data, long(args))
          : RtcTokenBuilder2.buildTokenWithUserAccountAndPrivilege(appId, appCertificate, channel, user.account, tokenExpire, join, audio, video, data, long(args));
      }
      const privilegeExpire = seconds(args, 'privilege-expire', 0);
      return user.uid !== undefined
        ? RtcTokenBuilder2.buildTokenWithUid(appId, appCertificate, channel, user.uid, rtcRole(args), tokenExpire, privilegeExpire, long(args))
        : RtcTokenBuilder2.buildTokenWithUserAccount(appId, appCertificate, channel, user.account, rtcRole(args), tokenExpire, privilegeExpire, long(args));
    },
  },
  rtm: {
    summary: 'build an RTM (Signaling) token (RtmTokenBuilder2), optionally with RTM 2 permissions',
    valued: ['user-id', 'expire', 'permissions'],
    flags: ['allow-long-expire'],
    forms: ['--user-id ID [--expire SECONDS] [--permissions JSON] [--allow-long-expire]'],
    notes: [
      EXPIRE_NOTE,
      '  --permissions: buildTokenWithPermissions, e.g. \'{"messageChannels": {"read": ["news"], "write": ["chat-*"]}}\'',
      '    resource types: messageChannels streamChannels groupChannels serverGroups users (or 0-4)',
      '    permissions: read write (or 0-1)',
    ],
    build(args, appId, appCertificate) {
      const userId = requiredString(args, 'user-id', 'the RTM user id');
      const raw = stringOption(args, 'permissions');
      return raw === undefined
        ? RtmTokenBuilder2.buildToken(appId, appCertificate, userId, expire(args), long(args))
        : RtmTokenBuilder2.buildTokenWithPermissions(appId, appCertificate, userId, permissions(raw), expire(args), long(args));
    },
  },
  fpa: {
    summary: 'build an FPA token (FpaTokenBuilder; always 24 hours)',
    valued: [],
    forms: [''],
    build: (_args, appId, appCertificate) => FpaTokenBuilder.buildToken(appId, appCertificate),
  },
  apaas: apaasSpec(ApaasTokenBuilder, 'apaas', 'ApaasTokenBuilder'),
  education: apaasSpec(EducationTokenBuilder, 'education', 'EducationTokenBuilder'),
  convoai: rtcRtmServiceSpec('Conversational AI (ConvoAITokenBuilder)', ConvoAITokenBuilder.buildToken),
  stt: rtcRtmServiceSpec('Speech-to-Text (SttTokenBuilder)', SttTokenBuilder.buildToken),
  rtc006: {
    summary: 'build a legacy 006 RTC token (RtcTokenBuilder)',
    valued: ['channel', 'uid', 'account', 'role', 'privilege-expired-ts', 'expire'],
    flags: ['allow-past-timestamp'],
    forms: ['--channel NAME (--uid N | --account NAME) --role attendee|publisher|subscriber|admin'],
    options: ['[--privilege-expired-ts UNIX | --expire SECONDS] [--allow-past-timestamp]'],
    notes: [EXPIRE_006_NOTE, '  the token itself lasts 24 hours; verify it with: verify TOKEN --channel NAME --uid N|NAME'],
    build(args, appId, appCertificate) {
      const channel = requiredString(args, 'channel', 'the channel name');
      const user = rtcUser(args);
      const r = role(args, RtcRole006, 'attendee, publisher, subscriber or admin (0, 1, 2 or 101)') as RtcRole006;
      const ts = privilegeExpiredTs(args);
      const options = { allowPastTimestamp: flag(args, 'allow-past-timestamp') };
      return user.uid !== undefined
        ? RtcTokenBuilder.buildTokenWithUid(appId, appCertificate, channel, user.uid, r, ts, options)
        : RtcTokenBuilder.buildTokenWithAccount(appId, appCertificate, channel, user.account, r, ts, options);
    },
  },
  rtm006: {
    summary: 'build a legacy 006 RTM token (RtmTokenBuilder)',
    valued: ['account', 'privilege-expired-ts', 'expire'],
    flags: ['allow-past-timestamp'],
    forms: ['--account NAME'],
    options: ['[--privilege-expired-ts UNIX | --expire SECONDS] [--allow-past-timestamp]'],
    notes: [EXPIRE_006_NOTE, '  verify it with: verify TOKEN --channel NAME --uid 0 (the account takes the place of the channel)'],
    build(args, appId, appCertificate) {
      return RtmTokenBuilder.buildToken(
        appId,
        appCertificate,
        requiredString(args, 'account', 'the RTM user account'),
        RtmRole006.Rtm_User,
        privilegeExpiredTs(args),
        { allowPastTimestamp: flag(args, 'allow-past-timestamp') },
      );
    },
  },
};

export const buildCommands: Record<string, Command> = Object.fromEntries(
  Object.entries(specs).map(([name, spec]) => [name, buildCommand(name, spec)]),
);
