import { describe, expect, it } from "vitest";
import { parseWebhookSecrets, signBody, verifySignature } from "../../src/server/github/verify.ts";

const body = (text: string) => new TextEncoder().encode(text);

describe("X-Hub-Signature-256 verification", () => {
  it("accepts GitHub's published test vector", () => {
    const header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    expect(verifySignature(["It's a Secret to Everybody"], body("Hello, World!"), header)).toBe(true);
    expect(signBody("It's a Secret to Everybody", "Hello, World!")).toBe(header);
  });

  it("rejects a wrong secret, a changed body, a truncated or missing signature, and SHA-1", () => {
    const header = signBody("right", "payload");
    expect(verifySignature(["wrong"], body("payload"), header)).toBe(false);
    expect(verifySignature(["right"], body("payload "), header)).toBe(false);
    expect(verifySignature(["right"], body("payload"), header.slice(0, -2))).toBe(false);
    expect(verifySignature(["right"], body("payload"), undefined)).toBe(false);
    expect(verifySignature(["right"], body("payload"), "sha1=0123456789abcdef0123456789abcdef01234567")).toBe(
      false,
    );
    expect(verifySignature([], body("payload"), header)).toBe(false);
  });

  it("accepts any of several secrets, so one can be rotated without downtime", () => {
    const secrets = parseWebhookSecrets(" old-secret , new-secret ,,");
    expect(secrets).toEqual(["old-secret", "new-secret"]);
    expect(verifySignature(secrets, body("x"), signBody("old-secret", "x"))).toBe(true);
    expect(verifySignature(secrets, body("x"), signBody("new-secret", "x"))).toBe(true);
    expect(verifySignature(secrets, body("x"), signBody("other", "x"))).toBe(false);
  });
});
