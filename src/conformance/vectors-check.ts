// Runs every case of a vectors file (SPEC section 4) through the library and
// reports what differed. Used by `agora-token-builder vectors check`.
import { inflateSync } from 'node:zlib';
import { AccessToken, AccessToken2, AgoraTokenError, decodeToken, verifyToken, type ServiceInit } from '../index.js';
import { VECTOR_BUILDERS, type VectorBuilder } from './vector-builders.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Case = { [key: string]: Json };

/** The outcome of one case: a list of differences, empty when it passed, or a skip reason. */
export interface CaseResult {
  readonly section: string;
  readonly name: string;
  readonly failures: string[];
  readonly skipped?: string;
  /**
   * Set when the case's builder call is one this package refuses by design
   * (SPEC section 5): the reason. The call counts as unsupported, neither
   * passed nor failed, the same rule as the conformance kit's `unsupported`
   * answer; the case's other checks still count.
   */
  readonly unsupported?: string;
}

/** The whole run. */
export interface VectorsReport {
  readonly results: CaseResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** Structural equality of JSON-like values, ignoring object key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => jsonEqual(item, other[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((key) => Object.hasOwn(b, key) && jsonEqual((a as never)[key], (b as never)[key]));
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function describeError(error: unknown): string {
  if (error instanceof AgoraTokenError) return `${error.code}: ${error.message}`;
  return `unexpected ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}

function contentHex(token: string): string {
  return inflateSync(Buffer.from(token.slice(3), 'base64')).toString('hex');
}

/** Services as the wire has them: stably sorted by type. */
function wireOrder(services: Json[]): Json[] {
  return services.slice().sort((a, b) => Number((a as Case).type) - Number((b as Case).type));
}

function checkBuilder(build: VectorBuilder, builder: Case, c: Case): string[] {
  const args = builder.args as Case;
  const refusal = build.refuses?.(args);
  let built: string;
  try {
    built = build.build(args, { issueTs: c.issueTs as number, salt: c.salt as number });
  } catch (error) {
    if (refusal !== undefined && error instanceof AgoraTokenError) return []; // unsupported: see refusalOf
    return [`${builder.name} failed: ${describeError(error)}`];
  }
  if (refusal !== undefined) return [`${builder.name} accepted ${refusal}, which this library must reject`];
  const content = contentHex(built);
  return content === c.payloadHex ? [] : [`${builder.name} built a different payload: got ${show(content)}`];
}

function check007(c: Case): string[] {
  const failures: string[] = [];
  const header = { appId: c.appId, issueTs: c.issueTs, expire: c.expire, salt: c.salt };
  const services = (c.services ?? []) as Json[];
  try {
    const token = new AccessToken2(c.appId as string, c.appCertificate as string, c.expire as number, {
      issueTs: c.issueTs as number,
      salt: c.salt as number,
    });
    for (const service of services) token.addService(service as unknown as ServiceInit);
    const content = Buffer.from(token.content()).toString('hex');
    if (content !== c.payloadHex) failures.push(`payload built from the inputs differs: got ${show(content)}`);
    if (content.slice(4, 68) !== c.signatureHex) failures.push(`signature differs: got ${content.slice(4, 68)}`);
  } catch (error) {
    failures.push(`building from the inputs failed: ${describeError(error)}`);
  }

  const builder = c.builder as Case | null | undefined;
  if (builder) {
    const build = VECTOR_BUILDERS[builder.name as string];
    // A builder this library does not offer is not part of SPEC's pass rule;
    // the payload, signature and token checks above and below still apply.
    if (build !== undefined) failures.push(...checkBuilder(build, builder, c));
  }

  for (const [reference, tokenString] of Object.entries((c.tokens ?? {}) as Record<string, string>)) {
    try {
      const decoded = decodeToken(tokenString);
      if (decoded.version !== '007') {
        failures.push(`tokens.${reference} decodes as a ${decoded.version} token`);
        continue;
      }
      const got = { appId: decoded.appId, issueTs: decoded.issueTs, expire: decoded.expire, salt: decoded.salt };
      if (!jsonEqual(got, header)) failures.push(`tokens.${reference} decodes to header ${show(got)}`);
      if (!jsonEqual(decoded.services, wireOrder(services))) {
        failures.push(`tokens.${reference} decodes to services ${show(decoded.services)}`);
      }
      if (decoded.signatureHex !== c.signatureHex) {
        failures.push(`tokens.${reference} carries signature ${decoded.signatureHex}`);
      }
      const verdict = verifyToken(tokenString, c.appCertificate as string, { now: c.issueTs as number });
      if (verdict.status !== 'valid' && verdict.status !== 'expired') {
        failures.push(`tokens.${reference} does not verify: ${verdict.status}`);
      }
    } catch (error) {
      failures.push(`tokens.${reference} does not decode: ${describeError(error)}`);
    }
  }
  return failures;
}

function check006(c: Case): string[] {
  const failures: string[] = [];
  const references = Object.entries((c.tokens ?? {}) as Record<string, string>);
  const privileges = (c.privileges ?? {}) as Record<string, number>;
  // 006 has no deflate step: the token built from the inputs must equal every reference string.
  try {
    const token = new AccessToken(c.appId as string, c.appCertificate as string, c.channelName as string, c.uid as string, {
      salt: c.salt as number,
      ts: c.ts as number,
    });
    for (const [key, value] of Object.entries(privileges)) token.addPrivilege(Number(key), value);
    const message = Buffer.from(token.message()).toString('hex');
    if (message !== c.messageHex) failures.push(`message built from the inputs differs: got ${show(message)}`);
    const built = token.build();
    for (const [reference, tokenString] of references) {
      if (built !== tokenString) failures.push(`token built from the inputs differs from tokens.${reference}: got ${show(built)}`);
    }
  } catch (error) {
    failures.push(`building from the inputs failed: ${describeError(error)}`);
  }

  const builder = c.builder as Case | null | undefined;
  const build = builder ? VECTOR_BUILDERS[builder.name as string] : undefined;
  if (builder && build !== undefined) {
    const refusal = build.refuses?.(builder.args as Case);
    try {
      // The case's own ts and salt, as the token carries them (no build time derived from ts).
      const built = build.build(builder.args as Case, { ts: c.ts as number, salt: c.salt as number });
      if (refusal !== undefined) failures.push(`${builder.name} accepted ${refusal}, which this library must reject`);
      for (const [reference, tokenString] of refusal === undefined ? references : []) {
        if (built !== tokenString) failures.push(`${builder.name} built a token other than tokens.${reference}: got ${show(built)}`);
      }
    } catch (error) {
      if (!(refusal !== undefined && error instanceof AgoraTokenError)) failures.push(`${builder.name} failed: ${describeError(error)}`);
    }
  }

  const expected = {
    version: '006',
    appId: c.appId,
    signatureHex: c.signatureHex,
    crcChannelName: c.crcChannelName,
    crcUid: c.crcUid,
    salt: c.salt,
    ts: c.ts,
    privileges,
  };
  for (const [reference, tokenString] of references) {
    try {
      const decoded = decodeToken(tokenString);
      if (!jsonEqual(decoded, expected)) failures.push(`tokens.${reference} decodes to ${show(decoded)}`);
      const verdict = verifyToken(tokenString, c.appCertificate as string, {
        now: (c.ts as number) - 1,
        channelName: c.channelName as string,
        uid: c.uid as string,
      });
      if (verdict.status !== 'valid' && verdict.status !== 'expired') {
        failures.push(`tokens.${reference} does not verify: ${verdict.status}`);
      }
    } catch (error) {
      failures.push(`tokens.${reference} does not decode: ${describeError(error)}`);
    }
  }
  return failures;
}

function checkInvalid(c: Case): string[] {
  const expect = c.expect as string;
  let decoded: ReturnType<typeof decodeToken>;
  try {
    decoded = decodeToken(c.token as string);
  } catch (error) {
    if (!(error instanceof AgoraTokenError)) return [`decoding threw ${describeError(error)}`];
    return expect === 'parse-error' ? [] : [`expected ${expect}, but decoding failed: ${describeError(error)}`];
  }
  if (expect === 'parse-error') return ['expected a parse error, but the token decoded'];
  if (expect === 'unknown-service') {
    return 'unknownServiceType' in decoded && decoded.unknownServiceType !== undefined
      ? []
      : ['expected an unknown service type to be reported, but none was'];
  }
  if (expect === 'bad-signature') {
    let verdict: ReturnType<typeof verifyToken>;
    try {
      verdict = verifyToken(c.token as string, c.appCertificate as string, { now: 0 });
    } catch (error) {
      // A certificate that is not 32 hex characters: Agora's references answer
      // bad-signature, this library an argument error; either passes.
      if (isCertificateRefusal(error, c.appCertificate)) return [];
      throw error;
    }
    return verdict.status === 'bad-signature' ? [] : [`expected bad-signature, got ${verdict.status}`];
  }
  return [`unknown expectation ${show(expect)}`];
}

/** True for the argument error a verifier may give instead of bad-signature: a certificate that is not 32 hex characters. */
export function isCertificateRefusal(error: unknown, appCertificate: unknown): boolean {
  return (
    error instanceof AgoraTokenError &&
    error.code === 'ERR_INVALID_ARGUMENT' &&
    error.argument === 'appCertificate' &&
    !(typeof appCertificate === 'string' && /^[0-9a-fA-F]{32}$/.test(appCertificate))
  );
}

/** The reason this package refuses a case's builder call by design, if it does. */
function refusalOf(c: Case): string | undefined {
  const builder = c.builder as Case | null | undefined;
  if (!builder) return undefined;
  const reason = VECTOR_BUILDERS[builder.name as string]?.refuses?.(builder.args as Case);
  return reason === undefined ? undefined : `agora-token-builder refuses ${reason}`;
}

/** A case's result, with its builder call marked unsupported where this package refuses it and nothing failed. */
function result(section: string, c: Case, failures: string[]): CaseResult {
  const unsupported = refusalOf(c);
  return unsupported !== undefined && failures.length === 0
    ? { section, name: String(c.name), failures, unsupported }
    : { section, name: String(c.name), failures };
}

/** Runs every case of a parsed vectors document. */
export function checkVectors(document: unknown): VectorsReport {
  if (typeof document !== 'object' || document === null || (document as Case).schema !== 1) {
    throw new Error('not a vectors file: expected an object with "schema": 1');
  }
  const doc = document as Case;
  const results: CaseResult[] = [];
  for (const c of (doc.token007 ?? []) as Case[]) {
    results.push(result('token007', c, check007(c)));
  }
  for (const c of (doc.token006 ?? []) as Case[]) {
    results.push(result('token006', c, check006(c)));
  }
  for (const c of (doc.invalid ?? []) as Case[]) {
    results.push({ section: 'invalid', name: String(c.name), failures: checkInvalid(c) });
  }
  const skipped = results.filter((r) => r.skipped !== undefined).length;
  const failed = results.filter((r) => r.failures.length > 0).length;
  return { results, passed: results.length - failed - skipped, failed, skipped };
}

/** The closing line: `N passed, M failed`, with `, K skipped` where any were. */
export function summaryLine(report: VectorsReport): string {
  const line = `${report.passed} passed, ${report.failed} failed`;
  return report.skipped > 0 ? `${line}, ${report.skipped} skipped` : line;
}
