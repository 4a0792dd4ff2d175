import { z } from "zod";
import { defineJob } from "./queue.ts";

// Job definitions (name, version, payload schema) shared by the code that enqueues them and the
// code that handles them (src/server/workers/), so neither imports the other. They depend on no
// domain: services, webhooks and handlers all import them.
//
// Versions: queued jobs outlive a release, so a payload is read by code newer (or, in a rolling
// deploy, older) than the code that sent it. Adding an optional field keeps the version. Any other
// change to a schema (a field renamed, removed, made required, its meaning changed) bumps
// `version` and gives the definition an `upgrade` from the older payloads still queued, or leaves
// them to be refused (failed, visibly) when they cannot be upgraded. The queue name stays.

/** Analyse one commit's files. Enqueued, in the same transaction, for every new commit event. */
export const attributeCommitJob = defineJob({
  name: "attribute-commit",
  version: 1,
  schema: z.strictObject({
    orgId: z.uuid(),
    repoId: z.uuid(),
    commitSha: z.string().regex(/^[0-9a-f]{40}$/),
  }),
  options: { retryLimit: 5, retryDelay: 30, retryBackoff: true },
});

/**
 * The same work for commits analysed by an older engine: its own queue, so a re-run of the
 * start-up pass finds the commit already queued (one waiting job per commit) instead of adding
 * another, and so fresh pushes never wait behind a backlog of re-analysis.
 */
export const reattributeCommitJob = defineJob({
  name: "reattribute-commit",
  version: 1,
  schema: attributeCommitJob.schema,
  options: { retryLimit: 5, retryDelay: 60, retryBackoff: true },
  policy: "stately",
});

/**
 * Re-queues every commit an older engine version analysed (attribution/reattribute.ts). Sent once
 * per engine version for the whole cluster, by the first worker that starts with it; retried
 * (resuming where it stopped) if its worker dies.
 */
export const reattributionScanJob = defineJob({
  name: "reattribution-scan",
  version: 1,
  schema: z.strictObject({ engineVersion: z.string().min(1) }),
  options: { retryLimit: 10, retryDelay: 30, retryBackoff: true },
});

/** Deletes the applied event ids of inbound integrations (PagerDuty) older than the retention (scheduled). */
export const pruneIntegrationEventsJob = defineJob({
  name: "prune-integration-events",
  version: 1,
  schema: z.strictObject({ days: z.number().int().positive().default(30) }).default({ days: 30 }),
  options: { retryLimit: 2 },
});

/** Recompute one repository's stale repo_metrics rows (marked in repo_metrics_pending). */
export const rollUpMetricsJob = defineJob({
  name: "metrics-roll-up",
  version: 1,
  schema: z.strictObject({ orgId: z.uuid(), repoId: z.uuid() }),
  options: { retryLimit: 5, retryDelay: 10, retryBackoff: true },
  policy: "stately",
});

/** Every minute: roll up whatever stale marks no job took (a lost send, a crash between commit and send). */
export const sweepMetricsJob = defineJob({
  name: "metrics-sweep",
  version: 1,
  schema: z.unknown(),
  options: { retryLimit: 0 },
});

/**
 * Trains the organization's `ml_model` from git histories on the worker's machine (code_attribution
 * stores verdicts, not code): the given paths, or, without them (the dashboard's "Train model"),
 * the organization's repository mirrors and locally analysed clones. Same work as
 * `sentinel model train --repo`.
 */
export const trainModelJob = defineJob({
  name: "attribution-train-model",
  version: 1,
  schema: z.strictObject({
    orgId: z.uuid(),
    repositoryPaths: z.array(z.string().min(1).max(4096)).min(1).max(100).optional(),
  }),
  options: { retryLimit: 2, retryDelay: 300 },
});

export type TrainModelPayload = z.infer<typeof trainModelJob.schema>;

/**
 * Daily (and at every worker start): creates code_events' month partitions ahead and moves rows
 * out of the default partition; with `retentionMonths`, drops the months older than that.
 */
export const maintainCodeEventPartitionsJob = defineJob({
  name: "code-events-partitions",
  version: 1,
  schema: z
    .strictObject({
      monthsAhead: z.number().int().min(0).max(120).default(3),
      retentionMonths: z.number().int().min(1).max(1200).optional(),
    })
    .default({ monthsAhead: 3 }),
  options: { retryLimit: 3, retryDelay: 600 },
});

/**
 * Line survival, churn and reverts of one repository from its mirror (issue #15), after its
 * commits were attributed: debounced per repository, since a push of 50 commits needs one walk.
 */
export const lineSurvivalJob = defineJob({
  name: "line-survival",
  version: 1,
  schema: z.strictObject({ orgId: z.uuid(), repoId: z.uuid() }),
  // A long history takes minutes to walk (bench/survival.ts); one job at a time per worker.
  options: { retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 3 * 3600 },
  policy: "stately",
  work: { batchSize: 1 },
});
