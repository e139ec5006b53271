// Every ```ts sample of the README type-checks as written, against the
// package's own sources, once its placeholders are declared (PRELUDE below).
//
// - Each sample is its own module (an `export {}` is appended), so samples
//   may reuse names.
// - The package's import paths ('agora-token-builder', '.../server',
//   '.../compat/agora-token', and any entry point added later) are mapped to
//   src/ by `paths`, derived from package.json "exports": a new entry point
//   needs no change here.
// - A sample opts out only with the line `<!-- readme-samples: skip: WHY -->`
//   right above its fence, WHY saying why. Keep them rare.
// - A failure names the README line and the TypeScript error.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const README = join(ROOT, 'README.md');

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
/** An Agora Chat SDK connection: what TokenClient.attach takes, and open(). */
declare const conn: Parameters<import('agora-token-builder/client').TokenClient['attach']>[0] & {
  open(options: { user: string; agoraToken: string }): Promise<unknown>;
};
`;

const SKIP = /^<!--\s*readme-samples:\s*skip:\s*(.+?)\s*-->$/;

interface Sample {
  /** 1-based README line of the first line of code (the line after the fence). */
  readonly line: number;
  readonly code: string;
  /** Why it is not checked, when it opts out. */
  readonly skip?: string;
}

function samples(markdown: string): Sample[] {
  const lines = markdown.split('\n');
  const found: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)(```+|~~~+)\s*(\S*)/.exec(lines[i]!);
    if (fence === null) continue;
    const [, , marker, lang] = fence;
    let end = i + 1;
    while (end < lines.length && !lines[end]!.trimStart().startsWith(marker!)) end++;
    if (lang === 'ts' || lang === 'typescript') {
      const skip = SKIP.exec((lines[i - 1] ?? '').trim())?.[1];
      found.push({ line: i + 2, code: lines.slice(i + 1, end).join('\n'), ...(skip === undefined ? {} : { skip }) });
    }
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

const all = samples(readFileSync(README, 'utf8'));
const checked = all.filter((sample) => sample.skip === undefined);
const sampleFile = (sample: Sample) => join(ROOT, `README.md.line-${sample.line}.ts`);
const preludeFile = join(ROOT, 'README.md.prelude.d.ts');

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

/** `README.md:LINE:COL TS1234: message`, the line being the README's. */
function describeDiagnostic(sample: Sample, diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  if (diagnostic.file === undefined || diagnostic.start === undefined) return `README.md:${sample.line} TS${diagnostic.code}: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const readmeLine = sample.line + line;
  const source = sample.code.split('\n')[line]?.trim() ?? '';
  return `README.md:${readmeLine}:${character + 1} TS${diagnostic.code}: ${message}\n    ${source}`;
}

describe('README samples', () => {
  it('finds the TypeScript samples, and opts out of few, each saying why', () => {
    expect(all.length).toBeGreaterThanOrEqual(10);
    const skipped = all.filter((sample) => sample.skip !== undefined);
    expect(skipped.length, 'samples that opt out (keep them rare)').toBeLessThanOrEqual(2);
    for (const sample of skipped) expect(sample.skip!.length, `README.md:${sample.line}: say why it is not checked`).toBeGreaterThanOrEqual(10);
  });

  it('maps every entry point of package.json to its source', () => {
    const paths = entryPointPaths();
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['agora-token-builder', 'agora-token-builder/server', 'agora-token-builder/compat/agora-token']));
  });

  const results = typeCheck();
  it.each(checked.map((sample) => [sample.line, sample] as const))('the sample at README.md:%i type-checks', (_line, sample) => {
    const errors = results.get(sample)!.map((diagnostic) => describeDiagnostic(sample, diagnostic));
    expect(errors, `README sample at line ${sample.line}:\n${errors.join('\n')}`).toEqual([]);
  });
});
