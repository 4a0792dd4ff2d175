import { ENGINE_VERSION } from "../../core/attribution/engine.ts";
import {
  type AttributeCommitDeps,
  attributeStoredCommits,
  type CommitJob,
} from "../attribution/attribute-commit.ts";
import { queueReattribution, requestReattributionScan } from "../attribution/reattribute.ts";
import { attributeCommitJob, reattributeCommitJob, reattributionScanJob } from "../jobs/definitions.ts";
import { completeReattributionScan } from "../services/attribution/reattribution-scans.ts";
import { scheduleRollUp } from "../services/metrics/schedule-roll-up.ts";
import { getActiveModel } from "../services/ml-models.ts";
import { scheduleLineSurvival } from "../services/survival/schedule.ts";
import type { WorkerRegistration } from "./registration.ts";

/** The attribution pipeline's workers, and the once-per-engine scan that re-queues rows of older engines. */
export const registerAttributionWorkers: WorkerRegistration = async (deps) => {
  const { handle, queue, github, logger } = deps;
  const mirrorFor = deps.mirrorSource?.forCommit;
  const attribution: AttributeCommitDeps = {
    db: handle.db,
    github,
    ...(mirrorFor ? { mirrorFor } : {}),
    scorerFor: (orgId) =>
      getActiveModel({ db: handle.db, orgId, actor: { kind: "job", name: "attribute-commit" } }),
    afterStore: async (tx, target) => {
      await scheduleRollUp(tx, queue, target);
      await scheduleLineSurvival(tx, queue, target);
    },
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
  // Without the App nothing can be fetched again; the scan waits for a worker that has it.
  if (!github) return;
  await queue.work(reattributionScanJob, async ({ engineVersion }) => {
    // During a rolling deploy either release may take the other's scan. An older release's scan is
    // covered by this one's (it re-queues every row not of this engine); a newer release's must
    // wait for a worker of that release, so it fails here and is retried.
    if (compareEngineVersions(engineVersion, ENGINE_VERSION) < 0) return;
    if (engineVersion !== ENGINE_VERSION)
      throw new Error(`re-attribution scan for engine ${engineVersion}: this worker runs ${ENGINE_VERSION}`);
    const queued = await queueReattribution(handle.db, queue);
    await completeReattributionScan(handle.db, engineVersion, queued);
    logger.info({ commits: queued, engineVersion }, "re-attribution scan finished");
  });
  // A failure here must not stop the worker; the next start asks again.
  requestReattributionScan(handle.db, queue).then(
    (requested) => {
      if (requested) logger.info({ engineVersion: ENGINE_VERSION }, "re-attribution scan queued");
    },
    (err: unknown) => logger.error({ err }, "could not queue the re-attribution scan"),
  );
};

/** Orders engine versions (`2026.12.2`) by their numeric parts. */
export function compareEngineVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Number.isNaN(d) ? a.localeCompare(b) : Math.sign(d);
  }
  return 0;
}
