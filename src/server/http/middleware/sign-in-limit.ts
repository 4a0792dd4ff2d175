import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../../../core/errors.ts";
import { consumeOne, type RateDecision, type RateLimiter } from "../../auth/rate-limit.ts";
import { addressKey } from "../client-address.ts";
import type { AppBindings } from "../context.ts";

/**
 * Attempts a minute (in a window that opens at the first attempt). Per address, so one client cannot
 * try many accounts; per account, so many addresses cannot try one account. Nothing is shared by
 * everyone: an address that uses up its budget locks out only itself (and, per account, only the
 * accounts it guesses at, while it keeps guessing).
 */
export const SIGN_IN_LIMITS = {
  /** Password checks (sign-in, password and email changes, account deletion) and resets, per address. */
  signInPerAddressPerMinute: 20,
  /** New accounts per address: each costs a password hash. */
  signUpPerAddressPerMinute: 30,
  /** Any of the above naming one account (`email`), from anywhere. */
  perAccountPerMinute: 10,
} as const;

// Better Auth endpoints that check a password, create an account or spend a token or an email.
const RULES = [
  {
    path: /^\/api\/auth\/sign-up(\/|$)/,
    limit: "signUpPerAddress",
    perMinute: SIGN_IN_LIMITS.signUpPerAddressPerMinute,
  },
  {
    path: /^\/api\/auth\/(sign-in|request-password-reset|forget-password|reset-password|change-password|change-email|verify-password|delete-user|send-verification-email)(\/|$)/,
    limit: "signInPerAddress",
    perMinute: SIGN_IN_LIMITS.signInPerAddressPerMinute,
  },
] as const;

const MAX_ACCOUNT_KEY = 320;

/**
 * Rate limits for Better Auth's credential endpoints, in front of it: per client address (before
 * the body is looked at), then per account (the body's `email`, trimmed and lower-cased). Better
 * Auth's own limiter is off (better-auth.ts), so these rules hold in every environment alike.
 */
export function signInRateLimit(limiter: RateLimiter): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    const rule = c.req.method === "POST" ? RULES.find((r) => r.path.test(c.req.path)) : undefined;
    if (!rule) return next();
    const address = await consumeOne(
      limiter,
      `auth:${rule.limit}:${addressKey(c.var.clientAddress)}`,
      rule.perMinute,
    );
    refuseUnlessAllowed(c, address, rule.limit);
    const account = await accountOf(c);
    if (account) {
      const decision = await consumeOne(
        limiter,
        `auth:account:${account}`,
        SIGN_IN_LIMITS.perAccountPerMinute,
      );
      refuseUnlessAllowed(c, decision, "signInPerAccount");
    }
    await next();
  };
}

function refuseUnlessAllowed(c: Context, decision: RateDecision, limit: string): void {
  if (decision.allowed) return;
  c.header("Retry-After", String(decision.retryAfterSeconds));
  throw new AppError("rate_limited", `too many attempts; retry in ${decision.retryAfterSeconds} s`, {
    retryAfterSeconds: decision.retryAfterSeconds,
    limit,
  });
}

/**
 * The account an attempt is about: `email` of a JSON or form body. Read as bytes (and cached by
 * Hono), so the same bytes reach Better Auth. Undefined when there is none: Better Auth refuses.
 */
async function accountOf(c: Context): Promise<string | undefined> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  const text = new TextDecoder().decode(await c.req.arrayBuffer());
  let email: unknown;
  if (type === "application/x-www-form-urlencoded") {
    email = new URLSearchParams(text).get("email");
  } else {
    try {
      email = (JSON.parse(text) as { email?: unknown } | null)?.email;
    } catch {
      return undefined;
    }
  }
  if (typeof email !== "string") return undefined;
  const normalized = email.trim().toLowerCase();
  return normalized ? normalized.slice(0, MAX_ACCOUNT_KEY) : undefined;
}
