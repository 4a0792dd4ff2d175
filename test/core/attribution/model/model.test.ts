import { beforeAll, describe, expect, it } from "vitest";
import { attributeCommit } from "../../../../src/core/attribution/engine.ts";
import {
  MAX_MODEL_CONFIDENCE,
  MIN_EXAMPLES_PER_CLASS,
} from "../../../../src/core/attribution/model/constants.ts";
import type { TrainingExample } from "../../../../src/core/attribution/model/labels.ts";
import {
  modelMetricsSchema,
  modelWeightsSchema,
  trainedOnSchema,
} from "../../../../src/core/attribution/model/schemas.ts";
import {
  createModelScorer,
  IncompatibleModelError,
  type ModelScorer,
} from "../../../../src/core/attribution/model/serialise.ts";
import { type TrainingOutcome, trainAndEvaluate } from "../../../../src/core/attribution/model/train.ts";
import { type CorpusExample, FORMATTER_STYLE, generateCorpus } from "./corpus.ts";

// Trained on the SYNTHETIC corpus of corpus.ts; the thresholds asserted here are floors well under
// what it measures (docs/attribution-model.md gives the figures), so they catch a broken model,
// not noise.

function toExamples(corpus: readonly CorpusExample[]): TrainingExample[] {
  return corpus.map((c) => ({
    addedLines: c.file.lines,
    path: c.file.path,
    label: c.label,
    repoId: c.repoId,
    committedAt: c.committedAt,
    source: c.label === "ai" ? "heuristic" : "beforeAiEra",
  }));
}

let trained: Extract<TrainingOutcome, { status: "trained" }>;
let scorer: ModelScorer;
const corpus = generateCorpus({ seed: 7, perClass: 300, repositories: 4, labelNoise: 0.05 });

beforeAll(() => {
  const outcome = trainAndEvaluate(toExamples(corpus), { trainedAt: "2026-11-26T12:00:00Z" });
  if (outcome.status !== "trained") throw new Error("expected a trained model");
  trained = outcome;
  scorer = createModelScorer(outcome.weights, { version: outcome.version, threshold: outcome.threshold });
});

describe("trainAndEvaluate", () => {
  it("separates held-out AI and human files, measured on later files and on unseen repositories", () => {
    const { heldOut, splits } = trained.metrics;
    expect(heldOut.kind).toBe("time");
    expect(heldOut.test).toEqual({ ai: 60, human: 60 });
    expect(heldOut.auroc).toBeGreaterThan(0.75);
    // The threshold targets 5% of human files; on 60 held-out files allow for sampling noise.
    expect(heldOut.falsePositiveRate).toBeLessThanOrEqual(0.15);
    expect(heldOut.truePositiveRate).toBeGreaterThan(0.15);
    expect(splits.filter((s) => s.kind === "repository")).toHaveLength(4);
    const pooled = splits.find((s) => s.kind === "repositories-pooled");
    expect(pooled?.test).toEqual({ ai: 300, human: 300 });
    expect(pooled?.auroc).toBeGreaterThan(0.75);
    expect(heldOut.calibration.reduce((n, b) => n + b.count, 0)).toBe(120);
  });

  it("stores what its zod schemas accept, with a version naming date and weights", () => {
    expect(trained.version).toMatch(/^lr-20261126-[0-9a-f]{12}$/);
    expect(() => modelWeightsSchema.parse(trained.weights)).not.toThrow();
    expect(() => modelMetricsSchema.parse(trained.metrics)).not.toThrow();
    expect(trainedOnSchema.parse(trained.trainedOn)).toMatchObject({
      examples: 600,
      ai: 300,
      human: 300,
      labelSources: { heuristic: 300, beforeAiEra: 300, overrideHuman: 0, overrideAi: 0 },
      repositories: 4,
    });
  });

  it("is reproducible: the same examples give the same version, other examples another", () => {
    const small = toExamples(corpus.filter((_, i) => i % 5 === 0)); // 60 of each class
    const options = { trainedAt: "2026-11-26T12:00:00Z", minPerClass: 50 };
    const a = trainAndEvaluate(small, options);
    const b = trainAndEvaluate(small, options);
    const c = trainAndEvaluate(small.slice(1), options);
    expect(a.status).toBe("trained");
    expect(a.status === "trained" && b.status === "trained" && a.version === b.version).toBe(true);
    expect(a.status === "trained" && c.status === "trained" && a.version !== c.version).toBe(true);
  });

  it("stays off below the minimum of labels per class, and says how many it has", () => {
    const examples = toExamples(corpus);
    const fewAi = [
      ...examples.filter((e) => e.label === "human"),
      ...examples.filter((e) => e.label === "ai").slice(0, MIN_EXAMPLES_PER_CLASS - 1),
    ];
    const outcome = trainAndEvaluate(fewAi, { trainedAt: "2026-11-26T12:00:00Z" });
    expect(outcome).toMatchObject({
      status: "insufficient_labels",
      counts: { ai: 199, human: 300 },
      required: 200,
    });
  });
});

describe("the trained scorer", () => {
  it("gives human code the same score after a formatter run (the precision trap of style classifiers)", () => {
    // Fresh files the model never saw, in the layouts people use, then re-rendered as Prettier
    // would: the layout AI files mostly have in training, so a layout-sensitive model would flip.
    const humans = generateCorpus({ seed: 99, perClass: 60, repositories: 2 }).filter(
      (c) => c.label === "human",
    );
    let layoutChanged = 0;
    for (const { file } of humans) {
      const formatted = file.render(FORMATTER_STYLE);
      if (formatted.join("\n") !== file.lines.join("\n")) layoutChanged++;
      const before = scorer.score(file.lines, file.path);
      const after = scorer.score(formatted, file.path);
      expect(Math.abs(after - before)).toBeLessThan(1e-9);
      expect(after >= scorer.threshold).toBe(before >= scorer.threshold);
    }
    expect(layoutChanged).toBeGreaterThan(50);
  });

  it("feeds the engine an ml_model verdict capped below strong heuristics, naming the model", () => {
    const ai = corpus.find((c) => c.label === "ai" && scorer.score(c.file.lines, c.file.path) > 0.9);
    if (!ai) throw new Error("no confidently scored AI file in the corpus");
    const patch = `@@ -0,0 +1,${ai.file.lines.length} @@\n${ai.file.lines.map((l) => `+${l}`).join("\n")}`;
    const person = { name: "Dana", email: "dana@example.com" };
    const result = attributeCommit(
      {
        sha: "b".repeat(40),
        message: "Add module",
        author: person,
        committer: person,
        parents: [],
        committedAt: "2025-06-01T00:00:00Z",
        files: [
          { path: ai.file.path, status: "added", additions: ai.file.lines.length, deletions: 0, patch },
        ],
      },
      { model: scorer },
    );
    const file = result.files[0];
    expect(file?.detectionMethod).toBe("ml_model");
    expect(file?.aiConfidence).toBe(MAX_MODEL_CONFIDENCE);
    expect(file?.detectionSignals.model?.version).toBe(trained.version);
  });

  it("refuses weights computed with other features instead of scoring nonsense", () => {
    expect(() =>
      createModelScorer({ ...trained.weights, featureVersion: "f0" }, { version: "old", threshold: 0.5 }),
    ).toThrow(IncompatibleModelError);
  });
});
