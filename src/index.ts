/**
 * Build, decode and verify Agora access tokens.
 *
 * @module agora-token-builder
 */
import { useNodePlatform } from './node-platform.js';

useNodePlatform();

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
export { RtcTokenBuilder2, RtcRole } from './builders/rtc.js';
export { RtmTokenBuilder2, Rtm2Permissions, type Rtm2PermissionsLike } from './builders/rtm.js';
export { FpaTokenBuilder } from './builders/fpa.js';
export { ApaasTokenBuilder, EducationTokenBuilder } from './builders/apaas.js';
export { ConvoAITokenBuilder, SttTokenBuilder } from './builders/convoai.js';
export {
  RtcTokenBuilder,
  RtmTokenBuilder,
  RtcRole006,
  RtmRole006,
  type BuildOptions006,
} from './builders/legacy.js';
export { AccessToken, Privilege006, type AccessToken006Options } from './token006/access-token.js';
export { type DecodedToken006 } from './token006/parse.js';
