import { type PullRequestCheckDeps, runPullRequestCheck } from "../checks/pull-request-check.ts";
import { type GithubJobDeps, runBackfillPage } from "../github/backfill.ts";
import { completePush } from "../github/complete-push.ts";
import { processPendingDeliveries, processStoredDelivery } from "../github/receive-delivery.ts";
import { reconcileDeliveries } from "../github/reconciler.ts";
import { githubWebUrl } from "../github-app/app-client.ts";
import {
  backfillJob,
  completePushJob,
  processDeliveriesJob,
  pruneDeliveriesJob,
  pullRequestCheckJob,
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
  // A batch's checks run side by side: most of their time is GitHub round trips and git reads.
  const checks: PullRequestCheckDeps = {
    db,
    github: app,
    ...(deps.mirrorSource ? { mirrorFor: deps.mirrorSource.forCommit } : {}),
    scorerFor: jobs.scorerFor,
    publicUrl: deps.env.SENTINEL_PUBLIC_URL ?? null,
    webUrl: githubWebUrl(deps.env.GITHUB_API_URL),
  };
  await queue.workBatch(pullRequestCheckJob, async (payloads) =>
    Promise.all(
      payloads.map(async (payload) => {
        try {
          const outcome = await runPullRequestCheck(checks, payload);
          if (outcome.status === "skipped")
            logger.info({ ...payload, reason: outcome.reason }, "no check run");
          return null;
        } catch (error) {
          return error instanceof Error ? error : new Error(String(error));
        }
      }),
    ),
  );
  await queue.work(reconcileDeliveriesJob, async () => {
    await reconcileDeliveries(db, app);
  });
  await queue.schedule(reconcileDeliveriesJob, "*/15 * * * *", {});
};
