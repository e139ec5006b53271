// Loads the reference vectors (vectors/agora-reference-vectors.json, made by
// running Agora's own implementations; see vectors/README.md) and gives them
// types. Nothing here calls the library: expected values come from the file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';

export const VECTORS_PATH = fileURLToPath(new URL('../../vectors/agora-reference-vectors.json', import.meta.url));

/** A service as the vectors write it: field names of SPEC section 1, privileges keyed by decimal strings. */
export interface VectorService {
  readonly type: number;
  readonly privileges: Record<string, number>;
  readonly [field: string]: unknown;
}

export interface Token007Case {
  readonly name: string;
  readonly source: string;
  readonly builder: { readonly name: string; readonly args: Record<string, unknown> } | null;
  readonly appId: string;
  readonly appCertificate: string;
  readonly issueTs: number;
  readonly salt: number;
  readonly expire: number;
  readonly services: readonly VectorService[];
  readonly signatureHex: string;
  readonly payloadHex: string;
  readonly tokens: Record<string, string>;
  readonly note?: string;
}

export interface InvalidCase {
  readonly name: string;
  readonly source: string;
  readonly token: string;
  readonly appCertificate?: string;
  readonly expect: 'parse-error' | 'bad-signature' | 'unknown-service';
  readonly note?: string;
}

export interface VectorsFile {
  readonly schema: 1;
  readonly generatedBy: Record<string, string | null> & { readonly nodeZlib: string };
  readonly token007: readonly Token007Case[];
  readonly token006: readonly Record<string, unknown>[];
  readonly invalid: readonly InvalidCase[];
}

/** The raw text of the vectors file, for tests that write doctored copies. */
export const VECTORS_TEXT = readFileSync(VECTORS_PATH, 'utf8');

export const vectors: VectorsFile = JSON.parse(VECTORS_TEXT) as VectorsFile;

/** The edge vectors (vectors/agora-edge-vectors.json): inputs the guards refuse by default, made by scripts/make-edge-vectors.mjs. */
export const EDGE_VECTORS_PATH = fileURLToPath(new URL('../../vectors/agora-edge-vectors.json', import.meta.url));
export const edgeVectors: VectorsFile = JSON.parse(readFileSync(EDGE_VECTORS_PATH, 'utf8')) as VectorsFile;

/** True when this Node's zlib is the one that produced the `agora-token` strings. */
export const SAME_ZLIB_AS_AGORA_TOKEN = process.versions.zlib === vectors.generatedBy.nodeZlib;

/** A case by name; throws if the file has no such case, so a renamed case fails loudly. */
export function token007Case(name: string): Token007Case {
  const found = vectors.token007.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no token007 case named ${name}`);
  return found;
}

/** The inflated content of a 007 token string, as hex, by node:zlib directly (not the library). */
export function inflatedHex(token: string): string {
  return inflateSync(Buffer.from(token.slice(3), 'base64')).toString('hex');
}

/** Services in wire order: stably sorted by type (SPEC section 1). */
export function wireOrder<T extends { readonly type: number }>(services: readonly T[]): T[] {
  return services
    .map((service, index) => ({ service, index }))
    .sort((a, b) => a.service.type - b.service.type || a.index - b.index)
    .map((entry) => entry.service);
}

/** The certificate that signed most cases: Agora's own test certificate. */
export const TEST_APP_ID = '970CA35de60c44645bbae8a215061b33';
export const TEST_APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
