// One server test suite, two ways to serve it: the Node adapter
// (startTokenServer) and the Fetch handler (createFetchHandler, served by a
// small generic node:http bridge like any Fetch handler on Node, e.g.
// @hono/node-server). Both take the same options, resolved by the adapter's
// own resolveNodeOptions (environment, users file, scrypt), so the two
// cannot drift: every shared test runs against both.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createFetchHandler } from '../../src/handler.js';
import { resolveNodeOptions } from '../../src/server/handler.js';
import { startTokenServer, type TokenServerOptions } from '../../src/server/index.js';

export type Adapter = 'node' | 'fetch';
export const ADAPTERS: readonly Adapter[] = ['node', 'fetch'];

/** A running server of either kind. */
export interface TestServer {
  readonly url: string;
  readonly port: number;
  close(timeoutMs?: number): Promise<void>;
}

/** Serves a Fetch handler on 127.0.0.1 through node:http. */
export async function serveFetch(handler: (request: Request) => Promise<Response>): Promise<TestServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const headers = new Headers();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    let request: Request;
    try {
      request = new Request(new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`), {
        method: req.method,
        headers,
        signal: controller.signal,
        ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
      } as RequestInit);
    } catch {
      res.writeHead(400).end();
      return;
    }
    handler(request).then(
      async (response) => {
        if (controller.signal.aborted) return void res.destroy();
        const body = Buffer.from(await response.arrayBuffer());
        const out: Record<string, string | string[]> = {};
        response.headers.forEach((value, name) => {
          if (name !== 'set-cookie') out[name] = value;
        });
        if (response.headers.getSetCookie().length > 0) out['set-cookie'] = response.headers.getSetCookie();
        res.writeHead(response.status, out);
        res.end(body);
        req.resume(); // drop a body the handler did not read
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Starts a token server of the given kind with the Node adapter's options. */
export async function startWith(adapter: Adapter, options: TokenServerOptions): Promise<TestServer> {
  if (adapter === 'node') return startTokenServer(options);
  const { host: _host, port: _port, closeTimeout: _close, headersTimeout: _headers, requestTimeout: _request, ...handlerOptions } = options;
  return serveFetch(createFetchHandler(resolveNodeOptions(handlerOptions).fetchOptions));
}
