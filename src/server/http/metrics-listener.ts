import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { DatabaseHandle } from "../db/client.ts";
import type { Env } from "../env.ts";
import type { AppBindings } from "./context.ts";
import { httpStatus, toAppError } from "./errors.ts";
import { registerMetricsEndpoint } from "./routes/metrics-exposition.ts";

// SENTINEL_METRICS_PORT: a second HTTP listener that serves only `GET /metrics`, bound to
// SENTINEL_METRICS_HOST (loopback unless a token protects it, env.ts). `npm run worker` has no
// other port, so this is how Prometheus reaches a worker's counters; a server may use it too, to
// keep /metrics off the port the load balancer exposes.

export interface MetricsListener {
  url: string;
  stop(): Promise<void>;
}

export function createMetricsApp(
  env: Pick<Env, "SENTINEL_METRICS_TOKEN">,
  handle: Pick<DatabaseHandle, "db">,
): Hono<AppBindings> {
  const app = new Hono<AppBindings>();
  app.use("*", async (c, next) => {
    c.set("requestId", randomUUID());
    await next();
  });
  app.onError((err, c) => {
    const error = toAppError(err);
    return c.json(
      { code: error.code, message: error.message, requestId: c.get("requestId") },
      httpStatus(error.code),
    );
  });
  app.notFound((c) =>
    c.json(
      { code: "not_found", message: "this listener serves only GET /metrics", requestId: c.get("requestId") },
      404,
    ),
  );
  registerMetricsEndpoint(app, { env, handle }, { open: true });
  return app;
}

/** Starts the listener when SENTINEL_METRICS_PORT is set; null otherwise. */
export async function startMetricsListener(
  env: Pick<Env, "SENTINEL_METRICS_TOKEN" | "SENTINEL_METRICS_PORT" | "SENTINEL_METRICS_HOST">,
  handle: Pick<DatabaseHandle, "db">,
): Promise<MetricsListener | null> {
  if (env.SENTINEL_METRICS_PORT === undefined) return null;
  const app = createMetricsApp(env, handle);
  const server = serve({
    fetch: app.fetch,
    port: env.SENTINEL_METRICS_PORT,
    hostname: env.SENTINEL_METRICS_HOST,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = env.SENTINEL_METRICS_HOST.includes(":")
    ? `[${env.SENTINEL_METRICS_HOST}]`
    : env.SENTINEL_METRICS_HOST;
  return {
    url: `http://${host}:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
