// The field numbers the Agora Chat stand-in (test/helpers/agora-chat-network.ts)
// reads and writes, checked against the protobuf schema inside the SDK's own
// bundle (`Root.fromJSON({ nested: { easemob: { nested: { pb: ... } } } })`
// in node_modules/agora-chat/Agora-chat.js): a new `agora-chat` with another
// schema fails here, by name, rather than as a login that hangs.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { COMMAND_PROVISION, ERROR_FAIL, ERROR_OK, JID, MSYNC, PROVISION, STATUS, decodeProto, encodeProto } from './helpers/agora-chat-network.js';

const require = createRequire(import.meta.url);
const bundle = readFileSync(require.resolve('agora-chat'), 'utf8');

/**
 * The `fields` of a message in the bundle's schema (name -> field number):
 * of its first definition that has the field `having` (several nested
 * messages share a name, e.g. `Status`).
 */
function fieldsOf(message: string, having: string): Record<string, number> {
  const field = /^([A-Za-z_]+):\{(?:rule:"[a-z]+",)?type:"[A-Za-z0-9.]+",id:(\d+)(?:,options:\{[^}]*\})?\},?/;
  for (let start = bundle.indexOf(`${message}:{fields:{`); start >= 0; start = bundle.indexOf(`${message}:{fields:{`, start + 1)) {
    const fields: Record<string, number> = {};
    let at = start + message.length + ':{fields:{'.length;
    for (let match = field.exec(bundle.slice(at, at + 200)); match !== null; match = field.exec(bundle.slice(at, at + 200))) {
      fields[match[1]!] = Number(match[2]);
      at += match[0].length;
    }
    if (having in fields) return fields;
  }
  throw new Error(`no message ${message} with a field ${having} in the SDK's schema`);
}

describe("the stand-in's protobuf against the SDK's schema", () => {
  it('uses the field numbers of MSync, JID, Provision and Status', () => {
    expect(fieldsOf('MSync', 'payload')).toMatchObject(MSYNC);
    expect(fieldsOf('JID', 'clientResource')).toMatchObject(JID);
    expect(fieldsOf('Provision', 'authToken')).toMatchObject(PROVISION);
    // The Status of Provision, beside MSync (not the MUC or roster ones).
    expect(fieldsOf('Status', 'redirectInfo')).toMatchObject(STATUS);
  });

  it('uses the enum values PROVISION, OK and FAIL', () => {
    expect(bundle).toContain('Command:{values:{SYNC:0,UNREAD:1,NOTICE:2,PROVISION:3}}');
    expect(COMMAND_PROVISION).toBe(3);
    expect(bundle).toMatch(/ErrorCode:\{values:\{OK:0,FAIL:1,UNAUTHORIZED:2,/);
    expect([ERROR_OK, ERROR_FAIL]).toEqual([0, 1]);
  });

  it('reads back what it writes, nested messages and multi-byte varints included', () => {
    const inner = encodeProto([[STATUS.errorCode, ERROR_FAIL], [STATUS.reason, 'Sorry, token expired']]);
    const bytes = encodeProto([[MSYNC.command, COMMAND_PROVISION], [MSYNC.payload, inner], [7, 300]]);
    // Known bytes: field 8 varint 3 = 0x40 0x03; field 9 bytes; field 7 varint 300 = 0x38 0xac 0x02.
    expect([...bytes.subarray(0, 2)]).toEqual([0x40, 0x03]);
    expect([...bytes.subarray(-3)]).toEqual([0x38, 0xac, 0x02]);
    const decoded = decodeProto(bytes);
    expect(decoded.get(MSYNC.command)).toEqual([3]);
    expect(decoded.get(7)).toEqual([300]);
    const status = decodeProto(decoded.get(MSYNC.payload)![0] as Uint8Array);
    expect(status.get(STATUS.errorCode)).toEqual([1]);
    expect(new TextDecoder().decode(status.get(STATUS.reason)![0] as Uint8Array)).toBe('Sorry, token expired');
  });
});
