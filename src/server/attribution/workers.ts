import { githubAppFromEnv, githubWebUrl } from "../github/app-client.ts";
import { attributeCommitJob, reattributeCommitJob } from "../jobs/definitions.ts";
import { scheduleRollUp } from "../jobs/metrics.ts";
import type { WorkerRegistration } from "../jobs/workers.ts";
import { logger } from "../logger.ts";
import { RepositoryMirrors } from "../mirror/repository-mirrors.ts";
import { getActiveModel } from "../services/ml-models.ts";
import { attributeStoredCommit } from "./attribute-commit.ts";
import { mirrorSource } from "./mirror-source.ts";
import { queueReattribution } from "./reattribute.ts";

/** The attribution pipeline's workers, and a start-up pass that re-queues rows of older engines. */
export const registerAttributionWorkers: WorkerRegistration = async (queue, handle, env) => {
  const github = githubAppFromEnv(env);
  const mirrorFor = github
    ? mirrorSource(handle.db, github, RepositoryMirrors.fromEnv(env), githubWebUrl(env.GITHUB_API_URL))
        .forCommit
    : undefined;
  const handler = async (payload: { orgId: string; repoId: string; commitSha: string }) => {
    const outcome = await attributeStoredCommit(
      {
        db: handle.db,
        github,
        ...(mirrorFor ? { mirrorFor } : {}),
        scorerFor: (orgId) =>
          getActiveModel({ db: handle.db, orgId, actor: { kind: "job", name: "attribute-commit" } }),
        afterStore: (tx, target) =>
          scheduleRollUp(tx, queue, { ...target, timestamps: [target.committedAt] }),
      },
      payload,
    );
    if (outcome.status === "skipped")
      logger.info({ ...payload, reason: outcome.reason }, "commit not attributed");
  };
  await queue.work(attributeCommitJob, handler);
  await queue.work(reattributeCommitJob, handler);
  // Without the App nothing can be fetched again; a failure here must not stop the server.
  if (!github) return;
  queueReattribution(handle.db, queue).then(
    (queued) => {
      if (queued > 0)
        logger.info({ commits: queued }, "re-attribution queued for rows of an older engine version");
    },
    (err: unknown) => logger.error({ err }, "could not queue re-attribution"),
  );
};
