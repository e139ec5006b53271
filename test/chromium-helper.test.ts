// How the browser tests find Chromium (test/helpers/chromium.ts, shared with
// scripts/runtimes.mjs and .ci/run): CHROMIUM first, then PATH, then
// /usr/bin/chromium, and a message naming all three when none is there.
// Real files in a temporary folder stand for the executables.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_DEFAULT, findChromium } from './helpers/chromium.js';

describe('finding Chromium', () => {
  let dir: string;
  let bin1: string;
  let bin2: string;

  function fakeBinary(folder: string, name: string, mode = 0o755): string {
    mkdirSync(folder, { recursive: true });
    const file = join(folder, name);
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, mode);
    return file;
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'atb-chromium-'));
    bin1 = join(dir, 'bin1');
    bin2 = join(dir, 'bin2');
    fakeBinary(bin1, 'google-chrome');
    fakeBinary(bin2, 'chromium-browser');
    fakeBinary(bin2, 'chromium', 0o644); // not executable: passed over
    fakeBinary(dir, 'my-chromium');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the CHROMIUM environment variable before PATH', () => {
    const found = findChromium({ CHROMIUM: join(dir, 'my-chromium'), PATH: `${bin1}${delimiter}${bin2}` });
    expect(found).toEqual({ path: join(dir, 'my-chromium'), from: 'CHROMIUM' });
  });

  it('refuses a CHROMIUM that names no executable file, naming it, instead of looking elsewhere', () => {
    const found = findChromium({ CHROMIUM: join(dir, 'missing'), PATH: bin1 });
    expect(found.path).toBeUndefined();
    expect(found).toHaveProperty('message', expect.stringContaining(`CHROMIUM=${join(dir, 'missing')} is not an executable file`));
  });

  it('searches PATH by name in the order chromium, chromium-browser, google-chrome, skipping files that are not executable', () => {
    // bin2/chromium is not executable; bin2/chromium-browser comes before bin1/google-chrome by name.
    expect(findChromium({ PATH: `${bin1}${delimiter}${bin2}` })).toEqual({ path: join(bin2, 'chromium-browser'), from: 'PATH' });
    expect(findChromium({ PATH: bin1 })).toEqual({ path: join(bin1, 'google-chrome'), from: 'PATH' });
  });

  it('falls back to /usr/bin/chromium when PATH has none', () => {
    const isExecutable = (file: string) => file === CHROMIUM_DEFAULT;
    expect(findChromium({ PATH: join(dir, 'empty') }, isExecutable)).toEqual({ path: '/usr/bin/chromium', from: 'default' });
  });

  it('names the environment variable, the three names on PATH and /usr/bin/chromium when none is there', () => {
    const found = findChromium({ PATH: join(dir, 'empty') }, () => false);
    expect(found.path).toBeUndefined();
    const message = (found as { message: string }).message;
    for (const part of ['CHROMIUM', 'chromium, chromium-browser, google-chrome on PATH', '/usr/bin/chromium']) expect(message).toContain(part);
  });
});
