import { AgoraTokenError } from '../../src/index.js';

/**
 * Runs `fn` and returns the AgoraTokenError it throws; fails the test if it
 * returns, or throws anything else.
 */
export function catchAgoraTokenError(fn: () => unknown): AgoraTokenError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AgoraTokenError) return error;
    throw new Error(`expected an AgoraTokenError, got ${String(error)}`);
  }
  throw new Error('expected an AgoraTokenError, but the call returned');
}
