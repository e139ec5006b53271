// An expire that looks like an absolute Unix time (the classic mistake,
// `Date.now() / 1000 + 3600`) gets a message saying that expire counts
// seconds from now, whatever the error code.
import { describe, expect, it } from 'vitest';
import {
  ApaasTokenBuilder,
  ChatTokenBuilder2,
  RtcRole,
  RtcTokenBuilder2,
  RtmTokenBuilder2,
} from '../src/index.js';
import { catchAgoraTokenError } from './helpers/errors.js';

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const CERT = '5CFd2fd1755d40ecb72977518be15d3b';
// 2026-12-02T09:00:00Z, fixed: the hint must not depend on the clock.
const NOW_S = 1_796_202_000;
const NOW_MS = NOW_S * 1000;

const HINT = 'counts seconds from now';

function expectRejected(fn: () => unknown, code: string, argument: string) {
  const error = catchAgoraTokenError(fn);
  expect(error.code).toBe(code);
  expect(error.argument).toBe(argument);
  expect(error.message.startsWith(`${argument} `)).toBe(true);
  return error;
}

const builders: Array<[string, (expire: number, options?: { allowLongExpire?: boolean }) => string, string]> = [
  ['ChatTokenBuilder2.buildUserToken', (e, o) => ChatTokenBuilder2.buildUserToken(APP_ID, CERT, 'alice', e, o), 'expire'],
  ['RtcTokenBuilder2.buildTokenWithUid', (e, o) => RtcTokenBuilder2.buildTokenWithUid(APP_ID, CERT, 'c', 1, RtcRole.PUBLISHER, e, 0, o), 'tokenExpire'],
  ['RtmTokenBuilder2.buildToken', (e, o) => RtmTokenBuilder2.buildToken(APP_ID, CERT, 'alice', e, o), 'expire'],
  ['ApaasTokenBuilder.buildAppToken', (e, o) => ApaasTokenBuilder.buildAppToken(APP_ID, CERT, e, o), 'expire'],
];

describe.each(builders)('%s with an absolute time as expire', (_name, build, argument) => {
  it('Date.now() / 1000 + 3600 (not an integer): ERR_INVALID_ARGUMENT that says expire counts seconds from now', () => {
    const error = expectRejected(() => build(NOW_MS / 1000 + 3600.5), 'ERR_INVALID_ARGUMENT', argument);
    expect(error.message).toContain('absolute Unix time in seconds');
    expect(error.message).toContain(HINT);
    expect(error.message).toContain('pass 3600');
    expect(error.message).toContain('from 0 to 86400');
  });

  it('Math.floor(Date.now() / 1000) + 3600: ERR_EXPIRE_LIMIT that says the same', () => {
    const error = expectRejected(() => build(NOW_S + 3600), 'ERR_EXPIRE_LIMIT', argument);
    expect(error.message).toContain('absolute Unix time in seconds');
    expect(error.message).toContain(HINT);
  });

  it('Date.now() + 3_600_000 (milliseconds): ERR_INVALID_ARGUMENT naming milliseconds, even with allowLongExpire', () => {
    for (const options of [undefined, { allowLongExpire: true }]) {
      const error = expectRejected(() => build(NOW_MS + 3_600_000, options), 'ERR_INVALID_ARGUMENT', argument);
      expect(error.message).toContain('absolute Unix time in milliseconds');
      expect(error.message).toContain(HINT);
    }
  });

  it('a whole number of seconds that large is still allowed on purpose with allowLongExpire', () => {
    expect(() => build(NOW_S, { allowLongExpire: true })).not.toThrow();
  });

  it('a small non-integer gets the plain message, with no talk of Unix times', () => {
    const error = expectRejected(() => build(600.5), 'ERR_INVALID_ARGUMENT', argument);
    expect(error.message).not.toContain('Unix time');
  });
});
