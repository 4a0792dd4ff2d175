import { attributeCommit } from "../../core/attribution/engine.ts";
import { examplesFromCommit } from "../../core/attribution/model/examples.ts";
import type { TrainingExample } from "../../core/attribution/model/labels.ts";
import type { FileScorer } from "../../core/attribution/scorer.ts";
import type {
  AttributionContext,
  CommitAttribution,
  CommitInput,
  ManualOverride,
} from "../../core/attribution/types.ts";
import type { RiskTier } from "../../core/enums.ts";
import type { TierRule } from "../../core/settings.ts";
import { DAY, type SeedCommit } from "./history.ts";
import type { Random } from "./random.ts";

// The demo's verdicts come from the engine itself, given what the attribute-commit job would give
// it: the commit, the PR it was merged from, the organization's then the repository's tier rules,
// the people's overrides and the organization's trained model.

/** The organization's model is trained this long before the anchor, on the history up to then. */
const MODEL_TRAINED_DAYS_BEFORE_ANCHOR = 10;

export function modelTrainedAt(anchor: Date): Date {
  return new Date(anchor.getTime() - MODEL_TRAINED_DAYS_BEFORE_ANCHOR * DAY);
}

/** Commits that landed before the model existed were attributed without it, as in production. */
export function landedBeforeModel(commit: SeedCommit, anchor: Date): boolean {
  return commit.landedAt.getTime() < modelTrainedAt(anchor).getTime();
}

export function engineContext(
  commit: SeedCommit,
  tierRules: readonly TierRule[],
  overrides: readonly ManualOverride[],
  model: FileScorer | null,
): AttributionContext {
  return { pullRequest: commit.pullRequest, tierRules: [...tierRules], overrides: [...overrides], model };
}

export interface Attributed {
  repoId: string;
  commit: SeedCommit;
  result: CommitAttribution;
}

/**
 * Training examples as `collectTrainingExamples` builds them from clones of the repositories on
 * the training day: the older history through the heuristics, and the verdicts of every commit
 * landed since (their PR context included, as the stored verdicts that job reads), labelled by
 * core's rules. No override counts: people made theirs after the model was trained.
 */
export function trainingExamples(
  early: ReadonlyArray<{ repoId: string; commits: readonly CommitInput[] }>,
  attributed: readonly Attributed[],
): TrainingExample[] {
  const examples: TrainingExample[] = [];
  for (const { repoId, commits } of early) {
    for (const input of commits)
      examples.push(...examplesFromCommit(input, attributeCommit(input, {}), repoId));
  }
  for (const { repoId, commit, result } of attributed) {
    examples.push(...examplesFromCommit(commit.input, result, repoId));
  }
  return examples;
}

export interface PlannedOverride {
  repoId: string;
  commitSha: string;
  /** Null: the whole commit. */
  filePath: string | null;
  verdict: "ai" | "human";
  riskTier: RiskTier | null;
  reason: string;
  at: Date;
}

const REASONS = {
  notAi:
    "Hand-written during the incident review; the style model is thrown by the long names and doc comments in this file.",
  pasted: "The author confirmed this was pasted from a ChatGPT conversation.",
  editorTrailer:
    "The editor extension added the Copilot trailer by itself; no assistant was used (known VS Code bug).",
} as const;

/**
 * What people corrected, knowing what really happened: the model's false positives, a file pasted
 * from a chat, and a commit whose Copilot trailer the editor added.
 */
export function chooseOverrides(
  random: Random,
  attributed: readonly Attributed[],
  anchor: Date,
): PlannedOverride[] {
  // People look at a commit a day or more after it landed, after the model was trained (so their
  // verdicts are not among its labels), and before the anchor.
  const last = anchor.getTime() - DAY;
  const reviewed = attributed.filter((a) => a.commit.landedAt.getTime() < last - 2 * DAY);
  const files = reviewed.flatMap((a) => a.result.files.map((file) => ({ ...a, file })));
  const at = (a: Attributed) => {
    const from = Math.max(a.commit.landedAt.getTime() + DAY, modelTrainedAt(anchor).getTime());
    return new Date(from + random.float(0.1, 0.9) * (last - from));
  };
  const out: PlannedOverride[] = [];

  const falsePositives = files.filter(
    (f) => f.file.detectionMethod === "ml_model" && f.file.lines.ai > 0 && !f.commit.truth.ai,
  );
  for (const f of random.sample(falsePositives, 2)) {
    out.push({
      repoId: f.repoId,
      commitSha: f.result.sha,
      filePath: f.file.path,
      verdict: "human",
      riskTier: null,
      reason: REASONS.notAi,
      at: at(f),
    });
  }
  const unnoticed = files.filter(
    (f) =>
      f.commit.truth.ai &&
      f.file.lines.ai === 0 &&
      f.file.riskTier === "T2_glue" &&
      f.file.detectionMethod !== "heuristic",
  );
  for (const f of random.sample(unnoticed, 1)) {
    out.push({
      repoId: f.repoId,
      commitSha: f.result.sha,
      filePath: f.file.path,
      verdict: "ai",
      riskTier: "T3_core",
      reason: REASONS.pasted,
      at: at(f),
    });
  }
  const stray = reviewed.filter((a) => a.commit.truth.strayTrailer && a.result.tool === "copilot");
  for (const a of random.sample(stray, 1)) {
    out.push({
      repoId: a.repoId,
      commitSha: a.result.sha,
      filePath: null,
      verdict: "human",
      riskTier: null,
      reason: REASONS.editorTrailer,
      at: at(a),
    });
  }
  return out;
}
