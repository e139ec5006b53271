// Bounds the password hashing of the token server: at most `concurrency`
// logins are checked at once, at most `queueLimit` wait for a turn, and a
// login whose client has gone is dropped before it costs a hash.

import { LoginRejected } from '../service/login-gate.js';

export { LoginRejected };

interface Waiter {
  readonly start: () => void;
  readonly reject: (error: LoginRejected) => void;
}

export class LoginQueue {
  #active = 0;
  #closed = false;
  readonly #waiting: Waiter[] = [];

  constructor(
    readonly concurrency: number,
    readonly queueLimit: number,
  ) {}

  /** Logins waiting for a turn now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `task` when a turn is free. Rejects with {@link LoginRejected}, without
   * running it, when the queue is full or closed, or when `signal` aborts first.
   */
  async run<T>(signal: AbortSignal, task: () => T | Promise<T>): Promise<T> {
    await this.#acquire(signal);
    try {
      // The client may have gone in the same tick its turn came.
      if (signal.aborted) throw new LoginRejected('gone');
      return await task();
    } finally {
      this.#release();
    }
  }

  /** Refuses new logins and rejects the waiting ones; the ones running finish. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(new LoginRejected('closing'));
  }

  #acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new LoginRejected('gone'));
    if (this.#closed) return Promise.reject(new LoginRejected('closing'));
    if (this.#active < this.concurrency) {
      this.#active += 1;
      return Promise.resolve();
    }
    if (this.#waiting.length >= this.queueLimit) return Promise.reject(new LoginRejected('busy'));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#waiting.indexOf(waiter);
        if (index !== -1) this.#waiting.splice(index, 1);
        reject(new LoginRejected('gone'));
      };
      const waiter: Waiter = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          this.#active += 1;
          resolve();
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #release(): void {
    this.#active -= 1;
    this.#waiting.shift()?.start();
  }
}
