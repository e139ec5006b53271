// A small argument parser: positionals, `--flag`, `--key value` and `--key=value`.

/** A usage mistake: printed on one line, exit status 2. */
export class UsageError extends Error {}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Map<string, string | true>;
}

/**
 * @param argv - the arguments after the command name.
 * @param valued - option names that take a value.
 * @param flags - option names that take none.
 */
export function parseArgs(argv: readonly string[], valued: readonly string[], flags: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (flags.includes(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      options.set(name, true);
    } else if (valued.includes(name)) {
      // Every valued option takes one value: a second one is a mistake, not an override.
      if (options.has(name)) throw new UsageError(`--${name} is given twice; give it once`);
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options.set(name, value);
    } else {
      throw new UsageError(unknownOption(name, [...valued, ...flags]));
    }
  }
  return { positionals, options };
}

/** "unknown option --userid; did you mean --user-id?", when one known option is that close. */
export function unknownOption(name: string, known: readonly string[]): string {
  const squash = (text: string) => text.toLowerCase().replace(/[-_]/g, '');
  const scored = known
    .map((option) => ({ option, distance: squash(option) === squash(name) ? 0 : editDistance(name.toLowerCase(), option) }))
    .filter(({ distance }) => distance <= Math.max(1, Math.floor(name.length / 4)))
    .sort((a, b) => a.distance - b.distance);
  const best = scored[0];
  const unique = best !== undefined && scored.filter(({ distance }) => distance === best.distance).length === 1;
  return `unknown option --${name}${unique ? `; did you mean --${best.option}?` : ''}`;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** An option's value as a non-negative integer (at most 2^53 - 1; the library checks narrower ranges). */
export function integerOption(args: ParsedArgs, name: string, fallback: number, what = 'a whole number of seconds'): number {
  const raw = args.options.get(name);
  if (raw === undefined) return fallback;
  if (raw !== true && /^-[0-9]+(\.[0-9]+)?$/.test(raw.trim())) throw new UsageError(`--${name} must not be negative (got ${raw.trim()}); it must be ${what}`);
  if (raw === true || !/^[0-9]+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new UsageError(`--${name} must be ${what} (got ${JSON.stringify(raw)})`);
  return Number(raw);
}

/** An option that must be given, as a non-negative integer. */
export function requiredInteger(args: ParsedArgs, name: string, what: string): number {
  if (!args.options.has(name)) throw new UsageError(`--${name} is required (${what})`);
  return integerOption(args, name, 0, what);
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const raw = args.options.get(name);
  return raw === true ? undefined : raw;
}

/** An option that must be given, as a string (it may be empty where the builder allows it). */
export function requiredString(args: ParsedArgs, name: string, what: string): string {
  const value = stringOption(args, name);
  if (value === undefined) throw new UsageError(`--${name} is required (${what})`);
  return value;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}

/** No positionals allowed, or exactly `count`. */
export function expectPositionals(args: ParsedArgs, count: number, what: string): void {
  if (args.positionals.length !== count) {
    const extra = args.positionals.length > count ? `unexpected argument "${args.positionals[count]}"` : `missing ${what}`;
    throw new UsageError(extra);
  }
}
