import {
  ACTIVATION_MAX_FALSE_POSITIVE_RATE,
  ACTIVATION_MIN_RECALL,
  MIN_EXAMPLES_PER_CLASS,
  TARGET_FALSE_POSITIVE_RATE,
} from "./constants.ts";
import {
  DEFAULT_FEATURE_SET,
  extractFeatures,
  type FeatureSet,
  type FeatureVector,
  featureVersionOf,
} from "./features.ts";
import { fnv1a } from "./hash.ts";
import type { TrainingExample } from "./labels.ts";
import { type LogisticModel, predict, type TrainOptions, trainLogistic } from "./logistic.ts";
import {
  auroc,
  brierScore,
  calibration,
  expectedCalibrationError,
  precisionAt,
  rateAtOrAbove,
  thresholdForFalsePositiveRate,
} from "./metrics.ts";
import { REFORMATS, type Reformat, reformatLines } from "./reformat.ts";
import type {
  Activation,
  ClassCounts,
  ModelMetrics,
  ModelWeights,
  SplitMetrics,
  TrainedOn,
} from "./schemas.ts";
import { compactModel, expandModel, modelVersion, roundModel } from "./serialise.ts";

// Training and its evaluation protocol. Every split is grouped, never random: a random split of
// files lets the model recognise a repository's or an era's habits and reports a quality it will
// not have on new code.
// - Only repositories holding both classes train the model, each repository's classes weighted
//   alike. A repository with AI labels only (a project started with an agent) would otherwise
//   teach "this project's language and vocabulary is AI"; on real repositories that is what the
//   model learned first (docs/attribution-model.md). One-class repositories are still measured.
// - time: within each class, the earliest 80% of files train and the latest 20% test. (Splitting
//   all files at one date would put every pre-AI human label in training and test on AI files
//   only, because the labels themselves follow the calendar.)
// - repository: each repository (or, past ten, each of ten groups) is held out in turn and
//   scored by a model trained on the others; their held-out scores are also pooled.

export interface TrainModelOptions {
  /** ISO time of training: goes into the version (core has no clock). */
  trainedAt: string;
  minPerClass?: number;
  targetFalsePositiveRate?: number;
  featureSet?: FeatureSet;
  train?: TrainOptions;
  /** Also score each held-out file after each reformat (costs three more extractions a file). */
  robustness?: boolean;
  /**
   * `paired` (the default): only repositories holding both classes train. `all`: every
   * repository does, as before the real-code measurements; kept to report that baseline.
   */
  trainOn?: "paired" | "all";
}

export interface ReformatRobustness {
  reformat: Reformat;
  auroc: number | null;
  falsePositiveRate: number | null;
  truePositiveRate: number | null;
  /** Share of held-out files whose verdict at the threshold changes. */
  flipped: number;
  maxScoreChange: number;
}

export type TrainingOutcome =
  | {
      status: "trained";
      version: string;
      threshold: number;
      weights: ModelWeights;
      metrics: ModelMetrics;
      trainedOn: TrainedOn;
      /** Per split, when `robustness` was asked for. */
      robustness: Record<string, ReformatRobustness[]>;
    }
  | { status: "insufficient_labels"; counts: ClassCounts; required: number; trainedOn: TrainedOn };

interface Prepared {
  example: TrainingExample;
  x: FeatureVector;
  y: 0 | 1;
  repoId: string;
  time: number;
}

const TEST_SHARE = 0.2;
const MAX_REPOSITORY_FOLDS = 10;
const THRESHOLD_FOLDS = 3;

export function describeTrainingSet(
  examples: readonly TrainingExample[],
  featureSet: FeatureSet = DEFAULT_FEATURE_SET,
): TrainedOn {
  const sources = { heuristic: 0, beforeAiEra: 0, overrideHuman: 0, overrideAi: 0 };
  for (const e of examples) sources[e.source] += 1;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const e of examples) {
    const t = Date.parse(e.committedAt);
    if (!Number.isFinite(t)) continue;
    from = Math.min(from, t);
    to = Math.max(to, t);
  }
  const ai = examples.filter((e) => e.label === "ai").length;
  return {
    examples: examples.length,
    ai,
    human: examples.length - ai,
    labelSources: sources,
    repositories: new Set(examples.map((e) => e.repoId)).size,
    from: Number.isFinite(from) ? new Date(from).toISOString() : null,
    to: Number.isFinite(to) ? new Date(to).toISOString() : null,
    featureVersion: featureVersionOf(featureSet),
  };
}

function counts(items: readonly Prepared[]): ClassCounts {
  const ai = items.filter((p) => p.y === 1).length;
  return { ai, human: items.length - ai };
}

/** Repositories with files of both classes: the only ones that train. */
function pairedRepositories(items: readonly Prepared[]): Set<string> {
  const classes = new Map<string, Set<number>>();
  for (const p of items) {
    const set = classes.get(p.repoId) ?? new Set<number>();
    set.add(p.y);
    classes.set(p.repoId, set);
  }
  return new Set([...classes].filter(([, set]) => set.size === 2).map(([repo]) => repo));
}

/** Each class half the weight; within a class, each repository an equal share. */
function balancedWeights(items: readonly Prepared[]): number[] {
  const groupSize = new Map<string, number>();
  const reposOfClass = [new Set<string>(), new Set<string>()];
  for (const p of items) {
    const key = `${p.y}\u0000${p.repoId}`;
    groupSize.set(key, (groupSize.get(key) ?? 0) + 1);
    reposOfClass[p.y]?.add(p.repoId);
  }
  return items.map(
    (p) =>
      items.length / (2 * (reposOfClass[p.y]?.size ?? 1) * (groupSize.get(`${p.y}\u0000${p.repoId}`) ?? 1)),
  );
}

function fitBalanced(items: readonly Prepared[], options: TrainOptions | undefined): LogisticModel {
  return trainLogistic(
    items.map((p) => p.x),
    items.map((p) => p.y),
    options,
    balancedWeights(items),
  );
}

function fitRounded(items: readonly Prepared[], options: TrainOptions | undefined): LogisticModel {
  // Rounded as storage rounds it, so what is measured is what would score.
  return roundModel(fitBalanced(items, options));
}

/**
 * The operating threshold of a model trained on `items`: the lowest score that at most the target
 * share of human files reach, measured on out-of-fold scores (three models, each scoring the third
 * of the files it did not see). In-sample scores would not do: the model all but memorises its
 * training files, and a threshold set on them lets far more human files through.
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

/** The figures of scores against labels at a threshold: what every split and every applied model reports. */
export function measureScores(
  name: string,
  kind: SplitMetrics["kind"],
  train: ClassCounts,
  scores: readonly number[],
  labels: readonly (0 | 1)[],
  threshold: number,
): SplitMetrics {
  const bins = calibration(scores, labels);
  return {
    name,
    kind,
    train,
    test: { ai: labels.filter((y) => y === 1).length, human: labels.filter((y) => y === 0).length },
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
    precision: precisionAt(scores, labels, threshold),
    brier: brierScore(scores, labels),
  };
}

/** How a model's verdicts on `test` hold when each file is reformatted. */
export function measureRobustness(
  score: (lines: readonly string[], path: string) => number,
  test: readonly TrainingExample[],
  baseline: readonly number[],
  threshold: number,
): ReformatRobustness[] {
  const labels = test.map((e) => (e.label === "ai" ? 1 : 0) as 0 | 1);
  return REFORMATS.map((reformat) => {
    const scores = test.map((e) => score(reformatLines(e.addedLines, e.path, reformat), e.path));
    let flipped = 0;
    let maxScoreChange = 0;
    scores.forEach((s, i) => {
      const before = baseline[i] ?? 0;
      if (s >= threshold !== before >= threshold) flipped += 1;
      maxScoreChange = Math.max(maxScoreChange, Math.abs(s - before));
    });
    const m = measureScores(reformat, "time", { ai: 0, human: 0 }, scores, labels, threshold);
    return {
      reformat,
      auroc: m.auroc,
      falsePositiveRate: m.falsePositiveRate,
      truePositiveRate: m.truePositiveRate,
      flipped: test.length === 0 ? 0 : flipped / test.length,
      maxScoreChange,
    };
  });
}

interface SplitResult {
  metrics: SplitMetrics;
  scores: number[];
  robustness: ReformatRobustness[] | null;
}

function evaluateSplit(
  name: string,
  kind: SplitMetrics["kind"],
  train: readonly Prepared[],
  test: readonly Prepared[],
  options: TrainModelOptions,
): SplitResult | null {
  const trainCounts = counts(train);
  if (trainCounts.ai === 0 || trainCounts.human === 0 || test.length === 0) return null;
  const model = fitRounded(train, options.train);
  const threshold = chooseThreshold(train, options);
  const scores = test.map((p) => predict(model, p.x));
  const labels = test.map((p) => p.y);
  const set = options.featureSet ?? DEFAULT_FEATURE_SET;
  const robustness = options.robustness
    ? measureRobustness(
        (lines, path) => predict(model, extractFeatures(lines, path, set)),
        test.map((p) => p.example),
        scores,
        threshold,
      )
    : null;
  return { scores, robustness, metrics: measureScores(name, kind, trainCounts, scores, labels, threshold) };
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

function repositorySplits(
  items: readonly Prepared[],
  paired: ReadonlySet<string>,
  options: TrainModelOptions,
  robustness: Record<string, ReformatRobustness[]>,
): SplitMetrics[] {
  const repos = [...new Set(items.map((p) => p.repoId))].sort();
  if (repos.length < 2) return [];
  const grouped = repos.length > MAX_REPOSITORY_FOLDS;
  const foldOf = (repoId: string) => (grouped ? `group-${fnv1a(repoId) % MAX_REPOSITORY_FOLDS}` : repoId);
  const folds = [...new Set(repos.map(foldOf))].sort();

  const splits: SplitMetrics[] = [];
  const pooledScores: number[] = [];
  const pooledLabels: (0 | 1)[] = [];
  const pooledThresholds: number[] = [];
  for (const fold of folds) {
    const test = items.filter((p) => foldOf(p.repoId) === fold);
    const train = items.filter((p) => foldOf(p.repoId) !== fold && paired.has(p.repoId));
    const result = evaluateSplit(`repository:${fold}`, "repository", train, test, options);
    if (!result) continue;
    splits.push(result.metrics);
    if (result.robustness) robustness[result.metrics.name] = result.robustness;
    result.scores.forEach((s, i) => {
      pooledScores.push(s);
      pooledLabels.push(test[i]?.y ?? 0);
      pooledThresholds.push(result.metrics.threshold);
    });
  }
  if (splits.length === 0) return splits;
  // Each fold is judged at its own threshold: a file counts as flagged against that one.
  const flagged = pooledScores.map((s, i) => (s >= (pooledThresholds[i] ?? 1) ? 1 : 0));
  const pooled = measureScores(
    "repositories-pooled",
    "repositories-pooled",
    counts(items),
    pooledScores,
    pooledLabels,
    0.5,
  );
  const rate = (y: 0 | 1) => {
    const ofClass = flagged.filter((_, i) => pooledLabels[i] === y);
    return ofClass.length === 0 ? null : ofClass.reduce((n: number, f) => n + f, 0) / ofClass.length;
  };
  const calledAi = flagged.reduce((n: number, f) => n + f, 0);
  splits.push({
    ...pooled,
    // Each fold used its own threshold; this is their mean, for display.
    threshold: splits.reduce((sum, s) => sum + s.threshold, 0) / splits.length,
    falsePositiveRate: rate(0),
    truePositiveRate: rate(1),
    precision:
      calledAi === 0 ? null : flagged.filter((f, i) => f === 1 && pooledLabels[i] === 1).length / calledAi,
  });
  return splits;
}

/**
 * Whether the figures earn the model activation: on repositories it never saw (pooled), false
 * positives on human files at most ACTIVATION_MAX_FALSE_POSITIVE_RATE with recall at least
 * ACTIVATION_MIN_RECALL. A single repository cannot show that, so its model is never recommended.
 */
export function recommendActivation(splits: readonly SplitMetrics[]): Activation {
  const pooled = splits.find((s) => s.kind === "repositories-pooled");
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  if (!pooled || pooled.falsePositiveRate == null || pooled.truePositiveRate == null) {
    return {
      recommended: false,
      reason: "not measured on held-out repositories with both classes (two or more repositories needed)",
    };
  }
  const fpr = pooled.falsePositiveRate;
  const tpr = pooled.truePositiveRate;
  const figures = `on held-out repositories: ${pct(fpr)} of human files flagged, ${pct(tpr)} of AI files caught`;
  if (fpr > ACTIVATION_MAX_FALSE_POSITIVE_RATE)
    return {
      recommended: false,
      reason: `${figures}; more than ${pct(ACTIVATION_MAX_FALSE_POSITIVE_RATE)} false positives`,
    };
  if (tpr < ACTIVATION_MIN_RECALL)
    return { recommended: false, reason: `${figures}; recall below ${pct(ACTIVATION_MIN_RECALL)}` };
  return { recommended: true, reason: figures };
}

/** Trains the model on every example and measures it on grouped splits; refuses below the label minimum. */
export function trainAndEvaluate(
  examples: readonly TrainingExample[],
  options: TrainModelOptions,
): TrainingOutcome {
  const set = options.featureSet ?? DEFAULT_FEATURE_SET;
  const trainedOn = describeTrainingSet(examples, set);
  const required = options.minPerClass ?? MIN_EXAMPLES_PER_CLASS;
  const items: Prepared[] = examples.map((e) => ({
    example: e,
    x: extractFeatures(e.addedLines, e.path, set),
    y: e.label === "ai" ? 1 : 0,
    repoId: e.repoId,
    time: Date.parse(e.committedAt) || 0,
  }));
  const paired = options.trainOn === "all" ? new Set(items.map((p) => p.repoId)) : pairedRepositories(items);
  const trainable = items.filter((p) => paired.has(p.repoId));
  const trainableCounts = counts(trainable);
  if (trainableCounts.ai < required || trainableCounts.human < required) {
    return { status: "insufficient_labels", counts: trainableCounts, required, trainedOn };
  }

  const robustness: Record<string, ReformatRobustness[]> = {};
  const { train, test } = timeSplit(trainable);
  const heldOut = evaluateSplit("time", "time", train, test, options);
  if (!heldOut) throw new Error("time split lacks a class although both classes meet the minimum");
  if (heldOut.robustness) robustness.time = heldOut.robustness;
  const splits = [heldOut.metrics, ...repositorySplits(items, paired, options, robustness)];

  const weights = compactModel(fitBalanced(trainable, options.train), set);
  const stored = expandModel(weights);
  const scores = trainable.map((p) => predict(stored, p.x));
  const labels = trainable.map((p) => p.y);
  const target = options.targetFalsePositiveRate ?? TARGET_FALSE_POSITIVE_RATE;
  const threshold = chooseThreshold(trainable, options);

  return {
    status: "trained",
    version: modelVersion(weights, options.trainedAt),
    threshold,
    weights,
    trainedOn,
    robustness,
    metrics: {
      threshold,
      targetFalsePositiveRate: target,
      counts: trainableCounts,
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
      activation: recommendActivation(splits),
    },
  };
}
