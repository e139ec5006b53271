import { ServiceType } from '../token2/services.js';
import type { BuildOptions } from './options.js';
import { buildRtcRtmToken, type RtcRole } from './rtc.js';

// ConvoAI and Stt tokens are RtcTokenBuilder2.buildTokenWithRtm2 plus one
// empty service; they differ only in that service's type.

/**
 * Tokens for Agora's Conversational AI engine. Same name and arguments as
 * `ConvoAITokenBuilder` of npm `agora-token`.
 */
export class ConvoAITokenBuilder {
  private constructor() {}

  /**
   * Builds a token for a conversational AI agent: the Rtc and Rtm services of
   * {@link RtcTokenBuilder2.buildTokenWithRtm2}, then a ConvoAI service.
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param channelName - the channel the agent joins.
   * @param rtcAccount - the agent's RTC user account.
   * @param rtcRole - {@link RtcRole}.PUBLISHER or {@link RtcRole}.SUBSCRIBER.
   * @param rtcTokenExpire - seconds from now until the token expires, at most 86,400 unless `options.allowLongExpire`.
   * @param joinChannelPrivilegeExpire - seconds from now until joining is no longer allowed.
   * @param pubAudioPrivilegeExpire - seconds from now until publishing audio is no longer allowed (publisher only).
   * @param pubVideoPrivilegeExpire - seconds from now until publishing video is no longer allowed (publisher only).
   * @param pubDataStreamPrivilegeExpire - seconds from now until publishing data is no longer allowed (publisher only).
   * @param rtmUserId - the agent's RTM user id.
   * @param rtmTokenExpire - seconds from now until the RTM login privilege expires.
   * @param options - a fixed `issueTs` and `salt`, or `allowLongExpire`.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_EXPIRE_LIMIT`.
   *
   * @example
   * ```ts
   * import { ConvoAITokenBuilder, RtcRole } from 'agora-token-builder';
   *
   * const token = ConvoAITokenBuilder.buildToken(
   *   appId, appCertificate, 'room-1', '1001', RtcRole.PUBLISHER, 3600, 3600, 3600, 3600, 3600, 'agent-1001', 3600,
   * );
   * ```
   */
  static buildToken(
    appId: string,
    appCertificate: string,
    channelName: string,
    rtcAccount: string,
    rtcRole: RtcRole,
    rtcTokenExpire: number,
    joinChannelPrivilegeExpire: number,
    pubAudioPrivilegeExpire: number,
    pubVideoPrivilegeExpire: number,
    pubDataStreamPrivilegeExpire: number,
    rtmUserId: string,
    rtmTokenExpire: number,
    options?: BuildOptions,
  ): string {
    return buildRtcRtmToken(
      [
        appId,
        appCertificate,
        channelName,
        rtcAccount,
        rtcRole,
        rtcTokenExpire,
        joinChannelPrivilegeExpire,
        pubAudioPrivilegeExpire,
        pubVideoPrivilegeExpire,
        pubDataStreamPrivilegeExpire,
        rtmUserId,
        rtmTokenExpire,
        options,
      ],
      ServiceType.ConvoAI,
    );
  }
}

/**
 * Tokens for Agora's real-time speech-to-text. Same name and arguments as
 * `SttTokenBuilder` of npm `agora-token`.
 */
export class SttTokenBuilder {
  private constructor() {}

  /**
   * Builds a token for a speech-to-text bot: the Rtc and Rtm services of
   * {@link RtcTokenBuilder2.buildTokenWithRtm2}, then an Stt service.
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param channelName - the channel the bot joins.
   * @param rtcAccount - the bot's RTC user account.
   * @param rtcRole - {@link RtcRole}.PUBLISHER or {@link RtcRole}.SUBSCRIBER.
   * @param rtcTokenExpire - seconds from now until the token expires, at most 86,400 unless `options.allowLongExpire`.
   * @param joinChannelPrivilegeExpire - seconds from now until joining is no longer allowed.
   * @param pubAudioPrivilegeExpire - seconds from now until publishing audio is no longer allowed (publisher only).
   * @param pubVideoPrivilegeExpire - seconds from now until publishing video is no longer allowed (publisher only).
   * @param pubDataStreamPrivilegeExpire - seconds from now until publishing data is no longer allowed (publisher only).
   * @param rtmUserId - the bot's RTM user id.
   * @param rtmTokenExpire - seconds from now until the RTM login privilege expires.
   * @param options - a fixed `issueTs` and `salt`, or `allowLongExpire`.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_EXPIRE_LIMIT`.
   *
   * @example
   * ```ts
   * import { SttTokenBuilder, RtcRole } from 'agora-token-builder';
   *
   * const token = SttTokenBuilder.buildToken(
   *   appId, appCertificate, 'room-1', '2002', RtcRole.SUBSCRIBER, 3600, 3600, 0, 0, 0, 'stt-bot', 3600,
   * );
   * ```
   */
  static buildToken(
    appId: string,
    appCertificate: string,
    channelName: string,
    rtcAccount: string,
    rtcRole: RtcRole,
    rtcTokenExpire: number,
    joinChannelPrivilegeExpire: number,
    pubAudioPrivilegeExpire: number,
    pubVideoPrivilegeExpire: number,
    pubDataStreamPrivilegeExpire: number,
    rtmUserId: string,
    rtmTokenExpire: number,
    options?: BuildOptions,
  ): string {
    return buildRtcRtmToken(
      [
        appId,
        appCertificate,
        channelName,
        rtcAccount,
        rtcRole,
        rtcTokenExpire,
        joinChannelPrivilegeExpire,
        pubAudioPrivilegeExpire,
        pubVideoPrivilegeExpire,
        pubDataStreamPrivilegeExpire,
        rtmUserId,
        rtmTokenExpire,
        options,
      ],
      ServiceType.Stt,
    );
  }
}
