import { matchesGlob } from "../../../core/attribution/glob.ts";
import { type DetectionSignals, detectionSignalsSchema } from "../../../core/attribution/signals.ts";
import type { DetectionMethod, RiskTier } from "../../../core/enums.ts";
import type { TierRule } from "../../../core/settings.ts";
import { PATH_TIERS } from "./fixtures.ts";
import type { SeedCommit, SeedFile } from "./history.ts";
import type { Random } from "./random.ts";
import { combinedConfidence } from "./signatures.ts";

// Per-file verdicts as the attribution engine would record them: trailer and bot evidence →
// heuristic; no evidence → the style model scores some files, the rest stay unknown (never "human").

export const SEED_ENGINE_VERSION = "seed-1";
export const SEED_MODEL_VERSION = "style-logistic-seed-1";

export interface FileVerdict {
  commitSha: string;
  filePath: string;
  aiConfidence: number | null;
  detectionMethod: DetectionMethod | null;
  riskTier: RiskTier;
  detectionSignals: DetectionSignals;
  linesAdded: number;
  linesDeleted: number;
  aiLines: number;
  humanLines: number;
  unknownLines: number;
  tool: string | null;
  model: string | null;
  committedAt: Date;
  analysedAt: Date;
}

/** Organization rules, then repository rules, then the built-in path heuristics; first match wins. */
export function tierFor(path: string, rules: readonly TierRule[]): { tier: RiskTier; reason: string } {
  for (const rule of rules) {
    if (matchesGlob(path, rule.pattern)) return { tier: rule.tier, reason: `rule ${rule.pattern}` };
  }
  for (const [pattern, tier, reason] of PATH_TIERS) {
    if (pattern.test(path)) return { tier, reason: `path: ${reason}` };
  }
  return { tier: "T2_glue", reason: "path: default" };
}

/** The verdict for each file of a commit. */
export function attributeCommit(
  random: Random,
  commit: SeedCommit,
  rules: readonly TierRule[],
): FileVerdict[] {
  const analysedAt = new Date(commit.landedAt.getTime() + random.int(20, 300) * 1000);
  return commit.files.map((file) => {
    const { tier, reason } = tierFor(file.path, rules);
    const base = {
      commitSha: commit.sha,
      filePath: file.path,
      riskTier: tier,
      linesAdded: file.additions,
      linesDeleted: file.deletions,
      committedAt: commit.committedAt,
      analysedAt,
    };
    const signals = (lines: DetectionSignals["lines"], extra: Partial<DetectionSignals> = {}) =>
      detectionSignalsSchema.parse({
        engineVersion: SEED_ENGINE_VERSION,
        signals: commit.evidence?.signals ?? [],
        lines,
        tierReason: reason,
        ...extra,
      });

    if (commit.evidence) {
      const lines = { ai: file.additions, human: 0, unknown: 0 };
      return {
        ...base,
        aiConfidence: combinedConfidence(commit.evidence.signals),
        detectionMethod: "heuristic",
        detectionSignals: signals(lines),
        aiLines: lines.ai,
        humanLines: 0,
        unknownLines: 0,
        tool: commit.evidence.tool,
        model: commit.evidence.model,
      };
    }
    if (scoredByModel(random, commit, file)) {
      const score = commit.undisclosedAi
        ? round3(random.float(0.58, 0.96))
        : round3(random.float(0.03, random.chance(0.1) ? 0.7 : 0.42));
      const ai = score >= 0.5;
      const lines = { ai: ai ? file.additions : 0, human: ai ? 0 : file.additions, unknown: 0 };
      return {
        ...base,
        aiConfidence: score,
        detectionMethod: "ml_model",
        detectionSignals: signals(lines, { model: { version: SEED_MODEL_VERSION, score } }),
        aiLines: lines.ai,
        humanLines: lines.human,
        unknownLines: 0,
        tool: null,
        model: null,
      };
    }
    const lines = { ai: 0, human: 0, unknown: file.additions };
    return {
      ...base,
      aiConfidence: null,
      detectionMethod: null,
      detectionSignals: signals(lines),
      aiLines: 0,
      humanLines: 0,
      unknownLines: file.additions,
      tool: null,
      model: null,
    };
  });
}

/** The style model only scores source files with enough added lines to judge. */
function scoredByModel(random: Random, commit: SeedCommit, file: SeedFile): boolean {
  if (!/\.(ts|tsx|sql)$/.test(file.path) || file.additions < 8) return false;
  return random.chance(commit.undisclosedAi ? 0.75 : 0.4);
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

export interface OverrideDecision {
  verdict: "ai" | "human";
  riskTier: RiskTier | null;
  reason: string;
}

/** Applies a person's verdict on top of the engine's, as the override service does. */
export function applyOverride(
  verdict: FileVerdict,
  decision: OverrideDecision,
  actor: string,
  at: Date,
): FileVerdict {
  const ai = decision.verdict === "ai";
  const lines = { ai: ai ? verdict.linesAdded : 0, human: ai ? 0 : verdict.linesAdded, unknown: 0 };
  return {
    ...verdict,
    aiConfidence: ai ? 1 : 0,
    detectionMethod: "manual_override",
    riskTier: decision.riskTier ?? verdict.riskTier,
    aiLines: lines.ai,
    humanLines: lines.human,
    unknownLines: 0,
    tool: ai ? verdict.tool : null,
    model: ai ? verdict.model : null,
    detectionSignals: detectionSignalsSchema.parse({
      ...verdict.detectionSignals,
      lines,
      override: { actor, reason: decision.reason, at: at.toISOString() },
    }),
  };
}
