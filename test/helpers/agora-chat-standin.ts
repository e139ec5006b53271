// A stand-in for the Agora Chat RESTful API's user accounts, for tests: the
// real service is not reachable from CI. It answers as Agora documents
// (register: POST /{org}/{app}/users with a JSON array; lookup: GET
// /{org}/{app}/users/{username}; errors as {"error", "error_description"})
// and CHECKS what it receives: the bearer app token must verify with the
// certificate, name the App ID, and carry the Chat service's app privilege,
// or it answers 401 as Agora does.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChatPrivilege, ServiceType, verifyToken, type ChatService, type DecodedToken007 } from '../../src/index.js';

/** One scripted answer that replaces the normal one for the next request. */
export type Scripted =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'raw'; status: number; text: string; contentType: string }
  | { kind: 'hang' }
  | { kind: 'destroy' }
  /** Echoes the request's Authorization header, bearer token and the certificate back in the error fields (a hostile or broken proxy). */
  | { kind: 'echo'; status: number }
  /** Streams `bytes` of a JSON-looking body in 64 KiB chunks, without Content-Length, stopping if the client hangs up. */
  | { kind: 'huge'; status: number; bytes: number };

export interface SeenRequest {
  method: string;
  path: string;
  token: string | undefined;
  tokenStatus: string;
  at: number;
  body: unknown;
}

export interface ChatStandIn {
  url: string;
  /** Registered users: username -> uuid. */
  users: Map<string, string>;
  /** Every request, in order, with the verdict on its app token. */
  seen: SeenRequest[];
  /** Answers to give instead of the normal ones, first in first out. */
  script: Scripted[];
  /** Bytes a `huge` answer got to send before the client hung up (or all of them). */
  streamed: number;
  close(): Promise<void>;
}

const USERNAME = /^[a-z0-9_.-]{1,64}$/;

export async function startChatStandIn(options: { appId: string; appCertificate: string; org: string; app: string }): Promise<ChatStandIn> {
  const users = new Map<string, string>();
  const seen: SeenRequest[] = [];
  const script: Scripted[] = [];
  const application = randomUUID();
  const stand: ChatStandIn = { url: '', users, seen, script, streamed: 0, close: async () => undefined };

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
  }

  function error(res: ServerResponse, status: number, code: string, description: string) {
    send(res, status, { error: code, exception: 'StandIn', timestamp: Date.now(), duration: 0, error_description: description });
  }

  /** The app token check Agora does: signature with the certificate, not expired, this App ID, Chat app privilege. */
  function checkAppToken(token: string | undefined): string {
    if (token === undefined) return 'missing';
    const verdict = verifyToken(token, options.appCertificate);
    if (!verdict.valid) return verdict.status;
    const decoded = verdict.token as DecodedToken007;
    if (decoded.version !== '007' || decoded.appId !== options.appId) return 'wrong-app';
    const chat = decoded.services.find((s) => s.type === ServiceType.Chat) as ChatService | undefined;
    if (chat === undefined || decoded.services.length !== 1) return 'not-a-chat-token';
    if (chat.userId !== '' || !(ChatPrivilege.app in chat.privileges)) return 'not-an-app-token';
    return 'valid';
  }

  function entity(username: string, uuid: string) {
    return { uuid, type: 'user', created: 1542795196504, modified: 1542795196504, username, activated: true };
  }

  function envelope(action: string, path: string, entities: unknown[]) {
    return {
      action,
      application,
      path,
      uri: `http://stand-in/${options.org}/${options.app}${path}`,
      entities,
      timestamp: Date.now(),
      duration: 0,
      organization: options.org,
      applicationName: options.app,
    };
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
    const text = await readBody(req);
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = Symbol.for('not-json');
    }
    const tokenStatus = checkAppToken(token);
    seen.push({ method: req.method ?? '', path: url.pathname, token, tokenStatus, at: Date.now(), body });

    const scripted = script.shift();
    if (scripted !== undefined) {
      if (scripted.kind === 'hang') return; // never answers; the client's timeout must fire
      if (scripted.kind === 'destroy') return req.socket.destroy();
      if (scripted.kind === 'echo') {
        const header = auth ?? '';
        return send(res, scripted.status, {
          error: `bad_token ${token ?? ''}`,
          error_description: `You sent "Authorization: ${header}" with ${token ?? ''}; our records say certificate ${options.appCertificate}`,
        }, { 'retry-after': `0 ${token ?? ''}` });
      }
      if (scripted.kind === 'huge') {
        res.writeHead(scripted.status, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        chunk[0] = 0x5b; // '['
        stand.streamed = 0;
        let closed = false;
        res.on('close', () => (closed = true));
        while (!closed && stand.streamed < scripted.bytes) {
          stand.streamed += chunk.length;
          if (!res.write(chunk)) await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
        }
        if (!closed) res.end();
        return;
      }
      if (scripted.kind === 'raw') {
        res.writeHead(scripted.status, { 'content-type': scripted.contentType });
        return res.end(scripted.text);
      }
      return send(res, scripted.status, scripted.body ?? {}, scripted.headers);
    }

    const prefix = `/${options.org}/${options.app}/users`;
    if (!url.pathname.startsWith(`/${options.org}/${options.app}/`)) {
      return error(res, 404, 'organization_application_not_found', `Could not find application for ${url.pathname}`);
    }
    if (tokenStatus !== 'valid') {
      return error(res, 401, 'unauthorized', `Unable to authenticate due to token: ${tokenStatus}`);
    }
    if (url.pathname === prefix && req.method === 'POST') {
      if (!/^application\/json/.test(req.headers['content-type'] ?? '')) return error(res, 415, 'unsupported_media_type', 'Content-Type');
      if (!Array.isArray(body) || body.length !== 1) return error(res, 400, 'json_parse', 'Unexpected character.');
      const { username, password } = body[0] as { username?: unknown; password?: unknown };
      if (typeof username !== 'string' || !USERNAME.test(username)) return error(res, 400, 'illegal_argument', `${String(username)} is not legal.`);
      if (typeof password !== 'string' || password === '') return error(res, 400, 'illegal_argument', 'Password or pin must provided.');
      if (users.has(username)) {
        return error(
          res,
          400,
          'duplicate_unique_property_exists',
          `Application ${application} Entity user requires that property named username be unique, value of ${username} exists`,
        );
      }
      const uuid = randomUUID();
      users.set(username, uuid);
      return send(res, 200, envelope('post', '/users', [entity(username, uuid)]));
    }
    const match = new RegExp(`^${prefix}/([^/]+)$`).exec(url.pathname);
    if (match !== null && req.method === 'GET') {
      const username = decodeURIComponent(match[1]!);
      const uuid = users.get(username);
      if (uuid === undefined) return error(res, 404, 'service_resource_not_found', `Service resource not found`);
      return send(res, 200, envelope('get', `/users/${username}`, [entity(username, uuid)]));
    }
    return error(res, 404, 'not_found', 'no such route in the stand-in');
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(stand, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return stand;
}
