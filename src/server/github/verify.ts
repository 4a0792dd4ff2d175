import { createHmac, timingSafeEqual } from "node:crypto";

// Webhook signatures: HMAC-SHA256 of the raw body bytes, hex, in `X-Hub-Signature-256`. The
// SHA-1 header (`X-Hub-Signature`) is never enough on its own: SHA-1 HMACs are the legacy format.

const SIGNATURE = /^sha256=([0-9a-f]{64})$/;

/** `GITHUB_WEBHOOK_SECRET` may hold several comma-separated secrets, so one can be rotated without downtime. */
export function parseWebhookSecrets(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The header value GitHub would send for this body and secret (tests, the fake GitHub, the benchmark). */
export function signBody(secret: string, body: Uint8Array | string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * True when `header` is a SHA-256 signature of `body` under any of `secrets`. Every secret is
 * tried (no early exit on the match) and compared in constant time.
 */
export function verifySignature(
  secrets: readonly string[],
  body: Uint8Array,
  header: string | undefined,
): boolean {
  const match = header ? SIGNATURE.exec(header.trim().toLowerCase()) : null;
  const hex = match?.[1];
  if (!hex) return false;
  const given = Buffer.from(hex, "hex");
  let valid = false;
  for (const secret of secrets) {
    const expected = createHmac("sha256", secret).update(body).digest();
    if (timingSafeEqual(expected, given)) valid = true;
  }
  return valid;
}
