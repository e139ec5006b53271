// HTTP answers of the token service: JSON bodies, errors with a stable code,
// CORS, the JSON-only request body and its size limit. Web APIs only.
import type { TokenServerErrorCode } from '../error-codes.js';
import { concatBytes } from '../_internal/bytes.js';

/** The largest `maxBodyBytes` accepted. */
export const MAX_BODY_LIMIT = 1 << 20;

/** An answer with an error code: thrown by a route, turned into a JSON answer by the handler. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: TokenServerErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The client went away: nothing to answer, and nothing to log. */
export class ClientGone extends Error {}

/**
 * The request as the service reads it: what a Fetch `Request` has, and all
 * that the Node adapter builds (a whole `Request` costs more than the rest
 * of a renewal there).
 */
export interface ServiceRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
  readonly body: ReadableStream<Uint8Array> | null;
}

/** An answer: status, headers, a text body or none. The Fetch handler makes a `Response` of it; the Node adapter writes it. */
export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
}

/** The Fetch `Response` of a reply. */
export function toResponse(reply: Reply): Response {
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}

/** Headers on every answer. */
const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;

/** An answer with a text body (or none). */
export function send(status: number, body: string | null, headers: Record<string, string> = {}): Reply {
  return { status, headers: { ...COMMON_HEADERS, ...headers }, body: status === 204 || status === 304 ? null : body };
}

/** A JSON answer. */
export function sendJson(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return send(status, JSON.stringify(value), { 'content-type': 'application/json; charset=utf-8', ...headers });
}

/** The JSON answer of an {@link HttpError}: `{ "error": { "code", "message" } }`. */
export function errorResponse(error: HttpError, headers: Record<string, string> = {}): Reply {
  return sendJson(error.status, { error: { code: error.code, message: error.message } }, { ...headers, ...error.headers });
}

/** The CORS headers for a request's `Origin`, given the allowed origin (none, one, or '*'). */
export function corsHeaders(request: ServiceRequest, allowedOrigin: string | undefined): Record<string, string> {
  const origin = request.headers.get('origin');
  if (allowedOrigin === undefined || origin === null) return {};
  if (allowedOrigin === '*') return { 'access-control-allow-origin': '*' };
  return origin === allowedOrigin
    ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' }
    : { vary: 'Origin' };
}

/** True for a serialized origin: `scheme://host[:port]`, as a browser sends in `Origin`. */
export function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

/** True for `application/json`, with no charset or a UTF-8 one. */
export function isJsonContentType(header: string | null): boolean {
  if (header === null) return false;
  const [type, ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((param) => !param.startsWith('charset=') || /^charset="?utf-8"?$/.test(param));
}

/**
 * How a route reads the request body: the Node adapter reads the stream
 * itself (bounded, draining an oversized body so that the client sees the
 * 413) or hands over what a framework's body parser already read.
 */
export interface BodySource {
  /** A body a framework already parsed (`express.json()`'s `req.body`). */
  readonly parsed?: { readonly value: unknown };
  /** Reads the raw body, at most `limit` bytes; rejects with an {@link HttpError} 413 or {@link ClientGone}. */
  read?(limit: number): Promise<Uint8Array>;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'body_too_large', `the request body is over ${limit} bytes`, { connection: 'close' });
}

/** Reads a Request's body up to `limit` bytes (the portable way). */
async function readRequestBody(request: ServiceRequest, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) {
        reader.cancel().catch(() => undefined);
        throw tooLarge(limit);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new ClientGone();
  }
  return concatBytes(...chunks);
}

/**
 * A JSON body. The JSON content type is required of every POST: a
 * cross-origin page cannot send it without a CORS preflight, which is the
 * service's CSRF defence. With `allowEmpty`, an empty body reads as `{}`.
 */
export async function readJson(request: ServiceRequest, limit: number, source: BodySource | undefined, allowEmpty = false): Promise<unknown> {
  if (!isJsonContentType(request.headers.get('content-type'))) {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as Content-Type: application/json (UTF-8)');
  }
  if (source?.parsed !== undefined) return source.parsed.value;
  const raw = source?.read !== undefined ? await source.read(limit) : await readRequestBody(request, limit);
  if (allowEmpty && raw.length === 0) return {};
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw new HttpError(400, 'invalid_json', 'the request body is not valid JSON');
  }
}

/** The 405 of a known route asked with another method. */
export function methodNotAllowed(methods: string): never {
  throw new HttpError(405, 'method_not_allowed', `use ${methods.replace(', OPTIONS', '')}`, { allow: methods });
}

/** The answer to a CORS preflight: allowed for the configured origin only. */
export function preflight(request: ServiceRequest, allowedOrigin: string | undefined, methods: string): Reply {
  const cors = corsHeaders(request, allowedOrigin);
  if (cors['access-control-allow-origin'] === undefined) {
    throw new HttpError(403, 'origin_not_allowed', 'this origin may not call the token server from a browser', cors);
  }
  return send(204, null, {
    ...cors,
    'access-control-allow-methods': methods,
    'access-control-allow-headers': 'content-type',
    'access-control-max-age': '600',
  });
}

/**
 * The path of a request target, without query or fragment: a path as sent
 * (so `//x` is not `/`), or the path of an absolute `http(s)://` URL.
 * Anything else (`*`, `//[`) is a 400.
 */
export function requestPath(target: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(target, 'http://localhost');
  } catch {
    // a 400 below
  }
  if (parsed !== undefined) {
    if (target.startsWith('/')) return target.replace(/[?#].*$/s, '');
    if (/^https?:\/\//i.test(target)) return parsed.pathname;
  }
  throw new HttpError(400, 'invalid_request', 'the request target must be a valid URL path starting with /');
}
