import type { Database } from "../../db/client.ts";
import { rollUpMetricsJob } from "../../jobs/definitions.ts";
import type { JobQueue, Queue } from "../../jobs/queue.ts";
import type { WriteContext } from "../after-commit.ts";
import { markMetricsStale, markOrganizationMetricsStale } from "./pending.ts";

/** Seconds a roll-up waits, so a burst of events for one repository costs one roll-up. */
export const ROLL_UP_DEBOUNCE_SECONDS = 5;

const rollUpOptions = (repoId: string) => ({
  singletonKey: `metrics:${repoId}`,
  startAfter: ROLL_UP_DEBOUNCE_SECONDS,
});

/**
 * Marks the buckets holding these instants stale and enqueues the debounced roll-up, both inside
 * the caller's transaction (job handlers, which hold the queue and may write its tables). The
 * singleton key lets one waiting job per repository absorb a burst; a send dropped as a duplicate
 * loses nothing, since the stale marks are rows, not payload.
 */
export async function scheduleRollUp(
  tx: Database,
  queue: Queue,
  input: { orgId: string; repoId: string; timestamps: ReadonlyArray<Date | string | number> },
): Promise<void> {
  const keys = await markMetricsStale(tx, input);
  if (keys.length === 0) return;
  await queue.enqueue(
    tx,
    rollUpMetricsJob,
    { orgId: input.orgId, repoId: input.repoId },
    rollUpOptions(input.repoId),
  );
}

/**
 * How services refresh metrics: marks the buckets holding these instants stale in the caller's
 * transaction and asks for the repository's roll-up once it commits. If that request is lost (or
 * the queue is noQueue), the `metrics-sweep` job finds the marks within a minute.
 */
export async function markStaleAndRequestRollUp(
  ctx: WriteContext,
  input: { repoId: string; timestamps: ReadonlyArray<Date | string | number> },
): Promise<void> {
  const keys = await markMetricsStale(ctx.db, { orgId: ctx.orgId, ...input });
  if (keys.length > 0) requestRollUpAfterCommit(ctx, input.repoId);
}

/**
 * Marks every stored period of every repository of the organization stale and asks for each
 * repository's roll-up after commit: what a change to the AI-heavy threshold needs. Returns the
 * number of repositories.
 */
export async function markOrganizationStaleAndRequestRollUps(ctx: WriteContext): Promise<number> {
  const repoIds = await markOrganizationMetricsStale(ctx.db, ctx.orgId);
  for (const repoId of repoIds) requestRollUpAfterCommit(ctx, repoId);
  return repoIds.length;
}

/** Asks for the roll-up of a repository whose marks the caller's transaction wrote, after it commits. */
export function requestRollUpAfterCommit(ctx: WriteContext, repoId: string): void {
  const { orgId } = ctx;
  ctx.afterCommit.add(`${rollUpMetricsJob.name}:${repoId}`, (queue) =>
    requestRollUp(queue, { orgId, repoId }),
  );
}

/** Sends the debounced roll-up of one repository, outside any transaction. */
export async function requestRollUp(
  queue: JobQueue,
  input: { orgId: string; repoId: string },
): Promise<string | null> {
  return queue.send(rollUpMetricsJob, input, rollUpOptions(input.repoId));
}
