// The API reference stays complete as entry points are added: every entry
// point of package.json "exports" is a typedoc entry point, named as users
// import it (`@module agora-token-builder/...` in its first comment), and
// typedoc fails on any undocumented member (`npx typedoc` runs in .ci/run).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const manifest = JSON.parse(read('package.json')) as { name: string; exports: Record<string, unknown> };
const typedoc = JSON.parse(read('typedoc.json')) as {
  entryPoints: string[];
  treatWarningsAsErrors?: boolean;
  excludeExternals?: boolean;
  validation?: { notDocumented?: boolean };
};

/** [import path, source file] for every code entry point: ./dist/X.js is built from src/X.ts. */
function entryPoints(): Array<[string, string]> {
  const result: Array<[string, string]> = [];
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const files = JSON.stringify(target).match(/\.\/dist\/[^"]+?\.(?:c|m)?js(?=")/g);
    if (files === null) continue; // ./package.json
    const source = `src/${files[0]!.slice('./dist/'.length).replace(/\.(c|m)?js$/, '')}.ts`;
    result.push([subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`, source]);
  }
  return result;
}

describe('typedoc.json', () => {
  it('fails on undocumented members and hides what Error inherits from outside', () => {
    expect(typedoc.treatWarningsAsErrors).toBe(true);
    expect(typedoc.validation?.notDocumented).toBe(true);
    expect(typedoc.excludeExternals).toBe(true);
  });

  it('finds the entry points of package.json', () => {
    expect(entryPoints().map(([name]) => name)).toEqual(
      expect.arrayContaining(['agora-token-builder', 'agora-token-builder/server', 'agora-token-builder/compat/agora-token']),
    );
  });

  it.each(entryPoints())('documents %s (%s), under that name', (name, source) => {
    expect(typedoc.entryPoints, `add "${source}" to "entryPoints" in typedoc.json`).toContain(source);
    const firstComment = /^\s*\/\*\*([\s\S]*?)\*\//.exec(read(source))?.[1] ?? '';
    expect(firstComment, `${source} must open with a doc comment that ends with "@module ${name}"`).toMatch(
      new RegExp(`^\\s*\\*\\s*@module ${name.replaceAll('/', '\\/')}\\s*$`, 'm'),
    );
  });
});
