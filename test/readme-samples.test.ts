// The samples of the README and of every guide in docs/, as written:
//
// - Every ```ts sample type-checks against the package's own sources, once
//   its placeholders are declared (PRELUDE below). Each sample is its own
//   module (an `export {}` is appended), so samples may reuse names. The
//   package's import paths ('agora-token-builder', '.../server', and any
//   entry point added later) are mapped to src/ by `paths`, derived from
//   package.json "exports": a new entry point needs no change here.
// - Every ```console and ```sh block that runs the command line calls it as
//   `npx agora-token-builder` (what works after the documented install), and
//   runs: each file's blocks in order in one bash, in a fresh folder where the
//   package is installed as npm would (node_modules/agora-token-builder and
//   its .bin link), with the demo certificate on standard input for `read`.
//   A console block's output must match what it shows, with numbers, long
//   hex strings and "…" standing for what changes from run to run; a sh
//   block's commands must each exit 0. Needs the built dist/.
// - A sample opts out only with the line `<!-- samples: skip: WHY -->` right
//   above its fence, WHY saying why. Keep them rare.
// - A failure names the file, the line and the error.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The README and every guide in docs/, by path relative to the root. */
const FILES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)];

/**
 * The placeholders the samples use without defining them: what a reader
 * fills in. Declared here, globally, with the types a reader would have.
 */
const PRELUDE = `
declare const appId: string;
declare const appCertificate: string;
declare const chatUserUuid: string;
declare const token: string;
declare const token006: string;
/** An Express app (only what the samples call). */
declare const app: { use(path: string, handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, next: (error?: unknown) => void) => void): void };
declare const username: string;
declare const password: string;
/** The reader's own user store. */
declare const db: {
  users: {
    findByLogin(login: string): Promise<{
      chatUserName: string;
      chatUuid: string;
      passwordHash: string;
      checkPassword(password: string): Promise<boolean>;
    } | null>;
  };
};
/** The reader's login form. */
declare function showLoginForm(): void;
/** An Agora Chat SDK connection: what TokenClient.attach takes, open() and close(). */
declare const conn: Parameters<import('agora-token-builder/client').TokenClient['attach']>[0] & {
  open(options: { user: string; accessToken: string }): Promise<unknown>;
  close(): void;
};
/** The reader's TokenClient, made as in the client guide's quick start. */
declare const tokens: import('agora-token-builder/client').TokenClient;
/** The reader's page: a button and a way to show a message. */
declare const signOutButton: HTMLButtonElement;
declare function showMessage(text: string): void;
/** A Next.js app's own module (the '@/' alias) that exports its user store. */
declare module '@/lib/users' {
  export const store: import('agora-token-builder/handler').UserStore;
}
`;

const SKIP = /^<!--\s*(?:readme-)?samples:\s*skip:\s*(.+?)\s*-->$/;

interface Sample {
  /** The file, relative to the root (README.md, docs/x.md). */
  readonly file: string;
  /** 1-based line of the first line of code (the line after the fence). */
  readonly line: number;
  /** The fence's language. */
  readonly lang: string;
  readonly code: string;
  /** Why it is not checked, when it opts out. */
  readonly skip?: string;
}

function samples(file: string, markdown: string): Sample[] {
  const lines = markdown.split('\n');
  const found: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)(```+|~~~+)\s*(\S*)/.exec(lines[i]!);
    if (fence === null) continue;
    const [, , marker, lang] = fence;
    let end = i + 1;
    while (end < lines.length && !lines[end]!.trimStart().startsWith(marker!)) end++;
    const skip = SKIP.exec((lines[i - 1] ?? '').trim())?.[1];
    found.push({ file, line: i + 2, lang: lang ?? '', code: lines.slice(i + 1, end).join('\n'), ...(skip === undefined ? {} : { skip }) });
    i = end;
  }
  return found;
}

/** `paths` for every entry point in package.json "exports": ./dist/X.js (or .d.ts) is src/X.ts. */
function entryPointPaths(): Record<string, string[]> {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
  const paths: Record<string, string[]> = {};
  const firstTarget = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value;
    if (typeof value !== 'object' || value === null) return undefined;
    const conditions = value as Record<string, unknown>;
    for (const key of ['import', 'default', ...Object.keys(conditions)]) {
      const found = key in conditions ? firstTarget(conditions[key]) : undefined;
      if (found !== undefined) return found;
    }
    return undefined;
  };
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const file = firstTarget(target);
    if (file === undefined || !file.startsWith('./dist/')) continue;
    const source = `src/${file.slice('./dist/'.length).replace(/(\.d)?\.(c|m)?(js|ts)$/, '')}.ts`;
    if (!existsSync(join(ROOT, source))) throw new Error(`package.json exports ${subpath} -> ${file}, but there is no ${source}`);
    paths[subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`] = [source];
  }
  return paths;
}

const every = FILES.flatMap((file) => samples(file, readFileSync(join(ROOT, file), 'utf8')));
const all = every.filter((sample) => sample.lang === 'ts' || sample.lang === 'typescript');
const checked = all.filter((sample) => sample.skip === undefined);
const sampleFile = (sample: Sample) => join(ROOT, `${sample.file}.line-${sample.line}.ts`);
const preludeFile = join(ROOT, 'samples.prelude.d.ts');

/** One program for every sample: their diagnostics, by sample. */
function typeCheck(): Map<Sample, ts.Diagnostic[]> {
  const virtual = new Map<string, string>([[preludeFile, PRELUDE]]);
  for (const sample of checked) virtual.set(sampleFile(sample), `${sample.code}\nexport {};\n`);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2024.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ['node'],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    baseUrl: ROOT,
    paths: entryPointPaths(),
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, onError, shouldCreate) => {
    const text = virtual.get(resolve(fileName));
    return text !== undefined ? ts.createSourceFile(fileName, text, language, true) : getSourceFile(fileName, language, onError, shouldCreate);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => virtual.has(resolve(fileName)) || fileExists(fileName);
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => virtual.get(resolve(fileName)) ?? readFile(fileName);
  const program = ts.createProgram([...virtual.keys()], options, host);
  const byFile = new Map<string, ts.Diagnostic[]>();
  for (const diagnostic of [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics(), ...program.getGlobalDiagnostics()]) {
    const file = diagnostic.file ? resolve(diagnostic.file.fileName) : '';
    byFile.set(file, [...(byFile.get(file) ?? []), diagnostic]);
  }
  const unexpected = [...byFile.keys()].filter((file) => !checked.some((sample) => sampleFile(sample) === file));
  if (unexpected.length > 0) {
    const text = unexpected.flatMap((file) => byFile.get(file)!.map((d) => `${file || '(global)'}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`));
    throw new Error(`type errors outside the samples (the prelude or the sources):\n${text.join('\n')}`);
  }
  return new Map(checked.map((sample) => [sample, byFile.get(sampleFile(sample)) ?? []]));
}

/** `FILE:LINE:COL TS1234: message`, the line being the markdown file's. */
function describeDiagnostic(sample: Sample, diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  if (diagnostic.file === undefined || diagnostic.start === undefined) return `${sample.file}:${sample.line} TS${diagnostic.code}: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const source = sample.code.split('\n')[line]?.trim() ?? '';
  return `${sample.file}:${sample.line + line}:${character + 1} TS${diagnostic.code}: ${message}\n    ${source}`;
}

// ---------------------------------------------------------------- the command line

const SHELL_LANGS = new Set(['sh', 'console', 'bash', 'shell']);
const DEMO_APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
/** `agora-token-builder` run as a command (not a folder or file name such as `cd agora-token-builder` or `.../agora-token-builder-0.1.0.tgz`). */
const INVOCATION = /(?<![\w/.-])agora-token-builder(?= +[\w-])/g;

const shellBlocks = every.filter((sample) => SHELL_LANGS.has(sample.lang) && sample.code.match(INVOCATION) !== null);
const runnable = shellBlocks.filter((sample) => sample.skip === undefined);

interface Command {
  readonly sample: Sample;
  /** 1-based line in the markdown file. */
  readonly line: number;
  readonly command: string;
  /** The output a console block shows for it; undefined in a sh block (only the exit status is checked). */
  readonly expected?: readonly string[];
}

/** The commands of a block: `$ ` lines and the output under each (console), or every line that is not a comment (sh). */
function commands(sample: Sample): Command[] {
  const lines = sample.code.split('\n');
  const found: { line: number; command: string; expected?: string[] }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (sample.lang === 'console') {
      if (text.startsWith('$ ')) found.push({ line: sample.line + i, command: text.slice(2), expected: [] });
      else found.at(-1)?.expected?.push(text);
    } else if (text.trim() !== '' && !text.trimStart().startsWith('#')) {
      found.push({ line: sample.line + i, command: text });
    }
  }
  return found.map((c) => ({ sample, ...c }));
}

/** A shown output line as a pattern: numbers, hex strings of 16 or more digits, and "…" stand for what changes between runs. */
function outputPattern(line: string): RegExp {
  let source = '';
  let last = 0;
  for (const match of line.matchAll(/…|[0-9a-fA-F]{16,}|\d+/g)) {
    source += line.slice(last, match.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    source += match[0] === '…' ? '.*' : /^\d+$/.test(match[0]) ? '\\d+' : '[0-9a-fA-F]+';
    last = match.index + match[0].length;
  }
  return new RegExp(`^${source}${line.slice(last).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

interface Ran {
  readonly output: string;
  readonly status: number;
}

/** Runs the commands of one file in one bash, in `app`; each command's merged output and exit status. */
function runFile(commandsOfFile: readonly Command[], app: string): Ran[] {
  const script = ['exec 2>&1'];
  commandsOfFile.forEach((c, k) => script.push(`printf '@@%s@@\\n' ${k}`, c.command, `printf '\\n@@%s:%s@@\\n' ${k} "$?"`));
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', npm_config_yes: 'false', npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false' };
  for (const name of Object.keys(env)) if (name.startsWith('AGORA_') || name === 'FORCE_COLOR') delete env[name];
  const run = spawnSync('bash', ['-c', script.join('\n')], { cwd: app, env, input: `${DEMO_APP_CERTIFICATE}\n`, encoding: 'utf8', timeout: 120_000 });
  if (run.error) throw run.error;
  const text = run.stdout;
  return commandsOfFile.map((_, k) => {
    const match = new RegExp(`@@${k}@@\\n([\\s\\S]*?)\\n?@@${k}:(\\d+)@@\\n`).exec(text);
    return match === null ? { output: `(no output marker: the script stopped; whole output:\n${text})`, status: -1 } : { output: match[1]!, status: Number(match[2]) };
  });
}

describe('the samples of the README and docs/', () => {
  it('finds the TypeScript samples in the README and the guides, and opts out of few, each saying why', () => {
    expect(new Set(all.map((sample) => sample.file)).size, 'files with TypeScript samples').toBeGreaterThanOrEqual(5);
    expect(all.length).toBeGreaterThanOrEqual(15);
    const skipped = all.filter((sample) => sample.skip !== undefined);
    expect(skipped.length, 'samples that opt out (keep them rare)').toBeLessThanOrEqual(2);
    for (const sample of skipped) expect(sample.skip!.length, `${sample.file}:${sample.line}: say why it is not checked`).toBeGreaterThanOrEqual(10);
  });

  it('maps every entry point of package.json to its source', () => {
    const paths = entryPointPaths();
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['agora-token-builder', 'agora-token-builder/server', 'agora-token-builder/compat/agora-token']));
  });

  const results = typeCheck();
  it.each(checked.map((sample) => [`${sample.file}:${sample.line}`, sample] as const))('the TypeScript sample at %s type-checks', (_where, sample) => {
    const errors = results.get(sample)!.map((diagnostic) => describeDiagnostic(sample, diagnostic));
    expect(errors, `sample at ${sample.file}:${sample.line}:\n${errors.join('\n')}`).toEqual([]);
  });
});

describe('the command-line samples of the README and docs/, run as written', () => {
  let app: string;
  afterAll(() => {
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('calls the command as `npx agora-token-builder` everywhere, which works after the documented install', () => {
    expect(shellBlocks.length).toBeGreaterThanOrEqual(5);
    const bare = shellBlocks.flatMap((sample) =>
      sample.code.split('\n').flatMap((text, i) => [...text.matchAll(INVOCATION)].filter((m) => !text.slice(0, m.index).endsWith('npx ')).map(() => `${sample.file}:${sample.line + i}: ${text}`)),
    );
    expect(bare).toEqual([]);
    const skipped = shellBlocks.filter((sample) => sample.skip !== undefined);
    expect(skipped.length, 'command-line blocks that opt out (keep them rare)').toBeLessThanOrEqual(8);
    for (const sample of skipped) expect(sample.skip!.length, `${sample.file}:${sample.line}: say why it is not run`).toBeGreaterThanOrEqual(10);
  });

  const byFile = FILES.map((file) => [file, runnable.filter((sample) => sample.file === file).flatMap(commands)] as const).filter(([, list]) => list.length > 0);
  it.each(byFile)('the commands of %s give what they show', (file, list) => {
    if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/ is not built: run npm run build first');
    // A project with the package installed as npm installs it: the package folder and its bin link.
    app = mkdtempSync(join(tmpdir(), 'atb-samples-'));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'samples-app', private: true, type: 'module' }));
    mkdirSync(join(app, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(ROOT, join(app, 'node_modules', 'agora-token-builder'), 'dir');
    symlinkSync('../agora-token-builder/dist/cli.js', join(app, 'node_modules', '.bin', 'agora-token-builder'));
    const ran = runFile(list, app);
    const problems: string[] = [];
    list.forEach((c, k) => {
      const { output, status } = ran[k]!;
      const where = `${file}:${c.line}: $ ${c.command}`;
      if (status !== 0) problems.push(`${where}\n  exited ${status}:\n${output}`);
      if (c.expected === undefined) return;
      const got = output.replace(/\n+$/, '').split('\n');
      const shown = [...c.expected];
      while (shown.at(-1) === '') shown.pop();
      if (got.length === 1 && got[0] === '' && shown.length === 0) return;
      const fits = got.length === shown.length && shown.every((line, i) => outputPattern(line).test(got[i]!));
      if (!fits) problems.push(`${where}\n  shows:\n${shown.join('\n')}\n  printed:\n${output}`);
    });
    rmSync(app, { recursive: true, force: true });
    expect(problems, problems.join('\n\n')).toEqual([]);
  }, 180_000);
});
