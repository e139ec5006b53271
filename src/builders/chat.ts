import { assertExpire, assertHexId, assertPackableString, invalidArgument } from '../_internal/assert.js';
import { issueToken2 } from '../token2/access-token2.js';
import { ChatPrivilege, ServiceType, type CheckedService } from '../token2/services.js';
import { assertBuildOptions, type BuildOptions } from './options.js';

/** A Chat service with one privilege; its values were checked by the caller. */
function chatService(userId: string, privilege: number, expire: number): CheckedService {
  return {
    service: { type: ServiceType.Chat, userId, privileges: { [privilege]: expire } },
    privilegeEntries: [[privilege, expire]],
  };
}

/**
 * Tokens for Agora Chat: user tokens to log a user in, app tokens for the
 * Chat RESTful API. Same names and argument order as Agora's
 * `ChatTokenBuilder2` (Java, Python) and `ChatTokenBuilder` (npm `agora-token`).
 */
export class ChatTokenBuilder2 {
  private constructor() {}

  /**
   * Builds a chat user token: an AccessToken2 with one Chat service for
   * `userId`, whose `user` privilege lasts as long as the token.
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param userId - the user's id in Agora Chat (the UUID from the user REST API); not empty.
   * @param expire - seconds **from now** until the token expires, at most 86,400 (24 hours)
   *   unless `options.allowLongExpire` is set.
   * @param options - a fixed `issueTs` and `salt`, or `allowLongExpire`.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_EXPIRE_LIMIT`.
   *
   * @example
   * ```ts
   * import { ChatTokenBuilder2 } from 'agora-token-builder';
   *
   * const token = ChatTokenBuilder2.buildUserToken(appId, appCertificate, chatUserUuid, 3600);
   * ```
   */
  static buildUserToken(
    appId: string,
    appCertificate: string,
    userId: string,
    expire: number,
    options?: BuildOptions,
  ): string {
    assertHexId(appId, 'appId');
    assertHexId(appCertificate, 'appCertificate');
    assertBuildOptions(options);
    assertPackableString(userId, 'userId');
    if (userId.length === 0) throw invalidArgument('userId', 'must not be empty: a user token names one chat user');
    assertExpire(expire, 'expire', options?.allowLongExpire);
    return issueToken2(appId, appCertificate, expire, options, [chatService(userId, ChatPrivilege.user, expire)]);
  }

  /**
   * Builds a chat app token, for calls to the Agora Chat RESTful API. Keep
   * it on your servers: it grants every privilege of the app.
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param expire - seconds **from now** until the token expires, at most 86,400 (24 hours)
   *   unless `options.allowLongExpire` is set.
   * @param options - a fixed `issueTs` and `salt`, or `allowLongExpire`.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_EXPIRE_LIMIT`.
   *
   * @example
   * ```ts
   * const appToken = ChatTokenBuilder2.buildAppToken(appId, appCertificate, 600);
   * ```
   */
  static buildAppToken(appId: string, appCertificate: string, expire: number, options?: BuildOptions): string {
    assertHexId(appId, 'appId');
    assertHexId(appCertificate, 'appCertificate');
    assertBuildOptions(options);
    assertExpire(expire, 'expire', options?.allowLongExpire);
    return issueToken2(appId, appCertificate, expire, options, [chatService('', ChatPrivilege.app, expire)]);
  }
}
