import { z } from "zod";

// Zod schemas of the `ml_models` JSONB columns: what a model was trained on, how good it measured,
// and its weights. Every write is validated against them and every read parsed by them.

const count = z.number().int().nonnegative();
const share = z.number().min(0).max(1);

export const classCountsSchema = z.strictObject({ ai: count, human: count });

export const trainedOnSchema = z.strictObject({
  examples: count,
  ai: count,
  human: count,
  /** How each label was obtained (rules in docs/attribution-model.md). */
  labelSources: z.strictObject({
    heuristic: count,
    beforeAiEra: count,
    overrideHuman: count,
    overrideAi: count,
  }),
  repositories: count,
  /** Commit-time range of the examples; null without examples. */
  from: z.iso.datetime({ offset: true }).nullable(),
  to: z.iso.datetime({ offset: true }).nullable(),
  featureVersion: z.string().min(1).max(40),
});

export const calibrationBinSchema = z.strictObject({
  lower: share,
  upper: share,
  count,
  meanPredicted: share.nullable(),
  observed: share.nullable(),
});

export const splitMetricsSchema = z.strictObject({
  /** `time`, `repository:<id>`, or `repositories-pooled`. */
  name: z.string().min(1).max(200),
  kind: z.enum(["time", "repository", "repositories-pooled"]),
  train: classCountsSchema,
  test: classCountsSchema,
  /** Null when the test part lacks one class. */
  auroc: share.nullable(),
  /** Chosen on this split's training part. */
  threshold: share,
  falsePositiveRate: share.nullable(),
  truePositiveRate: share.nullable(),
  calibration: z.array(calibrationBinSchema).length(10),
  expectedCalibrationError: share.nullable(),
  /** Of the files called AI, the share that are; depends on the test part's mix of classes. */
  precision: share.nullable().optional(),
  brier: share.nullable().optional(),
});

/** Whether the figures earned the model activation on its own (constants.ts: the bar). */
export const activationSchema = z.strictObject({
  recommended: z.boolean(),
  reason: z.string().min(1).max(500),
});

export const modelMetricsSchema = z.strictObject({
  threshold: share,
  targetFalsePositiveRate: share,
  counts: classCountsSchema,
  /** The model measured on the data it was trained on: optimistic, kept for comparison only. */
  training: z.strictObject({
    auroc: share.nullable(),
    falsePositiveRate: share.nullable(),
    truePositiveRate: share.nullable(),
  }),
  /** The headline: the time split (earlier files train, later files test). */
  heldOut: splitMetricsSchema,
  splits: z.array(splitMetricsSchema).max(200),
  activation: activationSchema.optional(),
});

export const modelWeightsSchema = z.strictObject({
  format: z.literal("sentinel-logistic/1"),
  featureVersion: z.string().min(1).max(40),
  dimensions: z.number().int().positive(),
  bias: z.number().finite(),
  /** Sparse: [slot, weight] for every non-zero weight. */
  weights: z.array(z.tuple([z.number().int().nonnegative(), z.number().finite()])).max(1 << 18),
});

export type ClassCounts = z.infer<typeof classCountsSchema>;
export type TrainedOn = z.infer<typeof trainedOnSchema>;
export type SplitMetrics = z.infer<typeof splitMetricsSchema>;
export type ModelMetrics = z.infer<typeof modelMetricsSchema>;
export type ModelWeights = z.infer<typeof modelWeightsSchema>;
export type Activation = z.infer<typeof activationSchema>;

/** A model written to a file (`sentinel model train --export`), to apply elsewhere (`model evaluate --model`). */
export const modelFileSchema = z.strictObject({
  format: z.literal("sentinel-model-file/1"),
  version: z.string().min(1).max(100),
  threshold: share,
  trainedOn: trainedOnSchema,
  metrics: modelMetricsSchema,
  weights: modelWeightsSchema,
});

export type ModelFile = z.infer<typeof modelFileSchema>;
