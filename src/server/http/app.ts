import { randomUUID } from "node:crypto";
import { OpenAPIHono } from "@hono/zod-openapi";
import { routePath } from "hono/route";
import { SENTINEL_VERSION } from "../../core/version.ts";
import { MAX_DELIVERY_BYTES } from "../github/read-delivery.ts";
import { logger } from "../logger.ts";
import { observeHttpRequest } from "../observability/metrics.ts";
import { clientAddress } from "./client-address.ts";
import type { AppBindings, AppDeps } from "./context.ts";
import { type ErrorBody, httpStatus, toAppError } from "./errors.ts";
import { ByteBudget, budgetedBody } from "./middleware/body-limit.ts";
import { registerGithubSetup } from "./routes/github-setup.ts";
import { registerGithubWebhook } from "./routes/github-webhook.ts";
import { registerHealth } from "./routes/health.ts";
import { registerMetricsEndpoint } from "./routes/metrics-exposition.ts";
import { MAX_PAGERDUTY_BYTES, registerPagerDutyWebhook } from "./routes/pagerduty.ts";
import { registerV1 } from "./routes/v1/index.ts";
import { registerStatic } from "./static.ts";

const SLOW_REQUEST_MS = 1000;
/**
 * Webhook bodies are unauthenticated until their signature is checked over the whole body, so they
 * are buffered first. At most this many bytes of them are held at once (four of GitHub's largest).
 */
export const WEBHOOK_BODY_BUDGET_BYTES = 4 * MAX_DELIVERY_BYTES;

export function createApp(deps: AppDeps): OpenAPIHono<AppBindings> {
  const app = new OpenAPIHono<AppBindings>({
    // zod failures in route declarations become our one error shape.
    defaultHook: (result, c) => {
      if (!result.success) {
        const error = toAppError(result.error);
        return c.json(errorBody(error, c.get("requestId")), 400);
      }
    },
  });

  app.use("*", async (c, next) => {
    const requestId = c.req.header("x-request-id")?.slice(0, 100) || randomUUID();
    c.set("requestId", requestId);
    c.header("x-request-id", requestId);
    const started = performance.now();
    await next();
    const elapsed = performance.now() - started;
    const ms = Math.round(elapsed);
    // The route that answered, as declared (`/api/v1/repositories/:id`): bounded, unlike the path.
    observeHttpRequest(c.req.method, routePath(c), c.res.status, elapsed / 1000);
    const line = { requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms };
    if (c.res.status >= 500 || ms > SLOW_REQUEST_MS) logger.warn(line, "request");
    else logger.debug(line, "request");
  });
  app.use("*", clientAddress(deps.env.SENTINEL_TRUSTED_PROXIES));

  app.onError((err, c) => {
    const error = toAppError(err);
    const requestId = c.get("requestId");
    if (error.code === "internal") logger.error({ requestId, err }, "unhandled error");
    return c.json(errorBody(error, requestId), httpStatus(error.code));
  });

  app.notFound((c) =>
    c.json(
      {
        code: "not_found",
        message: `no route for ${c.req.method} ${c.req.path}`,
        requestId: c.get("requestId"),
      },
      404,
    ),
  );

  registerHealth(app, deps, SENTINEL_VERSION);
  registerMetricsEndpoint(app, deps);
  const { auth } = registerV1(app, deps, { rateLimiter: deps.rateLimiter });
  const webhookBodies = new ByteBudget(WEBHOOK_BODY_BUDGET_BYTES);
  app.use("/api/webhooks/github", budgetedBody(webhookBodies, MAX_DELIVERY_BYTES));
  app.use("/api/webhooks/pagerduty/*", budgetedBody(webhookBodies, MAX_PAGERDUTY_BYTES));
  registerGithubWebhook(app, deps);
  registerGithubSetup(app, deps, auth);
  registerPagerDutyWebhook(app, deps);
  // Last, so every /api route above wins and unknown /api paths keep their JSON 404.
  registerStatic(app, deps.env);
  return app;
}

function errorBody(error: ReturnType<typeof toAppError>, requestId: string): ErrorBody {
  return {
    code: error.code,
    message: error.message,
    requestId,
    ...(error.details ? { details: error.details } : {}),
  };
}
