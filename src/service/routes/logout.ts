// POST /logout: ends the session in this browser (the cookie is expired).
// Stateless sessions: a copied cookie lasts until its end, or until the
// user's password changes or the user is removed.
import { clearCookie, cors, type Call } from '../core.js';
import { readJson, send, type Reply } from '../http.js';

export async function logout(call: Call): Promise<Reply> {
  await readJson(call.request, call.config.maxBodyBytes, call.body, true);
  return send(204, null, { ...cors(call), ...clearCookie(call) });
}
