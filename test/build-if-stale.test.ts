// `npm run demo` and `npm start` build through scripts/build-if-stale.mjs,
// which must leave a current dist/ alone (npm test builds it first).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUTPUTS = ['dist/index.js', 'dist/index.cjs', 'dist/web.js', 'dist/cli.js'];

describe('npm run demo with a current dist/', () => {
  it('does not rebuild: every built file keeps its time', () => {
    const before = OUTPUTS.map((file) => statSync(`${ROOT}${file}`).mtimeMs);
    const newestSource = Math.max(...readdirSync(`${ROOT}src`, { recursive: true }).map((name) => statSync(`${ROOT}src/${name}`).mtimeMs));
    if (newestSource > Math.min(...before)) throw new Error('dist/ is older than src/: run npm run build first (npm test does)');
    const run = spawnSync(process.execPath, [`${ROOT}scripts/build-if-stale.mjs`], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).toBe('');
    expect(OUTPUTS.map((file) => statSync(`${ROOT}${file}`).mtimeMs)).toEqual(before);
  });

  it('the demo and start scripts go through it', () => {
    const scripts = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.demo).toMatch(/^node scripts\/build-if-stale\.mjs && /);
    expect(scripts.start).toMatch(/^node scripts\/build-if-stale\.mjs && /);
  });
});
