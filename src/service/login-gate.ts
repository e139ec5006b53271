// How the service runs the costly part of a login (the password hash): at
// once on the Fetch handler, where the platform bounds concurrency, or
// through the Node adapter's queue, which bounds it per process.

/** Why a login was not run: the queue is full or closed, or its client went away. */
export class LoginRejected extends Error {
  constructor(readonly reason: 'busy' | 'closing' | 'gone') {
    super(`login not run: ${reason}`);
  }
}

/**
 * Runs `task` when a turn is free; rejects with {@link LoginRejected},
 * without running it, when it may not run (and when `signal` aborted first).
 */
export type LoginGate = <T>(signal: AbortSignal, task: () => Promise<T>) => Promise<T>;

/** The Fetch handler's gate: no queue, but a client that has gone costs no hash. */
export const runAtOnce: LoginGate = async (signal, task) => {
  if (signal.aborted) throw new LoginRejected('gone');
  return task();
};
