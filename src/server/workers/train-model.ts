import type { DatabaseHandle } from "../db/client.ts";
import { type TrainModelPayload, trainModelJob } from "../jobs/definitions.ts";
import { logger } from "../logger.ts";
import { trainModel } from "../services/ml-models.ts";
import { collectTrainingExamples } from "../services/ml-training-examples.ts";
import type { WorkerRegistration } from "./registration.ts";

export async function handleTrainModel(handle: DatabaseHandle, payload: TrainModelPayload): Promise<void> {
  const ctx = {
    db: handle.db,
    orgId: payload.orgId,
    actor: { kind: "job", name: trainModelJob.name },
  } as const;
  const { examples, repositories } = await collectTrainingExamples(ctx, { paths: payload.repositoryPaths });
  const result = await trainModel(ctx, { examples });
  if (result.status === "insufficient_labels") {
    // Not a failure: the model stays off until the organization has enough labels; no retry helps.
    logger.info(
      { orgId: payload.orgId, ai: result.counts.ai, human: result.counts.human, required: result.required },
      "ml model not trained: too few labels",
    );
    return;
  }
  const { model } = result;
  logger.info(
    {
      orgId: payload.orgId,
      version: model.version,
      repositories: repositories.length,
      auroc: model.metrics.heldOut.auroc,
      falsePositiveRate: model.metrics.heldOut.falsePositiveRate,
    },
    "ml model trained",
  );
}

export const registerTrainModelWorker: WorkerRegistration = async ({ queue, handle }) => {
  await queue.work(trainModelJob, (payload) => handleTrainModel(handle, payload));
};
