// Runs the matrix's checks (smoke.mjs) in the runtime that executes this file
// (Node, Bun or Deno) against the built package, one entry point at a time:
//
//   node|bun|deno run main.mjs <runtime-name> <entry>...
//
// <entry> is a subpath of the package's "exports" ("." for the root, "web",
// "compat/agora-token", ...): the file is found through package.json, as a
// user's import would find it. Prints one `RUNTIME-RESULT {json}` line per
// entry for scripts/runtimes.mjs.
import { COMPAT_CHECKS, runCompatChecks, runEntryChecks, VECTOR_FILES } from './smoke.mjs';

const [runtime, ...entries] = globalThis.Deno ? Deno.args : process.argv.slice(2);
const root = new URL('../../', import.meta.url);

async function readText(url) {
  if (globalThis.Deno) return Deno.readTextFile(url);
  const { readFile } = await import('node:fs/promises');
  return readFile(url, 'utf8');
}

const pkg = JSON.parse(await readText(new URL('package.json', root)));
const vectors = await Promise.all(VECTOR_FILES.map(async (name) => JSON.parse(await readText(new URL(`vectors/${name}`, root)))));

/** The ESM file an `import 'agora-token-builder/<entry>'` loads, by the package's "exports". */
function entryUrl(entry) {
  const target = pkg.exports[entry === '.' ? '.' : `./${entry}`]?.import?.default;
  if (target === undefined) throw new Error(`package.json "exports" has no import of ${entry}`);
  return new URL(target, root);
}

for (const entry of entries) {
  let result;
  try {
    const lib = await import(entryUrl(entry).href);
    result = Object.hasOwn(COMPAT_CHECKS, entry)
      ? await runCompatChecks(entry, lib, await import(entryUrl('.').href))
      : await runEntryChecks(lib, vectors);
  } catch (error) {
    result = { passed: 0, failed: 1, expected: 1, failures: [`loading ${entry}: ${error?.name}: ${error?.message}`] };
  }
  console.log(`RUNTIME-RESULT ${JSON.stringify({ runtime, entry: entry === '.' ? 'root' : entry, ...result })}`);
}
