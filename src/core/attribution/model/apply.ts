import type { TrainingExample } from "./labels.ts";
import type { SplitMetrics } from "./schemas.ts";
import { measureRobustness, measureScores, type ReformatRobustness } from "./train.ts";

// A stored model judged on repositories it was not trained on: the labelled files of those
// histories scored at the model's own threshold, per repository and all together, and how the
// verdicts hold when the files are reformatted. Nothing is trained.

export interface AppliedModel {
  version: string;
  threshold: number;
  overall: SplitMetrics;
  repositories: SplitMetrics[];
  robustness: ReformatRobustness[];
}

export function applyModel(
  model: { version: string; threshold: number; score(lines: readonly string[], path: string): number },
  examples: readonly TrainingExample[],
): AppliedModel {
  const scores = examples.map((e) => model.score(e.addedLines, e.path));
  const labels = examples.map((e) => (e.label === "ai" ? 1 : 0) as 0 | 1);
  const none = { ai: 0, human: 0 };
  const repos = [...new Set(examples.map((e) => e.repoId))].sort();
  return {
    version: model.version,
    threshold: model.threshold,
    overall: measureScores("applied", "repositories-pooled", none, scores, labels, model.threshold),
    repositories: repos.map((repo) => {
      const at = examples.flatMap((e, i) => (e.repoId === repo ? [i] : []));
      return measureScores(
        `repository:${repo}`,
        "repository",
        none,
        at.map((i) => scores[i] ?? 0),
        at.map((i) => labels[i] ?? 0),
        model.threshold,
      );
    }),
    robustness: measureRobustness(model.score, examples, scores, model.threshold),
  };
}
