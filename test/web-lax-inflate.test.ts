// The web entry on a runtime whose DecompressionStream does not notice a
// stream cut short and refuses bytes after the stream, as Deno's (2.9) does:
// found by the runtime matrix (npm run test:runtimes), where every genuine
// token came out as "bytes after the end of the zlib stream" on Deno. The
// stand-in below plays that DecompressionStream with node:zlib; the first
// test proves it is as lax as Deno's, so the others would fail without the
// entry's own checks.
import { constants, inflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as root from '../src/index.js';
import { rejection } from './helpers/entries.js';
import { TEST_APP_CERTIFICATE as CERT, TEST_APP_ID as APP_ID } from './helpers/vectors.js';

/** Inflates what it was given at the end: a cut stream gives what it has, bytes after the stream fail. */
class LaxDecompressionStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;

  constructor(format: string) {
    if (format !== 'deflate') throw new TypeError(`unsupported format ${format}`);
    const chunks: Uint8Array[] = [];
    const stream = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk) {
        chunks.push(chunk);
      },
      flush(controller) {
        const input = Buffer.concat(chunks);
        const { buffer, engine } = inflateSync(input, { finishFlush: constants.Z_SYNC_FLUSH, info: true }) as unknown as {
          buffer: Buffer;
          engine: { bytesWritten: number };
        };
        if (engine.bytesWritten < input.length) throw new Error('failed to write whole buffer');
        controller.enqueue(new Uint8Array(buffer));
      },
    });
    this.readable = stream.readable;
    this.writable = stream.writable;
  }
}

const TOKEN = root.ChatTokenBuilder2.buildUserToken(APP_ID, CERT, 'alice', 600, { issueTs: 1_700_000_000, salt: 7 });
const BODY = Buffer.from(TOKEN.slice(3), 'base64');
const token = (body: Uint8Array) => `007${Buffer.from(body).toString('base64')}`;

async function laxInflate(body: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([body]).stream().pipeThrough(new LaxDecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('the web entry where DecompressionStream accepts a cut stream (Deno)', () => {
  let web: typeof import('../src/web.js');

  beforeEach(async () => {
    vi.stubGlobal('DecompressionStream', LaxDecompressionStream);
    // A fresh module: the entry probes the runtime's DecompressionStream once.
    vi.resetModules();
    web = await import('../src/web.js');
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('the stand-in is that lax: it inflates the body without its checksum, and refuses bytes after it', async () => {
    const whole = await laxInflate(BODY);
    expect(Buffer.from(await laxInflate(BODY.subarray(0, BODY.length - 4)))).toEqual(Buffer.from(whole));
    await expect(laxInflate(Buffer.concat([BODY, Buffer.from([0])]))).rejects.toThrow('failed to write whole buffer');
  });

  it('decodes and verifies a genuine token as the root entry does', async () => {
    expect(await web.decodeToken(TOKEN)).toEqual(root.decodeToken(TOKEN));
    expect((await web.verifyToken(TOKEN, CERT, { now: 1_700_000_000 })).status).toBe('valid');
  });

  it.each([1, 2, 3, 4, 5, 8])('rejects the stream cut by %i bytes as malformed, as the root entry does', async (cut) => {
    const cutToken = token(BODY.subarray(0, BODY.length - cut));
    expect(() => root.decodeToken(cutToken)).toThrow(expect.objectContaining({ code: 'ERR_TOKEN_MALFORMED' }));
    const error = await rejection(() => web.decodeToken(cutToken));
    expect(error.code).toBe('ERR_TOKEN_MALFORMED');
    expect((await web.verifyToken(cutToken, CERT, { now: 1_700_000_000 })).status).toBe('malformed');
  });

  it('rejects a stream whose checksum is wrong', async () => {
    const bad = Buffer.from(BODY);
    bad[bad.length - 1]! ^= 1;
    expect((await rejection(() => web.decodeToken(token(bad)))).code).toBe('ERR_TOKEN_MALFORMED');
  });

  it('rejects bytes after the stream', async () => {
    const trailing = token(Buffer.concat([BODY, Buffer.from([0, 0, 0])]));
    expect((await rejection(() => web.decodeToken(trailing))).code).toBe('ERR_TOKEN_MALFORMED');
  });
});
