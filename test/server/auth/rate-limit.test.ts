import { describe, expect, it } from "vitest";
import { consumeOne, MemoryRateLimiter } from "../../../src/server/auth/rate-limit.ts";

describe("MemoryRateLimiter", () => {
  it("allows the minute's number in the window opened by the first request, then refuses until it closes", async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(() => now);
    for (let i = 0; i < 60; i++) expect((await consumeOne(limiter, "k", 60)).allowed).toBe(true);
    now = 15_000;
    expect(await consumeOne(limiter, "k", 60)).toMatchObject({ allowed: false, retryAfterSeconds: 45 });
    expect((await consumeOne(limiter, "other", 60)).allowed).toBe(true);
    now = 59_999;
    expect((await consumeOne(limiter, "k", 60)).allowed).toBe(false);
    now = 60_000;
    expect(await consumeOne(limiter, "k", 60)).toMatchObject({ allowed: true, remaining: 59 });
  });

  it("decides each bucket of a request on its own, in order", async () => {
    const limiter = new MemoryRateLimiter(() => 0);
    await consumeOne(limiter, "org", 2);
    await consumeOne(limiter, "org", 2);
    const [caller, org] = await limiter.consume([
      { key: "caller", perMinute: 10 },
      { key: "org", perMinute: 2 },
    ]);
    expect(caller).toMatchObject({ allowed: true, remaining: 9 });
    expect(org).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
    await expect(
      limiter.consume([
        { key: "a", perMinute: 1 },
        { key: "a", perMinute: 1 },
      ]),
    ).rejects.toThrow(/keys must differ/);
  });
});
