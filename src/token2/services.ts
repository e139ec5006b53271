// The ten AccessToken2 service types as data. One description per type drives
// validation, packing and parsing, so the types differ only in this table.
import {
  accountToString,
  assertCount,
  assertI16,
  assertPackableString,
  assertPlainObject,
  assertU32,
  invalidArgument,
  U16_MAX,
} from '../_internal/assert.js';
import type { ByteReader, ByteWriter } from '../_internal/bytes.js';

/** The numeric service types of AccessToken2, by name. */
export const ServiceType = {
  /** 1: real-time communication (audio and video) in a channel. */
  Rtc: 1,
  /** 2: Signalling (RTM) login. */
  Rtm: 2,
  /** 3: media push streaming. */
  Streaming: 3,
  /** 4: full-path acceleration (FPA). */
  Fpa: 4,
  /** 5: Agora Chat. */
  Chat: 5,
  /** 6: Fusion CDN. */
  FCdn: 6,
  /** 7: Flexible Classroom (aPaaS / Education). */
  Apaas: 7,
  /** 8: Signalling 2.x login with resource-level permissions. */
  Rtm2: 8,
  /** 9: Conversational AI engine. */
  ConvoAI: 9,
  /** 10: speech-to-text. */
  Stt: 10,
} as const;

/** One of the ten known service type numbers. */
export type ServiceTypeNumber = (typeof ServiceType)[keyof typeof ServiceType];

/** Privileges of the Rtc service (type 1). */
export const RtcPrivilege = {
  /** 1: join the channel. */
  joinChannel: 1,
  /** 2: publish an audio stream. */
  publishAudioStream: 2,
  /** 3: publish a video stream. */
  publishVideoStream: 3,
  /** 4: publish a data stream. */
  publishDataStream: 4,
} as const;
/** Privileges of the Rtm service (type 2). */
export const RtmPrivilege = {
  /** 1: log in to Signalling. */
  login: 1,
} as const;
/** Privileges of the Streaming service (type 3). */
export const StreamingPrivilege = {
  /** 1: publish a mixed stream. */
  publishMixStream: 1,
  /** 2: publish a raw stream. */
  publishRawStream: 2,
} as const;
/** Privileges of the Fpa service (type 4). */
export const FpaPrivilege = {
  /** 1: log in to FPA. */
  login: 1,
} as const;
/** Privileges of the Chat service (type 5). */
export const ChatPrivilege = {
  /** 1: a chat user's privileges (a user token). */
  user: 1,
  /** 2: the whole app's privileges (an app token; keep it on servers). */
  app: 2,
} as const;
/** Privileges of the FCdn service (type 6). */
export const FCdnPrivilege = {
  /** 1: publish to the CDN. */
  publish: 1,
  /** 2: play from the CDN. */
  play: 2,
} as const;
/** Privileges of the Apaas service (type 7). */
export const ApaasPrivilege = {
  /** 1: a user in one room. */
  roomUser: 1,
  /** 2: a user, in any room. */
  user: 2,
  /** 3: the whole app (keep it on servers). */
  app: 3,
} as const;
/** Privileges of the Rtm2 service (type 8). */
export const Rtm2Privilege = {
  /** 1: log in to Signalling 2.x. */
  login: 1,
} as const;

/** Resource types of an Rtm2 permission map. */
export const Rtm2ResourceType = {
  /** 0: message channels. */
  messageChannels: 0,
  /** 1: stream channels. */
  streamChannels: 1,
  /** 2: group channels. */
  groupChannels: 2,
  /** 3: server groups. */
  serverGroups: 3,
  /** 4: users. */
  users: 4,
} as const;
/** Permission types of an Rtm2 permission map. */
export const Rtm2PermissionType = {
  /** 0: read (subscribe, receive). */
  read: 0,
  /** 1: write (publish, send). */
  write: 1,
} as const;

/**
 * Privileges of a service: u16 privilege key to u32 value, where the value
 * counts seconds from the token's `issueTs` (0: no limit of its own).
 */
export type Privileges = { readonly [privilege: number]: number };

/**
 * Rtm2 resource-level permissions:
 * resource type, then permission type, then the resources in order.
 */
export type Rtm2PermissionMap = {
  readonly [resourceType: number]: { readonly [permissionType: number]: readonly string[] };
};

/** Fields every service shares. */
export interface ServiceBase<T extends number> {
  /** The service type number. */
  readonly type: T;
  /** Privilege key to value in seconds from `issueTs`. */
  readonly privileges: Privileges;
}
/** Real-time communication in one channel. `uid` is a decimal string, "" for any user. */
export interface RtcService extends ServiceBase<1> {
  /** The channel the token is for. */
  readonly channelName: string;
  /** The user: a decimal uid or a user account; "" lets any user join. */
  readonly uid: string;
}
/** Signalling (RTM) login of one user. */
export interface RtmService extends ServiceBase<2> {
  /** The Signalling user id that logs in. */
  readonly userId: string;
}
/** Media push streaming in one channel. */
export interface StreamingService extends ServiceBase<3> {
  /** The channel streamed from. */
  readonly channelName: string;
  /** The user: a decimal uid or a user account; "" for any user. */
  readonly account: string;
}
/** Full-path acceleration login. */
export type FpaService = ServiceBase<4>;
/** Agora Chat: a user (`userId` set) or the whole app (`userId` ""). */
export interface ChatService extends ServiceBase<5> {
  /** The chat user id; "" in an app token. */
  readonly userId: string;
}
/** Fusion CDN publishing and playing in one channel. */
export interface FCdnService extends ServiceBase<6> {
  /** The channel published or played. */
  readonly channelName: string;
  /** The user: a decimal uid or a user account; "" for any user. */
  readonly account: string;
}
/** Flexible Classroom (aPaaS / Education): a room user, a user or the app. */
export interface ApaasService extends ServiceBase<7> {
  /** The room; "" in a user or app token. */
  readonly roomUuid: string;
  /** The user; "" in an app token. */
  readonly userUuid: string;
  /** A signed 16-bit role; -1 where no role applies. */
  readonly role: number;
}
/** Signalling 2.x login with resource-level permissions. */
export interface Rtm2Service extends ServiceBase<8> {
  /** The Signalling user id that logs in. */
  readonly userId: string;
  /** What the user may read and write, by resource type. */
  readonly permissions: Rtm2PermissionMap;
}
/** Conversational AI engine (no privileges defined). */
export type ConvoAIService = ServiceBase<9>;
/** Speech-to-text (no privileges defined). */
export type SttService = ServiceBase<10>;

/** A service as it is on the wire, and as {@link decodeToken} returns it. */
export type Service =
  | RtcService
  | RtmService
  | StreamingService
  | FpaService
  | ChatService
  | FCdnService
  | ApaasService
  | Rtm2Service
  | ConvoAIService
  | SttService;

type Widen<S, K extends keyof S> = Omit<S, K | 'privileges'> & { readonly [P in K]: string | number } & {
  readonly privileges?: Privileges;
};
type WithOptionalPrivileges<S> = Omit<S, 'privileges'> & { readonly privileges?: Privileges };

/**
 * A service to add to an {@link AccessToken2}: the same shape as
 * {@link Service}, with `privileges` optional and numeric uids and accounts
 * allowed (the number 0 packs as "", any other as its decimal string).
 */
export type ServiceInit =
  | Widen<RtcService, 'uid'>
  | WithOptionalPrivileges<RtmService>
  | Widen<StreamingService, 'account'>
  | WithOptionalPrivileges<FpaService>
  | WithOptionalPrivileges<ChatService>
  | Widen<FCdnService, 'account'>
  | WithOptionalPrivileges<ApaasService>
  | WithOptionalPrivileges<Rtm2Service>
  | WithOptionalPrivileges<ConvoAIService>
  | WithOptionalPrivileges<SttService>;

type FieldKind = 'string' | 'account' | 'i16' | 'permissions';

interface ServiceDescription {
  readonly name: string;
  readonly privileges: Readonly<Record<string, number>>;
  readonly fields: ReadonlyArray<readonly [name: string, kind: FieldKind]>;
}

/** Every known service type: its name, named privileges and wire fields in order. */
export const SERVICE_DESCRIPTIONS: Readonly<Record<ServiceTypeNumber, ServiceDescription>> = {
  1: { name: 'Rtc', privileges: RtcPrivilege, fields: [['channelName', 'string'], ['uid', 'account']] },
  2: { name: 'Rtm', privileges: RtmPrivilege, fields: [['userId', 'string']] },
  3: { name: 'Streaming', privileges: StreamingPrivilege, fields: [['channelName', 'string'], ['account', 'account']] },
  4: { name: 'Fpa', privileges: FpaPrivilege, fields: [] },
  5: { name: 'Chat', privileges: ChatPrivilege, fields: [['userId', 'string']] },
  6: { name: 'FCdn', privileges: FCdnPrivilege, fields: [['channelName', 'string'], ['account', 'account']] },
  7: {
    name: 'Apaas',
    privileges: ApaasPrivilege,
    fields: [['roomUuid', 'string'], ['userUuid', 'string'], ['role', 'i16']],
  },
  8: { name: 'Rtm2', privileges: Rtm2Privilege, fields: [['userId', 'string'], ['permissions', 'permissions']] },
  9: { name: 'ConvoAI', privileges: {}, fields: [] },
  10: { name: 'Stt', privileges: {}, fields: [] },
};

/** True for the ten service types this library can pack and parse. */
export function isKnownServiceType(type: number): type is ServiceTypeNumber {
  return Number.isInteger(type) && type >= 1 && type <= 10;
}

const CANONICAL_U16 = /^(0|[1-9][0-9]{0,4})$/;

function u16Key(key: string, argument: string): number {
  const value = CANONICAL_U16.test(key) ? Number(key) : NaN;
  if (!(value <= U16_MAX)) {
    throw invalidArgument(argument, `keys must be integers from 0 to ${U16_MAX} (got "${key.slice(0, 20)}")`);
  }
  return value;
}

/**
 * Checks a privilege map and returns its entries in ascending key order.
 * (Integer-like keys of a JS object enumerate in ascending numeric order,
 * and canonical u16 keys are all integer-like.)
 */
function privilegeEntries(privileges: unknown, argument: string): Array<[number, number]> {
  if (privileges === undefined) return [];
  assertPlainObject(privileges, argument);
  const entries: Array<[number, number]> = [];
  for (const key of Object.keys(privileges)) {
    const value = privileges[key];
    assertU32(value, `${argument}[${key}]`);
    entries.push([u16Key(key, argument), value]);
  }
  return entries;
}

function checkPermissions(value: unknown, argument: string): Rtm2PermissionMap {
  assertPlainObject(value, argument);
  const resourceTypes = Object.keys(value);
  assertCount(resourceTypes.length, argument);
  const result: Record<number, Record<number, string[]>> = {};
  for (const resourceKey of resourceTypes) {
    const resourceType = u16Key(resourceKey, argument);
    const byPermission = value[resourceKey];
    const where = `${argument}[${resourceKey}]`;
    assertPlainObject(byPermission, where);
    const permissionTypes = Object.keys(byPermission);
    assertCount(permissionTypes.length, where);
    const checked: Record<number, string[]> = {};
    for (const permissionKey of permissionTypes) {
      const permissionType = u16Key(permissionKey, where);
      const resources = byPermission[permissionKey];
      const listWhere = `${where}[${permissionKey}]`;
      if (!Array.isArray(resources)) throw invalidArgument(listWhere, 'must be an array of strings');
      assertCount(resources.length, listWhere);
      resources.forEach((resource: unknown, i) => assertPackableString(resource, `${listWhere}[${i}]`));
      checked[permissionType] = [...(resources as string[])];
    }
    result[resourceType] = checked;
  }
  return result;
}

/** A service that passed validation, with its privileges already in wire order. */
export interface CheckedService {
  readonly service: Service;
  readonly privilegeEntries: ReadonlyArray<readonly [number, number]>;
}

/**
 * Validates a service given by a caller and returns its canonical form.
 * `argument` names it in errors (for example `service` or `services[2]`).
 */
export function checkService(init: unknown, argument: string): CheckedService {
  assertPlainObject(init, argument);
  const type = init.type;
  if (typeof type !== 'number' || !isKnownServiceType(type)) {
    throw invalidArgument(`${argument}.type`, 'must be a known service type, an integer from 1 to 10');
  }
  const description = SERVICE_DESCRIPTIONS[type];
  const privileges = privilegeEntries(init.privileges, `${argument}.privileges`);
  const service: Record<string, unknown> = { type, privileges: Object.fromEntries(privileges) };
  for (const [name, kind] of description.fields) {
    const value = init[name];
    const where = `${argument}.${name}`;
    switch (kind) {
      case 'string':
        assertPackableString(value, where);
        service[name] = value;
        break;
      case 'account':
        service[name] = accountToString(value, where);
        break;
      case 'i16':
        assertI16(value, where);
        service[name] = value;
        break;
      case 'permissions':
        service[name] = checkPermissions(value, where);
        break;
    }
  }
  return { service: service as unknown as Service, privilegeEntries: privileges };
}

function sortedKeys(object: object): number[] {
  return Object.keys(object)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Packs one checked service: type, privileges, then its fields. */
export function packService(writer: ByteWriter, checked: CheckedService): void {
  const { service } = checked;
  writer.u16(service.type).map32(checked.privilegeEntries);
  const record = service as unknown as Record<string, unknown>;
  for (const [name, kind] of SERVICE_DESCRIPTIONS[service.type].fields) {
    const value = record[name];
    if (kind === 'i16') writer.i16(value as number);
    else if (kind === 'permissions') packPermissions(writer, value as Rtm2PermissionMap);
    else writer.string(value as string);
  }
}

function packPermissions(writer: ByteWriter, permissions: Rtm2PermissionMap): void {
  const resourceTypes = sortedKeys(permissions);
  writer.u16(resourceTypes.length);
  for (const resourceType of resourceTypes) {
    const byPermission = permissions[resourceType]!;
    const permissionTypes = sortedKeys(byPermission);
    writer.u16(resourceType).u16(permissionTypes.length);
    for (const permissionType of permissionTypes) {
      const resources = byPermission[permissionType]!;
      writer.u16(permissionType).u16(resources.length);
      for (const resource of resources) writer.string(resource);
    }
  }
}

/** Reads the privileges and fields of a known service type (its type was already read). */
export function parseService(reader: ByteReader, type: ServiceTypeNumber, index: number): Service {
  const description = SERVICE_DESCRIPTIONS[type];
  const labels = serviceLabels(type, index);
  const service: Record<string, unknown> = { type, privileges: reader.map32(labels.privileges) };
  const fields = description.fields;
  for (let i = 0; i < fields.length; i++) {
    const [name, kind] = fields[i]!;
    const what = labels.fields[i]!;
    if (kind === 'i16') service[name] = reader.i16(what);
    else if (kind === 'permissions') service[name] = parsePermissions(reader, what);
    else service[name] = reader.string(what);
  }
  return service as unknown as Service;
}

/** The names a service's parts go by in errors. */
interface ServiceLabels {
  readonly privileges: string;
  readonly fields: readonly string[];
}

// The labels of the first services of each type, kept: parsing needs them on
// every read (only an error shows them), and building them costs more than the reads.
const LABEL_CACHE_INDEXES = 16;
const labelCache = new Map<number, ServiceLabels>();

function serviceLabels(type: ServiceTypeNumber, index: number): ServiceLabels {
  const key = type * LABEL_CACHE_INDEXES + index;
  const cached = index < LABEL_CACHE_INDEXES ? labelCache.get(key) : undefined;
  if (cached !== undefined) return cached;
  const description = SERVICE_DESCRIPTIONS[type];
  const where = `service ${index} (${description.name})`;
  const labels: ServiceLabels = {
    privileges: `the privileges of ${where}`,
    fields: description.fields.map(([name]) => `the ${name} of ${where}`),
  };
  if (index < LABEL_CACHE_INDEXES) labelCache.set(key, labels);
  return labels;
}

function parsePermissions(reader: ByteReader, what: string): Rtm2PermissionMap {
  const result: Record<number, Record<number, string[]>> = {};
  const resourceTypeCount = reader.u16(what, 'the resource type count of ');
  for (let i = 0; i < resourceTypeCount; i++) {
    const resourceType = reader.u16(what, 'a resource type of ');
    const permissionTypeCount = reader.u16(what, 'a permission type count of ');
    const byPermission: Record<number, string[]> = {};
    for (let j = 0; j < permissionTypeCount; j++) {
      const permissionType = reader.u16(what, 'a permission type of ');
      const resourceCount = reader.u16(what, 'a resource count of ');
      const resources: string[] = [];
      for (let k = 0; k < resourceCount; k++) resources.push(reader.string(`a resource of ${what}`));
      byPermission[permissionType] = resources;
    }
    result[resourceType] = byPermission;
  }
  return result;
}
