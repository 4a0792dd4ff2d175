import type { Database } from "../../db/client.ts";
import { lineSurvivalJob } from "../../jobs/definitions.ts";
import type { Queue } from "../../jobs/queue.ts";

/** Seconds the walk waits, so the jobs of one push (or a backfill's batches) cost one walk. */
export const LINE_SURVIVAL_DEBOUNCE_SECONDS = 30;

/**
 * Asks for the repository's line-survival walk inside the caller's transaction (it runs once the
 * attributed rows it classifies are committed). One waiting job per repository absorbs a burst.
 */
export async function scheduleLineSurvival(
  tx: Database,
  queue: Queue,
  target: { orgId: string; repoId: string },
): Promise<void> {
  await queue.enqueue(
    tx,
    lineSurvivalJob,
    { orgId: target.orgId, repoId: target.repoId },
    { singletonKey: `survival:${target.repoId}`, startAfter: LINE_SURVIVAL_DEBOUNCE_SECONDS },
  );
}
