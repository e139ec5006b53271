// The per-session renewal limit: a token bucket per session (a burst, then
// one renewal per interval), in a map of bounded size that forgets the
// least recently used sessions first. Per process: several processes behind
// one load balancer each keep their own. No timers: time is read per call.

/** Sessions remembered at most; the least recently used are forgotten first. */
const DEFAULT_MAX_SESSIONS = 10_000;

interface Bucket {
  tokens: number;
  updated: number;
}

export class RenewalLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly burst: number,
    readonly intervalMs: number,
    readonly maxSessions = DEFAULT_MAX_SESSIONS,
  ) {}

  /** Sessions remembered now. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one renewal for `id`: 0 when allowed, else the seconds to wait (at least 1). */
  take(id: string, nowMs: number): number {
    let bucket = this.#buckets.get(id);
    if (bucket === undefined) {
      bucket = { tokens: this.burst, updated: nowMs };
    } else {
      this.#buckets.delete(id); // re-inserted below: most recently used last
      bucket.tokens = Math.min(this.burst, bucket.tokens + Math.max(0, nowMs - bucket.updated) / this.intervalMs);
      bucket.updated = nowMs;
    }
    this.#buckets.set(id, bucket);
    if (this.#buckets.size > this.maxSessions) this.#buckets.delete(this.#buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * this.intervalMs) / 1000));
  }
}
