// Both entry points behind one asynchronous shape, so one set of test files
// runs against each: `await entry.ChatTokenBuilder2.buildUserToken(...)`.
// The root entry's synchronous calls are wrapped so that what they return
// resolves and what they throw rejects; the web entry is used as it is.
import * as root from '../../src/index.js';
import * as web from '../../src/web.js';

/** The static side of a root builder class as the web entry has it: the same methods, each returning a promise. */
type Promised<C> = {
  readonly [K in keyof C as C[K] extends (...args: never) => unknown ? K : never]: C[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<R>
    : never;
};

/** AccessToken2 of either entry, with content() and build() awaited. */
export interface AnyAccessToken2 {
  readonly appId: string;
  readonly issueTs: number;
  readonly expire: number;
  readonly salt: number;
  readonly services: root.Service[];
  addService(service: root.ServiceInit): this;
  content(): Promise<Uint8Array>;
  build(): Promise<string>;
}

/** The legacy AccessToken of either entry, with build() awaited. */
export interface AnyAccessToken006 {
  readonly appId: string;
  readonly channelName: string;
  readonly uid: string;
  readonly salt: number;
  readonly ts: number;
  readonly privileges: Record<number, number>;
  addPrivilege(privilege: number, expireTimestamp: number): this;
  message(): Uint8Array;
  build(): Promise<string>;
}

export interface Entry {
  readonly name: 'root' | 'web';
  readonly ChatTokenBuilder2: Promised<typeof root.ChatTokenBuilder2>;
  readonly RtcTokenBuilder2: Promised<typeof root.RtcTokenBuilder2>;
  readonly RtmTokenBuilder2: Promised<typeof root.RtmTokenBuilder2>;
  readonly FpaTokenBuilder: Promised<typeof root.FpaTokenBuilder>;
  readonly ApaasTokenBuilder: Promised<typeof root.ApaasTokenBuilder>;
  readonly EducationTokenBuilder: Promised<typeof root.EducationTokenBuilder>;
  readonly ConvoAITokenBuilder: Promised<typeof root.ConvoAITokenBuilder>;
  readonly SttTokenBuilder: Promised<typeof root.SttTokenBuilder>;
  readonly RtcTokenBuilder: Promised<typeof root.RtcTokenBuilder>;
  readonly RtmTokenBuilder: Promised<typeof root.RtmTokenBuilder>;
  readonly AccessToken2: new (...args: ConstructorParameters<typeof root.AccessToken2>) => AnyAccessToken2;
  readonly AccessToken: new (...args: ConstructorParameters<typeof root.AccessToken>) => AnyAccessToken006;
  decodeToken(token: string): Promise<root.DecodedToken>;
  verifyToken(token: string, appCertificate: string, options?: root.VerifyOptions): Promise<root.VerifyResult>;
}

/** The root entry's static methods, each returning a promise (a throw becomes a rejection). */
function promisedRoot<C extends object>(builder: C): Promised<C> {
  const methods: Record<string, unknown> = {};
  for (let source: object | null = builder; source !== null && source !== Function.prototype; source = Object.getPrototypeOf(source)) {
    for (const name of Object.getOwnPropertyNames(source)) {
      const method = (builder as Record<string, unknown>)[name];
      if (name in methods || name === 'prototype' || typeof method !== 'function') continue;
      methods[name] = async (...args: unknown[]) => (method as (...a: unknown[]) => unknown).apply(builder, args);
    }
  }
  return methods as Promised<C>;
}

class RootAccessToken2 implements AnyAccessToken2 {
  readonly #token: root.AccessToken2;
  constructor(...args: ConstructorParameters<typeof root.AccessToken2>) {
    this.#token = new root.AccessToken2(...args);
  }
  get appId(): string {
    return this.#token.appId;
  }
  get issueTs(): number {
    return this.#token.issueTs;
  }
  get expire(): number {
    return this.#token.expire;
  }
  get salt(): number {
    return this.#token.salt;
  }
  get services(): root.Service[] {
    return this.#token.services;
  }
  addService(service: root.ServiceInit): this {
    this.#token.addService(service);
    return this;
  }
  async content(): Promise<Uint8Array> {
    return this.#token.content();
  }
  async build(): Promise<string> {
    return this.#token.build();
  }
}

class RootAccessToken006 implements AnyAccessToken006 {
  readonly #token: root.AccessToken;
  constructor(...args: ConstructorParameters<typeof root.AccessToken>) {
    this.#token = new root.AccessToken(...args);
  }
  get appId(): string {
    return this.#token.appId;
  }
  get channelName(): string {
    return this.#token.channelName;
  }
  get uid(): string {
    return this.#token.uid;
  }
  get salt(): number {
    return this.#token.salt;
  }
  get ts(): number {
    return this.#token.ts;
  }
  get privileges(): Record<number, number> {
    return this.#token.privileges;
  }
  addPrivilege(privilege: number, expireTimestamp: number): this {
    this.#token.addPrivilege(privilege, expireTimestamp);
    return this;
  }
  message(): Uint8Array {
    return this.#token.message();
  }
  async build(): Promise<string> {
    return this.#token.build();
  }
}

export const rootEntry: Entry = {
  name: 'root',
  ChatTokenBuilder2: promisedRoot(root.ChatTokenBuilder2),
  RtcTokenBuilder2: promisedRoot(root.RtcTokenBuilder2),
  RtmTokenBuilder2: promisedRoot(root.RtmTokenBuilder2),
  FpaTokenBuilder: promisedRoot(root.FpaTokenBuilder),
  ApaasTokenBuilder: promisedRoot(root.ApaasTokenBuilder),
  EducationTokenBuilder: promisedRoot(root.EducationTokenBuilder),
  ConvoAITokenBuilder: promisedRoot(root.ConvoAITokenBuilder),
  SttTokenBuilder: promisedRoot(root.SttTokenBuilder),
  RtcTokenBuilder: promisedRoot(root.RtcTokenBuilder),
  RtmTokenBuilder: promisedRoot(root.RtmTokenBuilder),
  AccessToken2: RootAccessToken2,
  AccessToken: RootAccessToken006,
  decodeToken: async (token) => root.decodeToken(token),
  verifyToken: async (token, appCertificate, options) => root.verifyToken(token, appCertificate, options),
};

export const webEntry: Entry = {
  name: 'web',
  ChatTokenBuilder2: web.ChatTokenBuilder2,
  RtcTokenBuilder2: web.RtcTokenBuilder2,
  RtmTokenBuilder2: web.RtmTokenBuilder2,
  FpaTokenBuilder: web.FpaTokenBuilder,
  ApaasTokenBuilder: web.ApaasTokenBuilder,
  EducationTokenBuilder: web.EducationTokenBuilder,
  ConvoAITokenBuilder: web.ConvoAITokenBuilder,
  SttTokenBuilder: web.SttTokenBuilder,
  RtcTokenBuilder: web.RtcTokenBuilder,
  RtmTokenBuilder: web.RtmTokenBuilder,
  AccessToken2: web.AccessToken2,
  AccessToken: web.AccessToken,
  decodeToken: web.decodeToken,
  verifyToken: web.verifyToken,
};

/** Both entries, for `describe.each(ENTRIES)('%s entry', ...)`-style parametrisation. */
export const ENTRIES: readonly Entry[] = [rootEntry, webEntry];

/** `[name, entry]` pairs, for `describe.each(ENTRY_CASES)('%s entry', (_name, entry) => ...)`. */
export const ENTRY_CASES = ENTRIES.map((entry) => [entry.name, entry] as const);

/**
 * Awaits `fn()` and returns the AgoraTokenError it rejects with (or throws);
 * fails the test if it resolves, or fails with anything else.
 */
export async function rejection(fn: () => unknown): Promise<root.AgoraTokenError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof root.AgoraTokenError) return error;
    throw new Error(`expected an AgoraTokenError, got ${String(error)}`);
  }
  throw new Error('expected an AgoraTokenError, but the call resolved');
}
