import { createHash, timingSafeEqual } from "node:crypto";
import type { Hono } from "hono";
import { AppError } from "../../../core/errors.ts";
import type { DatabaseHandle } from "../../db/client.ts";
import type { Env } from "../../env.ts";
import { logger } from "../../logger.ts";
import { type ClusterReadings, clusterRegistry } from "../../observability/cluster-gauges.ts";
import { collectProcessMetrics, processRegistry } from "../../observability/metrics.ts";
import { readBacklogs } from "../../services/operations/backlogs.ts";
import type { AppBindings } from "../context.ts";

export const METRICS_PATH = "/metrics";

export interface MetricsEndpointDeps {
  env: Pick<Env, "SENTINEL_METRICS_TOKEN">;
  handle: Pick<DatabaseHandle, "db">;
}

/**
 * `GET /metrics` in Prometheus' text format: this process's counters and histograms, then the
 * cluster-wide gauges read from PostgreSQL now. It always wants `Authorization: Bearer
 * <SENTINEL_METRICS_TOKEN>`; without a token configured it answers 404 (`open` is the separate
 * loopback listener of metrics-listener.ts, where a token stays optional).
 */
export function registerMetricsEndpoint(
  app: Hono<AppBindings>,
  deps: MetricsEndpointDeps,
  options: { open: boolean } = { open: false },
): void {
  const token = deps.env.SENTINEL_METRICS_TOKEN;
  if (token || options.open) collectProcessMetrics();
  app.get(METRICS_PATH, async (c) => {
    if (!token) {
      // Registered all the same: otherwise the dashboard's catch-all would answer 200 with its page.
      if (!options.open) throw new AppError("not_found", `no route for GET ${METRICS_PATH}`);
    } else if (!bearerMatches(c.req.header("authorization"), token)) {
      c.header("www-authenticate", 'Bearer realm="metrics"');
      throw new AppError("unauthorized", "metrics need Authorization: Bearer <SENTINEL_METRICS_TOKEN>");
    }
    const text = await exposition(deps.handle);
    return c.body(text, 200, { "content-type": processRegistry.contentType, "cache-control": "no-store" });
  });
}

async function exposition(handle: Pick<DatabaseHandle, "db">): Promise<string> {
  let readings: ClusterReadings | null = null;
  try {
    readings = await readBacklogs(handle.db);
  } catch (err) {
    logger.warn({ err }, "metrics: could not read the cluster-wide gauges");
  }
  const parts = await Promise.all([processRegistry.metrics(), clusterRegistry(readings).metrics()]);
  return parts.map((p) => (p.endsWith("\n") || p === "" ? p : `${p}\n`)).join("");
}

/** Compares digests, so neither the token's length nor its bytes leak through timing. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}
