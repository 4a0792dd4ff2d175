import { and, desc, eq, gte, isNull, or } from "drizzle-orm";
import { AI_LABEL_MIN_CONFIDENCE, MIN_EXAMPLES_PER_CLASS } from "../../core/attribution/model/constants.ts";
import type { StoredLabels } from "../../core/attribution/model/examples.ts";
import type { Label, TrainingExample } from "../../core/attribution/model/labels.ts";
import {
  type ModelFile,
  type ModelMetrics,
  modelFileSchema,
  modelMetricsSchema,
  modelWeightsSchema,
  type TrainedOn,
  trainedOnSchema,
} from "../../core/attribution/model/schemas.ts";
import {
  createModelScorer,
  IncompatibleModelError,
  type ModelScorer,
} from "../../core/attribution/model/serialise.ts";
import { type TrainingOutcome, trainAndEvaluate } from "../../core/attribution/model/train.ts";
import { attributionOverrides, codeAttribution, mlModels } from "../db/schema/index.ts";
import { registerJsonbValidator, validateRow } from "../db/validate.ts";
import type { ServiceContext } from "./context.ts";

// Training, storing and loading the organization's `ml_model` classifier. Added lines are not
// stored in the database (code_attribution keeps verdicts, not code), so training examples are
// built by the caller from a git history it can read (the CLI, or the job given a local clone),
// labelled with the rules of core/attribution/model/labels.ts plus the verdicts stored here.

registerJsonbValidator("ml_models", "trained_on", trainedOnSchema);
registerJsonbValidator("ml_models", "metrics", modelMetricsSchema);
registerJsonbValidator("ml_models", "weights", modelWeightsSchema);

export interface StoredModel {
  id: string;
  /** Null for a global model. */
  orgId: string | null;
  version: string;
  createdAt: Date;
  threshold: number;
  active: boolean;
  trainedOn: TrainedOn;
  metrics: ModelMetrics;
}

export type TrainModelResult =
  | { status: "trained"; model: StoredModel; previousActiveVersion: string | null }
  | Extract<TrainingOutcome, { status: "insufficient_labels" }>;

const summaryColumns = {
  id: mlModels.id,
  orgId: mlModels.orgId,
  version: mlModels.version,
  createdAt: mlModels.createdAt,
  threshold: mlModels.threshold,
  active: mlModels.active,
  trainedOn: mlModels.trainedOn,
  metrics: mlModels.metrics,
};

const key = (sha: string, path: string | null) => `${sha}\u0000${path ?? ""}`;

/**
 * The organization's stored labels: manual overrides (file and whole-commit) and files the
 * heuristics attributed with confidence ≥ 0.9 (these may come from PR context, such as a squash
 * merge's original trailers, that a local history no longer shows).
 */
export async function loadStoredLabels(ctx: ServiceContext): Promise<StoredLabels> {
  const overrides = await ctx.db
    .select({
      sha: attributionOverrides.commitSha,
      path: attributionOverrides.filePath,
      verdict: attributionOverrides.verdict,
    })
    .from(attributionOverrides)
    .where(eq(attributionOverrides.orgId, ctx.orgId));
  const heuristic = await ctx.db
    .select({
      sha: codeAttribution.commitSha,
      path: codeAttribution.filePath,
      confidence: codeAttribution.aiConfidence,
    })
    .from(codeAttribution)
    .where(
      and(
        eq(codeAttribution.orgId, ctx.orgId),
        eq(codeAttribution.detectionMethod, "heuristic"),
        gte(codeAttribution.aiConfidence, AI_LABEL_MIN_CONFIDENCE),
      ),
    );
  const verdicts = new Map<string, Label>();
  for (const o of overrides) {
    if (o.verdict === "ai" || o.verdict === "human") verdicts.set(key(o.sha, o.path), o.verdict);
  }
  const confidences = new Map<string, number>();
  for (const h of heuristic) if (h.confidence !== null) confidences.set(key(h.sha, h.path), h.confidence);
  return {
    override: (sha, path) => verdicts.get(key(sha, path)) ?? null,
    heuristicConfidence: (sha, path) => confidences.get(key(sha, path)) ?? null,
  };
}

/**
 * How a trained model is activated. `measured` (the default): only when its held-out figures meet
 * the bar of `recommendActivation` (≤ 1% false positives on repositories it never saw, useful
 * recall); otherwise it is stored inactive and the organization keeps what it had. `always`: an
 * explicit choice (`sentinel model train --activate`, the demo seed) to use it anyway.
 */
export type ActivationPolicy = "measured" | "always";

/**
 * Trains a model on the examples, measures it, and stores it; it becomes the organization's active
 * model (the previous one stays, inactive) as the activation policy says. Below
 * MIN_EXAMPLES_PER_CLASS labels of either class nothing is stored and the counts are returned.
 */
export async function trainModel(
  ctx: ServiceContext,
  input: { examples: readonly TrainingExample[]; now?: Date; activation?: ActivationPolicy },
): Promise<TrainModelResult> {
  const trainedAt = (input.now ?? new Date()).toISOString();
  const outcome = trainAndEvaluate(input.examples, { trainedAt, minPerClass: MIN_EXAMPLES_PER_CLASS });
  if (outcome.status === "insufficient_labels") return outcome;
  const activate =
    (input.activation ?? "measured") === "always" || outcome.metrics.activation?.recommended === true;

  const row = validateRow(mlModels, {
    orgId: ctx.orgId,
    version: outcome.version,
    trainedOn: outcome.trainedOn,
    metrics: outcome.metrics,
    weights: outcome.weights,
    threshold: outcome.threshold,
    active: activate,
  });
  return ctx.db.transaction(async (tx) => {
    const [previous] = await tx
      .select({ version: mlModels.version })
      .from(mlModels)
      .where(and(eq(mlModels.orgId, ctx.orgId), eq(mlModels.active, true)));
    if (activate) {
      await tx
        .update(mlModels)
        .set({ active: false })
        .where(and(eq(mlModels.orgId, ctx.orgId), eq(mlModels.active, true)));
    }
    // The same examples give the same weights and so the same version: keep one row.
    const [stored] = await tx.insert(mlModels).values(row).onConflictDoNothing().returning(summaryColumns);
    const model =
      stored ??
      (
        await tx
          .update(mlModels)
          .set({ active: activate ? true : mlModels.active })
          .where(and(eq(mlModels.orgId, ctx.orgId), eq(mlModels.version, outcome.version)))
          .returning(summaryColumns)
      )[0];
    if (!model) throw new Error(`model ${outcome.version} neither inserted nor found`);
    return { status: "trained" as const, model, previousActiveVersion: previous?.version ?? null };
  });
}

/** The organization's most recently trained model, active or not, without its weights. */
export async function describeLatestModel(ctx: ServiceContext): Promise<StoredModel | null> {
  const [row] = await ctx.db
    .select(summaryColumns)
    .from(mlModels)
    .where(eq(mlModels.orgId, ctx.orgId))
    .orderBy(desc(mlModels.createdAt))
    .limit(1);
  return row ?? null;
}

/** The organization's active model (else the active global one) without its weights, or null. */
export async function describeActiveModel(ctx: ServiceContext): Promise<StoredModel | null> {
  const rows = await ctx.db
    .select(summaryColumns)
    .from(mlModels)
    .where(and(eq(mlModels.active, true), or(eq(mlModels.orgId, ctx.orgId), isNull(mlModels.orgId))))
    .orderBy(desc(mlModels.orgId))
    .limit(2);
  return rows.find((r) => r.orgId === ctx.orgId) ?? rows[0] ?? null;
}

function hasEnoughLabels(trainedOn: TrainedOn): boolean {
  return trainedOn.ai >= MIN_EXAMPLES_PER_CLASS && trainedOn.human >= MIN_EXAMPLES_PER_CLASS;
}

// Parsed scorers by model id: weights are large and immutable per row.
const scorers = new Map<string, ModelScorer>();
const MAX_CACHED_SCORERS = 8;

/**
 * The scorer the engine should use for this organization (`AttributionContext.model`), or null:
 * no active model, one trained on fewer than MIN_EXAMPLES_PER_CLASS labels of a class, or one
 * whose features this build no longer computes (it must be retrained).
 */
export async function getActiveModel(ctx: ServiceContext): Promise<ModelScorer | null> {
  const active = await describeActiveModel(ctx);
  if (!active || !hasEnoughLabels(trainedOnSchema.parse(active.trainedOn))) return null;
  const cached = scorers.get(active.id);
  if (cached) return cached;
  const [row] = await ctx.db
    .select({ weights: mlModels.weights })
    .from(mlModels)
    .where(and(eq(mlModels.id, active.id), or(eq(mlModels.orgId, ctx.orgId), isNull(mlModels.orgId))));
  if (!row) return null;
  let scorer: ModelScorer;
  try {
    scorer = createModelScorer(modelWeightsSchema.parse(row.weights), {
      version: active.version,
      threshold: active.threshold,
    });
  } catch (error) {
    if (error instanceof IncompatibleModelError) return null;
    throw error;
  }
  if (scorers.size >= MAX_CACHED_SCORERS) scorers.clear();
  scorers.set(active.id, scorer);
  return scorer;
}

/** A stored model of this organization as a file (`sentinel model train --export`). */
export async function exportModel(ctx: ServiceContext, version: string): Promise<ModelFile> {
  const [row] = await ctx.db
    .select({
      version: mlModels.version,
      threshold: mlModels.threshold,
      trainedOn: mlModels.trainedOn,
      metrics: mlModels.metrics,
      weights: mlModels.weights,
    })
    .from(mlModels)
    .where(and(eq(mlModels.orgId, ctx.orgId), eq(mlModels.version, version)));
  if (!row) throw new Error(`model ${version} not found`);
  return modelFileSchema.parse({ format: "sentinel-model-file/1", ...row });
}
