import { createHmac, timingSafeEqual } from "node:crypto";

// The `state` of the GitHub App install link: the organization the signed-in admin was acting
// for, with an expiry, signed so the setup callback cannot be pointed at another organization.

export const SETUP_STATE_TTL_MS = 60 * 60 * 1000;

export function createSetupState(secret: string, orgId: string, now = Date.now()): string {
  const body = `${orgId}.${now + SETUP_STATE_TTL_MS}`;
  return `${body}.${sign(secret, body)}`;
}

/**
 * The GitHub App's installation page, carrying a state bound to `orgId`: GitHub sends the admin
 * back to /api/github/setup with it, which links the new installation to that organization.
 */
export function installLink(
  config: { appSlug: string; secret: string },
  orgId: string,
  now = Date.now(),
): { url: string; expiresAt: Date } {
  const url = new URL(`https://github.com/apps/${encodeURIComponent(config.appSlug)}/installations/new`);
  url.searchParams.set("state", createSetupState(config.secret, orgId, now));
  return { url: url.toString(), expiresAt: new Date(now + SETUP_STATE_TTL_MS) };
}

/** The organization id the state was issued for, or null when forged, altered or expired. */
export function verifySetupState(secret: string, state: string, now = Date.now()): string | null {
  const parts = state.split(".");
  if (parts.length !== 3) return null;
  const [orgId, expires, signature] = parts as [string, string, string];
  const expected = Buffer.from(sign(secret, `${orgId}.${expires}`), "base64url");
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (!(Number(expires) > now)) return null;
  return orgId;
}

function sign(secret: string, body: string): string {
  return createHmac("sha256", `github-setup:${secret}`).update(body).digest("base64url");
}
