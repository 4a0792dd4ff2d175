import type { Database } from "../../db/client.ts";
import { rollUpMetricsJob } from "../../jobs/definitions.ts";
import type { Queue } from "../../jobs/queue.ts";
import { markMetricsStale } from "./pending.ts";

/** Seconds a roll-up waits, so a burst of events for one repository costs one roll-up. */
export const ROLL_UP_DEBOUNCE_SECONDS = 5;

/**
 * Marks the buckets holding these instants stale and enqueues the debounced roll-up, both inside
 * the caller's transaction. The singleton key lets one waiting job per repository absorb a burst;
 * a send dropped as a duplicate loses nothing, since the stale marks are rows, not payload.
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
    { singletonKey: `metrics:${input.repoId}`, startAfter: ROLL_UP_DEBOUNCE_SECONDS },
  );
}

/**
 * Asks for the roll-up after the caller's transaction committed, for writers that cannot enqueue
 * inside it (API requests run as the tenant role, which has no access to the job tables). The
 * stale marks are already durable; if this send is lost, the sweep finds them.
 */
export async function requestRollUp(
  queue: Queue | undefined,
  input: { orgId: string | undefined; repoId: string | null },
): Promise<void> {
  if (!queue || !input.orgId || !input.repoId) return;
  await queue.boss.send(
    rollUpMetricsJob.name,
    { orgId: input.orgId, repoId: input.repoId },
    {
      ...rollUpMetricsJob.options,
      singletonKey: `metrics:${input.repoId}`,
      startAfter: ROLL_UP_DEBOUNCE_SECONDS,
    },
  );
}
