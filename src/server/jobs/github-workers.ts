import { mirrorSource } from "../attribution/mirror-source.ts";
import type { DatabaseHandle } from "../db/client.ts";
import type { Env } from "../env.ts";
import { type GithubApp, githubAppFromEnv, githubWebUrl } from "../github/app-client.ts";
import { type GithubJobDeps, runBackfillPage } from "../github/backfill.ts";
import { completePush } from "../github/complete-push.ts";
import { processPendingDeliveries, processStoredDelivery } from "../github/receive-delivery.ts";
import { reconcileDeliveries } from "../github/reconciler.ts";
import { logger } from "../logger.ts";
import { RepositoryMirrors } from "../mirror/repository-mirrors.ts";
import { pruneDeliveries } from "../services/github/deliveries.ts";
import { getActiveModel } from "../services/ml-models.ts";
import {
  backfillJob,
  completePushJob,
  processDeliveriesJob,
  pruneDeliveriesJob,
  reconcileDeliveriesJob,
} from "./github-definitions.ts";
import type { Queue } from "./queue.ts";

/** Registers GitHub ingestion's job handlers and its two schedules. */
export async function registerGithubWorkers(queue: Queue, handle: DatabaseHandle, env: Env): Promise<void> {
  const app = githubAppFromEnv(env);
  await registerGithubHandlers(queue, handle, app, {
    ...(app
      ? {
          mirrors: mirrorSource(
            handle.db,
            app,
            RepositoryMirrors.fromEnv(env),
            githubWebUrl(env.GITHUB_API_URL),
          ),
        }
      : {}),
    scorerFor: (orgId) =>
      getActiveModel({ db: handle.db, orgId, actor: { kind: "job", name: backfillJob.name } }),
  });
}

/** The same, with the App given (tests pass one pointed at the fake GitHub). */
export async function registerGithubHandlers(
  queue: Queue,
  handle: DatabaseHandle,
  app: GithubApp | null,
  history: Pick<GithubJobDeps, "mirrors" | "scorerFor"> = {},
): Promise<void> {
  const db = handle.db;
  await queue.work(processDeliveriesJob, async (payload) => {
    if ("installationId" in payload) await processPendingDeliveries(db, queue, payload.installationId);
    else await processStoredDelivery(db, queue, payload.deliveryId);
  });
  await queue.work(pruneDeliveriesJob, async (payload) => {
    const removed = await pruneDeliveries(db, new Date(Date.now() - payload.days * 86_400_000));
    logger.info({ removed, days: payload.days }, "pruned webhook deliveries");
  });
  await queue.boss.schedule(pruneDeliveriesJob.name, "17 3 * * *", { days: 30 });

  // Jobs that call GitHub need the App's credentials; without them they wait in the queue.
  if (!app) {
    logger.info(
      "GITHUB_APP_ID / GITHUB_APP_PRIVATE_KEY unset: backfill, push completion and reconciliation are off",
    );
    return;
  }
  const deps: GithubJobDeps = { db, queue, app, ...history };
  await queue.work(backfillJob, async (payload) => {
    await runBackfillPage(deps, payload);
  });
  await queue.work(completePushJob, async (payload) => {
    await completePush(deps, payload);
  });
  await queue.work(reconcileDeliveriesJob, async () => {
    await reconcileDeliveries(db, app);
  });
  await queue.boss.schedule(reconcileDeliveriesJob.name, "*/15 * * * *", {});
}
