import { and, desc, eq, isNull, like } from "drizzle-orm";
import { auditLog, repositories } from "../db/schema/index.ts";
import { trainModelJob } from "../jobs/definitions.ts";
import type { WriteContext } from "./after-commit.ts";
import { recordAudit } from "./audit.ts";
import type { ServiceContext } from "./context.ts";
import { describeActiveModel, describeLatestModel, type StoredModel } from "./ml-models.ts";

// Training asked for from the product (the dashboard's Settings card, the API): an audit row
// records the request, the `attribution-train-model` job does the work on a worker, and its outcome
// is written to the audit log too. The status a page shows is read back from those rows and the
// stored models: no table of its own.

export const TRAINING_AUDIT = {
  requested: "ml_model.training_requested",
  trained: "ml_model.trained",
  skipped: "ml_model.training_skipped",
  failed: "ml_model.training_failed",
} as const;

/** One pending training per organization: a second request while one waits joins it. */
export const trainingSingletonKey = (orgId: string) => `train-model:${orgId}`;

/** Queues a training of the organization's model on its mirrored and locally analysed repositories. */
export async function requestModelTraining(ctx: WriteContext): Promise<{ requestedAt: Date }> {
  const requestedAt = new Date();
  await recordAudit(ctx, TRAINING_AUDIT.requested, null, {});
  ctx.afterCommit.add(trainingSingletonKey(ctx.orgId), (queue) =>
    queue.send(trainModelJob, { orgId: ctx.orgId }, { singletonKey: trainingSingletonKey(ctx.orgId) }),
  );
  return { requestedAt };
}

/** Where the worker reads history for a training without explicit paths. */
export async function trainingRepositories(
  ctx: ServiceContext,
): Promise<Array<{ id: string; fullName: string; localPath: string | null }>> {
  return ctx.db
    .select({ id: repositories.id, fullName: repositories.fullName, localPath: repositories.localPath })
    .from(repositories)
    .where(and(eq(repositories.orgId, ctx.orgId), isNull(repositories.archivedAt)))
    .orderBy(repositories.fullName);
}

export type TrainingState = "never" | "queued" | "trained" | "skipped" | "failed";

export interface ModelTrainingStatus {
  state: TrainingState;
  requestedAt: Date | null;
  /** When the last training finished (trained, skipped for want of labels, or failed). */
  finishedAt: Date | null;
  /** What the worker said: the version and its activation, the label counts, or the error. */
  details: Record<string, unknown> | null;
  active: StoredModel | null;
  latest: StoredModel | null;
}

/** The last request and outcome, the active model and the latest trained one (active or not). */
export async function describeModelTraining(ctx: ServiceContext): Promise<ModelTrainingStatus> {
  const rows = await ctx.db
    .select({ action: auditLog.action, details: auditLog.details, createdAt: auditLog.createdAt })
    .from(auditLog)
    .where(and(eq(auditLog.orgId, ctx.orgId), like(auditLog.action, "ml\\_model.%")))
    .orderBy(desc(auditLog.createdAt))
    .limit(20);
  const request = rows.find((r) => r.action === TRAINING_AUDIT.requested) ?? null;
  const outcome = rows.find((r) => r.action !== TRAINING_AUDIT.requested) ?? null;
  const [active, latest] = await Promise.all([describeActiveModel(ctx), describeLatestModel(ctx)]);
  let state: TrainingState = "never";
  if (request && (!outcome || outcome.createdAt < request.createdAt)) state = "queued";
  else if (outcome?.action === TRAINING_AUDIT.trained) state = "trained";
  else if (outcome?.action === TRAINING_AUDIT.skipped) state = "skipped";
  else if (outcome?.action === TRAINING_AUDIT.failed) state = "failed";
  return {
    state,
    requestedAt: request?.createdAt ?? null,
    finishedAt: outcome?.createdAt ?? null,
    details: outcome?.details ?? null,
    active,
    latest,
  };
}
