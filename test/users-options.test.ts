// Every option of the users-file functions and the Agora Chat client, given a
// wrong type, is a coded error (issue 9: "a coded error, for every function
// that takes options"), never a TypeError, and nothing is written.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  addUser,
  AgoraChatError,
  AgoraChatUserClient,
  checkUsersFilePermissions,
  createUsersAuthenticator,
  hashPassword,
  readUsersFile,
  removeUser,
  updateUser,
  UsersFileError,
  writeUsersFile,
} from '../src/server/index.js';

const dir = mkdtempSync(join(tmpdir(), 'atb-users-o-'));
const file = join(dir, 'users.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => rmSync(file, { force: true }));

const WRONG_STRING: unknown[] = [null, 42, [], {}, true, () => 1, Symbol('s'), 1n, ''];
const WRONG_NUMBER: unknown[] = [null, 'text', '5', [], {}, true, () => 1, Symbol('s'), 1n, Number.NaN, -1, 1.5, Infinity];
const WRONG_FLAG: unknown[] = [null, 'text', 'true', 1, [], {}, () => 1];
const WRONG_OBJECT: unknown[] = [null, 42, 'text', [], true, Symbol('s')];
const CHAT = { env: {}, appKey: 'org#app', restUrl: 'http://127.0.0.1:9', appId: '970CA35de60c44645bbae8a215061b33', appCertificate: '5CFd2fd1755d40ecb72977518be15d3b' };

async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (error instanceof UsersFileError || error instanceof AgoraChatError) return error.code;
    throw new Error(`expected a coded error, got ${String(error)}`);
  }
  return 'resolved';
}

const cases: Array<[string, (v: unknown) => unknown, unknown[]]> = [
  ['addUser options', (v) => addUser(file, 'a', 'pw', v as never), WRONG_OBJECT],
  ['addUser options.chatUserName', (v) => addUser(file, 'a', 'pw', { chatUserName: v, chatUserUuid: 'u' } as never), WRONG_STRING],
  ['addUser options.chatUserUuid', (v) => addUser(file, 'a', 'pw', { chatUserUuid: v } as never), WRONG_STRING],
  ['addUser options.chatUserId', (v) => addUser(file, 'a', 'pw', { chatUserId: v } as never), WRONG_STRING],
  ['addUser options.replace', (v) => addUser(file, 'a', 'pw', { chatUserUuid: 'u', replace: v } as never), WRONG_FLAG],
  ['addUser options.scrypt', (v) => addUser(file, 'a', 'pw', { chatUserUuid: 'u', scrypt: v } as never), WRONG_OBJECT],
  ['addUser options.scrypt.N', (v) => addUser(file, 'a', 'pw', { chatUserUuid: 'u', scrypt: { N: v } } as never), WRONG_NUMBER],
  ['addUser options.lock', (v) => addUser(file, 'a', 'pw', { chatUserUuid: 'u', lock: v } as never), WRONG_OBJECT],
  ['addUser options.lock.timeoutMs', (v) => addUser(file, 'a', 'pw', { chatUserUuid: 'u', lock: { timeoutMs: v } } as never), WRONG_NUMBER],
  ['addUser path', (v) => addUser(v as never, 'a', 'pw', { chatUserUuid: 'u' }), WRONG_STRING],
  ['updateUser changes', (v) => updateUser(file, 'a', v as never), WRONG_OBJECT],
  ['updateUser changes.password', (v) => updateUser(file, 'a', { password: v } as never), WRONG_STRING],
  ['removeUser options', (v) => removeUser(file, 'a', v as never), WRONG_OBJECT],
  ['removeUser options.lock.staleMs', (v) => removeUser(file, 'a', { lock: { staleMs: v } } as never), WRONG_NUMBER],
  ['writeUsersFile options', (v) => writeUsersFile(file, { version: 2, users: {} }, v as never), WRONG_OBJECT],
  ['writeUsersFile file', (v) => writeUsersFile(file, v as never), WRONG_STRING],
  ['readUsersFile path', (v) => readUsersFile(v as never), WRONG_STRING],
  ['checkUsersFilePermissions path', (v) => checkUsersFilePermissions(v as never), WRONG_STRING],
  ['hashPassword params', (v) => hashPassword('pw', v as never), WRONG_OBJECT],
  ['createUsersAuthenticator source', (v) => createUsersAuthenticator(v as never), [null, 42, true, Symbol('s'), '']],
  ['createUsersAuthenticator options', (v) => createUsersAuthenticator(file, v as never), WRONG_OBJECT],
  ['createUsersAuthenticator options.onWarning', (v) => createUsersAuthenticator(file, { onWarning: v } as never), [null, 42, 'text', [], true]],
  ['createUsersAuthenticator options.scrypt', (v) => createUsersAuthenticator(file, { scrypt: v } as never), WRONG_OBJECT],
  ['AgoraChatUserClient options', (v) => new AgoraChatUserClient(v as never), WRONG_OBJECT],
  ['AgoraChatUserClient options.env', (v) => new AgoraChatUserClient({ ...CHAT, env: v } as never), WRONG_OBJECT],
  ['AgoraChatUserClient options.appKey', (v) => new AgoraChatUserClient({ ...CHAT, appKey: v } as never), WRONG_STRING],
  ['AgoraChatUserClient options.restUrl', (v) => new AgoraChatUserClient({ ...CHAT, restUrl: v } as never), WRONG_STRING],
  ['AgoraChatUserClient options.appId', (v) => new AgoraChatUserClient({ ...CHAT, appId: v } as never), WRONG_STRING],
  ['AgoraChatUserClient options.appCertificate', (v) => new AgoraChatUserClient({ ...CHAT, appCertificate: v } as never), WRONG_STRING],
  ['AgoraChatUserClient options.timeoutMs', (v) => new AgoraChatUserClient({ ...CHAT, timeoutMs: v } as never), WRONG_NUMBER],
  ['AgoraChatUserClient options.maxRetries', (v) => new AgoraChatUserClient({ ...CHAT, maxRetries: v } as never), WRONG_NUMBER],
  ['AgoraChatUserClient options.maxRetryDelayMs', (v) => new AgoraChatUserClient({ ...CHAT, maxRetryDelayMs: v } as never), WRONG_NUMBER],
  ['AgoraChatUserClient options.appTokenExpire', (v) => new AgoraChatUserClient({ ...CHAT, appTokenExpire: v } as never), WRONG_NUMBER],
  ['AgoraChatUserClient options.now', (v) => new AgoraChatUserClient({ ...CHAT, now: v } as never), [null, 42, 'text', [], true]],
  ['registerUser options', (v) => new AgoraChatUserClient(CHAT).registerUser('a', v as never), WRONG_OBJECT],
  ['registerUser options.signal', (v) => new AgoraChatUserClient(CHAT).registerUser('a', { signal: v } as never), [null, 42, 'text', [], {}]],
  ['registerUser options.ifExists', (v) => new AgoraChatUserClient(CHAT).registerUser('a', { ifExists: v } as never), WRONG_STRING],
  ['registerUser options.password', (v) => new AgoraChatUserClient(CHAT).registerUser('a', { password: v } as never), [null, 42, '', [], true]],
  ['registerUser options.nickname', (v) => new AgoraChatUserClient(CHAT).registerUser('a', { nickname: v } as never), [null, 42, [], {}, true, () => 1, Symbol('s'), 1n]],
  ['getUser options', (v) => new AgoraChatUserClient(CHAT).getUser('a', v as never), WRONG_OBJECT],
  ['getUser options.signal', (v) => new AgoraChatUserClient(CHAT).getUser('a', { signal: v } as never), [null, 42, 'text', [], {}]],
  ['getUser username', (v) => new AgoraChatUserClient(CHAT).getUser(v as never), WRONG_STRING],
];

describe('wrong option types are coded errors', () => {
  it.each(cases)('%s', async (_name, call, values) => {
    for (const value of values) {
      expect(await codeOf(() => call(value)), String(typeof value === 'symbol' ? 'symbol' : value)).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(existsSync(file)).toBe(false);
  });
});
