import { type GithubJobDeps, runBackfillPage } from "../github/backfill.ts";
import { completePush } from "../github/complete-push.ts";
import { processPendingDeliveries, processStoredDelivery } from "../github/receive-delivery.ts";
import { reconcileDeliveries } from "../github/reconciler.ts";
import {
  backfillJob,
  completePushJob,
  processDeliveriesJob,
  pruneDeliveriesJob,
  reconcileDeliveriesJob,
} from "../jobs/github-definitions.ts";
import { pruneDeliveries } from "../services/github/deliveries.ts";
import { getActiveModel } from "../services/ml-models.ts";
import type { WorkerRegistration } from "./registration.ts";

/** Registers GitHub ingestion's job handlers and its two schedules. */
export const registerGithubWorkers: WorkerRegistration = async (deps) => {
  const { queue, github: app, clock, logger } = deps;
  const db = deps.handle.db;
  await queue.work(processDeliveriesJob, async (payload) => {
    if ("installationId" in payload) await processPendingDeliveries(db, queue, payload.installationId);
    else await processStoredDelivery(db, queue, payload.deliveryId);
  });
  await queue.work(pruneDeliveriesJob, async (payload) => {
    const removed = await pruneDeliveries(db, new Date(clock.now().getTime() - payload.days * 86_400_000));
    logger.info({ removed, days: payload.days }, "pruned webhook deliveries");
  });
  await queue.schedule(pruneDeliveriesJob, "17 3 * * *", { days: 30 });

  // Jobs that call GitHub need the App's credentials; without them they wait in the queue.
  if (!app) {
    logger.info(
      "GITHUB_APP_ID / GITHUB_APP_PRIVATE_KEY unset: backfill, push completion and reconciliation are off",
    );
    return;
  }
  const jobs: GithubJobDeps = {
    db,
    queue,
    app,
    ...(deps.mirrorSource ? { mirrors: deps.mirrorSource } : {}),
    scorerFor: (orgId) => getActiveModel({ db, orgId, actor: { kind: "job", name: backfillJob.name } }),
  };
  await queue.work(backfillJob, async (payload) => {
    await runBackfillPage(jobs, payload);
  });
  await queue.work(completePushJob, async (payload) => {
    await completePush(jobs, payload);
  });
  await queue.work(reconcileDeliveriesJob, async () => {
    await reconcileDeliveries(db, app);
  });
  await queue.schedule(reconcileDeliveriesJob, "*/15 * * * *", {});
};
