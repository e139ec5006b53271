// POST /token/renew: a new chat token for the session's user, without a
// password. In order: the cookie (signature, end), the per-session limit,
// one lookup of the user (removed or password changed: revoked), and a
// token that ends no later than the session.
import { answerToken, cors, currentUser, openSession, sessionError, type Call } from '../core.js';
import { HttpError, readJson, type Reply } from '../http.js';

export async function renew(call: Call): Promise<Reply> {
  const { config } = call;
  await readJson(call.request, config.maxBodyBytes, call.body, true);
  const opened = await openSession(call);
  if ('failure' in opened) throw sessionError(call, opened.failure);
  const { session } = opened;
  const wait = config.limiter?.take(session.id, Date.now()) ?? 0;
  if (wait > 0) {
    throw new HttpError(429, 'renew_rate_limited', `this session renews too often; try again in ${wait} s`, { 'retry-after': String(wait), ...cors(call) });
  }
  const user = await currentUser(call, session);
  if (user === null) throw sessionError(call, 'session_revoked');
  return answerToken(call, user, session.expiresAt);
}
