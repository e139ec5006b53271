// The size a browser app pays for ChatTokenBuilder2 from the web entry:
// esbuild bundles a one-line use of it from the BUILT dist/web.js, minified,
// for the browser; the figure is that bundle gzipped (level 9). Exits 1 above
// the budget written in the README ("Size").
//
//   npm run build && node scripts/size.mjs
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUDGET_BYTES = 6144;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function gzippedBundle(entry, platform) {
  const result = await build({
    stdin: {
      contents: `import { ChatTokenBuilder2 } from ${JSON.stringify(entry)};\nexport const make = (a, c, u) => ChatTokenBuilder2.buildUserToken(a, c, u, 3600);\n`,
      resolveDir: root,
      loader: 'js',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    external: ['node:*'],
    write: false,
    logLevel: 'error',
  });
  const code = result.outputFiles[0].contents;
  return { raw: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

const web = await gzippedBundle('./dist/web.js', 'browser');
const rootEntry = await gzippedBundle('./dist/index.js', 'node');
console.log(`ChatTokenBuilder2 alone from agora-token-builder/web: ${web.gzip} bytes gzipped (${web.raw} minified); budget ${BUDGET_BYTES}`);
console.log(`  for comparison, from the root entry (node: built-ins external): ${rootEntry.gzip} bytes gzipped (${rootEntry.raw} minified)`);
// The token service as a Fetch handler, bundled as a Worker would bundle it
// (neutral platform: a node: import would fail the build).
const handlerBundle = await build({
  stdin: { contents: `export { createFetchHandler } from './dist/handler.js';\n`, resolveDir: root, loader: 'js' },
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'neutral',
  write: false,
  logLevel: 'error',
});
const handlerCode = handlerBundle.outputFiles[0].contents;
console.log(
  `createFetchHandler from agora-token-builder/handler (for workerd, no node: import): ${gzipSync(handlerCode, { level: 9 }).length} bytes gzipped (${handlerCode.length} minified)`,
);
if (web.gzip > BUDGET_BYTES) {
  console.error(`size budget exceeded: ${web.gzip} > ${BUDGET_BYTES} bytes`);
  process.exit(1);
}
