import type { FileScorer } from "../scorer.ts";
import { FEATURE_DIMENSIONS } from "./constants.ts";
import {
  DEFAULT_FEATURE_SET,
  extractFeatures,
  type FeatureSet,
  featureSetOf,
  featureVersionOf,
} from "./features.ts";
import { fingerprint } from "./hash.ts";
import { type LogisticModel, predict } from "./logistic.ts";
import type { ModelWeights } from "./schemas.ts";

/** A scorer that also carries its operating threshold, for callers that know about it. */
export interface ModelScorer extends FileScorer {
  /** Scores at or above this call a file AI (chosen for ≤ 1% false positives on training data, out of fold). */
  threshold: number;
}

/** Four significant digits: plenty for a linear model, and a third of the JSON of full doubles. */
function roundWeight(w: number): number {
  return w === 0 ? 0 : Number(w.toPrecision(4));
}

/** Rounds in place what `compactModel` would store, so a model can be measured as it will score. */
export function roundModel(model: LogisticModel): LogisticModel {
  const { weights } = model;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] ?? 0;
    if (w !== 0) weights[i] = roundWeight(w);
  }
  model.bias = roundWeight(model.bias);
  return model;
}

export function compactModel(model: LogisticModel, set: FeatureSet = DEFAULT_FEATURE_SET): ModelWeights {
  const weights: Array<[number, number]> = [];
  const dense = model.weights;
  for (let i = 0; i < dense.length; i++) {
    const w = roundWeight(dense[i] ?? 0);
    if (w !== 0) weights.push([i, w]);
  }
  return {
    format: "sentinel-logistic/1",
    featureVersion: featureVersionOf(set),
    dimensions: FEATURE_DIMENSIONS,
    bias: roundWeight(model.bias),
    weights,
  };
}

export class IncompatibleModelError extends Error {
  override name = "IncompatibleModelError";
}

/** The feature set the stored weights were trained on; throws when this build does not compute it. */
export function featureSetOfModel(stored: ModelWeights): FeatureSet {
  const set = featureSetOf(stored.featureVersion);
  if (set === null || stored.dimensions !== FEATURE_DIMENSIONS) {
    throw new IncompatibleModelError(
      `model features ${stored.featureVersion}/${stored.dimensions} are not computed by this build (${featureVersionOf(DEFAULT_FEATURE_SET)}/${FEATURE_DIMENSIONS} and its siblings); retrain`,
    );
  }
  return set;
}

export function expandModel(stored: ModelWeights): LogisticModel {
  featureSetOfModel(stored);
  const weights = new Float64Array(FEATURE_DIMENSIONS);
  for (const [i, w] of stored.weights) if (i < FEATURE_DIMENSIONS) weights[i] = w;
  return { bias: stored.bias, weights };
}

/** `lr-<yyyymmdd>-<fingerprint of the weights>`: names the exact weights that produced a number. */
export function modelVersion(stored: ModelWeights, trainedAt: string): string {
  const day = trainedAt.slice(0, 10).replaceAll("-", "");
  return `lr-${day}-${fingerprint(JSON.stringify(stored)).slice(0, 12)}`;
}

export function createModelScorer(
  stored: ModelWeights,
  meta: { version: string; threshold: number },
): ModelScorer {
  const model = expandModel(stored);
  const set = featureSetOfModel(stored);
  return {
    version: meta.version,
    threshold: meta.threshold,
    score: (addedLines, path) => predict(model, extractFeatures(addedLines, path, set)),
  };
}
