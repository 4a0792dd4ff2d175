import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  consumeOne,
  deleteClosedWindows,
  PostgresRateLimiter,
  type RateDecision,
} from "../../../src/server/auth/rate-limit.ts";
import { openDatabase } from "../../../src/server/db/client.ts";
import { TEST_ENGINE, useTestDatabase } from "../../helpers/db.ts";

// The limiter several servers share: counts in rate_limit_windows, one upsert per request. On the
// server, separate connection pools stand in for separate servers (the multi-process test in
// test/cluster runs real ones).

const database = useTestDatabase();

const windowOf = async (key: string) =>
  (
    await database().db.execute<{ count: number }>(
      sql`SELECT count FROM rate_limit_windows WHERE key = ${key}`,
    )
  ).rows[0]?.count;

describe("PostgresRateLimiter", () => {
  it("allows exactly the limit among concurrent requests, then tells how long until the window closes", async () => {
    const limiter = new PostgresRateLimiter(database().db);
    const decisions = await Promise.all(
      Array.from({ length: 25 }, () => consumeOne(limiter, "key:concurrent", 10)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    expect(decisions.filter((d) => !d.allowed).every((d) => d.retryAfterSeconds >= 59)).toBe(true);
    expect(await windowOf("key:concurrent")).toBe(25);
  });

  it("opens a new window once the last one is a minute old, and sweeps closed windows", async () => {
    const limiter = new PostgresRateLimiter(database().db);
    for (let i = 0; i < 3; i++) await consumeOne(limiter, "key:aging", 3);
    expect((await consumeOne(limiter, "key:aging", 3)).allowed).toBe(false);
    await database().db.execute(
      sql`UPDATE rate_limit_windows SET window_started_at = now() - interval '61 seconds' WHERE key = 'key:aging'`,
    );
    expect(await consumeOne(limiter, "key:aging", 3)).toMatchObject({ allowed: true, remaining: 2 });

    await consumeOne(limiter, "key:abandoned", 3);
    await database().db.execute(
      sql`UPDATE rate_limit_windows SET window_started_at = now() - interval '3 minutes' WHERE key = 'key:abandoned'`,
    );
    expect(await deleteClosedWindows(database().db)).toBe(1);
    expect(await windowOf("key:abandoned")).toBeUndefined();
    expect(await windowOf("key:aging")).toBe(1);
  });

  it("counts a caller's and its organization's buckets in one statement, each on its own", async () => {
    const limiter = new PostgresRateLimiter(database().db);
    const seen: RateDecision[][] = [];
    for (let i = 0; i < 3; i++)
      seen.push(
        await limiter.consume([
          { key: `user:${i}`, perMinute: 5 },
          { key: "org:shared", perMinute: 2 },
        ]),
      );
    expect(seen.map(([caller, org]) => [caller?.allowed, org?.allowed])).toEqual([
      [true, true],
      [true, true],
      [true, false],
    ]);
  });

  it.runIf(TEST_ENGINE === "postgres")("holds the limit across separate connection pools", async () => {
    const url = database().url ?? "";
    const servers = await Promise.all([1, 2, 3].map(() => openDatabase({ url, max: 4 })));
    try {
      const limiters = servers.map((s) => new PostgresRateLimiter(s.db));
      const decisions = await Promise.all(
        Array.from({ length: 90 }, (_, i) =>
          consumeOne(limiters[i % 3] as PostgresRateLimiter, "key:pools", 60),
        ),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(60);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });
});
