// Labelled checks for public entry points. Each one names the argument it
// rejects and what is allowed, and never echoes a certificate. The code below
// the public boundary trusts what passed these checks.
import { AgoraTokenError } from '../errors.js';
import { OPT_OUT_ADVICE } from './advice.js';
import { utf8Length } from './bytes.js';

/** Largest value of an unsigned 32-bit field. */
export const U32_MAX = 0xffff_ffff;
/** Largest byte length (or item count) a u16 length prefix can carry. */
export const U16_MAX = 0xffff;
/** The chat token limit from Agora's guide: 24 hours, in seconds. */
export const MAX_EXPIRE_SECONDS = 86_400;

export function invalidArgument(argument: string, message: string): AgoraTokenError {
  return new AgoraTokenError('ERR_INVALID_ARGUMENT', `${argument} ${message}`, { argument });
}

function describe(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return `a string`;
  if (value === null) return 'null';
  return typeof value;
}

const HEX32 = /^[0-9a-fA-F]{32}$/;

/** How long a string is, in words: "an empty string", "a string of 1 character", "... of 31 characters". */
function charactersOf(value: string): string {
  if (value.length === 0) return 'an empty string';
  if (value.trim() !== value && HEX32.test(value.trim())) return '32 hexadecimal characters with whitespace around them';
  if (value.length === 1) return 'a string of 1 character';
  if (value.length === 32) return 'a string of 32 characters, not all hexadecimal';
  return `a string of ${value.length} characters`;
}

/** An App ID or App Certificate: 32 hexadecimal characters, either case. */
export function assertHexId(value: unknown, argument: 'appId' | 'appCertificate'): asserts value is string {
  if (typeof value !== 'string' || !HEX32.test(value)) {
    const got = typeof value === 'string' ? charactersOf(value) : describe(value);
    throw invalidArgument(argument, `must be 32 hexadecimal characters (got ${got})`);
  }
}

export function assertInteger(value: unknown, argument: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(argument, `must be an integer from ${min} to ${max} (got ${describe(value)})`);
  }
}

export function assertU32(value: unknown, argument: string): asserts value is number {
  assertInteger(value, argument, 0, U32_MAX);
}

/** The current Unix time, in whole seconds. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * An optional u32: `fallback()` only when the caller left it `undefined`.
 * Any other value, `null` included, is checked and used as given.
 */
export function u32OrDefault(value: unknown, argument: string, fallback: () => number): number {
  if (value === undefined) return fallback();
  assertU32(value, argument);
  return value;
}

export function assertU16(value: unknown, argument: string): asserts value is number {
  assertInteger(value, argument, 0, U16_MAX);
}

export function assertI16(value: unknown, argument: string): asserts value is number {
  assertInteger(value, argument, -32_768, 32_767);
}

/**
 * A string that packs as `bytes(utf8)`: well-formed Unicode (no lone
 * surrogates, which references encode differently) and at most 65,535 UTF-8
 * bytes.
 */
export function assertPackableString(value: unknown, argument: string): asserts value is string {
  if (typeof value !== 'string') {
    throw invalidArgument(argument, `must be a string (got ${describe(value)})`);
  }
  if (!value.isWellFormed()) {
    throw invalidArgument(argument, 'must be well-formed Unicode (it contains a lone UTF-16 surrogate)');
  }
  // A UTF-16 code unit encodes to at most 3 UTF-8 bytes, so short strings need no count.
  if (value.length > U16_MAX / 3) {
    const bytes = utf8Length(value);
    if (bytes > U16_MAX) {
      throw invalidArgument(argument, `must be at most ${U16_MAX} UTF-8 bytes (got ${bytes})`);
    }
  }
}

export function assertCount(count: number, argument: string): void {
  if (count > U16_MAX) {
    throw invalidArgument(argument, `may hold at most ${U16_MAX} items (got ${count})`);
  }
}

export function assertPlainObject(value: unknown, argument: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(argument, `must be an object (got ${Array.isArray(value) ? 'an array' : describe(value)})`);
  }
}

/**
 * The expire of a high-level builder: seconds from now, at most 24 hours
 * unless the caller opted out.
 */
export function assertExpire(value: unknown, argument: string, allowLongExpire: boolean | undefined): asserts value is number {
  assertNotUnixTime(value, argument, allowLongExpire);
  assertU32(value, argument);
  if (value > MAX_EXPIRE_SECONDS && allowLongExpire !== true) {
    throw new AgoraTokenError(
      'ERR_EXPIRE_LIMIT',
      `${argument} must be at most ${MAX_EXPIRE_SECONDS} seconds (24 hours) (got ${value}); ` +
        'it counts seconds from now, not an absolute Unix time. ' +
        OPT_OUT_ADVICE.ERR_EXPIRE_LIMIT.api,
      { argument },
    );
  }
}

/**
 * What an absolute Unix time passed as an expire looks like: seconds or
 * milliseconds between 2001 and 2286 (`Date.now() / 1000 + 3600`,
 * `Date.now() + 3_600_000`), or undefined.
 */
function unixTimeUnit(value: unknown): 'seconds' | 'milliseconds' | undefined {
  if (typeof value !== 'number') return undefined;
  if (value >= 1e9 && value < 1e10) return 'seconds';
  if (value >= 1e12 && value < 1e13) return 'milliseconds';
  return undefined;
}

/**
 * An expire that looks like an absolute Unix time is the classic mistake: say
 * so, and that expire counts seconds from now. A whole number of seconds is
 * still allowed with allowLongExpire (it fits a u32); anything else is not.
 */
function assertNotUnixTime(value: unknown, argument: string, allowLongExpire: boolean | undefined): void {
  const unit = unixTimeUnit(value);
  if (unit === undefined) return;
  const representable = Number.isInteger(value) && (value as number) <= U32_MAX;
  if (representable && allowLongExpire === true) return;
  const got = `(got ${String(value)}, which looks like an absolute Unix time in ${unit})`;
  const hint = `it counts seconds from now, not an absolute time: for one hour, pass 3600`;
  if (!representable) {
    const max = allowLongExpire === true ? U32_MAX : MAX_EXPIRE_SECONDS;
    throw invalidArgument(argument, `must be an integer from 0 to ${max} ${got}; ${hint}.`);
  }
  throw new AgoraTokenError(
    'ERR_EXPIRE_LIMIT',
    `${argument} must be at most ${MAX_EXPIRE_SECONDS} seconds (24 hours) ${got}; ${hint}. ` +
      OPT_OUT_ADVICE.ERR_EXPIRE_LIMIT.api,
    { argument },
  );
}

/**
 * A user id that is either a non-negative integer below 2^32 or the decimal
 * string of one; returns the decimal string, with 0 mapped to "" as the
 * references do for numeric uids.
 */
export function uidToString(value: unknown, argument: string): string {
  if (typeof value === 'number') {
    assertU32(value, argument);
    return value === 0 ? '' : String(value);
  }
  if (typeof value === 'string' && /^(0|[1-9][0-9]{0,9})$/.test(value) && Number(value) <= U32_MAX) {
    return value;
  }
  throw invalidArgument(
    argument,
    `must be an integer from 0 to ${U32_MAX} or the decimal string of one (got ${describe(value)})`,
  );
}

/** A numeric account (0 packs as "") or a string account. */
export function accountToString(value: unknown, argument: string): string {
  if (typeof value === 'number') {
    assertU32(value, argument);
    return value === 0 ? '' : String(value);
  }
  assertPackableString(value, argument);
  return value;
}

/**
 * The options object of a public function, checked like any argument.
 * `undefined` means "no options" and gives `{}`. Anything else must be a
 * plain object (not null, an array, a Date, a function...) whose own keys are
 * all in `allowedKeys`: a misspelt option is an error, not silently ignored.
 * Returns a copy holding only the allowed keys, each read once.
 */
export function checkOptions<K extends string>(
  value: unknown,
  argument: string,
  allowedKeys: readonly K[],
): { readonly [P in K]?: unknown } {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Object.prototype.toString.call(value) !== '[object Object]') {
    const got = Array.isArray(value) ? 'an array' : value instanceof Date ? 'a Date' : describe(value);
    throw invalidArgument(argument, `must be an object of options, or undefined (got ${got})`);
  }
  const allowed: readonly string[] = allowedKeys;
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const shown = key.length > 40 ? `${key.slice(0, 40)}...` : key;
      throw invalidArgument(
        `${argument}.${shown}`,
        `is not an option here: the options must be among ${allowedKeys.join(', ')} (a misspelt name?)`,
      );
    }
  }
  const source = value as Record<string, unknown>;
  const picked: { [P in K]?: unknown } = {};
  for (const key of allowedKeys) {
    const option = source[key];
    if (option !== undefined) picked[key] = option;
  }
  return picked;
}

/** An optional flag: `undefined` (the default) or a boolean; nothing else is taken for false. */
export function optionalBoolean(value: unknown, argument: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw invalidArgument(argument, `must be true or false, or undefined (got ${describe(value)})`);
}

/** The largest time a JavaScript Date holds, in Unix seconds (100,000,000 days from 1970). */
export const MAX_TIME_SECONDS = 8_640_000_000_000;

/**
 * An optional time to judge a token at: a Date holding a valid time, or a
 * finite number of Unix seconds within a Date's range (plus or minus
 * 8,640,000,000,000). Returns Unix seconds, or `undefined`.
 */
export function optionalTime(value: unknown, argument: string): number | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isFinite(ms)) return Math.floor(ms / 1000);
    throw invalidArgument(argument, 'must be a Date holding a valid time (got an invalid Date)');
  }
  if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_TIME_SECONDS) return value;
  throw invalidArgument(
    argument,
    `must be a Date or a finite number of Unix seconds from -${MAX_TIME_SECONDS} to ${MAX_TIME_SECONDS} (got ${describe(value)})`,
  );
}
