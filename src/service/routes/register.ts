// POST /register (opt-in): makes an account, registers its Agora Chat user
// (or finds it), stores the user with a password hash, and answers like a
// login: a chat token and a session. The same body, password rules and
// limits as POST /token; `canRegister` decides who may (an invitation, a
// captcha); 409 for an account that exists.
import { isStoreUnavailable, storeUnavailable } from '../accounts.js';
import { answerToken, askStore, readCredentials, startSession, type Call } from '../core.js';
import { ClientGone, HttpError, type Reply } from '../http.js';
import { LoginRejected } from '../login-gate.js';

export async function register(call: Call): Promise<Reply> {
  const { config } = call;
  const registration = config.registration!;
  const store = config.accounts.store!;
  const hasher = config.accounts.hasher!;
  const { userAccount, userPassword } = await readCredentials(call);
  let allowed: boolean;
  try {
    allowed = (await registration.canRegister(call.fetchRequest())) === true;
  } catch (error) {
    config.onError(error);
    throw new HttpError(500, 'internal_error', 'the server could not decide on the registration');
  }
  if (!allowed) throw new HttpError(403, 'registration_closed', 'registration is not open to this request');
  const exists = () => new HttpError(409, 'user_exists', 'an account of this name exists: log in, or choose another name');
  if ((await askStore(call, () => store.findUser(userAccount), 'look the user up')) !== null) throw exists();
  let chatUserUuid: string;
  try {
    ({ chatUserUuid } = await registration.registerChatUser(userAccount));
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'ERR_INVALID_ARGUMENT') {
      throw new HttpError(400, 'invalid_request', 'this account name is not accepted as an Agora Chat username (1 to 64 of a-z, 0-9, _ - .)');
    }
    config.onError(error);
    throw new HttpError(502, 'chat_registration_failed', 'the chat user could not be registered with Agora Chat; try again later');
  }
  const gone = call.request.signal;
  let passwordHash: string;
  try {
    // A hash costs what a login costs: through the same gate.
    passwordHash = await config.gate(gone, () => hasher.hash(userPassword));
  } catch (error) {
    if (error instanceof LoginRejected) {
      if (error.reason === 'gone') throw new ClientGone();
      throw new HttpError(503, 'server_busy', 'too many logins are waiting; try again shortly', { 'retry-after': '1' });
    }
    config.onError(error);
    throw new HttpError(500, 'internal_error', 'the server could not hash the password');
  }
  let added;
  try {
    added = await store.addUser({ userAccount, chatUserName: userAccount, chatUserUuid, passwordHash });
  } catch (error) {
    // Another request registered the name meanwhile.
    if ((error as { code?: unknown } | null)?.code === 'ERR_USER_EXISTS') throw exists();
    if (isStoreUnavailable(error)) throw storeUnavailable();
    config.onError(error);
    throw new HttpError(500, 'internal_error', 'the server could not store the user');
  }
  const user = added.user;
  const session = await startSession(call, userAccount, { chatUserName: user.chatUserName, chatUserUuid: user.chatUserUuid, credentialStamp: user.credentialVersion });
  return answerToken(call, user, session.end, session.cookie);
}
