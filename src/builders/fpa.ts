import { FpaPrivilege, ServiceType } from '../token2/services.js';
import { assertCredentials, newToken } from './checks.js';
import { assertBuildOptions, type BuildOptions } from './options.js';

/** The fixed expire of an FPA token: 24 hours, in seconds. */
const FPA_TOKEN_EXPIRE = 86_400;

/**
 * Tokens for Agora Full-Path Acceleration (FPA). Same name and arguments as
 * Agora's `FpaTokenBuilder`.
 */
export class FpaTokenBuilder {
  private constructor() {}

  /**
   * Builds an FPA token: valid for 24 hours, with one Fpa service whose
   * login privilege has no limit of its own (0).
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param options - a fixed `issueTs` and `salt` (the expire is always 86,400 seconds).
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT`.
   *
   * @example
   * ```ts
   * import { FpaTokenBuilder } from 'agora-token-builder';
   *
   * const token = FpaTokenBuilder.buildToken(appId, appCertificate);
   * ```
   */
  static buildToken(appId: string, appCertificate: string, options?: BuildOptions): string {
    assertCredentials(appId, appCertificate);
    assertBuildOptions(options);
    return newToken(appId, appCertificate, FPA_TOKEN_EXPIRE, options)
      .addService({ type: ServiceType.Fpa, privileges: { [FpaPrivilege.login]: 0 } })
      .build();
  }
}
