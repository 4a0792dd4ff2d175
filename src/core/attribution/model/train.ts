import { FEATURE_VERSION, MIN_EXAMPLES_PER_CLASS, TARGET_FALSE_POSITIVE_RATE } from "./constants.ts";
import { extractFeatures, type FeatureVector } from "./features.ts";
import { fnv1a } from "./hash.ts";
import type { TrainingExample } from "./labels.ts";
import { type LogisticModel, predict, type TrainOptions, trainLogistic } from "./logistic.ts";
import {
  auroc,
  calibration,
  expectedCalibrationError,
  rateAtOrAbove,
  thresholdForFalsePositiveRate,
} from "./metrics.ts";
import type { ClassCounts, ModelMetrics, ModelWeights, SplitMetrics, TrainedOn } from "./schemas.ts";
import { compactModel, expandModel, modelVersion, roundModel } from "./serialise.ts";

// Training and its evaluation protocol. Every split is grouped, never random: a random split of
// files lets the model recognise a repository's or an era's habits and reports a quality it will
// not have on new code.
// - time: within each class, the earliest 80% of files train and the latest 20% test. (Splitting
//   all files at one date would put every pre-2022 human label in training and test on AI files
//   only, because the labels themselves follow the calendar.)
// - repository: with two or more repositories, each repository (or, past ten, each of ten groups
//   of repositories) is held out in turn; their held-out scores are also pooled.

export interface TrainModelOptions {
  /** ISO time of training: goes into the version (core has no clock). */
  trainedAt: string;
  minPerClass?: number;
  targetFalsePositiveRate?: number;
  train?: TrainOptions;
}

export type TrainingOutcome =
  | {
      status: "trained";
      version: string;
      threshold: number;
      weights: ModelWeights;
      metrics: ModelMetrics;
      trainedOn: TrainedOn;
    }
  | { status: "insufficient_labels"; counts: ClassCounts; required: number; trainedOn: TrainedOn };

interface Prepared {
  x: FeatureVector;
  y: 0 | 1;
  repoId: string;
  time: number;
}

const TEST_SHARE = 0.2;
const MAX_REPOSITORY_FOLDS = 10;

export function describeTrainingSet(examples: readonly TrainingExample[]): TrainedOn {
  const sources = { heuristic: 0, beforeAiEra: 0, overrideHuman: 0, overrideAi: 0 };
  for (const e of examples) sources[e.source] += 1;
  const times = examples.map((e) => Date.parse(e.committedAt)).filter(Number.isFinite);
  const ai = examples.filter((e) => e.label === "ai").length;
  return {
    examples: examples.length,
    ai,
    human: examples.length - ai,
    labelSources: sources,
    repositories: new Set(examples.map((e) => e.repoId)).size,
    from: times.length ? new Date(Math.min(...times)).toISOString() : null,
    to: times.length ? new Date(Math.max(...times)).toISOString() : null,
    featureVersion: FEATURE_VERSION,
  };
}

function counts(items: readonly Prepared[]): ClassCounts {
  const ai = items.filter((p) => p.y === 1).length;
  return { ai, human: items.length - ai };
}

function fitRounded(items: readonly Prepared[], options: TrainOptions | undefined): LogisticModel {
  // Rounded as storage rounds it, so what is measured is what would score.
  const model = trainLogistic(
    items.map((p) => p.x),
    items.map((p) => p.y),
    options,
  );
  return roundModel(model);
}

const THRESHOLD_FOLDS = 3;

/**
 * The operating threshold of a model trained on `items`: the lowest score that at most the target
 * share of human files reach, measured on out-of-fold scores (three models, each scoring the third
 * of the files it did not see). In-sample scores would not do: the model all but memorises its
 * training files, and a threshold set on them lets far more than 5% of new human files through.
 */
function chooseThreshold(items: readonly Prepared[], options: TrainModelOptions): number {
  const target = options.targetFalsePositiveRate ?? TARGET_FALSE_POSITIVE_RATE;
  const fold = new Map<Prepared, number>();
  for (const y of [0, 1] as const) {
    items
      .filter((p) => p.y === y)
      .sort((a, b) => a.time - b.time)
      .forEach((p, i) => {
        fold.set(p, i % THRESHOLD_FOLDS);
      });
  }
  const humanScores: number[] = [];
  for (let k = 0; k < THRESHOLD_FOLDS; k++) {
    const train = items.filter((p) => fold.get(p) !== k);
    const held = items.filter((p) => fold.get(p) === k && p.y === 0);
    const trainCounts = counts(train);
    if (held.length === 0 || trainCounts.ai === 0 || trainCounts.human === 0) continue;
    const model = fitRounded(train, options.train);
    for (const p of held) humanScores.push(predict(model, p.x));
  }
  return thresholdForFalsePositiveRate(humanScores, target);
}

function evaluateSplit(
  name: string,
  kind: SplitMetrics["kind"],
  train: readonly Prepared[],
  test: readonly Prepared[],
  options: TrainModelOptions,
): { metrics: SplitMetrics; scores: number[] } | null {
  const trainCounts = counts(train);
  if (trainCounts.ai === 0 || trainCounts.human === 0 || test.length === 0) return null;
  const model = fitRounded(train, options.train);
  const threshold = chooseThreshold(train, options);
  const scores = test.map((p) => predict(model, p.x));
  const labels = test.map((p) => p.y);
  const bins = calibration(scores, labels);
  return {
    scores,
    metrics: {
      name,
      kind,
      train: trainCounts,
      test: counts(test),
      auroc: auroc(scores, labels),
      threshold,
      falsePositiveRate: rateAtOrAbove(
        scores.filter((_, i) => labels[i] === 0),
        threshold,
      ),
      truePositiveRate: rateAtOrAbove(
        scores.filter((_, i) => labels[i] === 1),
        threshold,
      ),
      calibration: bins,
      expectedCalibrationError: expectedCalibrationError(bins),
    },
  };
}

function timeSplit(items: readonly Prepared[]): { train: Prepared[]; test: Prepared[] } {
  const train: Prepared[] = [];
  const test: Prepared[] = [];
  for (const y of [0, 1] as const) {
    const ofClass = items.filter((p) => p.y === y).sort((a, b) => a.time - b.time);
    const cut = Math.ceil(ofClass.length * (1 - TEST_SHARE));
    train.push(...ofClass.slice(0, cut));
    test.push(...ofClass.slice(cut));
  }
  return { train, test };
}

function repositorySplits(items: readonly Prepared[], options: TrainModelOptions): SplitMetrics[] {
  const repos = [...new Set(items.map((p) => p.repoId))].sort();
  if (repos.length < 2) return [];
  const grouped = repos.length > MAX_REPOSITORY_FOLDS;
  const foldOf = (repoId: string) => (grouped ? `group-${fnv1a(repoId) % MAX_REPOSITORY_FOLDS}` : repoId);
  const folds = [...new Set(repos.map(foldOf))].sort();

  const splits: SplitMetrics[] = [];
  const pooledScores: number[] = [];
  const pooledLabels: (0 | 1)[] = [];
  let pooledHumanFlagged = 0;
  let pooledAiFlagged = 0;
  for (const fold of folds) {
    const test = items.filter((p) => foldOf(p.repoId) === fold);
    const train = items.filter((p) => foldOf(p.repoId) !== fold);
    const result = evaluateSplit(`repository:${fold}`, "repository", train, test, options);
    if (!result) continue;
    splits.push(result.metrics);
    result.scores.forEach((s, i) => {
      const y = test[i]?.y ?? 0;
      pooledScores.push(s);
      pooledLabels.push(y);
      if (s >= result.metrics.threshold) {
        if (y === 0) pooledHumanFlagged += 1;
        else pooledAiFlagged += 1;
      }
    });
  }
  if (splits.length > 0) {
    const pooledCounts = { ai: pooledLabels.filter((y) => y === 1).length, human: 0 };
    pooledCounts.human = pooledLabels.length - pooledCounts.ai;
    const bins = calibration(pooledScores, pooledLabels);
    splits.push({
      name: "repositories-pooled",
      kind: "repositories-pooled",
      train: counts(items),
      test: pooledCounts,
      auroc: auroc(pooledScores, pooledLabels),
      // Each fold used its own threshold; this is their mean, for display.
      threshold: splits.reduce((sum, s) => sum + s.threshold, 0) / splits.length,
      falsePositiveRate: pooledCounts.human ? pooledHumanFlagged / pooledCounts.human : null,
      truePositiveRate: pooledCounts.ai ? pooledAiFlagged / pooledCounts.ai : null,
      calibration: bins,
      expectedCalibrationError: expectedCalibrationError(bins),
    });
  }
  return splits;
}

/** Trains the model on every example and measures it on grouped splits; refuses below the label minimum. */
export function trainAndEvaluate(
  examples: readonly TrainingExample[],
  options: TrainModelOptions,
): TrainingOutcome {
  const trainedOn = describeTrainingSet(examples);
  const required = options.minPerClass ?? MIN_EXAMPLES_PER_CLASS;
  if (trainedOn.ai < required || trainedOn.human < required) {
    return {
      status: "insufficient_labels",
      counts: { ai: trainedOn.ai, human: trainedOn.human },
      required,
      trainedOn,
    };
  }

  const items: Prepared[] = examples.map((e) => ({
    x: extractFeatures(e.addedLines, e.path),
    y: e.label === "ai" ? 1 : 0,
    repoId: e.repoId,
    time: Date.parse(e.committedAt) || 0,
  }));

  const { train, test } = timeSplit(items);
  const heldOut = evaluateSplit("time", "time", train, test, options);
  if (!heldOut) throw new Error("time split lacks a class although both classes meet the minimum");
  const splits = [heldOut.metrics, ...repositorySplits(items, options)];

  const model = trainLogistic(
    items.map((p) => p.x),
    items.map((p) => p.y),
    options.train,
  );
  const weights = compactModel(model);
  const stored = expandModel(weights);
  const scores = items.map((p) => predict(stored, p.x));
  const labels = items.map((p) => p.y);
  const target = options.targetFalsePositiveRate ?? TARGET_FALSE_POSITIVE_RATE;
  const threshold = chooseThreshold(items, options);

  return {
    status: "trained",
    version: modelVersion(weights, options.trainedAt),
    threshold,
    weights,
    trainedOn,
    metrics: {
      threshold,
      targetFalsePositiveRate: target,
      counts: { ai: trainedOn.ai, human: trainedOn.human },
      training: {
        auroc: auroc(scores, labels),
        falsePositiveRate: rateAtOrAbove(
          scores.filter((_, i) => labels[i] === 0),
          threshold,
        ),
        truePositiveRate: rateAtOrAbove(
          scores.filter((_, i) => labels[i] === 1),
          threshold,
        ),
      },
      heldOut: heldOut.metrics,
      splits,
    },
  };
}
