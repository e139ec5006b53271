// The platform seam: the primitives each platform provides, checked against
// published test values and Node's own implementations, and what each entry
// does when the runtime lacks one.
import { createHash, createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { base64DecodeCanonical, base64Encode } from '../src/_internal/base64.js';
import { crc32 } from '../src/_internal/crc32.js';
import { md5Hex } from '../src/_internal/md5.js';
import { createNodePlatform } from '../src/_internal/platform/node.js';
import { runWithPlatform } from '../src/_internal/platform/platform.js';
import { webPlatform } from '../src/_internal/platform/web.js';
import * as root from '../src/index.js';
import * as web from '../src/web.js';
import { rejection } from './helpers/entries.js';
import { TEST_APP_CERTIFICATE as CERT, TEST_APP_ID as APP_ID } from './helpers/vectors.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const ISSUE_TS = 1_700_000_000;
const TOKEN = root.ChatTokenBuilder2.buildUserToken(APP_ID, CERT, 'alice', 600, { issueTs: ISSUE_TS, salt: 7 });

describe('MD5 (RFC 1321, appendix A.5 test suite)', () => {
  const suite: ReadonlyArray<readonly [string, string]> = [
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
  ];
  it.each(suite)('MD5("%s") = %s, in the library and both platforms', (input, digest) => {
    expect(md5Hex(bytes(input))).toBe(digest);
    expect(webPlatform.md5Hex(bytes(input))).toBe(digest);
    expect(createNodePlatform().md5Hex(bytes(input))).toBe(digest);
  });

  it('agrees with node:crypto on any bytes, across the padding boundaries', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(md5Hex(data)).toBe(createHash('md5').update(data).digest('hex'));
      }),
    );
  });
});

describe('CRC-32 (IEEE 802.3)', () => {
  it.each([
    ['', 0],
    ['a', 0xe8b7be43],
    ['abc', 0x352441c2],
    ['123456789', 0xcbf43926],
    ['The quick brown fox jumps over the lazy dog', 0x414fa339],
  ])('CRC-32("%s") = %i, in the library and both platforms', (input, value) => {
    expect(crc32(bytes(input))).toBe(value);
    expect(webPlatform.crc32(bytes(input))).toBe(value);
    expect(createNodePlatform().crc32(bytes(input))).toBe(value);
  });
});

describe('HMAC-SHA256 of the Node platform (two one-shot hashes)', () => {
  it('equals createHmac for keys and messages of every length, keys over the 64-byte block included', () => {
    const platform = createNodePlatform();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.uint8Array({ maxLength: 700 }), (key, message) => {
        const expected = createHmac('sha256', key).update(message).digest('hex');
        expect(Buffer.from(platform.hmacSha256(key, message) as Uint8Array).toString('hex')).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('equals createHmac at the block edges (63, 64, 65 and 128-byte keys)', () => {
    const platform = createNodePlatform();
    for (const length of [1, 63, 64, 65, 128]) {
      const key = Uint8Array.from({ length }, (_, i) => (i * 37) & 0xff);
      const expected = createHmac('sha256', key).update('message').digest('hex');
      expect(Buffer.from(platform.hmacSha256(key, bytes('message')) as Uint8Array).toString('hex')).toBe(expected);
    }
  });

  it('falls back to createHmac where crypto.hash is missing, with the same result', () => {
    const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
    const platform = createNodePlatform();
    const spy = vi.spyOn(process, 'getBuiltinModule').mockImplementation(((id: string) =>
      id === 'node:crypto' ? { ...crypto, hash: undefined } : createRequire(import.meta.url)(id)) as typeof process.getBuiltinModule);
    try {
      const key = bytes('key');
      expect(Buffer.from(platform.hmacSha256(key, bytes('data')) as Uint8Array).toString('hex')).toBe(
        createHmac('sha256', 'key').update('data').digest('hex'),
      );
    } finally {
      spy.mockRestore();
    }
  });
});

describe('base64', () => {
  it('encodes as Node does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (data) => {
        expect(base64Encode(data)).toBe(Buffer.from(data).toString('base64'));
      }),
    );
  });

  it('decodes exactly the canonical spellings, as the Node platform does', () => {
    const node = createNodePlatform();
    const alphabetText = fc.string({
      unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ '.split('')),
      minLength: 1,
      maxLength: 24,
    });
    fc.assert(
      fc.property(alphabetText, (text) => {
        const ours = base64DecodeCanonical(text);
        const theirs = node.base64Decode(text);
        expect(ours === undefined).toBe(theirs === undefined);
        if (ours !== undefined) expect(Buffer.from(ours).equals(Buffer.from(theirs!))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), (data) => {
        const text = Buffer.from(data).toString('base64');
        expect(Buffer.from(base64DecodeCanonical(text)!).equals(Buffer.from(data))).toBe(true);
      }),
    );
  });
});

describe('salts of the web platform', () => {
  it('are integers in 1..99999999', () => {
    for (let i = 0; i < 2000; i++) {
      const salt = webPlatform.randomSalt();
      expect(Number.isInteger(salt) && salt >= 1 && salt <= 99_999_999).toBe(true);
    }
  });
});

describe('the web entry without a primitive', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('rejects with ERR_PLATFORM_UNSUPPORTED naming crypto.subtle (a plain-http page), never a verdict', async () => {
    vi.stubGlobal('crypto', { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) });
    const build = await rejection(() => web.ChatTokenBuilder2.buildUserToken(APP_ID, CERT, 'alice', 600));
    expect(build.code).toBe('ERR_PLATFORM_UNSUPPORTED');
    expect(build.message).toContain('crypto.subtle');
    const verify = await rejection(() => web.verifyToken(TOKEN, CERT, { now: ISSUE_TS }));
    expect(verify.code).toBe('ERR_PLATFORM_UNSUPPORTED');
    expect(verify.message).toContain('crypto.subtle');
    // Decoding needs no HMAC, so it still works.
    expect((await web.decodeToken(TOKEN)).salt).toBe(7);
  });

  it('rejects decode and verify with ERR_PLATFORM_UNSUPPORTED naming DecompressionStream', async () => {
    vi.stubGlobal('DecompressionStream', undefined);
    const decode = await rejection(() => web.decodeToken(TOKEN));
    expect(decode.code).toBe('ERR_PLATFORM_UNSUPPORTED');
    expect(decode.message).toContain('DecompressionStream');
    const verify = await rejection(() => web.verifyToken(TOKEN, CERT, { now: ISSUE_TS }));
    expect(verify.code).toBe('ERR_PLATFORM_UNSUPPORTED');
    // 006 tokens are not compressed, so they still verify.
    const token006 = root.RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, 'room', 1, root.RtcRole006.PUBLISHER, 0, {
      issueTs: ISSUE_TS,
      salt: 1,
    });
    expect((await web.verifyToken(token006, CERT, { now: ISSUE_TS, channelName: 'room', uid: 1 })).status).toBe('valid');
  });

  it('rejects builds with ERR_PLATFORM_UNSUPPORTED naming CompressionStream', async () => {
    vi.stubGlobal('CompressionStream', undefined);
    const error = await rejection(() => web.ChatTokenBuilder2.buildAppToken(APP_ID, CERT, 600));
    expect(error.code).toBe('ERR_PLATFORM_UNSUPPORTED');
    expect(error.message).toContain('CompressionStream');
  });

  it('throws ERR_PLATFORM_UNSUPPORTED naming crypto.getRandomValues when a salt must be drawn', async () => {
    vi.stubGlobal('crypto', undefined);
    const error = await rejection(() => new web.AccessToken2(APP_ID, CERT, 600));
    expect(error.code).toBe('ERR_PLATFORM_UNSUPPORTED');
    expect(error.message).toContain('crypto.getRandomValues');
    // A fixed salt needs no random source.
    expect(new web.AccessToken2(APP_ID, CERT, 600, { salt: 1 }).salt).toBe(1);
  });
});

describe('the root entry without node:zlib', () => {
  it('reports ERR_PLATFORM_UNSUPPORTED naming node:zlib, not a malformed token', () => {
    const spy = vi.spyOn(process, 'getBuiltinModule').mockImplementation(((id: string) =>
      id === 'node:zlib' ? undefined : createRequire(import.meta.url)(id)) as typeof process.getBuiltinModule);
    try {
      const platform = createNodePlatform();
      let decodeError: unknown;
      try {
        runWithPlatform(platform, () => root.decodeToken(TOKEN));
      } catch (error) {
        decodeError = error;
      }
      expect(decodeError).toBeInstanceOf(root.AgoraTokenError);
      expect((decodeError as root.AgoraTokenError).code).toBe('ERR_PLATFORM_UNSUPPORTED');
      expect((decodeError as root.AgoraTokenError).message).toContain('node:zlib');
      expect(() => runWithPlatform(platform, () => root.verifyToken(TOKEN, CERT, { now: ISSUE_TS }))).toThrow(
        expect.objectContaining({ code: 'ERR_PLATFORM_UNSUPPORTED' }),
      );
    } finally {
      spy.mockRestore();
    }
  });
});

describe('the web entry inflates as the root does', () => {
  const content = Buffer.from(
    new root.AccessToken2(APP_ID, CERT, 600, { issueTs: ISSUE_TS, salt: 7 })
      .addService({ type: root.ServiceType.Chat, userId: 'alice', privileges: { 1: 600 } })
      .content(),
  );

  it('rejects bytes after the zlib stream with the same message', async () => {
    for (const extra of [[0], [1, 2, 3], Array.from(deflateSync(content))]) {
      const token = `007${Buffer.concat([deflateSync(content), Buffer.from(extra)]).toString('base64')}`;
      const error = await rejection(() => web.decodeToken(token));
      expect(error.code).toBe('ERR_TOKEN_MALFORMED');
      expect(error.message).toContain('bytes after the end of the zlib stream');
      expect(() => root.decodeToken(token)).toThrow(error.message);
    }
  });

  it('stops at the 1 MiB cap with ERR_TOKEN_TOO_LARGE', async () => {
    const over = `007${deflateSync(Buffer.alloc(root.MAX_CONTENT_BYTES + 1)).toString('base64')}`;
    expect((await rejection(() => web.decodeToken(over))).code).toBe('ERR_TOKEN_TOO_LARGE');
    const at = `007${deflateSync(Buffer.alloc(root.MAX_CONTENT_BYTES)).toString('base64')}`;
    expect((await rejection(() => web.decodeToken(at))).code).toBe('ERR_TOKEN_MALFORMED');
  });
});

describe('AgoraTokenError across the built entries', () => {
  it('is recognised by instanceof from the other entry, ESM and CommonJS', async () => {
    const require = createRequire(import.meta.url);
    const builtRoot = (await import(/* @vite-ignore */ new URL('../dist/index.js', import.meta.url).href)) as typeof root;
    const builtWeb = (await import(/* @vite-ignore */ new URL('../dist/web.js', import.meta.url).href)) as typeof web;
    const builtWebCjs = require('../dist/web.cjs') as typeof web;
    expect(builtWeb.AgoraTokenError).not.toBe(builtRoot.AgoraTokenError);
    let fromWeb: unknown;
    try {
      await builtWeb.ChatTokenBuilder2.buildUserToken(APP_ID, CERT, '', 600);
    } catch (error) {
      fromWeb = error;
    }
    let fromRoot: unknown;
    try {
      builtRoot.ChatTokenBuilder2.buildUserToken(APP_ID, CERT, '', 600);
    } catch (error) {
      fromRoot = error;
    }
    expect(fromWeb instanceof builtRoot.AgoraTokenError).toBe(true);
    expect(fromWeb instanceof builtWebCjs.AgoraTokenError).toBe(true);
    expect(fromRoot instanceof builtWeb.AgoraTokenError).toBe(true);
    expect(fromRoot instanceof builtWebCjs.AgoraTokenError).toBe(true);
    expect((fromWeb as root.AgoraTokenError).code).toBe((fromRoot as root.AgoraTokenError).code);
  });

  it('the server and client errors are AgoraTokenError subclasses across the built entries, ESM and CommonJS', async () => {
    const require = createRequire(import.meta.url);
    const load = async (file: string) => (await import(/* @vite-ignore */ new URL(file, import.meta.url).href)) as Record<string, unknown>;
    type Class = abstract new (...args: never[]) => unknown;
    const roots = [await load('../dist/index.js'), require('../dist/index.cjs') as Record<string, unknown>, await load('../dist/web.js')];
    const servers = [await load('../dist/server/index.js'), require('../dist/server/index.cjs') as Record<string, unknown>];
    const clients = [await load('../dist/client/index.js'), require('../dist/client/index.cjs') as Record<string, unknown>];
    expect(servers[0]!.UsersFileError).not.toBe(servers[1]!.UsersFileError);
    const errors: { kind: string; error: unknown }[] = [];
    for (const server of servers) {
      const UsersFileError = server.UsersFileError as new (code: string, message: string) => Error;
      const AgoraChatError = server.AgoraChatError as new (code: string, message: string) => Error;
      errors.push({ kind: 'UsersFileError', error: new UsersFileError('ERR_USER_EXISTS', 'x') });
      errors.push({ kind: 'AgoraChatError', error: new AgoraChatError('ERR_CHAT_AUTH', 'x') });
      // One thrown by a function of the built server entry, not only constructed.
      try {
        (server.parseUsersFile as (document: unknown, path: string) => unknown)([], 'users.json');
      } catch (error) {
        errors.push({ kind: 'UsersFileError', error });
      }
    }
    for (const client of clients) {
      const TokenClientError = client.TokenClientError as new (code: string, status: number, message: string) => Error;
      errors.push({ kind: 'TokenClientError', error: new TokenClientError('session_expired', 401, 'x') });
    }
    expect(errors).toHaveLength(8);
    const plain = new (roots[0]!.AgoraTokenError as new (code: string, message: string) => Error)('ERR_INVALID_ARGUMENT', 'x');
    for (const { kind, error } of [...errors, { kind: 'AgoraTokenError', error: plain }]) {
      for (const root of roots) expect(error instanceof (root.AgoraTokenError as Class)).toBe(true);
      for (const entry of [...servers, ...clients]) {
        for (const name of ['UsersFileError', 'AgoraChatError', 'TokenClientError']) {
          if (entry[name] !== undefined) expect(error instanceof (entry[name] as Class), `${kind} instanceof ${name}`).toBe(name === kind);
        }
      }
    }
  });

  it('the built web entry imports nothing and names no Node global', async () => {
    const { readFileSync } = await import('node:fs');
    for (const file of ['../dist/web.js', '../dist/web.cjs']) {
      // The code, without its comments (TSDoc examples show imports).
      const text = readFileSync(new URL(file, import.meta.url), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      expect(text.length).toBeGreaterThan(10_000);
      expect(text).not.toMatch(/\bimport\s*\(|\bfrom\s*['"]|\brequire\(/);
      expect(text).not.toMatch(/\bBuffer\b|\bprocess\b|node:/);
    }
  });

  it('the built root entry keeps the node: prefix on its one import', async () => {
    const { readFileSync } = await import('node:fs');
    for (const file of ['../dist/index.js', '../dist/index.cjs', '../dist/compat/agora-token.js', '../dist/server/index.js']) {
      const text = readFileSync(new URL(file, import.meta.url), 'utf8');
      expect(text).not.toMatch(/from\s*["'](module|crypto|zlib|buffer|http|fs|path)["']|require\(["'](module|crypto|zlib|buffer)["']\)/);
    }
  });
});
