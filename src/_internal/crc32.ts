// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as zlib computes it.

let table: Uint32Array | undefined;

function makeTable(): Uint32Array {
  const result = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    result[n] = c;
  }
  return result;
}

/** CRC-32 of `data`, an unsigned 32-bit number. */
export function crc32(data: Uint8Array): number {
  const t = (table ??= makeTable());
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
