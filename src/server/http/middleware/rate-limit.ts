import type { MiddlewareHandler } from "hono";
import { AppError } from "../../../core/errors.ts";
import { PLAN_LIMITS } from "../../auth/plans.ts";
import type { RateLimiter } from "../../auth/rate-limit.ts";
import type { V1Bindings } from "./auth.ts";

/** Per caller (API key or person) and per organization, at the organization's plan's rates. */
export function rateLimit(limiter: RateLimiter): MiddlewareHandler<V1Bindings> {
  return async (c, next) => {
    const { auth } = c.var;
    const limits = PLAN_LIMITS[auth.org?.plan ?? "free"];
    const caller = auth.apiKeyId ? `key:${auth.apiKeyId}` : `user:${auth.userId}:${auth.org?.id ?? "-"}`;
    const decisions = await limiter.consume([
      { key: caller, perMinute: limits.apiRatePerMinute },
      ...(auth.org ? [{ key: `org:${auth.org.id}`, perMinute: limits.orgRatePerMinute }] : []),
    ]);
    const refused = decisions.find((d) => !d.allowed);
    if (refused) {
      c.header("Retry-After", String(refused.retryAfterSeconds));
      throw new AppError("rate_limited", `rate limit exceeded; retry in ${refused.retryAfterSeconds} s`, {
        retryAfterSeconds: refused.retryAfterSeconds,
        limit: decisions[0] === refused ? "apiRatePerMinute" : "orgRatePerMinute",
        plan: auth.org?.plan ?? "free",
      });
    }
    return next();
  };
}
