// Measures the ml_model on the SYNTHETIC corpus (corpus.ts) and prints the figures quoted in
// docs/attribution-model.md. Not a test: run it with
//   node test/core/attribution/model/measure-synthetic.ts [perClass] [repositories]
// It also trains a layout-sensitive baseline (character trigrams of the raw lines) to show the
// precision trap the normalisation avoids: how many human files flip to "AI" after a formatter run.
import { FEATURE_DIMENSIONS } from "../../../../src/core/attribution/model/constants.ts";
import type { FeatureVector } from "../../../../src/core/attribution/model/features.ts";
import { fnv1a } from "../../../../src/core/attribution/model/hash.ts";
import { predict, trainLogistic } from "../../../../src/core/attribution/model/logistic.ts";
import {
  auroc,
  rateAtOrAbove,
  thresholdForFalsePositiveRate,
} from "../../../../src/core/attribution/model/metrics.ts";
import { createModelScorer } from "../../../../src/core/attribution/model/serialise.ts";
import { trainAndEvaluate } from "../../../../src/core/attribution/model/train.ts";
import { FORMATTER_STYLE, generateCorpus } from "./corpus.ts";

const perClass = Number(process.argv[2] ?? 1000);
const repositories = Number(process.argv[3] ?? 6);
const f = (x: number | null | undefined) => (x == null ? "n/a" : x.toFixed(3));

function rawFeatures(lines: readonly string[]): FeatureVector {
  const slots = new Map<number, number>();
  for (const line of lines) {
    const padded = ` ${line} `;
    for (let i = 0; i + 3 <= padded.length; i++) {
      const slot = fnv1a(padded.slice(i, i + 3)) % FEATURE_DIMENSIONS;
      slots.set(slot, (slots.get(slot) ?? 0) + 1);
    }
  }
  let norm = 0;
  for (const n of slots.values()) norm += Math.log1p(n) ** 2;
  norm = Math.sqrt(norm) || 1;
  const indices = [...slots.keys()].sort((a, b) => a - b);
  return { indices, values: indices.map((i) => Math.log1p(slots.get(i) ?? 0) / norm) };
}

for (const labelNoise of [0.05, 0]) {
  const corpus = generateCorpus({ seed: 2026, perClass, repositories, labelNoise });
  const started = process.cpuUsage();
  const outcome = trainAndEvaluate(
    corpus.map((c) => ({
      addedLines: c.file.lines,
      path: c.file.path,
      label: c.label,
      repoId: c.repoId,
      committedAt: c.committedAt,
      source: c.label === "ai" ? ("heuristic" as const) : ("beforeAiEra" as const),
    })),
    { trainedAt: new Date().toISOString() },
  );
  const cpuSeconds = process.cpuUsage(started).user / 1e6;
  if (outcome.status !== "trained") throw new Error("not trained");
  console.log(
    `\nsynthetic corpus: ${perClass} files per class, ${repositories} repositories, label noise ${labelNoise}`,
  );
  console.log(
    `model ${outcome.version}: ${outcome.weights.weights.length} non-zero weights, ${(JSON.stringify(outcome.weights).length / 1024).toFixed(0)} KB of JSON; train + evaluate ${cpuSeconds.toFixed(1)} s CPU`,
  );
  console.log("split | test AI/human | AUROC | FPR at threshold | TPR at threshold | threshold | ECE");
  for (const s of outcome.metrics.splits) {
    console.log(
      `${s.name} | ${s.test.ai}/${s.test.human} | ${f(s.auroc)} | ${f(s.falsePositiveRate)} | ${f(s.truePositiveRate)} | ${f(s.threshold)} | ${f(s.expectedCalibrationError)}`,
    );
  }
  console.log(
    `training (in-sample) AUROC ${f(outcome.metrics.training.auroc)}; operating threshold ${f(outcome.threshold)}`,
  );
  console.log("calibration (time split): bin | files | mean predicted | observed AI share");
  for (const b of outcome.metrics.heldOut.calibration) {
    if (b.count > 0)
      console.log(
        `  ${b.lower.toFixed(1)}-${b.upper.toFixed(1)} | ${b.count} | ${f(b.meanPredicted)} | ${f(b.observed)}`,
      );
  }

  // The formatter trap, on files neither model saw.
  const fresh = generateCorpus({ seed: 4242, perClass: 300, repositories, labelNoise: 0 }).filter(
    (c) => c.label === "human",
  );
  const scorer = createModelScorer(outcome.weights, {
    version: outcome.version,
    threshold: outcome.threshold,
  });
  const flips = fresh.filter(
    (c) =>
      scorer.score(c.file.lines, c.file.path) >= scorer.threshold !==
      scorer.score(c.file.render(FORMATTER_STYLE), c.file.path) >= scorer.threshold,
  ).length;
  const maxDelta = Math.max(
    ...fresh.map((c) =>
      Math.abs(
        scorer.score(c.file.lines, c.file.path) - scorer.score(c.file.render(FORMATTER_STYLE), c.file.path),
      ),
    ),
  );

  const xs = corpus.map((c) => rawFeatures(c.file.lines));
  const ys = corpus.map((c) => (c.label === "ai" ? 1 : 0) as 0 | 1);
  const raw = trainLogistic(xs, ys);
  const rawHumanScores = xs.filter((_, i) => ys[i] === 0).map((x) => predict(raw, x));
  const rawThreshold = thresholdForFalsePositiveRate(rawHumanScores, 0.05);
  const before = fresh.map((c) => predict(raw, rawFeatures(c.file.lines)));
  const after = fresh.map((c) => predict(raw, rawFeatures(c.file.render(FORMATTER_STYLE))));
  const rawFlipsToAi = before.filter((s, i) => s < rawThreshold && (after[i] ?? 0) >= rawThreshold).length;
  const freshAi = generateCorpus({ seed: 4243, perClass: 300, repositories, labelNoise: 0 }).filter(
    (c) => c.label === "ai",
  );
  const aiScores = freshAi.map((c) => predict(raw, rawFeatures(c.file.lines)));
  const rawAuroc = auroc(
    [...before, ...aiScores],
    [...before.map(() => 0 as const), ...aiScores.map(() => 1 as const)],
  );
  console.log(
    `formatter run over ${fresh.length} unseen human files: ml_model verdict flips ${flips} (largest score change ${maxDelta.toExponential(1)}); ` +
      `raw-layout baseline: ${rawFlipsToAi} flip to AI (${f(rateAtOrAbove(after, rawThreshold))} of them called AI after, ${f(rateAtOrAbove(before, rawThreshold))} before; baseline AUROC on unseen files ${f(rawAuroc)})`,
  );
}
