// Little-endian packers for the token formats, on Uint8Array alone. The writer
// trusts its inputs (they were checked at the public boundary); the reader
// trusts nothing and reports every overrun as a malformed token.
import { AgoraTokenError } from '../errors.js';

const UTF8_ENCODER = /* @__PURE__ */ new TextEncoder();
const UTF8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The UTF-8 bytes of a string. */
export function utf8(value: string): Uint8Array {
  return UTF8_ENCODER.encode(value);
}

/** The UTF-8 byte length of a string (a lone surrogate counts as U+FFFD, 3 bytes). */
export function utf8Length(value: string): number {
  let length = value.length;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) length += 1;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 2; // a pair: 2 units, 4 bytes
      i++;
    } else length += 2;
  }
  return length;
}

// Small results are carved from a shared block, as Node's Buffer pool does:
// a fresh ArrayBuffer per token costs more than the packing itself. Each
// region is handed out once, so it starts zeroed and is never shared.
const POOL_SIZE = 16 * 1024;
let pool = new Uint8Array(0);
let poolOffset = 0;

/** A zeroed Uint8Array of `size` bytes of its own. */
export function allocBytes(size: number): Uint8Array {
  if (size > POOL_SIZE >>> 2) return new Uint8Array(size);
  if (poolOffset + size > pool.length) {
    pool = new Uint8Array(POOL_SIZE);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + size);
  poolOffset += (size + 7) & ~7;
  return bytes;
}

/** Four bytes of a u32, little-endian. */
export function u32le(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  bytes[0] = value & 0xff;
  bytes[1] = (value >>> 8) & 0xff;
  bytes[2] = (value >>> 16) & 0xff;
  bytes[3] = value >>> 24;
  return bytes;
}

/** Concatenation of byte strings. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const result = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

const HEX_DIGITS = /* @__PURE__ */ Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += HEX_DIGITS[bytes[i]!];
  return text;
}

// One scratch buffer for writers: packing is synchronous and a writer's
// result is copied out by finish(), so writers take turns with it.
let scratch: Uint8Array | undefined = new Uint8Array(512);

/** A growable little-endian byte buffer. */
export class ByteWriter {
  private buffer: Uint8Array;
  private offset = 0;
  private borrowed: boolean;

  constructor(initialSize = 256) {
    const shared = scratch;
    this.borrowed = shared !== undefined && shared.length >= initialSize;
    if (this.borrowed) scratch = undefined;
    this.buffer = this.borrowed ? shared! : new Uint8Array(initialSize);
  }

  private reserve(size: number): void {
    const needed = this.offset + size;
    if (needed <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(needed, this.buffer.length * 2));
    grown.set(this.buffer.subarray(0, this.offset));
    if (this.borrowed) {
      scratch = this.buffer;
      this.borrowed = false;
    }
    this.buffer = grown;
  }

  u16(value: number): this {
    this.reserve(2);
    const buffer = this.buffer;
    buffer[this.offset++] = value & 0xff;
    buffer[this.offset++] = (value >>> 8) & 0xff;
    return this;
  }

  i16(value: number): this {
    return this.u16(value & 0xffff);
  }

  u32(value: number): this {
    this.reserve(4);
    const buffer = this.buffer;
    buffer[this.offset++] = value & 0xff;
    buffer[this.offset++] = (value >>> 8) & 0xff;
    buffer[this.offset++] = (value >>> 16) & 0xff;
    buffer[this.offset++] = value >>> 24;
    return this;
  }

  /** Raw bytes, no length prefix. */
  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.offset);
    this.offset += bytes.length;
    return this;
  }

  /** `u16 length` + bytes. */
  bytes(bytes: Uint8Array): this {
    return this.u16(bytes.length).raw(bytes);
  }

  /** `u16 byteLength` + the UTF-8 bytes of a string. */
  string(value: string): this {
    const length = value.length;
    this.reserve(2 + length);
    const buffer = this.buffer;
    const start = this.offset + 2;
    // ASCII, the usual case, is copied unit by unit; anything else is encoded.
    let i = 0;
    for (; i < length; i++) {
      const unit = value.charCodeAt(i);
      if (unit >= 0x80) break;
      buffer[start + i] = unit;
    }
    if (i === length) return this.u16(length).skip(length);
    const encoded = UTF8_ENCODER.encode(value);
    return this.u16(encoded.length).raw(encoded);
  }

  private skip(size: number): this {
    this.offset += size;
    return this;
  }

  /** `u16 count` + (`u16 key` + `u32 value`) for each entry, keys ascending. */
  map32(entries: ReadonlyArray<readonly [number, number]>): this {
    this.u16(entries.length);
    for (const [key, value] of entries) this.u16(key).u32(value);
    return this;
  }

  /** The bytes written, in an array of their own; the writer is done after this. */
  finish(): Uint8Array {
    const bytes = allocBytes(this.offset);
    bytes.set(this.buffer.subarray(0, this.offset));
    if (this.borrowed) {
      scratch = this.buffer;
      this.borrowed = false;
    }
    return bytes;
  }
}

function truncated(what: string): AgoraTokenError {
  return new AgoraTokenError('ERR_TOKEN_MALFORMED', `token is malformed: ${what} runs past the end of the content`);
}

/** A bounds-checked little-endian reader over token content. */
export class ByteReader {
  private offset = 0;

  constructor(private readonly buffer: Uint8Array) {}

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  // `what` names the field in the error of a truncated read; `prefix`, put in
  // front of it only then, saves building the message on every read.
  private take(size: number, what: string, prefix?: string): number {
    if (this.remaining < size) throw truncated(prefix === undefined ? what : prefix + what);
    const at = this.offset;
    this.offset += size;
    return at;
  }

  u16(what: string, prefix?: string): number {
    const at = this.take(2, what, prefix);
    return this.buffer[at]! | (this.buffer[at + 1]! << 8);
  }

  i16(what: string): number {
    return (this.u16(what) << 16) >> 16;
  }

  u32(what: string, prefix?: string): number {
    const at = this.take(4, what, prefix);
    const b = this.buffer;
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x100_0000;
  }

  raw(size: number, what: string): Uint8Array {
    const at = this.take(size, what);
    return this.buffer.subarray(at, at + size);
  }

  bytes(what: string): Uint8Array {
    return this.raw(this.u16(what, 'the length of '), what);
  }

  /** A length-prefixed string, which must be valid UTF-8. */
  string(what: string): string {
    const bytes = this.bytes(what);
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii && bytes.length <= 1024) return String.fromCharCode.apply(null, bytes as unknown as number[]);
    try {
      return UTF8.decode(bytes);
    } catch (cause) {
      throw new AgoraTokenError('ERR_TOKEN_MALFORMED', `token is malformed: ${what} is not valid UTF-8`, { cause });
    }
  }

  /** A u16-counted map of u16 keys to u32 values. */
  map32(what: string): Record<number, number> {
    const count = this.u16(what, 'the size of ');
    const map: Record<number, number> = {};
    for (let i = 0; i < count; i++) {
      const key = this.u16(what, 'a key of ');
      map[key] = this.u32(what, 'a value of ');
    }
    return map;
  }
}
