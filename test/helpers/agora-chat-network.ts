// Agora Chat played at the network level for the real Agora Chat Web SDK
// (`agora-chat` 1.4.0) running in Chromium: everything the SDK sends out of
// the page goes through playwright-core routes of the browser context, and
// this stand-in answers it the way the SDK expects, CHECKING every token it
// receives (signature with the App Certificate, not expired, this App ID, a
// Chat user token built for the user's UUID) and refusing bad ones as Agora
// does. Nothing of it reaches a real network.
//
// What the SDK sends, as read from its bundle (node_modules/agora-chat/
// Agora-chat.js) and observed in these tests:
//
// 1. DNS/config: `GET https://ars.chat.agora.io/easemob/server.json?app_key=ORG%23APP`
//    (an XHR). The SDK reads `rest.hosts` and `msync-wx.hosts` (each a list
//    of `{ protocol, domain, port }`, filtered by the page's protocol) and the
//    strings `enableReportLogs`, `enableDataReport`. It builds the REST base
//    `http(s)://domain[:port]` and the socket `ws(s)://domain[:port]/websocket`.
// 2. Login: a WebSocket to that address. On open, the SDK sends one binary
//    frame, an `easemob.pb.MSync` message (the SDK's own protobuf schema,
//    `Root.fromJSON` in its bundle) with `command = PROVISION (3)`,
//    `guid = JID { appKey, name: user, domain, clientResource }`,
//    `auth = "$t$" + token` and `payload = Provision { ..., authToken:
//    '{"token":"$t$<token>"}', resource, deviceName, ... }`. It waits for an
//    MSync answer with `command = 3` whose Provision has `status.errorCode`
//    OK (0) and `authToken` = JSON `{"expires_in": <expiry, Unix ms>}` (the
//    SDK sets its token timers from it: `onTokenWillExpire` at 80% of the
//    remaining time, `onTokenExpired` and `close()` at the end), and
//    `resource` (its client resource). A refusal is `errorCode = FAIL (1)`
//    with a `reason` the SDK maps to an error: "Sorry, token expired",
//    "Sorry, token or password does not match login info", "Sorry, user not
//    found". After an OK the SDK sends further MSync frames (UNREAD, command
//    1; sync requests): the stand-in records them and stays silent, which the
//    SDK tolerates (heartbeats come only every 30 s).
// 3. `conn.renewToken(token)`: only while the socket is open (else the SDK
//    rejects with `{ status: false }` at once); it asks `GET
//    {rest}/{org}/{app}/sdk/users/{user}/token/expires` with `Authorization:
//    Bearer <new token>` and takes `expire_timestamp` (Unix ms) from the JSON
//    answer to reset its timers. A bad token is answered 401 as Agora's REST
//    API does (`{"error":"unauthorized","error_description":...}`).
//
// The protobuf handling below is this project's own: a minimal wire-format
// reader and writer (varints and length-delimited fields) for the few
// messages and field numbers above.
import type { BrowserContext, Route, WebSocketRoute } from 'playwright-core';
import { ChatPrivilege, ServiceType, verifyToken, type ChatService, type DecodedToken007 } from '../../src/index.js';

// ---- protobuf wire format ----------------------------------------------------

type FieldValue = number | Uint8Array;
/** A decoded message: field number -> values in order (varints as numbers, length-delimited as bytes). */
export type Fields = Map<number, FieldValue[]>;

export function decodeProto(bytes: Uint8Array): Fields {
  const fields: Fields = new Map();
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= bytes.length) throw new Error('protobuf: truncated varint');
      const byte = bytes[at++]!;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let value: FieldValue;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const length = varint();
      if (at + length > bytes.length) throw new Error('protobuf: truncated field');
      value = bytes.subarray(at, at + length);
      at += length;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      value = bytes.subarray(at, at + size);
      at += size;
    } else throw new Error(`protobuf: wire type ${wire} not supported`);
    const list = fields.get(field) ?? [];
    list.push(value);
    fields.set(field, list);
  }
  return fields;
}

/** Writes fields in the order given: numbers as varints, strings as UTF-8, bytes (or nested messages) as they are. */
export function encodeProto(fields: [number, number | string | Uint8Array][]): Uint8Array {
  const out: number[] = [];
  const varint = (n: number) => {
    let value = n;
    while (value >= 0x80) {
      out.push((value % 128) | 0x80);
      value = Math.floor(value / 128);
    }
    out.push(value);
  };
  for (const [field, value] of fields) {
    if (typeof value === 'number') {
      varint(field * 8);
      varint(value);
    } else {
      const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
      varint(field * 8 + 2);
      varint(bytes.length);
      for (const byte of bytes) out.push(byte);
    }
  }
  return Uint8Array.from(out);
}

const text = (fields: Fields, field: number): string | undefined => {
  const value = fields.get(field)?.[0];
  return value instanceof Uint8Array ? new TextDecoder().decode(value) : undefined;
};
const int = (fields: Fields, field: number): number | undefined => {
  const value = fields.get(field)?.[0];
  return typeof value === 'number' ? value : undefined;
};
const message = (fields: Fields, field: number): Fields | undefined => {
  const value = fields.get(field)?.[0];
  return value instanceof Uint8Array ? decodeProto(value) : undefined;
};

/** Field numbers of the SDK's schema (easemob.pb), checked against the SDK's bundle by test/agora-chat-schema.test.ts. */
export const MSYNC = { version: 1, guid: 2, auth: 3, command: 8, payload: 9 } as const;
export const JID = { appKey: 1, name: 2, domain: 3, clientResource: 4 } as const;
export const PROVISION = { status: 8, resource: 13, authToken: 18 } as const;
export const STATUS = { errorCode: 1, reason: 2 } as const;
/** Values of the schema's enums the stand-in uses: MSync.Command.PROVISION, Status.ErrorCode.OK and FAIL. */
export const COMMAND_PROVISION = 3;
export const ERROR_OK = 0;
export const ERROR_FAIL = 1;

// ---- the stand-in -------------------------------------------------------------

/** One token the stand-in received, and its verdict. */
export interface SeenToken {
  /** `login` (the msync provision) or `renew` (the REST call behind renewToken). */
  readonly kind: 'login' | 'renew';
  readonly user: string;
  readonly token: string;
  /** `valid`, or why it was refused: `expired`, `bad-signature`, `malformed`, `wrong-app`, `not-a-user-token`, `wrong-user`, `unknown-user`, `tokens-differ`. */
  readonly verdict: string;
  /** Date.now() of the test process when it arrived. */
  readonly at: number;
}

export interface ChatNetwork {
  /** Every token received, in order, with its verdict. */
  readonly seen: SeenToken[];
  /** Requests to addresses nobody plays (aborted), and other things the stand-in did not expect. */
  readonly unexpected: string[];
  /** How many DNS/config requests arrived. */
  dnsRequests: number;
  /** Other MSync commands received after a login (numbers), for the record. */
  readonly otherCommands: number[];
  /** Sockets that are open now. */
  openSockets(): number;
  /** A network drop for Agora: closes every socket and refuses new ones until `restore()`. */
  drop(): void;
  restore(): void;
}

export interface ChatNetworkOptions {
  readonly appId: string;
  readonly appCertificate: string;
  /** `org#app`, what the page gives `new AgoraChat.connection({ appKey })`. */
  readonly appKey: string;
  /** Registered Agora Chat users: username -> UUID. */
  readonly users: ReadonlyMap<string, string>;
  /** The origin of the page (the token server): its requests go through untouched. */
  readonly pageOrigin: string;
}

const DNS_HOST = 'ars.chat.agora.io';
const REST_DOMAIN = 'rest.chat-standin.test';
const MSYNC_DOMAIN = 'msync.chat-standin.test';

/** Installs the stand-in on a browser context (before its pages load the SDK). */
export async function installChatNetwork(context: BrowserContext, options: ChatNetworkOptions): Promise<ChatNetwork> {
  const [org, app] = options.appKey.split('#') as [string, string];
  const sockets = new Set<WebSocketRoute>();
  let dropped = false;
  const network: ChatNetwork = {
    seen: [],
    unexpected: [],
    dnsRequests: 0,
    otherCommands: [],
    openSockets: () => sockets.size,
    drop() {
      dropped = true;
      for (const socket of sockets) void socket.close({ code: 4000, reason: 'network drop' });
      sockets.clear();
    },
    restore() {
      dropped = false;
    },
  };

  /** Agora's check of a user token: genuine, current, this app, a Chat user token for this user's UUID. */
  function check(user: string, token: string): string {
    const uuid = options.users.get(user);
    if (uuid === undefined) return 'unknown-user';
    const verdict = verifyToken(token, options.appCertificate);
    if (!verdict.valid) return verdict.status;
    const decoded = verdict.token as DecodedToken007;
    if (decoded.version !== '007' || decoded.appId !== options.appId) return 'wrong-app';
    const chat = decoded.services.find((s) => s.type === ServiceType.Chat) as ChatService | undefined;
    if (chat === undefined || !(ChatPrivilege.user in chat.privileges)) return 'not-a-user-token';
    if (chat.userId !== uuid) return 'wrong-user';
    return 'valid';
  }

  const cors = (route: Route) => ({
    'access-control-allow-origin': route.request().headers().origin ?? '*',
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
  });
  const json = (route: Route, status: number, body: unknown) =>
    route.fulfill({ status, contentType: 'application/json', headers: cors(route), body: JSON.stringify(body) });

  await context.route('**/*', async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    if (url.origin === options.pageOrigin) return route.fallback();
    if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors(route) });
    if (url.hostname === DNS_HOST && url.pathname === '/easemob/server.json') {
      network.dnsRequests += 1;
      if (url.searchParams.get('app_key') !== options.appKey) return json(route, 400, { error: 'illegal_argument', error_description: 'unknown app_key' });
      const hosts = (domain: string) => [
        { protocol: 'http', domain, port: '80' },
        { protocol: 'https', domain, port: '443' },
      ];
      return json(route, 200, { rest: { hosts: hosts(REST_DOMAIN) }, 'msync-wx': { hosts: hosts(MSYNC_DOMAIN) }, enableReportLogs: 'false', enableDataReport: 'false' });
    }
    const expires = new RegExp(`^/${org}/${app}/sdk/users/([^/]+)/token/expires$`).exec(url.pathname);
    if (url.hostname === REST_DOMAIN && expires && request.method() === 'GET') {
      const user = decodeURIComponent(expires[1]!);
      const token = /^Bearer (.+)$/.exec(request.headers().authorization ?? '')?.[1] ?? '';
      const verdict = check(user, token);
      network.seen.push({ kind: 'renew', user, token, verdict, at: Date.now() });
      if (verdict !== 'valid') return json(route, 401, { error: 'unauthorized', error_description: `token ${verdict}` });
      const { expiresAt } = verifyToken(token, options.appCertificate) as { expiresAt: number };
      return json(route, 200, { expire_timestamp: expiresAt * 1000 });
    }
    network.unexpected.push(`${request.method()} ${request.url()}`);
    return route.abort('addressunreachable');
  });

  await context.routeWebSocket(new RegExp(`^wss?://${MSYNC_DOMAIN.replaceAll('.', '\\.')}(:\\d+)?/websocket$`), (socket) => {
    if (dropped) {
      void socket.close({ code: 4000, reason: 'network drop' });
      return;
    }
    sockets.add(socket);
    let loggedIn = false;
    socket.onClose(() => sockets.delete(socket));
    socket.onMessage((frame) => {
      if (typeof frame === 'string') {
        network.unexpected.push('a text frame on the msync socket');
        return;
      }
      const msync = decodeProto(new Uint8Array(frame));
      const command = int(msync, MSYNC.command) ?? 0;
      if (command !== COMMAND_PROVISION) {
        if (!loggedIn) network.unexpected.push(`msync command ${command} before login`);
        network.otherCommands.push(command);
        return;
      }
      const guid = message(msync, MSYNC.guid);
      const provision = message(msync, MSYNC.payload) ?? new Map();
      const user = (guid && text(guid, JID.name)) ?? '';
      const auth = text(msync, MSYNC.auth) ?? '';
      const token = auth.startsWith('$t$') ? auth.slice(3) : '';
      let inner = '';
      try {
        inner = String((JSON.parse(text(provision, PROVISION.authToken) ?? '{}') as { token?: unknown }).token ?? '');
      } catch {
        inner = '';
      }
      let verdict = guid && text(guid, JID.appKey) === options.appKey ? check(user, token) : 'wrong-app';
      if (verdict === 'valid' && inner !== auth) verdict = 'tokens-differ';
      network.seen.push({ kind: 'login', user, token, verdict, at: Date.now() });
      const resource = text(provision, PROVISION.resource) ?? (guid && text(guid, JID.clientResource)) ?? '';
      const reasons: Record<string, string> = { expired: 'Sorry, token expired', 'unknown-user': 'Sorry, user not found' };
      const status =
        verdict === 'valid'
          ? encodeProto([[STATUS.errorCode, ERROR_OK]])
          : encodeProto([
              [STATUS.errorCode, ERROR_FAIL],
              [STATUS.reason, reasons[verdict] ?? 'Sorry, token or password does not match login info'],
            ]);
      const answer: [number, number | string | Uint8Array][] = [
        [PROVISION.status, status],
        [PROVISION.resource, resource],
      ];
      if (verdict === 'valid') {
        const { expiresAt } = verifyToken(token, options.appCertificate) as { expiresAt: number };
        answer.push([PROVISION.authToken, JSON.stringify({ expires_in: expiresAt * 1000 })]);
      }
      socket.send(Buffer.from(encodeProto([[MSYNC.command, COMMAND_PROVISION], [MSYNC.payload, encodeProto(answer)]])));
      if (verdict === 'valid') loggedIn = true;
      else {
        // Agora ends a connection whose login it refused.
        sockets.delete(socket);
        setTimeout(() => void socket.close({ code: 4001, reason: 'login refused' }), 50);
      }
    });
  });

  return network;
}
