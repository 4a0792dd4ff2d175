import { Gauge, Registry } from "prom-client";

// Gauges of the whole deployment, read from PostgreSQL at each scrape (services/operations/
// backlogs.ts) into a registry of their own, built fresh every time: a queue that disappeared
// leaves no stale series, and nothing per process is involved. Every process reports the same
// values, so aggregate them with max(), never sum() (docs/operations.md).

/** What the scrape read; null when the database did not answer in time. */
export interface ClusterReadings {
  queues: Array<{
    queue: string;
    ready: number;
    deferred: number;
    active: number;
    oldestReadySeconds: number | null;
  }>;
  rollUp: { pendingRows: number; oldestSeconds: number };
}

export function clusterRegistry(readings: ClusterReadings | null): Registry {
  const registry = new Registry();
  const registers = [registry];
  const up = new Gauge({
    name: "sentinel_cluster_metrics_up",
    help: "1 when this scrape read the cluster-wide gauges from PostgreSQL, 0 when the database did not answer (cluster-wide)",
    registers,
  });
  up.set(readings ? 1 : 0);
  if (!readings) return registry;

  const jobs = new Gauge({
    name: "sentinel_queue_jobs",
    help: "Jobs in each queue by state: ready (due now), deferred (waiting for a later start), active (cluster-wide)",
    labelNames: ["queue", "state"] as const,
    registers,
  });
  const oldest = new Gauge({
    name: "sentinel_queue_oldest_ready_job_age_seconds",
    help: "How long the longest-waiting ready job of each queue has been due; 0 when none waits (cluster-wide)",
    labelNames: ["queue"] as const,
    registers,
  });
  for (const q of readings.queues) {
    jobs.set({ queue: q.queue, state: "ready" }, q.ready);
    jobs.set({ queue: q.queue, state: "deferred" }, q.deferred);
    jobs.set({ queue: q.queue, state: "active" }, q.active);
    oldest.set({ queue: q.queue }, q.oldestReadySeconds ?? 0);
  }
  new Gauge({
    name: "sentinel_rollup_lag_seconds",
    help: "Age of the oldest repo_metrics_pending mark: how far the dashboard's roll-ups are behind (cluster-wide)",
    registers,
  }).set(readings.rollUp.oldestSeconds);
  new Gauge({
    name: "sentinel_rollup_pending_rows",
    help: "repo_metrics rows marked stale and not yet recomputed (cluster-wide)",
    registers,
  }).set(readings.rollUp.pendingRows);
  return registry;
}
