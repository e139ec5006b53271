// POST /token: checks a password and answers a chat user token, with a
// session cookie that renews it (POST /token/renew) without the password.
import { isStoreUnavailable, storeUnavailable } from '../accounts.js';
import { answerToken, readCredentials, startSession, type Call } from '../core.js';
import { ClientGone, HttpError, type Reply } from '../http.js';
import { LoginRejected } from '../login-gate.js';

/** Seconds a client is told to wait (`Retry-After`) when the login queue is full. */
const BUSY_RETRY_AFTER_SECONDS = 1;

export async function login(call: Call): Promise<Reply> {
  const { config } = call;
  const { userAccount, userPassword } = await readCredentials(call);
  const gone = call.request.signal;
  let account;
  try {
    // One read of the user: the password is checked against it and the session stamped from it.
    // Through the gate: a bounded number of hashes at once; a client that left while waiting costs none.
    account = await config.gate(gone, () => config.accounts.login(userAccount, userPassword, gone));
  } catch (error) {
    if (error instanceof LoginRejected) {
      if (error.reason === 'gone') throw new ClientGone();
      throw new HttpError(503, 'server_busy', error.reason === 'busy' ? 'too many logins are waiting; try again shortly' : 'the server is shutting down', {
        'retry-after': String(BUSY_RETRY_AFTER_SECONDS),
        ...(error.reason === 'closing' ? { connection: 'close' } : {}),
      });
    }
    if (gone.aborted) throw new ClientGone();
    if (isStoreUnavailable(error)) throw storeUnavailable();
    config.onError(error);
    throw new HttpError(500, 'internal_error', 'the server could not check the login');
  }
  if (gone.aborted) throw new ClientGone();
  if (account === null) throw new HttpError(401, 'invalid_credentials', 'unknown user or wrong password');
  const session = await startSession(call, userAccount, account);
  return answerToken(call, account, session.end, session.cookie);
}
