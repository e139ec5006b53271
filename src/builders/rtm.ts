import {
  assertCount,
  assertExpire,
  assertPackableString,
  assertPlainObject,
  assertU16,
  invalidArgument,
  U16_MAX,
} from '../_internal/assert.js';
import { Rtm2Privilege, RtmPrivilege, ServiceType, type Rtm2PermissionMap } from '../token2/services.js';
import { assertCredentials, newToken } from './checks.js';
import { assertBuildOptions, type BuildOptions } from './options.js';

/**
 * RTM 2.x resource-level permissions, built up with {@link Rtm2Permissions.add}.
 * The same shape and constants as `Rtm2Permissions` of npm `agora-token`.
 *
 * @example
 * ```ts
 * const permissions = new Rtm2Permissions()
 *   .add(Rtm2Permissions.kMessageChannels, Rtm2Permissions.kRead, ['news', 'chat-*'])
 *   .add(Rtm2Permissions.kMessageChannels, Rtm2Permissions.kWrite, ['chat-*']);
 * RtmTokenBuilder2.buildTokenWithPermissions(appId, appCertificate, 'alice', permissions, 3600);
 * ```
 */
export class Rtm2Permissions {
  /** Resource type 0: message channels. */
  static readonly kMessageChannels = 0;
  /** Resource type 1: stream channels. */
  static readonly kStreamChannels = 1;
  /** Resource type 2: group channels. */
  static readonly kGroupChannels = 2;
  /** Resource type 3: server groups. */
  static readonly kServerGroups = 3;
  /** Resource type 4: users. */
  static readonly kUsers = 4;
  /** Permission type 0: read. */
  static readonly kRead = 0;
  /** Permission type 1: write. */
  static readonly kWrite = 1;

  /** Resource type, then permission type, then the resources in the order given. */
  details: { [resourceType: number]: { [permissionType: number]: string[] } } = {};

  /**
   * Sets the resources of one resource type and permission type, replacing
   * any set before for that pair.
   *
   * @param resourceType - one of the resource type constants (any u16).
   * @param permissionType - {@link Rtm2Permissions.kRead} or {@link Rtm2Permissions.kWrite} (any u16).
   * @param resources - resource names (channel names, patterns, user ids), packed in this order.
   * @returns this object, for chaining.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` for a type out of range or a resource that cannot be packed.
   */
  add(resourceType: number, permissionType: number, resources: Iterable<string>): this {
    assertU16(resourceType, 'resourceType');
    assertU16(permissionType, 'permissionType');
    const list = resourceList(resources, 'resources');
    (this.details[resourceType] ??= {})[permissionType] = list;
    return this;
  }
}

/** Anything with the `details` of an {@link Rtm2Permissions}, such as one from `agora-token`. */
export interface Rtm2PermissionsLike {
  /** Resource type, then permission type, then the resources in order. */
  readonly details: Rtm2PermissionMap;
}

function resourceList(resources: unknown, argument: string): string[] {
  if (typeof resources === 'string' || typeof resources !== 'object' || resources === null || !(Symbol.iterator in resources)) {
    throw invalidArgument(argument, 'must be an array of strings');
  }
  const list = Array.from(resources as Iterable<unknown>);
  assertCount(list.length, argument);
  list.forEach((resource, i) => assertPackableString(resource, `${argument}[${i}]`));
  return list as string[];
}

const CANONICAL_U16 = /^(0|[1-9][0-9]{0,4})$/;

function mapKey(key: string, argument: string): void {
  if (!CANONICAL_U16.test(key) || Number(key) > U16_MAX) {
    throw invalidArgument(argument, `keys must be integers from 0 to ${U16_MAX} (got "${key.slice(0, 20)}")`);
  }
}

/** Checks a permissions argument (an Rtm2Permissions-like object or a plain map) and returns its map. */
function permissionMap(value: unknown): Rtm2PermissionMap {
  const wrapped = typeof value === 'object' && value !== null && Object.hasOwn(value, 'details');
  const map = wrapped ? (value as Rtm2PermissionsLike).details : value;
  const argument = wrapped ? 'permissions.details' : 'permissions';
  assertPlainObject(map, argument);
  assertCount(Object.keys(map).length, argument);
  const result: Record<number, Record<number, string[]>> = {};
  for (const [resourceKey, byPermission] of Object.entries(map)) {
    mapKey(resourceKey, argument);
    const where = `${argument}[${resourceKey}]`;
    assertPlainObject(byPermission, where);
    assertCount(Object.keys(byPermission).length, where);
    const checked: Record<number, string[]> = {};
    for (const [permissionKey, resources] of Object.entries(byPermission)) {
      mapKey(permissionKey, where);
      if (!Array.isArray(resources)) throw invalidArgument(`${where}[${permissionKey}]`, 'must be an array of strings');
      checked[Number(permissionKey)] = resourceList(resources, `${where}[${permissionKey}]`);
    }
    result[Number(resourceKey)] = checked;
  }
  return result;
}

/**
 * Tokens for Agora Signaling (RTM). Same names and argument order as Agora's
 * `RtmTokenBuilder2` (Python, Java) and `RtmTokenBuilder` of npm `agora-token`.
 */
export class RtmTokenBuilder2 {
  private constructor() {}

  /**
   * Builds an RTM login token: one Rtm service for `userId` whose login
   * privilege lasts as long as the token.
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param userId - the RTM user id.
   * @param expire - seconds from now until the token expires, at most 86,400 unless `options.allowLongExpire`.
   * @param options - a fixed `issueTs` and `salt`, or `allowLongExpire`.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_EXPIRE_LIMIT`.
   *
   * @example
   * ```ts
   * import { RtmTokenBuilder2 } from 'agora-token-builder';
   *
   * const token = RtmTokenBuilder2.buildToken(appId, appCertificate, 'alice', 3600);
   * ```
   */
  static buildToken(appId: string, appCertificate: string, userId: string, expire: number, options?: BuildOptions): string {
    assertCredentials(appId, appCertificate);
    assertBuildOptions(options);
    assertPackableString(userId, 'userId');
    assertExpire(expire, 'expire', options?.allowLongExpire);
    return newToken(appId, appCertificate, expire, options)
      .addService({ type: ServiceType.Rtm, userId, privileges: { [RtmPrivilege.login]: expire } })
      .build();
  }

  /**
   * Builds an RTM 2.x token with resource-level permissions: one Rtm2
   * service for `userId` with the permissions and a login privilege that
   * lasts as long as the token. (Agora enables this kind of token per
   * project on request.)
   *
   * @param appId - the App ID of the Agora project (32 hex characters).
   * @param appCertificate - the App Certificate of the project (32 hex characters).
   * @param userId - the RTM user id.
   * @param permissions - an {@link Rtm2Permissions} (ours or `agora-token`'s), or a plain
   *   `{ resourceType: { permissionType: [resource, ...] } }` map.
   * @param expire - seconds from now until the token expires, at most 86,400 unless `options.allowLongExpire`.
   * @param options - a fixed `issueTs` and `salt`, or `allowLongExpire`.
   * @returns the token string, `"007…"`.
   * @throws {@link AgoraTokenError} `ERR_INVALID_ARGUMENT` or `ERR_EXPIRE_LIMIT`.
   *
   * @example
   * ```ts
   * const token = RtmTokenBuilder2.buildTokenWithPermissions(appId, appCertificate, 'alice', {
   *   [Rtm2ResourceType.messageChannels]: { [Rtm2PermissionType.read]: ['news'] },
   * }, 3600);
   * ```
   */
  static buildTokenWithPermissions(
    appId: string,
    appCertificate: string,
    userId: string,
    permissions: Rtm2Permissions | Rtm2PermissionsLike | Rtm2PermissionMap,
    expire: number,
    options?: BuildOptions,
  ): string {
    assertCredentials(appId, appCertificate);
    assertBuildOptions(options);
    assertPackableString(userId, 'userId');
    const map = permissionMap(permissions);
    assertExpire(expire, 'expire', options?.allowLongExpire);
    return newToken(appId, appCertificate, expire, options)
      .addService({ type: ServiceType.Rtm2, userId, permissions: map, privileges: { [Rtm2Privilege.login]: expire } })
      .build();
  }
}
