// `npm test` output redirected to a file or a pipe carries no colour codes
// (scripts/vitest.mjs sets NO_COLOR there: vitest colours whenever TERM is
// set), and FORCE_COLOR=1 still turns them on.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ESC = '\u001b[';

function runTests(env: NodeJS.ProcessEnv): string {
  const run = spawnSync(process.execPath, ['scripts/vitest.mjs', 'run', 'test/bytes.test.ts'], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout + run.stderr;
}

describe('the test runner into a pipe', () => {
  const base: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  delete base.NO_COLOR;
  delete base.FORCE_COLOR;
  delete base.CI;

  it('prints no colour codes', () => {
    const output = runTests(base);
    expect(output).toMatch(/Tests\s+\d+ passed/);
    expect(output).not.toContain(ESC);
  });

  it('prints them with FORCE_COLOR=1', () => {
    expect(runTests({ ...base, FORCE_COLOR: '1' })).toContain(ESC);
  });
});
