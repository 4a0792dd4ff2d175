// Request rate limiting behind a small interface, so a shared store (Redis, Postgres) can replace
// the in-memory one when the HTTP tier runs on several machines.

export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until one more request would be allowed (0 when allowed). */
  retryAfterSeconds: number;
  remaining: number;
}

export interface RateLimiter {
  /** Takes one token from the bucket `key`, which refills `perMinute` tokens a minute. */
  consume(key: string, perMinute: number): RateDecision;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Token buckets in this process's memory; idle buckets are dropped once full again. */
export class MemoryRateLimiter implements RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;
  #lastSweepMs = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  consume(key: string, perMinute: number): RateDecision {
    const now = this.#now();
    this.#sweep(now);
    const ratePerMs = perMinute / 60_000;
    const bucket = this.#buckets.get(key) ?? { tokens: perMinute, updatedMs: now };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.updatedMs) * ratePerMs);
    bucket.updatedMs = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(bucket.tokens) };
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000));
    return { allowed: false, retryAfterSeconds, remaining: 0 };
  }

  // A bucket idle for a minute has refilled completely and carries no information, so memory stays
  // bounded by the callers active in the last minute.
  #sweep(now: number): void {
    if (now - this.#lastSweepMs < 60_000) return;
    this.#lastSweepMs = now;
    for (const [key, bucket] of this.#buckets) {
      if (now - bucket.updatedMs > 60_000) this.#buckets.delete(key);
    }
  }
}
