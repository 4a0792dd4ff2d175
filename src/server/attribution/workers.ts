import { githubAppFromEnv, githubWebUrl } from "../github/app-client.ts";
import { attributeCommitJob, reattributeCommitJob } from "../jobs/definitions.ts";
import { scheduleRollUp } from "../jobs/metrics.ts";
import type { WorkerRegistration } from "../jobs/workers.ts";
import { logger } from "../logger.ts";
import { RepositoryMirrors } from "../mirror/repository-mirrors.ts";
import { getActiveModel } from "../services/ml-models.ts";
import { type AttributeCommitDeps, attributeStoredCommits, type CommitJob } from "./attribute-commit.ts";
import { mirrorSource } from "./mirror-source.ts";
import { queueReattribution } from "./reattribute.ts";

/** The attribution pipeline's workers, and a start-up pass that re-queues rows of older engines. */
export const registerAttributionWorkers: WorkerRegistration = async (queue, handle, env) => {
  const github = githubAppFromEnv(env);
  const mirrorFor = github
    ? mirrorSource(handle.db, github, RepositoryMirrors.fromEnv(env), githubWebUrl(env.GITHUB_API_URL))
        .forCommit
    : undefined;
  const deps: AttributeCommitDeps = {
    db: handle.db,
    github,
    ...(mirrorFor ? { mirrorFor } : {}),
    scorerFor: (orgId) =>
      getActiveModel({ db: handle.db, orgId, actor: { kind: "job", name: "attribute-commit" } }),
    afterStore: (tx, target) => scheduleRollUp(tx, queue, target),
  };
  // A batch of jobs (a push's commits) is read with one git process and stored in one transaction.
  const handler = async (payloads: CommitJob[]) => {
    const outcomes = await attributeStoredCommits(deps, payloads);
    return outcomes.map((outcome, i) => {
      if (outcome instanceof Error) return outcome;
      if (outcome.status === "skipped")
        logger.info({ ...payloads[i], reason: outcome.reason }, "commit not attributed");
      return null;
    });
  };
  await queue.workBatch(attributeCommitJob, handler);
  await queue.workBatch(reattributeCommitJob, handler);
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
