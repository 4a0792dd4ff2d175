import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import type { Database } from "../db/client.ts";
import { accounts, sessions, users, verifications } from "../db/schema/auth.ts";
import { ConfigError, type Env } from "../env.ts";

export const AUTH_BASE_PATH = "/api/auth";
/**
 * The header Better Auth takes the client's address from. The HTTP layer sets it on every request it
 * hands over (overwriting whatever the client sent) from http/client-address.ts.
 */
export const AUTH_CLIENT_ADDRESS_HEADER = "x-sentinel-client-address";
const SECRET_FILE = "auth-secret";

/** The URL people reach this server at: SENTINEL_PUBLIC_URL, else the local listen address. */
export function publicOrigin(env: Env): string {
  if (env.SENTINEL_PUBLIC_URL) return new URL(env.SENTINEL_PUBLIC_URL).origin;
  const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? "localhost" : env.HOST;
  return `http://${host}:${env.PORT}`;
}

/**
 * BETTER_AUTH_SECRET signs session cookies. For local runs without it, a random secret is generated
 * once and kept in SENTINEL_DATA_DIR/auth-secret (mode 0600) so sessions survive restarts. In
 * production it must be set explicitly, and be the same on every server.
 */
export function resolveAuthSecret(env: Env): string {
  if (env.BETTER_AUTH_SECRET) return env.BETTER_AUTH_SECRET;
  if (env.NODE_ENV === "production") {
    throw new ConfigError("BETTER_AUTH_SECRET must be set in production (at least 32 random characters)");
  }
  const file = join(env.SENTINEL_DATA_DIR, SECRET_FILE);
  if (existsSync(file)) {
    const stored = readFileSync(file, "utf8").trim();
    if (stored.length >= 32) return stored;
  }
  mkdirSync(env.SENTINEL_DATA_DIR, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/** Better Auth over our own users/sessions/accounts/verifications tables, on either engine. */
export function createAuth(db: Database, env: Env) {
  const origin = publicOrigin(env);
  const github =
    env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET
      ? { github: { clientId: env.GITHUB_CLIENT_ID, clientSecret: env.GITHUB_CLIENT_SECRET } }
      : {};
  return betterAuth({
    appName: "Sentinel",
    baseURL: origin,
    basePath: AUTH_BASE_PATH,
    secret: resolveAuthSecret(env),
    trustedOrigins: [origin],
    database: drizzleAdapter(db, {
      provider: "pg",
      usePlural: true,
      schema: { users, sessions, accounts, verifications },
    }),
    // No mail server is assumed, so addresses are not verified by mail; invitations carry trust.
    emailAndPassword: { enabled: true, autoSignIn: true, minPasswordLength: 10 },
    socialProviders: github,
    session: {
      expiresIn: 60 * 60 * 24 * 7,
      updateAge: 60 * 60 * 24,
      // Every request reads the session row, so a sign-out or revocation takes effect at once.
      cookieCache: { enabled: false },
    },
    advanced: {
      useSecureCookies: origin.startsWith("https://"),
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
      // Recorded on sessions. Never X-Forwarded-For itself: any client can write that.
      ipAddress: { ipAddressHeaders: [AUTH_CLIENT_ADDRESS_HEADER] },
    },
    // Sign-in attempts are limited in front of Better Auth, per address and per account, through
    // our RateLimiter (http/middleware/sign-in-limit.ts); its own limiter (per address only, and on
    // in production only) would be a second set of rules.
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
  });
}

export type Auth = ReturnType<typeof createAuth>;
