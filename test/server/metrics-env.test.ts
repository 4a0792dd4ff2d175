import { describe, expect, it } from "vitest";
import { ConfigError, loadEnv } from "../../src/server/env.ts";

// The metrics settings cannot open /metrics by accident: a weak token, or a listener off loopback
// with no token, is refused at start-up with the variable's name.

describe("metrics settings", () => {
  it("leaves metrics off by default: no token, no separate listener", () => {
    const env = loadEnv({});
    expect(env.SENTINEL_METRICS_TOKEN).toBeUndefined();
    expect(env.SENTINEL_METRICS_PORT).toBeUndefined();
    expect(env.SENTINEL_METRICS_HOST).toBe("127.0.0.1");
  });

  it("refuses a short token", () => {
    expect(() => loadEnv({ SENTINEL_METRICS_TOKEN: "short" })).toThrow(
      /SENTINEL_METRICS_TOKEN: must be at least 16 characters/,
    );
  });

  it("refuses a port that is not one", () => {
    expect(() => loadEnv({ SENTINEL_METRICS_PORT: "70000" })).toThrow(/SENTINEL_METRICS_PORT/);
    expect(() => loadEnv({ SENTINEL_METRICS_PORT: "metrics" })).toThrow(/SENTINEL_METRICS_PORT/);
  });

  it("refuses a listener off loopback without a token, and takes one with it", () => {
    const offLoopback = { SENTINEL_METRICS_PORT: "9464", SENTINEL_METRICS_HOST: "0.0.0.0" };
    expect(() => loadEnv(offLoopback)).toThrow(ConfigError);
    expect(() => loadEnv(offLoopback)).toThrow(/SENTINEL_METRICS_HOST: .*needs SENTINEL_METRICS_TOKEN/);
    const guarded = loadEnv({ ...offLoopback, SENTINEL_METRICS_TOKEN: "0123456789abcdef0123" });
    expect(guarded.SENTINEL_METRICS_PORT).toBe(9464);
    for (const host of ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
      expect(
        loadEnv({ SENTINEL_METRICS_PORT: "9464", SENTINEL_METRICS_HOST: host }).SENTINEL_METRICS_HOST,
      ).toBe(host);
  });
});
