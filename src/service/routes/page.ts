// GET / (the sign-in page) and GET /assets/… (the two browser modules it loads).
import type { Call } from '../core.js';
import { HttpError, send, type Reply } from '../http.js';

/** The asset names the page loads, relative to itself. */
export const ASSET_NAMES: ReadonlySet<string> = new Set(['agora-token-builder-web.js', 'agora-token-builder-client.js']);

export async function page(call: Call): Promise<Reply> {
  const page = call.config.page!;
  return send(200, page.html, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': await page.csp(),
    'referrer-policy': 'no-referrer',
  });
}

export async function asset(call: Call, name: string): Promise<Reply> {
  const body = call.config.assets === undefined ? undefined : await call.config.assets(name);
  if (body === undefined) throw new HttpError(404, 'not_found', `no asset ${name} (is the package built, or are assets given?)`);
  return send(200, body, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
}
