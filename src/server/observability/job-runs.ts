import type { Logger } from "../logger.ts";
import { jobBatchDuration, jobLag, jobRuns } from "./metrics.ts";

// One structured log line and the job metrics per job run, written by the queue wrapper
// (jobs/queue.ts) for every queue, so no handler has to remember to.

/** Payload fields worth a log line: ids that say what the job was about, never payload content. */
const ID_FIELDS = ["orgId", "repoId", "commitSha", "deliveryId", "installationId"] as const;

export interface JobRun {
  queue: string;
  jobId: string;
  outcome: "completed" | "failed";
  /** The batch's wall time: jobs fetched together are handled together. */
  ms: number;
  /** 1 for the first run, 2 for the first retry, … */
  attempt: number;
  batchSize: number;
  /** Retries the job allows in all; with `attempt` it says whether pg-boss runs a failed job again. */
  retryLimit: number | undefined;
  /** When the job was created (for a push's jobs: in the transaction that stored the push). */
  createdOn: Date | undefined;
  data: unknown;
  error?: unknown;
}

export function jobIds(data: unknown): Partial<Record<(typeof ID_FIELDS)[number], string | number>> {
  if (typeof data !== "object" || data === null) return {};
  const ids: Partial<Record<(typeof ID_FIELDS)[number], string | number>> = {};
  for (const field of ID_FIELDS) {
    const value = (data as Record<string, unknown>)[field];
    // Capped: a payload that failed to parse may carry anything under an id's name.
    if (typeof value === "string") ids[field] = value.slice(0, 100);
    else if (typeof value === "number") ids[field] = value;
  }
  return ids;
}

export function recordJobRun(logger: Logger, run: JobRun, now: Date = new Date()): void {
  jobRuns.inc({ queue: run.queue, outcome: run.outcome });
  const lagMs = run.createdOn ? Math.max(0, now.getTime() - run.createdOn.getTime()) : undefined;
  if (run.outcome === "completed" && lagMs !== undefined) jobLag.observe({ queue: run.queue }, lagMs / 1000);
  const line = {
    queue: run.queue,
    jobId: run.jobId,
    outcome: run.outcome,
    ms: run.ms,
    attempt: run.attempt,
    batchSize: run.batchSize,
    ...(lagMs === undefined ? {} : { lagMs }),
    ...jobIds(run.data),
  };
  if (run.outcome === "failed") {
    const willRetry = run.retryLimit === undefined ? undefined : run.attempt <= run.retryLimit;
    logger.warn({ ...line, willRetry, err: run.error }, "job run failed");
  } else logger.info(line, "job run");
}

/** Once per fetched batch, beside the per-job lines. */
export function recordJobBatch(queue: string, seconds: number): void {
  jobBatchDuration.observe({ queue }, seconds);
}
