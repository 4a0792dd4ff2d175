import { describe, expect, it } from "vitest";
import { ConfigError, loadEnv } from "../../src/server/env.ts";

describe("environment", () => {
  it("applies defaults for an empty environment", () => {
    const env = loadEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.SENTINEL_DATA_DIR).toBe(".sentinel");
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.SENTINEL_WORKERS).toBe(true);
  });

  it("treats empty strings as unset", () => {
    expect(loadEnv({ PORT: "", DATABASE_URL: "" }).PORT).toBe(3000);
  });

  it("names the bad variable", () => {
    expect(() => loadEnv({ PORT: "eighty" })).toThrow(ConfigError);
    expect(() => loadEnv({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => loadEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must be a postgres/);
    expect(() => loadEnv({ LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
  });

  it("never seeds the demo account in production", () => {
    expect(loadEnv({}).SENTINEL_SEED_ON_START).toBe(true);
    expect(loadEnv({ NODE_ENV: "production" }).SENTINEL_SEED_ON_START).toBe(false);
    expect(loadEnv({ NODE_ENV: "production", SENTINEL_SEED_ON_START: "false" }).SENTINEL_SEED_ON_START).toBe(
      false,
    );
    expect(() => loadEnv({ NODE_ENV: "production", SENTINEL_SEED_ON_START: "true" })).toThrow(
      /SENTINEL_SEED_ON_START: demo data has a published password/,
    );
  });
});
