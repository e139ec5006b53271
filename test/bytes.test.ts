// The packers at their limits: u16/u32/i16 bounds, 65,535- and 65,536-byte
// strings, 65,535- and 65,536-item lists. Expected bytes are written out by
// hand from SPEC (little-endian, `bytes(x)` = u16 length + bytes).
import { describe, expect, it } from 'vitest';
import {
  assertCount,
  assertI16,
  assertPackableString,
  assertU16,
  assertU32,
} from '../src/_internal/assert.js';
import { ByteReader, ByteWriter } from '../src/_internal/bytes.js';
import { AccessToken2, AgoraTokenError, ServiceType } from '../src/index.js';
import { decode007 } from './helpers/decode.js';
import { TEST_APP_CERTIFICATE, TEST_APP_ID } from './helpers/vectors.js';
import { catchAgoraTokenError } from './helpers/errors.js';

const hex = (writer: ByteWriter) => Buffer.from(writer.finish()).toString('hex');
const reader = (hexBytes: string) => new ByteReader(Buffer.from(hexBytes, 'hex'));


describe('ByteWriter', () => {
  it('writes u16 little-endian across its whole range', () => {
    expect(hex(new ByteWriter().u16(0))).toBe('0000');
    expect(hex(new ByteWriter().u16(0x1234))).toBe('3412');
    expect(hex(new ByteWriter().u16(0x7fff))).toBe('ff7f');
    expect(hex(new ByteWriter().u16(0x8000))).toBe('0080');
    expect(hex(new ByteWriter().u16(65_535))).toBe('ffff');
  });

  it('writes u32 little-endian across its whole range, sign bit included', () => {
    expect(hex(new ByteWriter().u32(0))).toBe('00000000');
    expect(hex(new ByteWriter().u32(0x12345678))).toBe('78563412');
    expect(hex(new ByteWriter().u32(0x7fff_ffff))).toBe('ffffff7f');
    expect(hex(new ByteWriter().u32(0x8000_0000))).toBe('00000080');
    expect(hex(new ByteWriter().u32(0xffff_ffff))).toBe('ffffffff');
  });

  it('writes i16 as two\u2019s complement', () => {
    expect(hex(new ByteWriter().i16(-32_768))).toBe('0080');
    expect(hex(new ByteWriter().i16(-1))).toBe('ffff');
    expect(hex(new ByteWriter().i16(0))).toBe('0000');
    expect(hex(new ByteWriter().i16(32_767))).toBe('ff7f');
  });

  it('writes bytes(x) as the UTF-8 byte length, not the character count', () => {
    expect(hex(new ByteWriter().string(''))).toBe('0000');
    expect(hex(new ByteWriter().string('a\0'))).toBe('02006100');
    expect(hex(new ByteWriter().string('é'))).toBe('0200c3a9');
    expect(hex(new ByteWriter().string('😀'))).toBe('0400f09f9880');
    expect(hex(new ByteWriter().bytes(Buffer.from([1, 2, 3])))).toBe('0300010203');
  });

  it('writes map32 as a u16 count then u16 key + u32 value pairs', () => {
    expect(hex(new ByteWriter().map32([]))).toBe('0000');
    expect(
      hex(
        new ByteWriter().map32([
          [1, 600],
          [65_535, 0xffff_ffff],
        ]),
      ),
    ).toBe('0200' + '0100' + '58020000' + 'ffff' + 'ffffffff');
  });

  it('grows past its initial size without losing bytes', () => {
    const writer = new ByteWriter(1);
    for (let i = 0; i < 1000; i++) writer.u32(i);
    const bytes = Buffer.from(writer.finish());
    expect(bytes.length).toBe(4000);
    for (let i = 0; i < 1000; i++) expect(bytes.readUInt32LE(i * 4)).toBe(i);
  });

  it('packs a 65,535-byte string with length prefix ffff, and reads it back', () => {
    const value = 'x'.repeat(65_535);
    const bytes = Buffer.from(new ByteWriter().string(value).finish());
    expect(bytes.length).toBe(65_537);
    expect(bytes.subarray(0, 2).toString('hex')).toBe('ffff');
    expect(new ByteReader(bytes).string('s')).toBe(value);
  });
});

describe('ByteReader', () => {
  it('reads u16, i16 and u32 at their bounds', () => {
    expect(reader('ffff').u16('x')).toBe(65_535);
    expect(reader('0000').u16('x')).toBe(0);
    expect(reader('0080').i16('x')).toBe(-32_768);
    expect(reader('ff7f').i16('x')).toBe(32_767);
    expect(reader('ffff').i16('x')).toBe(-1);
    expect(reader('ffffffff').u32('x')).toBe(4_294_967_295);
    expect(reader('00000080').u32('x')).toBe(2_147_483_648);
  });

  it('reads map32 and strings, and tracks position and remaining', () => {
    const r = reader('0100' + '0200' + '2c010000' + '0300616263' + 'ee');
    expect(r.map32('m')).toEqual({ 2: 300 });
    expect(r.string('s')).toBe('abc');
    expect(r.position).toBe(13);
    expect(r.remaining).toBe(1);
  });

  it.each([
    ['u16 with one byte', () => reader('01').u16('the field')],
    ['i16 with one byte', () => reader('01').i16('the field')],
    ['u32 with three bytes', () => reader('010203').u32('the field')],
    ['bytes whose length runs past the end', () => reader('0500616263').bytes('the field')],
    ['a 65,535-byte string with 10 bytes present', () => reader('ffff' + '00'.repeat(10)).string('the field')],
    ['map32 whose count runs past the end', () => reader('0300' + '0100' + '01000000').map32('the field')],
  ])('reports %s as a malformed token naming the field', (_what, run) => {
    const error = catchAgoraTokenError(run);
    expect(error.code).toBe('ERR_TOKEN_MALFORMED');
    expect(error.message).toContain('the field');
  });

  it('rejects a string that is not valid UTF-8', () => {
    for (const bad of ['c328', 'ff', 'eda080' /* an encoded lone surrogate */, 'f4908080' /* above U+10FFFF */]) {
      const error = catchAgoraTokenError(() => reader(`${(bad.length / 2).toString(16).padStart(2, '0')}00${bad}`).string('the user id'));
      expect(error.code).toBe('ERR_TOKEN_MALFORMED');
      expect(error.message).toContain('UTF-8');
    }
  });

  it('keeps a leading byte-order mark, which is data', () => {
    expect(reader('0300efbbbf').string('s')).toBe('\uFEFF');
  });
});

describe('bounds checks', () => {
  it.each([
    ['u16', assertU16, 0, 65_535],
    ['u32', assertU32, 0, 4_294_967_295],
    ['i16', assertI16, -32_768, 32_767],
  ] as const)('%s accepts its bounds and rejects one past them', (_name, check, min, max) => {
    expect(() => check(min, 'value')).not.toThrow();
    expect(() => check(max, 'value')).not.toThrow();
    for (const bad of [min - 1, max + 1, 0.5, NaN, Infinity, -Infinity, '1', null, undefined, 1n]) {
      const error = catchAgoraTokenError(() => check(bad, 'value'));
      expect(error.code).toBe('ERR_INVALID_ARGUMENT');
      expect(error.argument).toBe('value');
      expect(error.message).toContain(`from ${min} to ${max}`);
    }
  });

  it('accepts strings of exactly 65,535 UTF-8 bytes, whatever their characters', () => {
    expect(() => assertPackableString('a'.repeat(65_535), 's')).not.toThrow();
    expect(() => assertPackableString('€'.repeat(21_845), 's')).not.toThrow(); // 3 bytes each
    expect(() => assertPackableString('😀'.repeat(16_383) + 'abc', 's')).not.toThrow(); // 4 bytes each
    expect(() => assertPackableString('é'.repeat(32_767) + 'a', 's')).not.toThrow(); // 2 bytes each
  });

  it.each([
    ['65,536 ASCII bytes', 'a'.repeat(65_536), 65_536],
    ['21,846 three-byte characters', '€'.repeat(21_846), 65_538],
    ['16,384 astral characters', '😀'.repeat(16_384), 65_536],
    ['32,768 two-byte characters', 'é'.repeat(32_768), 65_536],
    ['65,535 bytes plus one NUL', `${'a'.repeat(65_535)}\0`, 65_536],
  ])('rejects %s', (_what, value, bytes) => {
    const error = catchAgoraTokenError(() => assertPackableString(value, 'the string'));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toContain('65535');
    expect(error.message).toContain(String(bytes));
  });

  it('rejects lone surrogates and accepts paired ones', () => {
    for (const bad of ['\uD800', '\uDFFF', 'a\uD83D', '\uDE00b', '\uDE00\uD83D']) {
      expect(catchAgoraTokenError(() => assertPackableString(bad, 's')).message).toContain('surrogate');
    }
    expect(() => assertPackableString('\uD83D\uDE00', 's')).not.toThrow();
  });

  it('accepts 65,535 list items and rejects 65,536', () => {
    expect(() => assertCount(65_535, 'list')).not.toThrow();
    expect(catchAgoraTokenError(() => assertCount(65_536, 'list')).argument).toBe('list');
  });
});

describe('limits through AccessToken2', () => {
  const token = () => new AccessToken2(TEST_APP_ID, TEST_APP_CERTIFICATE, 600, { issueTs: 1_700_000_000, salt: 1 });

  it('packs and decodes a 65,535-byte user id and rejects a 65,536-byte one', () => {
    const userId = '€'.repeat(21_845);
    const decoded = decode007(token().addService({ type: ServiceType.Chat, userId }).build());
    expect(decoded.services).toEqual([{ type: 5, privileges: {}, userId }]);

    const error = catchAgoraTokenError(() => token().addService({ type: ServiceType.Chat, userId: `${userId}a` }));
    expect(error.argument).toBe('service.userId');
  });

  it('packs and decodes an Rtm2 resource list of 65,535 items and rejects 65,536', () => {
    const resources = Array.from({ length: 65_535 }, () => '');
    const built = token()
      .addService({ type: ServiceType.Rtm2, userId: 'u', permissions: { 0: { 1: resources } } })
      .build();
    const decoded = decode007(built);
    const service = decoded.services[0];
    if (service?.type !== ServiceType.Rtm2) throw new Error('expected an Rtm2 service');
    expect(service.permissions[0]?.[1]).toHaveLength(65_535);

    const error = catchAgoraTokenError(() =>
      token().addService({ type: ServiceType.Rtm2, userId: 'u', permissions: { 0: { 1: [...resources, ''] } } }),
    );
    expect(error.argument).toBe('service.permissions[0][1]');
    expect(error.message).toContain('65536');
  });

  it('holds 65,535 services and refuses the 65,536th', () => {
    const t = token();
    for (let i = 0; i < 65_535; i++) t.addService({ type: ServiceType.Fpa });
    const decoded = decode007(t.build());
    expect(decoded.services).toHaveLength(65_535);
    expect(decoded.services[65_534]).toEqual({ type: 4, privileges: {} });

    const error = catchAgoraTokenError(() => t.addService({ type: ServiceType.Fpa }));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.argument).toBe('service');
    expect(error.message).toContain('65535');
  });
});
