// The conformance kit's side of the protocol (docs/conformance.md): the
// requests made from a vectors file (SPEC section 4), and the check of each
// answer, field by field. Used by `agora-token-builder conformance`.
import { inflateSync } from 'node:zlib';
import { decodeToken, verifyToken } from '../index.js';
import { firstDifference, spans006, spans007 } from './layout.js';
import { jsonEqual } from './vectors-check.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Case = { [key: string]: Json };

/** The request kinds of the protocol. */
export type RequestKind = 'token007' | 'token006' | 'builder' | 'verify';

/** What a built 007 token must hold. */
interface Expect007 {
  readonly format: '007';
  readonly appCertificate: string;
  readonly header: { appId: Json; issueTs: Json; expire: Json; salt: Json };
  /** Services in wire order (stably sorted by type). */
  readonly services: Case[];
  readonly signatureHex: string;
  readonly payloadHex: string;
}

/** What a built 006 token must hold. */
interface Expect006 {
  readonly format: '006';
  readonly appCertificate: string;
  readonly channelName: string;
  readonly uid: string;
  readonly fields: { appId: Json; crcChannelName: Json; crcUid: Json; salt: Json; ts: Json; privileges: Json };
  readonly signatureHex: string;
  /** A reference token string: 006 has no deflate step, so the strings must be equal. */
  readonly reference: string | undefined;
}

/** What a verify answer must say. */
interface ExpectVerify {
  readonly format: 'verify';
  readonly valid: boolean;
  readonly why: string;
  /** Set when an "error" answer passes too: the certificate is not 32 hex characters (Agora answers bad-signature, a strict verifier refuses the argument). */
  readonly errorAccepted?: true;
}

/** A well-formed certificate for invalid cases that carry none: a parse error must not hinge on the certificate. */
const PLACEHOLDER_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';

/** One request of a run and what its answer must be. */
export interface ConformanceCase {
  /** Unique in a run: the vectors case name, with `/builder` or `/verify/REFERENCE` for the extra requests of a case. */
  readonly id: string;
  readonly kind: RequestKind;
  /** The vectors section the case comes from. */
  readonly section: 'token007' | 'token006' | 'invalid';
  /** The line sent to the adapter (without its `id` and `kind`). */
  readonly request: Record<string, Json>;
  readonly expect: Expect007 | Expect006 | ExpectVerify;
}

/** How one answer was judged. */
export type Outcome =
  | { readonly status: 'pass' }
  | { readonly status: 'fail'; readonly failures: string[] }
  | { readonly status: 'unsupported'; readonly reason?: string };

/** A JSON value for a message, cut to a readable length. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

function wireOrder(services: Json[]): Case[] {
  return (services as Case[]).slice().sort((a, b) => Number(a.type) - Number(b.type));
}

function expect007(c: Case): Expect007 {
  return {
    format: '007',
    appCertificate: c.appCertificate as string,
    header: { appId: c.appId!, issueTs: c.issueTs!, expire: c.expire!, salt: c.salt! },
    services: wireOrder((c.services ?? []) as Json[]),
    signatureHex: c.signatureHex as string,
    payloadHex: c.payloadHex as string,
  };
}

function expect006(c: Case): Expect006 {
  return {
    format: '006',
    appCertificate: c.appCertificate as string,
    channelName: c.channelName as string,
    uid: c.uid as string,
    fields: {
      appId: c.appId!,
      crcChannelName: c.crcChannelName!,
      crcUid: c.crcUid!,
      salt: c.salt!,
      ts: c.ts!,
      privileges: c.privileges ?? {},
    },
    signatureHex: c.signatureHex as string,
    reference: Object.values((c.tokens ?? {}) as Record<string, string>)[0],
  };
}

function verifyCases(c: Case, section: 'token007' | 'token006'): ConformanceCase[] {
  const extra: Record<string, Json> = section === 'token006' ? { channelName: c.channelName!, uid: c.uid! } : {};
  return Object.entries((c.tokens ?? {}) as Record<string, string>).map(([reference, token]) => ({
    id: `${String(c.name)}/verify/${reference}`,
    kind: 'verify' as const,
    section,
    request: { token, appCertificate: c.appCertificate!, ...extra },
    expect: { format: 'verify' as const, valid: true, why: `the token ${reference} made, signed with appCertificate` },
  }));
}

/**
 * The requests for one parsed vectors document, in file order: per 007 or
 * 006 case, the case itself, its builder call (where it has one), then a
 * verify of each reference token; then one verify per `invalid` case that
 * expects `parse-error` or `bad-signature` (`unknown-service` is not part of
 * the protocol).
 */
export function conformanceCases(document: unknown): ConformanceCase[] {
  if (typeof document !== 'object' || document === null || (document as Case).schema !== 1) {
    throw new Error('not a vectors file: expected an object with "schema": 1');
  }
  const doc = document as Case;
  const cases: ConformanceCase[] = [];
  for (const c of (doc.token007 ?? []) as Case[]) {
    const expect = expect007(c);
    const { appId, appCertificate, issueTs, salt, expire, services } = c;
    cases.push({
      id: String(c.name),
      kind: 'token007',
      section: 'token007',
      request: { appId: appId!, appCertificate: appCertificate!, issueTs: issueTs!, salt: salt!, expire: expire!, services: services ?? [] },
      expect,
    });
    const builder = c.builder as Case | null | undefined;
    if (builder) {
      cases.push({
        id: `${String(c.name)}/builder`,
        kind: 'builder',
        section: 'token007',
        request: { name: builder.name!, args: builder.args!, issueTs: issueTs!, salt: salt! },
        expect,
      });
    }
    cases.push(...verifyCases(c, 'token007'));
  }
  for (const c of (doc.token006 ?? []) as Case[]) {
    const expect = expect006(c);
    const { appId, appCertificate, channelName, uid, salt, ts, privileges } = c;
    cases.push({
      id: String(c.name),
      kind: 'token006',
      section: 'token006',
      request: {
        appId: appId!,
        appCertificate: appCertificate!,
        channelName: channelName!,
        uid: uid!,
        salt: salt!,
        ts: ts!,
        privileges: privileges ?? {},
      },
      expect,
    });
    const builder = c.builder as Case | null | undefined;
    if (builder) {
      cases.push({
        id: `${String(c.name)}/builder`,
        kind: 'builder',
        section: 'token006',
        request: { name: builder.name!, args: builder.args!, salt: salt!, ts: ts! },
        expect,
      });
    }
    cases.push(...verifyCases(c, 'token006'));
  }
  for (const c of (doc.invalid ?? []) as Case[]) {
    const expected = c.expect;
    if (expected !== 'parse-error' && expected !== 'bad-signature') continue;
    const token = String(c.token);
    const extra: Record<string, Json> = token.startsWith('006') ? { channelName: '', uid: '' } : {};
    const appCertificate = (c.appCertificate ?? PLACEHOLDER_CERTIFICATE) as string;
    const notHex = !/^[0-9a-fA-F]{32}$/.test(appCertificate);
    cases.push({
      id: String(c.name),
      kind: 'verify',
      section: 'invalid',
      request: { token, appCertificate, ...extra },
      expect: {
        format: 'verify',
        valid: false,
        why: expected === 'parse-error' ? 'the token is malformed (parse-error)' : 'the signature does not match appCertificate (bad-signature)',
        ...(notHex ? { errorAccepted: true as const } : {}),
      },
    });
  }
  return cases;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The inflated content, read leniently (standard or URL-safe base64), or undefined. */
function lenientContent(token: string): Uint8Array | undefined {
  try {
    return inflateSync(Buffer.from(token.slice(3), 'base64'));
  } catch {
    return undefined;
  }
}

/** The first differing byte of a 007 content and the field it falls in, or nothing when the bytes are equal. */
function contentDifference007(token: string, expected: Expect007): string[] {
  const content = lenientContent(token);
  if (content === undefined) return [];
  const difference = firstDifference('inflated content', content, Buffer.from(expected.payloadHex, 'hex'), spans007);
  return difference === undefined ? [] : [difference];
}

/** The same for a 006 token, against the reference token's content. */
function contentDifference006(token: string, expected: Expect006): string[] {
  if (expected.reference === undefined) return [];
  const content = (t: string) => Buffer.from(t.slice(35), 'base64');
  const difference = firstDifference('decoded content', content(token), content(expected.reference), spans006);
  return difference === undefined ? [] : [difference];
}

function diffValue(failures: string[], field: string, got: unknown, expected: unknown): void {
  if (!jsonEqual(got, expected)) failures.push(`${field}: got ${show(got)}, expected ${show(expected)}`);
}

/** The fields of a built 007 token that differ from the case, by name. */
export function diff007(token: string, expected: Expect007): string[] {
  if (!token.startsWith('007')) return [`version: got ${show(token.slice(0, 3))}, expected "007"`];
  let decoded: ReturnType<typeof decodeToken>;
  try {
    decoded = decodeToken(token);
  } catch (error) {
    return [`token does not parse: ${errorMessage(error)}`, ...contentDifference007(token, expected)];
  }
  if (decoded.version !== '007') return [`version: got ${decoded.version}, expected 007`];
  const failures: string[] = [];
  for (const key of ['appId', 'issueTs', 'expire', 'salt'] as const) diffValue(failures, key, decoded[key], expected.header[key]);
  const got = decoded.services as unknown as Case[];
  const want = expected.services;
  if (got.length !== want.length || decoded.unknownServiceType !== undefined) {
    const types = (list: Case[]) => `[${list.map((s) => s.type).join(', ')}]`;
    const unknown = decoded.unknownServiceType === undefined ? '' : ` then unknown type ${decoded.unknownServiceType}`;
    failures.push(`services: got ${got.length} of types ${types(got)}${unknown}, expected ${want.length} of types ${types(want)}`);
  }
  for (let i = 0; i < Math.min(got.length, want.length); i++) {
    const g = got[i]!;
    const w = want[i]!;
    const keys = [...new Set(['type', 'privileges', ...Object.keys(w), ...Object.keys(g)])];
    for (const key of keys) diffValue(failures, `services[${i}].${key}`, g[key], w[key]);
  }
  if (decoded.signatureHex !== expected.signatureHex) {
    failures.push(`signature: got ${decoded.signatureHex}, expected ${expected.signatureHex}`);
  }
  // Always, when the bytes differ: equal decoded fields can still be packed differently (key order, a charset).
  failures.push(...contentDifference007(token, expected));
  const verdict = verifyToken(token, expected.appCertificate, { now: Number(expected.header.issueTs) });
  if (verdict.status !== 'valid' && verdict.status !== 'expired') {
    failures.push(`verify: the token does not verify with the case's appCertificate (${verdict.status})`);
  }
  return failures;
}

/** The fields of a built 006 token that differ from the case, by name. */
export function diff006(token: string, expected: Expect006): string[] {
  if (!token.startsWith('006')) return [`version: got ${show(token.slice(0, 3))}, expected "006"`];
  let decoded: ReturnType<typeof decodeToken>;
  try {
    decoded = decodeToken(token);
  } catch (error) {
    return [`token does not parse: ${errorMessage(error)}`, ...contentDifference006(token, expected)];
  }
  if (decoded.version !== '006') return [`version: got ${decoded.version}, expected 006`];
  const failures: string[] = [];
  for (const key of ['appId', 'crcChannelName', 'crcUid', 'salt', 'ts', 'privileges'] as const) {
    diffValue(failures, key, decoded[key], expected.fields[key]);
  }
  if (decoded.signatureHex !== expected.signatureHex) {
    failures.push(`signature: got ${decoded.signatureHex}, expected ${expected.signatureHex}`);
  }
  if (expected.reference !== undefined && token !== expected.reference) {
    const difference = contentDifference006(token, expected);
    if (difference.length > 0) failures.push(...difference);
    else if (failures.length === 0) failures.push(`token: the same fields, but the string differs from the reference: got ${show(token)}`);
  }
  const verdict = verifyToken(token, expected.appCertificate, {
    now: Number(expected.fields.ts) - 1,
    channelName: expected.channelName,
    uid: expected.uid,
  });
  if (verdict.status !== 'valid') {
    failures.push(`verify: the token does not verify with the case's appCertificate, channelName and uid (${verdict.status})`);
  }
  return failures;
}

const ANSWER_KEYS = ['token', 'valid', 'unsupported', 'error'] as const;

/** Checks one answer (already matched to the case by its id). */
export function checkAnswer(c: ConformanceCase, answer: Record<string, unknown>): Outcome {
  const given = ANSWER_KEYS.filter((key) => answer[key] !== undefined);
  if (given.length !== 1) {
    return {
      status: 'fail',
      failures: [`malformed answer: expected exactly one of ${ANSWER_KEYS.join(', ')}; got ${show(answer)}`],
    };
  }
  if (answer.unsupported !== undefined) {
    if (answer.unsupported !== true) return { status: 'fail', failures: [`malformed answer: "unsupported" must be true; got ${show(answer)}`] };
    return typeof answer.reason === 'string' ? { status: 'unsupported', reason: answer.reason } : { status: 'unsupported' };
  }
  const expected = c.expect;
  if (answer.error !== undefined) {
    if (expected.format === 'verify' && expected.errorAccepted === true) return { status: 'pass' };
    return { status: 'fail', failures: [`the adapter answered an error: ${show(answer.error)}`] };
  }
  let failures: string[];
  if (expected.format === 'verify') {
    if (typeof answer.valid !== 'boolean') {
      return { status: 'fail', failures: [`malformed answer: a verify request takes {"id", "valid": true|false}; got ${show(answer)}`] };
    }
    failures = answer.valid === expected.valid ? [] : [`valid: got ${answer.valid}, expected ${expected.valid}: ${expected.why}`];
  } else {
    if (typeof answer.token !== 'string') {
      return { status: 'fail', failures: [`malformed answer: a ${c.kind} request takes {"id", "token": "..."}; got ${show(answer)}`] };
    }
    failures = expected.format === '007' ? diff007(answer.token, expected) : diff006(answer.token, expected);
  }
  return failures.length === 0 ? { status: 'pass' } : { status: 'fail', failures };
}
