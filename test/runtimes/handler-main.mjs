// The token service's flow (handler-flow.mjs) in the runtime that runs this
// file, served the way that runtime serves a Fetch handler:
//
//   node handler-main.mjs node    the handler called with Requests (Node has no Fetch server)
//   bun  handler-main.mjs bun     Bun.serve on 127.0.0.1, called with fetch
//   deno handler-main.mjs deno    Deno.serve on 127.0.0.1, called with fetch
//
// Prints one `RUNTIME-RESULT {json}` line for scripts/runtimes.mjs.
import { createService, runHandlerFlow } from './handler-flow.mjs';

const [runtime] = globalThis.Deno ? Deno.args : process.argv.slice(2);
const root = new URL('../../', import.meta.url);

let result;
let stop = async () => undefined;
try {
  const handlerModule = await import(new URL('dist/handler.js', root).href);
  const web = await import(new URL('dist/web.js', root).href);
  const service = createService(handlerModule);
  let call;
  if (runtime === 'bun') {
    const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (request) => service.fetch(request) });
    call = (path, init) => fetch(`http://127.0.0.1:${server.port}${path}`, init);
    stop = async () => server.stop(true);
  } else if (runtime === 'deno') {
    const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: () => undefined }, (request) => service.fetch(request));
    call = (path, init) => fetch(`http://127.0.0.1:${server.addr.port}${path}`, init);
    stop = () => server.shutdown();
  } else {
    call = (path, init) => service.fetch(new Request(`http://localhost${path}`, init));
  }
  result = await runHandlerFlow({ call, removeAlice: () => service.removeAlice(), lib: web });
} catch (error) {
  result = { passed: 0, failed: 1, failures: [`${error?.name}: ${error?.message}`] };
}
await stop();
console.log(`RUNTIME-RESULT ${JSON.stringify({ runtime, entry: 'handler', ...result })}`);
