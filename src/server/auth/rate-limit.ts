import { sql } from "drizzle-orm";
import type { Database, DatabaseHandle } from "../db/client.ts";
import { logger } from "../logger.ts";

// Request rate limits: per bucket key, a one-minute window that opens at the key's first request
// and allows `perMinute` requests in it (GitHub's model). Exact wherever the count lives: in this
// process's memory for a single process (PGlite), in PostgreSQL when several servers share the
// database, where one atomic upsert counts each request (docs/decisions/0005-shared-state-in-postgres.md).

export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until the window closes and requests are allowed again (0 when allowed). */
  retryAfterSeconds: number;
  remaining: number;
}

export interface RateBucket {
  key: string;
  perMinute: number;
}

export interface RateLimiter {
  /** Counts one request in each bucket; one decision per bucket, in order. */
  consume(buckets: readonly RateBucket[]): Promise<RateDecision[]>;
}

/** One bucket's decision. */
export async function consumeOne(
  limiter: RateLimiter,
  key: string,
  perMinute: number,
): Promise<RateDecision> {
  const [decision] = await limiter.consume([{ key, perMinute }]);
  if (!decision) throw new Error(`the rate limiter gave no decision for ${key}`);
  return decision;
}

const WINDOW_MS = 60_000;

function decide(perMinute: number, count: number, msLeft: number): RateDecision {
  if (count <= perMinute) return { allowed: true, retryAfterSeconds: 0, remaining: perMinute - count };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)), remaining: 0 };
}

function distinctKeys(buckets: readonly RateBucket[]): void {
  if (new Set(buckets.map((b) => b.key)).size !== buckets.length)
    throw new Error("a request counts once per rate-limit bucket: keys must differ");
}

interface Window {
  startedMs: number;
  count: number;
}

/** Windows in this process's memory; only exact while this is the only process serving requests. */
export class MemoryRateLimiter implements RateLimiter {
  readonly #windows = new Map<string, Window>();
  readonly #now: () => number;
  #lastSweepMs = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async consume(buckets: readonly RateBucket[]): Promise<RateDecision[]> {
    distinctKeys(buckets);
    const now = this.#now();
    this.#sweep(now);
    return buckets.map(({ key, perMinute }) => {
      let window = this.#windows.get(key);
      if (!window || now - window.startedMs >= WINDOW_MS) {
        window = { startedMs: now, count: 0 };
        this.#windows.set(key, window);
      }
      window.count += 1;
      return decide(perMinute, window.count, window.startedMs + WINDOW_MS - now);
    });
  }

  // A closed window carries no information, so memory stays bounded by the keys of the last minute.
  #sweep(now: number): void {
    if (now - this.#lastSweepMs < WINDOW_MS) return;
    this.#lastSweepMs = now;
    for (const [key, window] of this.#windows) {
      if (now - window.startedMs >= WINDOW_MS) this.#windows.delete(key);
    }
  }
}

/**
 * Windows in the `rate_limit_windows` table, shared by every server on the database. Each request
 * is one upsert whose row lock orders concurrent requests, so N servers allow exactly the limit
 * between them; the database's clock times every window. Closed windows are deleted at most once
 * a minute per process.
 */
export class PostgresRateLimiter implements RateLimiter {
  readonly #db: Database;
  #lastSweepMs = 0;

  constructor(db: Database) {
    this.#db = db;
  }

  async consume(buckets: readonly RateBucket[]): Promise<RateDecision[]> {
    if (buckets.length === 0) return [];
    distinctKeys(buckets);
    const keys = JSON.stringify(buckets.map((b) => b.key));
    const { rows } = await this.#db.execute<{ key: string; count: number; ms_left: number }>(sql`
      INSERT INTO rate_limit_windows AS w (key, window_started_at, count)
      SELECT k.key, now(), 1 FROM json_array_elements_text(${keys}::json) AS k(key)
      ON CONFLICT (key) DO UPDATE SET
        window_started_at = CASE WHEN w.window_started_at <= now() - interval '1 minute'
                                 THEN now() ELSE w.window_started_at END,
        count = CASE WHEN w.window_started_at <= now() - interval '1 minute' THEN 1 ELSE w.count + 1 END
      RETURNING w.key, w.count,
        (extract(epoch FROM w.window_started_at + interval '1 minute' - now()) * 1000)::float8 AS ms_left`);
    this.#sweep();
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return buckets.map(({ key, perMinute }) => {
      const row = byKey.get(key);
      if (!row) throw new Error(`rate limit window ${key} was not returned`);
      return decide(perMinute, Number(row.count), Number(row.ms_left));
    });
  }

  // Not awaited: the request does not wait for housekeeping, and a failed sweep is retried later.
  #sweep(): void {
    const now = Date.now();
    if (now - this.#lastSweepMs < WINDOW_MS) return;
    this.#lastSweepMs = now;
    deleteClosedWindows(this.#db).catch((err: unknown) =>
      logger.warn({ err }, "could not delete closed rate-limit windows"),
    );
  }
}

/** Deletes windows that closed over a minute ago; returns how many. */
export async function deleteClosedWindows(db: Database): Promise<number> {
  const { rows } = await db.execute<{ n: number }>(sql`
    WITH gone AS (
      DELETE FROM rate_limit_windows WHERE window_started_at < now() - interval '2 minutes' RETURNING 1
    )
    SELECT count(*)::int AS n FROM gone`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * The limiter for a process on this database: shared through PostgreSQL, where several servers
 * may run; in memory on PGlite, which only one process can open.
 */
export function rateLimiterFor(handle: DatabaseHandle): RateLimiter {
  return handle.engine === "postgres" ? new PostgresRateLimiter(handle.db) : new MemoryRateLimiter();
}
