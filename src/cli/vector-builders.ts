// Maps the `builder.name` of a vectors case to a call of this library's
// builder with the case's named arguments, a pinned issueTs and salt, and no
// 24-hour cap (vectors test the wire format, not the policy).
import { ChatTokenBuilder2 } from '../index.js';

type Args = Record<string, unknown>;
type Pinned = { issueTs: number; salt: number };
/**
 * `build` makes the token. `refuses`, where present, names the arguments this
 * library rejects on purpose although a reference accepted them (SPEC
 * section 5); for those the check expects an AgoraTokenError instead.
 */
export interface VectorBuilder {
  build(args: Args, pinned: Pinned): string;
  refuses?(args: Args): string | undefined;
}

const open = (pinned: Pinned) => ({ ...pinned, allowLongExpire: true });
// Vector arguments are JSON; the builders check their types themselves.
const str = (value: unknown) => value as string;
const num = (value: unknown) => value as number;

export const VECTOR_BUILDERS: Record<string, VectorBuilder> = {
  'ChatTokenBuilder2.buildUserToken': {
    build: (a, p) =>
      ChatTokenBuilder2.buildUserToken(str(a.appId), str(a.appCertificate), str(a.userId), num(a.expire), open(p)),
    refuses: (a) => (a.userId === '' ? 'a chat user token with an empty userId' : undefined),
  },
  'ChatTokenBuilder2.buildAppToken': {
    build: (a, p) => ChatTokenBuilder2.buildAppToken(str(a.appId), str(a.appCertificate), num(a.expire), open(p)),
  },
};
