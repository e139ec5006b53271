// GET /session: who is signed in, for a page that probes before it shows a
// sign-in form. Always 200: `{"session": null}` without a valid session (the
// cookie is cleared when one was sent), else the user and the session's end.
import { clearCookie, cors, currentUser, openSession, type Call } from '../core.js';
import { sendJson, type Reply } from '../http.js';

export async function sessionInfo(call: Call): Promise<Reply> {
  const opened = await openSession(call);
  if ('failure' in opened) return sendJson(200, { session: null }, { ...cors(call), ...(opened.cookieSent ? clearCookie(call) : {}) });
  const { session } = opened;
  const user = await currentUser(call, session);
  if (user === null) return sendJson(200, { session: null }, { ...cors(call), ...clearCookie(call) });
  return sendJson(
    200,
    { session: { userAccount: session.userAccount, chatUserName: user.chatUserName, chatUserUuid: user.chatUserUuid, expiresAt: session.expiresAt } },
    cors(call),
  );
}
