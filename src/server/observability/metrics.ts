import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

// This process's Prometheus metrics (docs/operations.md lists them). Each process counts what it
// does itself; Prometheus sums them across processes. What only the database knows cluster-wide
// (queue depth, roll-up lag) is read at scrape time instead: see cluster-gauges.ts.
//
// Labels are closed sets (route patterns, queue names, error codes, installation ids), never raw
// paths or payload values, so the number of series stays bounded.

/** The registry `GET /metrics` exposes; apart from prom-client's global one, which libraries may share. */
export const processRegistry = new Registry();

let defaultsCollected = false;

/** Adds prom-client's process metrics (CPU, memory, event-loop lag, GC) once, when metrics are served. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: processRegistry });
}

const registers = [processRegistry];

export const httpRequestDuration = new Histogram({
  name: "sentinel_http_request_duration_seconds",
  help: "HTTP request latency by method, route pattern and status (per process)",
  labelNames: ["method", "route", "status"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

export const webhookDeliveries = new Counter({
  name: "sentinel_webhook_deliveries_total",
  help: "Webhook deliveries received, by source and outcome: the stored outcome, duplicate, or the error code of a refusal (per process)",
  labelNames: ["source", "outcome"] as const,
  registers,
});

export const jobRuns = new Counter({
  name: "sentinel_jobs_total",
  help: "Job runs by queue and outcome (completed, failed) (per process)",
  labelNames: ["queue", "outcome"] as const,
  registers,
});

export const jobLag = new Histogram({
  name: "sentinel_job_lag_seconds",
  help: "From a job's creation to the end of its successful run, by queue; for attribute-commit this is push received to verdict stored (per process)",
  labelNames: ["queue"] as const,
  buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200],
  registers,
});

export const jobBatchDuration = new Histogram({
  name: "sentinel_job_batch_duration_seconds",
  help: "How long a worker took over one fetched batch of jobs, by queue (per process)",
  labelNames: ["queue"] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers,
});

export const mirrorFetchErrors = new Counter({
  name: "sentinel_mirror_fetch_errors_total",
  help: "Mirror fetches that failed (the commits were read through REST instead), by reason (per process)",
  labelNames: ["reason"] as const,
  registers,
});

export const githubApiRequests = new Counter({
  name: "sentinel_github_api_requests_total",
  help: "GitHub REST requests answered or failed, by outcome (ok, or error) (per process)",
  labelNames: ["outcome"] as const,
  registers,
});

export const githubApiErrors = new Counter({
  name: "sentinel_github_api_errors_total",
  help: "GitHub REST requests that failed, by HTTP status (network: no answer) (per process)",
  labelNames: ["status"] as const,
  registers,
});

export const githubRateLimitRemaining = new Gauge({
  name: "sentinel_github_rate_limit_remaining",
  help: "Requests left in GitHub's current rate-limit window, from the latest answer this process saw, by installation (app: the App's own JWT)",
  labelNames: ["installation"] as const,
  registers,
});

export const githubRateLimitLimit = new Gauge({
  name: "sentinel_github_rate_limit_limit",
  help: "GitHub's rate limit for the window, from the latest answer this process saw, by installation",
  labelNames: ["installation"] as const,
  registers,
});

const HTTP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** One answered HTTP request; `route` is the matched pattern (`/api/v1/repositories/:id`), never the path. */
export function observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
  httpRequestDuration.observe(
    { method: HTTP_METHODS.has(method) ? method : "other", route, status: String(status) },
    seconds,
  );
}

/** Rate-limit headers of a GitHub answer (any status: a 403 for an exhausted limit carries them too). */
export function observeGithubRateLimit(
  installation: string,
  headers: Record<string, string | number | undefined>,
): void {
  const remaining = Number(headers["x-ratelimit-remaining"]);
  const limit = Number(headers["x-ratelimit-limit"]);
  if (headers["x-ratelimit-remaining"] !== undefined && Number.isFinite(remaining))
    githubRateLimitRemaining.set({ installation }, remaining);
  if (headers["x-ratelimit-limit"] !== undefined && Number.isFinite(limit))
    githubRateLimitLimit.set({ installation }, limit);
}
