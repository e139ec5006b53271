// GET /chat/user/uuid/{uuid}/token, demo mode only: the seed's bare token
// for any user, to anyone who asks. Never in production.
import { MAX_NAME_LENGTH } from '../accounts.js';
import { cors, nowSeconds, type Call } from '../core.js';
import { HttpError, send, type Reply } from '../http.js';

export async function demoToken(call: Call, encoded: string): Promise<Reply> {
  const { config } = call;
  if (!config.demo) throw new HttpError(404, 'demo_only', 'this endpoint hands a token to anyone who asks; it is served only in demo mode');
  let uuid: string;
  try {
    uuid = decodeURIComponent(encoded);
  } catch {
    uuid = '';
  }
  if (uuid.length === 0 || uuid.length > MAX_NAME_LENGTH || !uuid.isWellFormed()) {
    throw new HttpError(400, 'invalid_request', `the chat user uuid must be 1 to ${MAX_NAME_LENGTH} characters`);
  }
  const token = await config.platform.buildChatUserToken(config.appId, config.appCertificate, uuid, config.expire, {
    allowLongExpire: config.allowLongExpire,
    issueTs: nowSeconds(),
  });
  return send(200, token, { 'content-type': 'text/plain; charset=utf-8', ...cors(call) });
}
