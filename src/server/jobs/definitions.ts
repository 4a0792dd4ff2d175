import { z } from "zod";
import { defineJob } from "./queue.ts";

// Job definitions (name + payload schema) shared by the code that enqueues them and the code that
// handles them, so neither imports the other.

/** Analyse one commit's files. Enqueued, in the same transaction, for every new commit event. */
export const attributeCommitJob = defineJob({
  name: "attribute-commit",
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
  schema: attributeCommitJob.schema,
  options: { retryLimit: 5, retryDelay: 60, retryBackoff: true },
  policy: "stately",
});

/** Deletes the applied event ids of inbound integrations (PagerDuty) older than the retention (scheduled). */
export const pruneIntegrationEventsJob = defineJob({
  name: "prune-integration-events",
  schema: z.strictObject({ days: z.number().int().positive().default(30) }).default({ days: 30 }),
  options: { retryLimit: 2 },
});
