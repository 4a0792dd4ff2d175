import { existsSync } from "node:fs";
import { queueModelReattribution } from "../attribution/reattribute.ts";
import type { DatabaseHandle } from "../db/client.ts";
import { type TrainModelPayload, trainModelJob } from "../jobs/definitions.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { logger } from "../logger.ts";
import type { RepositoryMirrors } from "../mirror/repository-mirrors.ts";
import { recordAudit } from "../services/audit.ts";
import { TRAINING_AUDIT, trainingRepositories } from "../services/ml-model-training.ts";
import { trainModel } from "../services/ml-models.ts";
import { collectTrainingExamples } from "../services/ml-training-examples.ts";
import type { WorkerRegistration } from "./registration.ts";

export interface TrainDeps {
  handle: DatabaseHandle;
  /** Where re-attribution is queued when a new model becomes active (none: nothing is queued). */
  queue: JobQueue;
  /** Bare mirrors on this machine: a training without paths reads the organization's. */
  mirrors: Pick<RepositoryMirrors, "gitDirFor">;
}

/**
 * The histories a training reads: the payload's paths, or the organization's repositories that
 * this machine holds (a bare mirror of an App repository, or the clone `sentinel analyze` read).
 */
async function sourcesOf(
  deps: TrainDeps,
  payload: TrainModelPayload,
  ctx: Parameters<typeof trainingRepositories>[0],
) {
  if (payload.repositoryPaths) return payload.repositoryPaths;
  const paths: string[] = [];
  for (const repo of await trainingRepositories(ctx)) {
    const mirror = deps.mirrors.gitDirFor(repo.id);
    if (existsSync(mirror)) paths.push(mirror);
    else if (repo.localPath && existsSync(repo.localPath)) paths.push(repo.localPath);
  }
  return paths;
}

export async function handleTrainModel(deps: TrainDeps, payload: TrainModelPayload): Promise<void> {
  const { handle } = deps;
  const ctx = {
    db: handle.db,
    orgId: payload.orgId,
    actor: { kind: "job", name: trainModelJob.name },
  } as const;
  try {
    const paths = await sourcesOf(deps, payload, ctx);
    if (paths.length === 0) {
      await recordAudit(ctx, TRAINING_AUDIT.skipped, null, {
        reason: "no repository history on this machine: mirror a repository or analyse a clone first",
      });
      return;
    }
    const { examples, repositories } = await collectTrainingExamples(ctx, { paths });
    const result = await trainModel(ctx, { examples });
    if (result.status === "insufficient_labels") {
      // Not a failure: the model stays off until the organization has enough labels; no retry helps.
      await recordAudit(ctx, TRAINING_AUDIT.skipped, null, {
        reason: "too few labels",
        ai: result.counts.ai,
        human: result.counts.human,
        required: result.required,
        repositories: repositories.length,
      });
      logger.info(
        { orgId: payload.orgId, ...result.counts, required: result.required },
        "ml model not trained: too few labels",
      );
      return;
    }
    const { model } = result;
    const activation = model.metrics.activation ?? null;
    await recordAudit(ctx, TRAINING_AUDIT.trained, model.version, {
      version: model.version,
      active: model.active,
      reason: activation?.reason ?? null,
      repositories: repositories.length,
      ai: model.trainedOn.ai,
      human: model.trainedOn.human,
    });
    // A new active version changes what the model decided; re-attribute those commits.
    const reattributed =
      model.active && model.version !== result.previousActiveVersion && deps.queue.kind === "pg-boss"
        ? await queueModelReattribution(handle.db, deps.queue, {
            orgId: payload.orgId,
            modelVersion: model.version,
          })
        : 0;
    logger.info(
      {
        orgId: payload.orgId,
        version: model.version,
        active: model.active,
        reattributed,
        repositories: repositories.length,
      },
      "ml model trained",
    );
  } catch (error) {
    await recordAudit(ctx, TRAINING_AUDIT.failed, null, {
      error: error instanceof Error ? error.message.slice(0, 500) : "training failed",
    });
    throw error;
  }
}

export const registerTrainModelWorker: WorkerRegistration = async (deps) => {
  await deps.queue.work(trainModelJob, (payload) => handleTrainModel(deps, payload));
};
