import { z } from "zod";
import type { Database } from "../db/client.ts";
import {
  markMetricsStale,
  repositoriesWithPendingRollUps,
  rollUpPending,
} from "../services/metrics/pending.ts";
import { defineJob, type Queue } from "./queue.ts";
import type { WorkerRegistration } from "./workers.ts";

/** Seconds a roll-up waits, so a burst of events for one repository costs one roll-up. */
export const ROLL_UP_DEBOUNCE_SECONDS = 5;

/** Recompute one repository's stale repo_metrics rows (marked in repo_metrics_pending). */
export const rollUpMetricsJob = defineJob({
  name: "metrics-roll-up",
  schema: z.strictObject({ orgId: z.uuid(), repoId: z.uuid() }),
  options: { retryLimit: 5, retryDelay: 10, retryBackoff: true },
  policy: "stately",
});

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
 * "stately": at most one waiting and one running job per key, which is what makes the singleton
 * key debounce. Created before the first send where possible (an existing queue keeps its policy).
 */
export async function ensureRollUpQueue(queue: Queue): Promise<void> {
  const existing = await queue.boss.getQueue(rollUpMetricsJob.name);
  if (!existing) await queue.boss.createQueue(rollUpMetricsJob.name, { policy: "stately" });
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

/** Every minute: roll up whatever stale marks no job took (a lost send, a crash between commit and send). */
export const sweepMetricsJob = defineJob({
  name: "metrics-sweep",
  schema: z.unknown(),
  options: { retryLimit: 0 },
});

export const registerMetricsWorkers: WorkerRegistration = async (queue, handle) => {
  await ensureRollUpQueue(queue);
  await queue.work(rollUpMetricsJob, async ({ orgId, repoId }) => {
    await rollUpPending(
      { db: handle.db, orgId, actor: { kind: "job", name: rollUpMetricsJob.name } },
      repoId,
    );
  });
  await queue.work(sweepMetricsJob, async () => {
    for (const { orgId, repoId } of await repositoriesWithPendingRollUps(handle.db)) {
      await rollUpPending(
        { db: handle.db, orgId, actor: { kind: "job", name: sweepMetricsJob.name } },
        repoId,
      );
    }
  });
  await queue.boss.schedule(sweepMetricsJob.name, "* * * * *");
};
