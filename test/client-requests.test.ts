// The client module's arithmetic and its answers to the token server's
// status codes, in Node with a `fetch` that answers as a token server would
// (the shapes of docs/client.md), so that the server's clock can be set an
// hour off this one and each status chosen. The browser runs are in
// e2e-browser-client.test.ts and e2e-chat-sdk.test.ts.
import { describe, expect, it } from 'vitest';
import { TokenClient, TokenClientError } from '../src/client/index.js';

const HOUR = 3_600_000;

interface Call {
  method: string;
  path: string;
  at: number;
}

/** A fetch that plays the token server from a list of answers, one per request, recording each request. */
function server(answers: ((call: Call) => Response)[]): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call = { method: init?.method ?? 'GET', path: String(input), at: Date.now() };
    calls.push(call);
    const answer = answers.shift();
    if (answer === undefined) throw new Error(`unexpected request ${call.method} ${call.path}`);
    return answer(call);
  };
  return { fetch: fetchFn as typeof fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** A token answer from a server whose clock is `skew` ms ahead of this one, for a token of `life` seconds issued now. */
const tokenAnswer = (skew: number, life: number, options: { expiresIn?: boolean; date?: boolean } = {}) => () => {
  const serverNow = Date.now() + skew;
  const issueTs = Math.floor(serverNow / 1000);
  const body = { accessToken: '007fake', chatUserName: 'alice', chatUserUuid: 'uuid-1', expireTimestamp: issueTs + life, ...(options.expiresIn === false ? {} : { expiresIn: life }) };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.date !== false) headers.date = new Date(serverNow).toUTCString();
  return new Response(JSON.stringify(body), { status: 200, headers });
};

describe('token times on this browser\'s clock', () => {
  it('counts the expiry from the token\'s issue time, whatever the server\'s clock says: never late, at most a second early', async () => {
    const { fetch } = server([tokenAnswer(HOUR, 600)]);
    const client = new TokenClient({ fetch });
    const before = Date.now();
    const token = await client.login('alice', 'pw');
    const after = Date.now();
    client.stop();
    // Issued between `before` and `after` on this clock, valid 600 s, its issue second truncated.
    expect(token.expiresAt - token.issuedAt).toBe(600_000);
    expect(token.expiresAt).toBeLessThanOrEqual(after + 600_000);
    expect(token.expiresAt).toBeGreaterThanOrEqual(before - 1000 + 600_000);
    // Not the server's clock: that is an hour ahead.
    expect(Math.abs(token.expiresAt - token.expireTimestamp * 1000)).toBeGreaterThan(HOUR - 2000);
  });

  it('moves a server\'s expireTimestamp to this clock by the Date header when the answer states no lifetime', async () => {
    const { fetch } = server([tokenAnswer(-HOUR, 600, { expiresIn: false })]);
    const client = new TokenClient({ fetch });
    const before = Date.now();
    const token = await client.login('alice', 'pw');
    const after = Date.now();
    client.stop();
    // The server is an hour behind: its expireTimestamp is an hour early on this clock.
    const serverExpiry = token.expireTimestamp * 1000 + HOUR;
    expect(token.expiresAt).toBeLessThanOrEqual(serverExpiry + (after - before));
    expect(token.expiresAt).toBeGreaterThanOrEqual(serverExpiry - 2000 - (after - before));
  });
});

describe('the token server\'s status codes', () => {
  it('tries a login answered 503 server_busy again after its Retry-After, and gives up on a 503 without one', async () => {
    const busy = json(503, { error: { code: 'server_busy', message: 'too many logins are waiting; try again shortly' } }, { 'retry-after': '1' });
    const { fetch, calls } = server([busy, tokenAnswer(0, 600)]);
    const client = new TokenClient({ fetch, retryDelay: 10 });
    const token = await client.login('alice', 'pw');
    client.stop();
    expect(token.chatUserName).toBe('alice');
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST token', 'POST token']);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(990);

    const bare = server([json(503, { error: { code: 'server_busy', message: 'busy' } })]);
    const error = await new TokenClient({ fetch: bare.fetch }).login('alice', 'pw').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenClientError);
    expect(error).toMatchObject({ code: 'server_busy', status: 503, retryAfter: undefined });
    expect(bare.calls).toHaveLength(1);
  });

  it('waits as long as a 429 renew_rate_limited or a 503 store_unavailable asks before renewing again', async () => {
    const limited = json(429, { error: { code: 'renew_rate_limited', message: 'too many renewals; wait' } }, { 'retry-after': '2' });
    const down = json(503, { error: { code: 'store_unavailable', message: 'the user store is unavailable' } }, { 'retry-after': '1' });
    const { fetch, calls } = server([tokenAnswer(0, 600), limited, down, tokenAnswer(0, 600)]);
    const reported: string[] = [];
    const client = new TokenClient({ fetch, retryDelay: 10, onRenewError: (e, willRetry) => reported.push(`${e.code}/${e.status}/${e.retryAfter}/${willRetry}`) });
    await client.login('alice', 'pw');
    const renewed = await client.renew();
    client.stop();
    expect(renewed.accessToken).toBe('007fake');
    expect(reported).toEqual(['renew_rate_limited/429/2/true', 'store_unavailable/503/1/true']);
    expect(calls.map((c) => c.path)).toEqual(['token', 'token/renew', 'token/renew', 'token/renew']);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(1990);
    expect(calls[3]!.at - calls[2]!.at).toBeGreaterThanOrEqual(990);
  });

  it('rejects a failed logout and stays signed in; onSessionEnd only after a logout that worked', async () => {
    const { fetch, calls } = server([tokenAnswer(0, 600), () => new Response('<h1>503</h1>', { status: 503, headers: { 'content-type': 'text/html' } }), () => new Response(null, { status: 204 })]);
    const ended: string[] = [];
    const client = new TokenClient({ fetch, onSessionEnd: (error) => ended.push(error?.code ?? 'logout') });
    await client.login('alice', 'pw');
    const error = await client.logout().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'http_503', status: 503 });
    expect(client.token?.accessToken).toBe('007fake');
    expect(ended).toEqual([]);
    await client.logout();
    expect(client.token).toBeUndefined();
    expect(ended).toEqual(['logout']);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST token', 'POST logout', 'POST logout']);
  });

  it('resumes by asking GET session first: no renewal request without a session; a server without the route is asked to renew', async () => {
    const none = server([json(200, { session: null })]);
    expect(await new TokenClient({ fetch: none.fetch }).resume()).toBeUndefined();
    expect(none.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET session']);

    const some = server([json(200, { session: { userAccount: 'alice', chatUserName: 'alice', chatUserUuid: 'uuid-1', expiresAt: 2_000_000_000 } }), tokenAnswer(0, 600)]);
    const client = new TokenClient({ fetch: some.fetch });
    expect((await client.resume())?.chatUserUuid).toBe('uuid-1');
    client.stop();
    expect(some.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET session', 'POST token/renew']);

    const older = server([json(404, { error: { code: 'not_found', message: 'no route GET /session' } }), json(401, { error: { code: 'no_session', message: 'no session' } })]);
    expect(await new TokenClient({ fetch: older.fetch }).resume()).toBeUndefined();
    expect(older.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET session', 'POST token/renew']);
  });
});
