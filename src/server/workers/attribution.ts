import {
  type AttributeCommitDeps,
  attributeStoredCommits,
  type CommitJob,
} from "../attribution/attribute-commit.ts";
import { queueReattribution } from "../attribution/reattribute.ts";
import { attributeCommitJob, reattributeCommitJob } from "../jobs/definitions.ts";
import { scheduleRollUp } from "../services/metrics/schedule-roll-up.ts";
import { getActiveModel } from "../services/ml-models.ts";
import type { WorkerRegistration } from "./registration.ts";

/** The attribution pipeline's workers, and a start-up pass that re-queues rows of older engines. */
export const registerAttributionWorkers: WorkerRegistration = async (deps) => {
  const { handle, queue, github, logger } = deps;
  const mirrorFor = deps.mirrorSource?.forCommit;
  const attribution: AttributeCommitDeps = {
    db: handle.db,
    github,
    ...(mirrorFor ? { mirrorFor } : {}),
    scorerFor: (orgId) =>
      getActiveModel({ db: handle.db, orgId, actor: { kind: "job", name: "attribute-commit" } }),
    afterStore: (tx, target) => scheduleRollUp(tx, queue, target),
  };
  // A batch of jobs (a push's commits) is read with one git process and stored in one transaction.
  const handler = async (payloads: CommitJob[]) => {
    const outcomes = await attributeStoredCommits(attribution, payloads);
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
