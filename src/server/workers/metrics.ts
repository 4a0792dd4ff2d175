import { rollUpMetricsJob, sweepMetricsJob } from "../jobs/definitions.ts";
import type { Queue } from "../jobs/queue.ts";
import { repositoriesWithPendingRollUps, rollUpPending } from "../services/metrics/pending.ts";
import type { WorkerRegistration } from "./registration.ts";

/**
 * "stately": at most one waiting and one running job per key, which is what makes the singleton
 * key debounce. Created before the first send where possible (an existing queue keeps its policy).
 */
export async function ensureRollUpQueue(queue: Queue): Promise<void> {
  const existing = await queue.boss.getQueue(rollUpMetricsJob.name);
  if (!existing) await queue.boss.createQueue(rollUpMetricsJob.name, { policy: "stately" });
}

export const registerMetricsWorkers: WorkerRegistration = async ({ queue, handle }) => {
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
  await queue.schedule(sweepMetricsJob, "* * * * *");
};
