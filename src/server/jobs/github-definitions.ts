import { z } from "zod";
import { defineJob } from "./queue.ts";

// GitHub ingestion's jobs: name, version and payload (versions: see definitions.ts), kept apart
// from their handlers (src/server/workers/github.ts).

const sha = z.string().regex(/^[0-9a-f]{40}$/);

/** Process stored deliveries: those of an installation just linked, or one that failed. */
export const processDeliveriesJob = defineJob({
  name: "github-process-deliveries",
  version: 1,
  schema: z.union([
    z.strictObject({ installationId: z.number().int().positive() }),
    z.strictObject({ deliveryId: z.string().min(1).max(100) }),
  ]),
  options: { retryLimit: 5, retryDelay: 30, retryBackoff: true },
});

/** A push whose payload hit GitHub's 2,048-commit cap: the rest comes from the compare API. */
export const completePushJob = defineJob({
  name: "github-complete-push",
  version: 1,
  schema: z.strictObject({
    orgId: z.uuid(),
    repoId: z.uuid(),
    base: sha,
    head: sha,
    branch: z.string().min(1).max(255),
  }),
  options: { retryLimit: 8, retryDelay: 60, retryBackoff: true },
});

/** Pull requests first: the commit phase then attributes each merge with its PR known. */
export const BACKFILL_PHASES = ["pulls", "commits", "deployments"] as const;

/**
 * Imports one page of a repository's history and enqueues the next page in the same
 * transaction, so a crash resumes at the last committed page. The commit phase through the
 * mirror is one job for the whole window, which resumes from its recorded progress.
 */
export const backfillJob = defineJob({
  name: "github-backfill",
  version: 1,
  schema: z.strictObject({
    orgId: z.uuid(),
    repoId: z.uuid(),
    since: z.iso.datetime({ offset: true }),
    phase: z.enum(BACKFILL_PHASES).default("pulls"),
    page: z.number().int().positive().default(1),
    imported: z.number().int().nonnegative().default(0),
  }),
  // A 100k-commit window read through the mirror takes minutes, not the default 15-minute bound's
  // worth of seconds; one job at a time per worker, so a batch does not hold several backfills.
  options: { retryLimit: 8, retryDelay: 60, retryBackoff: true, expireInSeconds: 6 * 3600 },
  work: { batchSize: 1 },
});

/** Asks GitHub to redeliver recent failed deliveries (scheduled). */
export const reconcileDeliveriesJob = defineJob({
  name: "github-reconcile-deliveries",
  version: 1,
  schema: z.strictObject({}).default({}),
  options: { retryLimit: 2 },
});

/** Deletes delivery log rows older than the retention (scheduled). */
export const pruneDeliveriesJob = defineJob({
  name: "github-prune-deliveries",
  version: 1,
  schema: z.strictObject({ days: z.number().int().positive().default(30) }).default({ days: 30 }),
  options: { retryLimit: 2 },
});

/**
 * Creates (once per head commit) and completes the check run on a pull request's head: reads the
 * PR's commits from the mirror, attributes them, judges them by the policies. `reevaluate`: a
 * policy changed, judge an already completed check again.
 */
export const pullRequestCheckJob = defineJob({
  name: "github-pull-request-check",
  version: 1,
  schema: z.strictObject({
    orgId: z.uuid(),
    repoId: z.uuid(),
    number: z.number().int().positive(),
    headSha: sha,
    baseRef: z.string().min(1).max(255),
    reevaluate: z.boolean().default(false),
  }),
  options: { retryLimit: 5, retryDelay: 5, retryBackoff: true },
  work: { batchSize: 8, localConcurrency: 4 },
});
