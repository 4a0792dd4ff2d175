import { describe, expect, it } from "vitest";
import { MemoryRateLimiter } from "../../../src/server/auth/rate-limit.ts";

describe("MemoryRateLimiter", () => {
  it("allows a minute's worth at once, then refuses with the seconds until the next token", () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(() => now);
    for (let i = 0; i < 60; i++) expect(limiter.consume("k", 60).allowed).toBe(true);
    const refused = limiter.consume("k", 60);
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    now += 1000;
    expect(limiter.consume("k", 60).allowed).toBe(true);
    expect(limiter.consume("other", 60).allowed).toBe(true);
  });

  it("computes Retry-After from the rate (6 a minute: 10 s)", () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(() => now);
    for (let i = 0; i < 6; i++) limiter.consume("k", 6);
    expect(limiter.consume("k", 6).retryAfterSeconds).toBe(10);
    now += 10_000;
    expect(limiter.consume("k", 6).allowed).toBe(true);
  });
});
