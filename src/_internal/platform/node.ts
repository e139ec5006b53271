// The root entry's platform: synchronous, from node:crypto, node:zlib and
// node:buffer. Nothing here runs at import: each built-in is loaded on its
// first use, through process.getBuiltinModule (Node >= 20.16) or the
// `require` the entry passes in (Node 20.15), and a runtime without it gets
// ERR_PLATFORM_UNSUPPORTED naming the module, never a wrong verdict.
import { crc32 as crc32Table } from '../crc32.js';
import { unsupported, type InflateResult, type Platform } from './platform.js';

type Crypto = typeof import('node:crypto');
type Zlib = typeof import('node:zlib');
type BufferModule = typeof import('node:buffer');
type NodeBuffer = import('node:buffer').Buffer;

/** Loads a Node built-in by its `node:` name, or returns undefined. */
export type BuiltinLoader = (id: string) => unknown;

const BLOCK = 64; // SHA-256 block size, in bytes
const IPAD = 0x36;
const OPAD = 0x5c;

// Output is gathered in chunks of this size: token content fits in one or two,
// and a chunk this small comes from Node's buffer pool.
const INFLATE_CHUNK = 1024;

/**
 * True when `data` can start a zlib stream (RFC 1950): deflate with a window
 * of at most 32 KiB, a valid header check, no preset dictionary, and room for
 * the smallest deflate block and the checksum.
 */
function hasZlibHeader(data: Uint8Array): boolean {
  if (data.length < 8) return false;
  const cmf = data[0]!;
  const flg = data[1]!;
  return (cmf & 0x0f) === 8 && cmf >>> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0 && (flg & 0x20) === 0;
}

/** The Node platform; `fallback` loads built-ins where process.getBuiltinModule is missing. */
export function createNodePlatform(fallback?: BuiltinLoader): Platform {
  let crypto: Crypto | undefined;
  let zlib: Zlib | undefined;
  let BufferClass: BufferModule['Buffer'] | undefined;

  function load(id: string, purpose: string): unknown {
    let module: unknown;
    try {
      const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
      module = typeof process?.getBuiltinModule === 'function' ? process.getBuiltinModule(id) : fallback?.(id);
    } catch {
      module = undefined;
    }
    if (module === undefined || module === null) throw unsupported(`${id} module`, purpose);
    return module;
  }
  const nodeCrypto = (): Crypto => (crypto ??= load('node:crypto', 'HMAC-SHA256 and random salts') as Crypto);
  const nodeZlib = (): Zlib => (zlib ??= load('node:zlib', 'deflate and inflate') as Zlib);
  const NodeBuffer = (): BufferModule['Buffer'] =>
    (BufferClass ??= (load('node:buffer', 'base64') as BufferModule).Buffer);

  function asBuffer(data: Uint8Array): NodeBuffer {
    const B = NodeBuffer();
    return B.isBuffer(data) ? data : B.from(data.buffer, data.byteOffset, data.byteLength);
  }

  // HMAC-SHA256 from two one-shot hashes (RFC 2104): H(K^opad || H(K^ipad || m)),
  // K the key zero-padded to the block (or its hash when longer). It saves
  // the createHmac object of each call; the digests come back as 'latin1'
  // strings, which cost less than Buffers, into scratch buffers reused from
  // call to call (the computation is synchronous).
  let hash: Crypto['hash'] | undefined | null = null;
  let inner: NodeBuffer | undefined;
  // Plain Uint8Array views of `inner`'s first bytes, by length: what gets
  // hashed. A Buffer's own subarray costs more than hashing a short message.
  let innerViews: Uint8Array[] = [];
  let outer: NodeBuffer | undefined;
  function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
    if (hash === null) {
      const candidate = nodeCrypto().hash;
      hash = typeof candidate === 'function' ? candidate : undefined;
    }
    if (hash === undefined) return nodeCrypto().createHmac('sha256', key).update(message).digest();
    const B = NodeBuffer();
    const k = key.length > BLOCK ? hash('sha256', key, 'buffer') : key;
    const length = BLOCK + message.length;
    if (inner === undefined || inner.length < length) {
      inner = B.allocUnsafeSlow(Math.max(length, 512));
      innerViews = [];
    }
    outer ??= B.allocUnsafeSlow(BLOCK + 32);
    for (let i = 0; i < BLOCK; i++) {
      const byte = i < k.length ? k[i]! : 0;
      inner[i] = byte ^ IPAD;
      outer[i] = byte ^ OPAD;
    }
    inner.set(message, BLOCK);
    // 'binary' is Node's other name for 'latin1'.
    let view = innerViews[length];
    if (view === undefined) {
      view = new Uint8Array(inner.buffer, inner.byteOffset, length);
      if (length <= 512) innerViews[length] = view;
    }
    outer.write(hash('sha256', view, 'binary'), BLOCK, 'latin1');
    const digest = B.allocUnsafe(32);
    digest.write(hash('sha256', outer, 'binary'), 0, 'latin1');
    return digest;
  }

  function inflate(data: Uint8Array, maxBytes: number): InflateResult {
    const z = nodeZlib();
    // A failed inflateSync keeps its engine alive until the next tick (Node
    // schedules the engine's error and close events), so a synchronous loop
    // over bad tokens grows the process. Input without a zlib header never
    // gets an engine, and the engines that fail hold small output buffers.
    if (!hasZlibHeader(data)) return { failure: 'corrupt' };
    let result: { buffer: NodeBuffer; engine: { bytesWritten: number } };
    try {
      result = z.inflateSync(data, { info: true, maxOutputLength: maxBytes, chunkSize: INFLATE_CHUNK }) as unknown as typeof result;
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') return { failure: 'too-large', cause };
      if (typeof (cause as { errno?: unknown }).errno === 'number') return { failure: 'corrupt', cause };
      throw cause;
    }
    if (result.engine.bytesWritten !== data.length) return { failure: 'trailing-bytes' };
    return { bytes: result.buffer };
  }

  return {
    hmacSha256,
    deflate: (data) => nodeZlib().deflateSync(data),
    inflate,
    randomSalt: () => nodeCrypto().randomInt(1, 100_000_000),
    crc32: (data) => {
      const z = nodeZlib();
      return typeof z.crc32 === 'function' ? z.crc32(data) : crc32Table(data);
    },
    md5Hex: (data) => nodeCrypto().createHash('md5').update(data).digest('hex'),
    timingSafeEqual: (a, b) => a.length === b.length && nodeCrypto().timingSafeEqual(a, b),
    base64Encode: (data) => asBuffer(data).toString('base64'),
    base64Decode: (text) => {
      // Node's decoder is lenient; re-encoding gives back `text` exactly when
      // it was canonical standard padded base64.
      const bytes = NodeBuffer().from(text, 'base64');
      return bytes.toString('base64') === text ? bytes : undefined;
    },
  };
}
