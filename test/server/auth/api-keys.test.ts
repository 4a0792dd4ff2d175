import { describe, expect, it } from "vitest";
import {
  API_KEY_PREFIX,
  apiKeyState,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
} from "../../../src/server/auth/api-keys.ts";

describe("API key format", () => {
  it("is snt_live_ + 32 base62 + a 6-character checksum, and stores only a SHA-256 and a short prefix", () => {
    const { key, keyHash, displayPrefix } = generateApiKey();
    expect(key).toMatch(/^snt_live_[0-9A-Za-z]{38}$/);
    expect(isWellFormedApiKey(key)).toBe(true);
    expect(keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(keyHash).toBe(hashApiKey(key));
    expect(displayPrefix).toBe(key.slice(0, API_KEY_PREFIX.length + 4));
    expect(generateApiKey().key).not.toBe(key);
  });

  it("rejects every single-character typo and a truncated key", () => {
    const { key } = generateApiKey();
    let rejected = 0;
    let typos = 0;
    for (let i = API_KEY_PREFIX.length; i < key.length; i++) {
      for (const ch of ["0", "Z", "z", "q"]) {
        if (key[i] === ch) continue;
        typos++;
        if (!isWellFormedApiKey(key.slice(0, i) + ch + key.slice(i + 1))) rejected++;
      }
    }
    expect(rejected).toBe(typos);
    expect(isWellFormedApiKey(key.slice(0, -1))).toBe(false);
    expect(isWellFormedApiKey(key.replace("snt_live_", "snt_test_"))).toBe(false);
  });

  it("knows revoked and expired keys", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(apiKeyState({ revokedAt: null, expiresAt: null }, now)).toBe("active");
    expect(apiKeyState({ revokedAt: null, expiresAt: new Date("2026-01-02T00:00:00Z") }, now)).toBe("active");
    expect(apiKeyState({ revokedAt: null, expiresAt: now }, now)).toBe("expired");
    expect(apiKeyState({ revokedAt: now, expiresAt: null }, now)).toBe("revoked");
  });
});
