#!/usr/bin/env node
// A deliberately broken adapter, to show what the kit reports: a small Chat
// token (007) writer with one classic mistake, chosen by the argument.
//   signature-byte   one byte of the signature is wrong
//   field-order      salt is packed before expire (and signed that way)
//   absolute-expire  expire (and a builder's privilege) counted as an absolute Unix time
// Anything but Chat-only tokens is answered "unsupported".
import { createHmac } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { serve } from './common.mjs';

const MODES = ['signature-byte', 'field-order', 'absolute-expire'];
const mode = process.argv[2];
if (!MODES.includes(mode)) {
  process.stderr.write(`usage: broken.mjs ${MODES.join('|')}\n`);
  process.exit(2);
}

const u16 = (value) => Buffer.from([value & 0xff, value >>> 8]);
const u32 = (value) => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value >>> 0); // wraps at 2^32, as a C writer would
  return buffer;
};
const bytes = (data) => Buffer.concat([u16(data.length), data]);
const string = (text) => bytes(Buffer.from(text, 'utf8'));
const hmac = (key, message) => createHmac('sha256', key).update(message).digest();

function chatService(userId, privileges) {
  const keys = Object.keys(privileges).map(Number).sort((a, b) => a - b);
  const map = keys.map((key) => Buffer.concat([u16(key), u32(privileges[key])]));
  return Buffer.concat([u16(5), u16(keys.length), ...map, string(userId)]);
}

function token007({ appId, appCertificate, issueTs, salt, expire }, services) {
  const times = mode === 'field-order' ? [u32(issueTs), u32(salt), u32(expire)] : [u32(issueTs), u32(expire), u32(salt)];
  const signingInfo = Buffer.concat([string(appId), ...times, u16(services.length), ...services]);
  const signature = hmac(hmac(u32(salt), hmac(u32(issueTs), Buffer.from(appCertificate, 'ascii'))), signingInfo);
  if (mode === 'signature-byte') signature[7] ^= 0x01;
  return `007${deflateSync(Buffer.concat([bytes(signature), signingInfo])).toString('base64')}`;
}

const lifetime = (issueTs, expire) => (mode === 'absolute-expire' ? issueTs + expire : expire);

serve((request) => {
  if (request.kind === 'token007' && request.services.length > 0 && request.services.every((s) => s.type === 5)) {
    const services = request.services.map((s) => chatService(s.userId, s.privileges));
    return { token: token007({ ...request, expire: lifetime(request.issueTs, request.expire) }, services) };
  }
  if (request.kind === 'builder' && request.name.startsWith('ChatTokenBuilder2.')) {
    const { appId, appCertificate, userId, expire } = request.args;
    const value = lifetime(request.issueTs, expire);
    const service = request.name.endsWith('buildUserToken') ? chatService(userId, { 1: value }) : chatService('', { 2: value });
    return { token: token007({ appId, appCertificate, issueTs: request.issueTs, salt: request.salt, expire: value }, [service]) };
  }
  return { unsupported: true };
});
