#!/usr/bin/env node
// Writes src/web-builders.ts: the builder classes of the `web` entry, one
// per root-entry builder class, with the same static methods, parameters and
// TSDoc, each method returning a promise of the root method's result.
// They are generated from src/builders/*.ts so that the two APIs and their
// documentation cannot drift:
//
//   node scripts/make-web-builders.mjs           write src/web-builders.ts
//   node scripts/make-web-builders.mjs --check   exit 1 if it is not up to date
//
// (test/web-builders.test.ts runs the check.)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = `${ROOT}src/web-builders.ts`;

/** The builder modules, by the name web-builders.ts imports them as, with their classes in export order. */
const MODULES = [
  ['chat', 'ChatTokenBuilder2'],
  ['rtc', 'RtcTokenBuilder2'],
  ['rtm', 'RtmTokenBuilder2'],
  ['fpa', 'FpaTokenBuilder'],
  ['apaas', 'ApaasTokenBuilder', 'EducationTokenBuilder'],
  ['convoai', 'ConvoAITokenBuilder', 'SttTokenBuilder'],
  ['legacy', 'RtcTokenBuilder', 'RtmTokenBuilder'],
].map(([module, ...classes]) => ({ module, classes }));

/** The types the signatures use, and the module each comes from. */
const TYPES = {
  BuildOptions: 'options',
  BuildOptions006: 'legacy',
  RtcRole: 'rtc',
  RtcRole006: 'legacy',
  RtmRole006: 'legacy',
  Rtm2Permissions: 'rtm',
  Rtm2PermissionsLike: 'rtm',
  Rtm2PermissionMap: '../token2/services',
};

/** Splits a parameter list at its top-level commas. */
function splitParams(text) {
  const parts = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if ('<({['.includes(ch)) depth++;
    if ('>)}]'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** The lines of a TSDoc comment's inside (between the opening and closing marks), without the leading " * ". */
function docLines(doc) {
  const lines = doc.split('\n').map((line) => line.replace(/^\s*\* ?/, ''));
  while (lines.length > 0 && lines[0].trim() === '') lines.shift();
  while (lines.length > 0 && lines.at(-1).trim() === '') lines.pop();
  return lines;
}

/** Root TSDoc lines as the web entry's, in a comment at `indent`. */
function webDoc(lines, indent) {
  const text = lines.map((line) =>
    line
      .replace(/@returns the /g, '@returns a promise of the ')
      .replace(/@throws \{@link AgoraTokenError\}/g, '@throws the promise rejects with {@link AgoraTokenError}')
      .replace(/from 'agora-token-builder'/g, "from 'agora-token-builder/web'")
      .replace(/(?<!await )\b([A-Z]\w*TokenBuilder\d?)\.(build\w+)\(/g, 'await $1.$2('),
  );
  return [`${indent}/**`, ...text.map((line) => (line === '' ? `${indent} *` : `${indent} * ${line}`)), `${indent} */`].join('\n');
}

/** A signature on one line, or one parameter per line when that is long. */
function signature(method, params) {
  const one = `  static ${method}(${params.join(', ')}): Promise<string> {`;
  return one.length <= 120 ? one : [`  static ${method}(`, ...params.map((p) => `    ${p},`), `  ): Promise<string> {`].join('\n');
}

function generate() {
  const used = new Set();
  const blocks = [];
  for (const { module, classes } of MODULES) {
    const source = readFileSync(`${ROOT}src/builders/${module}.ts`, 'utf8');
    for (const name of classes) {
      const head = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\nexport class ${name}(?: extends (\\w+))? \\{\\n`).exec(source);
      if (head === null) throw new Error(`src/builders/${module}.ts: no documented class ${name}`);
      const [, classDoc, base] = head;
      const start = head.index + head[0].length;
      const end = source.indexOf('\n}\n', start);
      const body = source.slice(start, end);
      const constructor = /^ {2}(private|protected) constructor\(\)/m.exec(body)?.[1];
      if (constructor === undefined) throw new Error(`${name}: expected a private or protected constructor`);
      const methods = [];
      for (const m of body.matchAll(/ {2}\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\n {2}static (\w+)\(([\s\S]*?)\): string \{/g)) {
        const [, doc, method, paramText] = m;
        const params = splitParams(paramText);
        for (const type of Object.keys(TYPES)) if (params.some((p) => new RegExp(`\\b${type}\\b`).test(p))) used.add(type);
        const names = params.map((p) => /^(\w+)/.exec(p)[1]);
        methods.push(
          [
            webDoc(docLines(doc), '  '),
            signature(method, params),
            `    return onWeb(() => ${module}.${name}.${method}(${names.join(', ')}));`,
            `  }`,
          ].join('\n'),
        );
      }
      const lines = docLines(classDoc);
      const note = ['', "On the `web` entry, every method returns a promise of what the root", `entry's {@link ${module}.${name}} returns, and rejects where it throws.`];
      const example = lines.indexOf('@example');
      if (example < 0) lines.push(...note);
      else lines.splice(example - 1, 0, ...note);
      const ctor =
        constructor === 'private' && base !== undefined ? `  private constructor() {\n    super();\n  }` : `  ${constructor} constructor() {}`;
      blocks.push(
        [
          webDoc(lines, ''),
          `export class ${name}${base === undefined ? '' : ` extends ${base}`} {`,
          ctor,
          ...methods.map((m) => `\n${m}`),
          `}`,
        ].join('\n'),
      );
    }
  }
  const typeImports = Object.entries(TYPES)
    .filter(([type]) => used.has(type))
    .map(([type, module]) => `import type { ${type} } from '${module.startsWith('..') ? `./${module.slice(3)}` : `./builders/${module}`}.js';`);
  return [
    '// GENERATED by scripts/make-web-builders.mjs from src/builders/*.ts: do not edit.',
    '// The builder classes of the `web` entry: the root classes\' static methods,',
    '// parameters and documentation, each returning a promise.',
    "import { onWeb } from './_internal/platform/on-web.js';",
    "// For the {@link AgoraTokenError} of the comments.",
    "import type { AgoraTokenError } from './errors.js';",
    ...MODULES.map(({ module }) => `import * as ${module} from './builders/${module}.js';`),
    ...typeImports,
    '',
    blocks.join('\n\n'),
    '',
  ].join('\n');
}

const text = generate();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(OUT, 'utf8');
  } catch {
    // missing: not up to date
  }
  if (current !== text) {
    console.error('src/web-builders.ts is not up to date: run node scripts/make-web-builders.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(OUT, text);
}
