import { z } from "zod";
import type { DatabaseHandle } from "../db/client.ts";
import { logger } from "../logger.ts";
import { trainModel } from "../services/ml-models.ts";
import { collectTrainingExamples } from "../services/ml-training-examples.ts";
import { defineJob, type Queue } from "./queue.ts";
import type { WorkerRegistration } from "./workers.ts";

/**
 * Trains the organization's `ml_model` from local clones of its repositories (paths on the
 * worker's machine: code_attribution stores verdicts, not code). Same work as
 * `sentinel model train --repo`.
 */
export const trainModelJob = defineJob({
  name: "attribution-train-model",
  schema: z.strictObject({
    orgId: z.uuid(),
    repositoryPaths: z.array(z.string().min(1).max(4096)).min(1).max(100),
  }),
  options: { retryLimit: 2, retryDelay: 300 },
});

export type TrainModelPayload = z.infer<typeof trainModelJob.schema>;

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

export const registerTrainModelWorker: WorkerRegistration = async (queue: Queue, handle: DatabaseHandle) => {
  await queue.work(trainModelJob, (payload) => handleTrainModel(handle, payload));
};
