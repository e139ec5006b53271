// Which field of a packed token a byte belongs to: the spans of a 007
// content (docs/format.md section 2) or a 006 content (section 4), read from
// a well-formed expected payload. Used to name the field where an answer's
// bytes first differ from the vectors' (a key-order difference, a field
// packed in the wrong place, a wrong charset), even when every decoded field
// looks equal.

/** One named run of bytes: [start, end). */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly field: string;
}

class Reader {
  readonly spans: Span[] = [];
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  private take(length: number, field: string): number {
    const start = this.offset;
    if (start + length > this.bytes.length) throw new RangeError('past the end');
    this.offset += length;
    if (length > 0) this.spans.push({ start, end: this.offset, field });
    return start;
  }
  u16(field: string): number {
    const at = this.take(2, field);
    return this.bytes[at]! | (this.bytes[at + 1]! << 8);
  }
  u32(field: string): number {
    const at = this.take(4, field);
    return (this.bytes[at]! | (this.bytes[at + 1]! << 8) | (this.bytes[at + 2]! << 16) | (this.bytes[at + 3]! << 24)) >>> 0;
  }
  bytesField(field: string): void {
    const length = this.u16(`${field} (length)`);
    this.take(length, field);
  }
  map32(field: string): void {
    const count = this.u16(`${field} (count)`);
    for (let i = 0; i < count; i++) {
      const key = this.u16(`${field} (key #${i + 1})`);
      this.u32(`${field}["${key}"]`);
    }
  }
  get done(): boolean {
    return this.offset >= this.bytes.length;
  }
}

/** Field names after the privileges, by 007 service type. */
const SERVICE_FIELDS: Record<number, string[]> = {
  1: ['channelName', 'uid'],
  2: ['userId'],
  3: ['channelName', 'account'],
  4: [],
  5: ['userId'],
  6: ['channelName', 'account'],
  7: ['roomUuid', 'userUuid'],
  8: ['userId'],
  9: [],
  10: [],
};

/** The spans of a 007 content; as far as it reads, if it is not well-formed. */
export function spans007(content: Uint8Array): Span[] {
  const r = new Reader(content);
  try {
    r.bytesField('signature');
    r.bytesField('appId');
    r.u32('issueTs');
    r.u32('expire');
    r.u32('salt');
    const count = r.u16('services (count)');
    for (let i = 0; i < count && !r.done; i++) {
      const name = `services[${i}]`;
      const type = r.u16(`${name}.type`);
      r.map32(`${name}.privileges`);
      const fields = SERVICE_FIELDS[type];
      if (fields === undefined) break;
      for (const field of fields) r.bytesField(`${name}.${field}`);
      if (type === 7) r.u16(`${name}.role`);
      if (type === 8) {
        const resourceTypes = r.u16(`${name}.permissions (count)`);
        for (let t = 0; t < resourceTypes; t++) {
          const resourceType = r.u16(`${name}.permissions (resource type #${t + 1})`);
          const permissionTypes = r.u16(`${name}.permissions["${resourceType}"] (count)`);
          for (let p = 0; p < permissionTypes; p++) {
            const permissionType = r.u16(`${name}.permissions["${resourceType}"] (permission type #${p + 1})`);
            const where = `${name}.permissions["${resourceType}"]["${permissionType}"]`;
            const resources = r.u16(`${where} (count)`);
            for (let k = 0; k < resources; k++) r.bytesField(`${where}[${k}]`);
          }
        }
      }
    }
  } catch {
    // A truncated content: the spans read so far.
  }
  return r.spans;
}

/** The spans of a 006 content (after the "006" and the App ID, base64-decoded). */
export function spans006(content: Uint8Array): Span[] {
  const r = new Reader(content);
  try {
    r.bytesField('signature');
    r.u32('crcChannelName');
    r.u32('crcUid');
    r.u16('message (length)');
    r.u32('salt');
    r.u32('ts');
    r.map32('privileges');
  } catch {
    // A truncated content: the spans read so far.
  }
  return r.spans;
}

/** The field a byte offset falls in, or undefined past the spans. */
export function fieldAt(spans: readonly Span[], offset: number): string | undefined {
  return spans.find((span) => offset >= span.start && offset < span.end)?.field;
}

const hexByte = (bytes: Uint8Array, at: number) => (at < bytes.length ? bytes[at]!.toString(16).padStart(2, '0') : 'end');

/**
 * Where two packed contents first differ: the byte offset, the field of the
 * expected content it falls in, and both bytes; undefined when they are equal.
 * The signature comes first on the wire and changes with any other byte, so
 * the bytes after it are compared first: a signature is named only when
 * everything it signs is equal.
 */
export function firstDifference(
  label: string,
  got: Uint8Array,
  expected: Uint8Array,
  layout: (content: Uint8Array) => Span[],
): string | undefined {
  const spans = layout(expected);
  const signature = spans.find((span) => span.field === 'signature');
  const sameSignatureLength = got.length >= 2 && expected.length >= 2 && got[0] === expected[0] && got[1] === expected[1];
  const from = (start: number) => {
    let i = start;
    while (i < got.length && i < expected.length && got[i] === expected[i]) i++;
    return i === got.length && i === expected.length ? undefined : i;
  };
  let at = signature !== undefined && sameSignatureLength ? from(signature.end) : from(0);
  if (at === undefined && signature !== undefined && sameSignatureLength) at = from(0);
  if (at === undefined) return undefined;
  const field = fieldAt(spans, at);
  return (
    `bytes: the ${label} (${got.length} bytes, expected ${expected.length}) first differs at byte ${at}, ` +
    `${field === undefined ? 'past the end of the expected content' : `in ${field}`}: got ${hexByte(got, at)}, expected ${hexByte(expected, at)}`
  );
}
