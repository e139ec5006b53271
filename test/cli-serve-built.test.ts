// The command line as a user runs it: the BUILT dist/cli.js (which bundles the
// server), serving the sign-in page together with the browser modules it loads.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

describe('agora-token-builder serve (built CLI)', () => {
  it('serves the page and both browser modules it loads from /assets/', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--demo', '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line: ${output}`)), 15_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('exit', (code) => reject(new Error(`serve exited with ${String(code)}: ${output}`)));
      });
      const page = await (await fetch(`${url}/`)).text();
      const assets = [...page.matchAll(/\/assets\/([\w.-]+\.js)/g)].map((m) => m[1]!);
      expect(new Set(assets)).toEqual(new Set(['agora-token-builder-client.js', 'agora-token-builder-web.js']));
      for (const asset of new Set(assets)) {
        const response = await fetch(`${url}/assets/${asset}`);
        expect(response.status, asset).toBe(200);
        expect(response.headers.get('content-type'), asset).toMatch(/^text\/javascript/);
        expect((await response.text()).length, asset).toBeGreaterThan(1000);
      }
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    }
  });
});
