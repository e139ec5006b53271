/**
 * Build, decode and verify Agora access tokens.
 *
 * @packageDocumentation
 */
export { AgoraTokenError, type AgoraTokenErrorCode, type AgoraTokenErrorOptions } from './errors.js';
export { AccessToken2, type AccessToken2Options } from './token2/access-token2.js';
export {
  ServiceType,
  RtcPrivilege,
  RtmPrivilege,
  StreamingPrivilege,
  FpaPrivilege,
  ChatPrivilege,
  FCdnPrivilege,
  ApaasPrivilege,
  Rtm2Privilege,
  Rtm2ResourceType,
  Rtm2PermissionType,
  type ServiceTypeNumber,
  type Privileges,
  type Rtm2PermissionMap,
  type ServiceBase,
  type RtcService,
  type RtmService,
  type StreamingService,
  type FpaService,
  type ChatService,
  type FCdnService,
  type ApaasService,
  type Rtm2Service,
  type ConvoAIService,
  type SttService,
  type Service,
  type ServiceInit,
} from './token2/services.js';
export { MAX_CONTENT_BYTES, type DecodedToken007 } from './token2/parse.js';
export {
  decodeToken,
  verifyToken,
  MAX_TOKEN_LENGTH,
  type DecodedToken,
  type VerifyOptions,
  type VerifyResult,
  type VerifyStatus,
} from './decode.js';
export { type BuildOptions } from './builders/options.js';
export { ChatTokenBuilder2 } from './builders/chat.js';
