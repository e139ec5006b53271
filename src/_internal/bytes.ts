// Little-endian packers for the token formats. The writer trusts its inputs
// (they were checked at the public boundary); the reader trusts nothing and
// reports every overrun as a malformed token.
import { AgoraTokenError } from '../errors.js';

/** A growable little-endian byte buffer. */
export class ByteWriter {
  private buffer: Buffer;
  private offset = 0;

  constructor(initialSize = 256) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  private reserve(size: number): void {
    const needed = this.offset + size;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }

  u16(value: number): this {
    this.reserve(2);
    this.offset = this.buffer.writeUInt16LE(value, this.offset);
    return this;
  }

  i16(value: number): this {
    this.reserve(2);
    this.offset = this.buffer.writeInt16LE(value, this.offset);
    return this;
  }

  u32(value: number): this {
    this.reserve(4);
    this.offset = this.buffer.writeUInt32LE(value, this.offset);
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
    const length = Buffer.byteLength(value, 'utf8');
    this.u16(length);
    this.reserve(length);
    this.offset += this.buffer.write(value, this.offset, length, 'utf8');
    return this;
  }

  /** `u16 count` + (`u16 key` + `u32 value`) for each entry, keys ascending. */
  map32(entries: ReadonlyArray<readonly [number, number]>): this {
    this.u16(entries.length);
    for (const [key, value] of entries) this.u16(key).u32(value);
    return this;
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }
}

function truncated(what: string): AgoraTokenError {
  return new AgoraTokenError('ERR_TOKEN_MALFORMED', `token is malformed: ${what} runs past the end of the content`);
}

/** A bounds-checked little-endian reader over token content. */
export class ByteReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  private take(size: number, what: string): number {
    if (this.remaining < size) throw truncated(what);
    const at = this.offset;
    this.offset += size;
    return at;
  }

  u16(what: string): number {
    return this.buffer.readUInt16LE(this.take(2, what));
  }

  i16(what: string): number {
    return this.buffer.readInt16LE(this.take(2, what));
  }

  u32(what: string): number {
    return this.buffer.readUInt32LE(this.take(4, what));
  }

  raw(size: number, what: string): Buffer {
    const at = this.take(size, what);
    return this.buffer.subarray(at, at + size);
  }

  bytes(what: string): Buffer {
    return this.raw(this.u16(`the length of ${what}`), what);
  }

  /** A length-prefixed string, which must be valid UTF-8. */
  string(what: string): string {
    const bytes = this.bytes(what);
    try {
      return UTF8.decode(bytes);
    } catch (cause) {
      throw new AgoraTokenError('ERR_TOKEN_MALFORMED', `token is malformed: ${what} is not valid UTF-8`, { cause });
    }
  }

  /** A u16-counted map of u16 keys to u32 values. */
  map32(what: string): Record<number, number> {
    const count = this.u16(`the size of ${what}`);
    const map: Record<number, number> = {};
    for (let i = 0; i < count; i++) {
      const key = this.u16(`a key of ${what}`);
      map[key] = this.u32(`a value of ${what}`);
    }
    return map;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
