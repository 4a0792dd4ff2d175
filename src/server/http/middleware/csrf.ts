import type { MiddlewareHandler } from "hono";
import { AppError } from "../../../core/errors.ts";
import type { V1Bindings } from "./auth.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cookie-authenticated writes must come from our own pages: the Origin (or, failing that, the
 * Referer) must be the public URL or the request's own origin. API keys are not sent by browsers
 * on their own, so Bearer requests need no such check.
 */
export function csrfProtection(publicOrigin: string): MiddlewareHandler<V1Bindings> {
  return async (c, next) => {
    if (c.var.auth.via !== "session" || SAFE_METHODS.has(c.req.method)) return next();
    const allowed = new Set([publicOrigin, new URL(c.req.url).origin]);
    const origin = c.req.header("origin") ?? originOf(c.req.header("referer"));
    if (c.req.header("sec-fetch-site") === "cross-site" || !origin || !allowed.has(origin)) {
      throw new AppError(
        "forbidden",
        "cross-site request refused: the Origin of a signed-in write must be this site",
        {
          reason: "csrf",
        },
      );
    }
    return next();
  };
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
