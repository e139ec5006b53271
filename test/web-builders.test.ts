// The web entry's builders are classes like the root's: the same static
// methods with the same parameters, each returning a promise of the root
// method's result (or rejecting with its error), the same inheritance, and
// generated from the root sources (scripts/make-web-builders.mjs) so that the
// two APIs and their documentation cannot drift.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as root from '../src/index.js';
import * as web from '../src/web.js';
import { TEST_APP_CERTIFICATE as CERT, TEST_APP_ID as APP_ID } from './helpers/vectors.js';

const NAMES = [
  'ChatTokenBuilder2',
  'RtcTokenBuilder2',
  'RtmTokenBuilder2',
  'FpaTokenBuilder',
  'ApaasTokenBuilder',
  'EducationTokenBuilder',
  'ConvoAITokenBuilder',
  'SttTokenBuilder',
  'RtcTokenBuilder',
  'RtmTokenBuilder',
] as const;

type Builder = Record<string, (...args: unknown[]) => unknown>;

/** Static methods, own and inherited, by name. */
function staticMethods(cls: object): string[] {
  const names = new Set<string>();
  for (let source: object | null = cls; source !== null && source !== Function.prototype; source = Object.getPrototypeOf(source)) {
    for (const name of Object.getOwnPropertyNames(source)) {
      if (typeof (cls as Record<string, unknown>)[name] === 'function' && name !== 'constructor') names.add(name);
    }
  }
  return [...names].sort();
}

const v7 = { issueTs: 1_700_000_000, salt: 12345 };
const v6 = { issueTs: 1_700_000_000, salt: 12345, allowPastTimestamp: true };
const ts = 1_700_003_600;
/** Arguments for every method (without the options, which come last). */
const ARGS: Record<string, unknown[]> = {
  'ChatTokenBuilder2.buildUserToken': [APP_ID, CERT, 'alice', 600, v7],
  'ChatTokenBuilder2.buildAppToken': [APP_ID, CERT, 600, v7],
  'RtcTokenBuilder2.buildTokenWithUid': [APP_ID, CERT, 'room', 42, 1, 600, 300, v7],
  'RtcTokenBuilder2.buildTokenWithUserAccount': [APP_ID, CERT, 'room', 'bob', 2, 600, 300, v7],
  'RtcTokenBuilder2.buildTokenWithUidAndPrivilege': [APP_ID, CERT, 'room', 42, 600, 1, 2, 3, 4, v7],
  'RtcTokenBuilder2.buildTokenWithUserAccountAndPrivilege': [APP_ID, CERT, 'room', 'bob', 600, 1, 2, 3, 4, v7],
  'RtcTokenBuilder2.buildTokenWithRtm': [APP_ID, CERT, 'room', 'bob', 1, 600, 300, v7],
  'RtcTokenBuilder2.buildTokenWithRtm2': [APP_ID, CERT, 'room', 'bob', 1, 600, 1, 2, 3, 4, 'bob-rtm', 500, v7],
  'RtmTokenBuilder2.buildToken': [APP_ID, CERT, 'alice', 600, v7],
  'RtmTokenBuilder2.buildTokenWithPermissions': [APP_ID, CERT, 'alice', { 0: { 0: ['news'] } }, 600, v7],
  'FpaTokenBuilder.buildToken': [APP_ID, CERT, v7],
  'ApaasTokenBuilder.buildRoomUserToken': [APP_ID, CERT, 'room', 'user', 2, 600, v7],
  'ApaasTokenBuilder.buildUserToken': [APP_ID, CERT, 'user', 600, v7],
  'ApaasTokenBuilder.buildAppToken': [APP_ID, CERT, 600, v7],
  'ConvoAITokenBuilder.buildToken': [APP_ID, CERT, 'room', 'agent', 1, 600, 1, 2, 3, 4, 'agent-rtm', 500, v7],
  'SttTokenBuilder.buildToken': [APP_ID, CERT, 'room', 'agent', 1, 600, 1, 2, 3, 4, 'agent-rtm', 500, v7],
  'RtcTokenBuilder.buildTokenWithUid': [APP_ID, CERT, 'room', 42, 1, ts, v6],
  'RtcTokenBuilder.buildTokenWithAccount': [APP_ID, CERT, 'room', 'bob', 1, ts, v6],
  'RtmTokenBuilder.buildToken': [APP_ID, CERT, 'bob', 1, ts, v6],
};

describe('the web entry builders', () => {
  it('are written from the root builders as scripts/make-web-builders.mjs makes them (run it after changing src/builders/)', () => {
    const check = spawnSync(process.execPath, [fileURLToPath(new URL('../scripts/make-web-builders.mjs', import.meta.url)), '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it.each(NAMES)('%s is a class with the root class\'s static methods and parameter counts, and inherits as the root does', (name) => {
    const w = web[name] as unknown as Builder;
    const r = root[name] as unknown as Builder;
    expect(typeof w).toBe('function');
    expect(Object.isFrozen(w)).toBe(false);
    expect(staticMethods(w)).toEqual(staticMethods(r));
    for (const method of staticMethods(r)) expect(w[method]!.length, method).toBe(r[method]!.length);
    const rootBase = Object.getPrototypeOf(r);
    const webBase = Object.getPrototypeOf(w);
    if (rootBase === Function.prototype) expect(webBase).toBe(Function.prototype);
    else expect(webBase).toBe(web[rootBase.name as (typeof NAMES)[number]]);
  });

  it('EducationTokenBuilder extends ApaasTokenBuilder on both entries', () => {
    expect(web.EducationTokenBuilder.prototype).toBeInstanceOf(web.ApaasTokenBuilder);
    expect(root.EducationTokenBuilder.prototype).toBeInstanceOf(root.ApaasTokenBuilder);
  });

  it('covers every static method of every builder in the table below', () => {
    const all = NAMES.flatMap((name) => staticMethods(root[name]).map((method) => `${name}.${method}`)).filter((m) => !m.startsWith('EducationTokenBuilder.'));
    expect(Object.keys(ARGS).sort()).toEqual(all.sort());
  });

  it.each(Object.entries(ARGS))('%s returns a promise of the token the root method builds', async (key, args) => {
    const [name, method] = key.split('.') as [(typeof NAMES)[number], string];
    const promise = (web[name] as unknown as Builder)[method]!(...args);
    expect(promise).toBeInstanceOf(Promise);
    const token = await promise;
    expect(token).toBe((root[name] as unknown as Builder)[method]!(...args));
    expect(typeof token === 'string' && /^00[67]/.test(token)).toBe(true);
  });

  it('rejects, never throws, with the error the root method throws', async () => {
    const call = () => web.ChatTokenBuilder2.buildUserToken(APP_ID, '', 'alice', 600);
    let promise: Promise<string> | undefined;
    expect(() => {
      promise = call();
    }).not.toThrow();
    const error = await promise!.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(root.AgoraTokenError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'appCertificate' });
    expect(() => root.ChatTokenBuilder2.buildUserToken(APP_ID, '', 'alice', 600)).toThrow(/appCertificate must be 32 hexadecimal characters/);
  });
});
