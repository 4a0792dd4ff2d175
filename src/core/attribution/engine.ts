import type { DetectionMethod } from "../enums.ts";
import { AI_LINE_THRESHOLD, combineSignals, round, strongestToolAndModel } from "./combine.ts";
import { commitLineShare, commitSignals } from "./commit-signals.ts";
import type { LineShare } from "./detectors/entire.ts";
import { type AddedLines, parseAddedLines, wholeFile } from "./diff.ts";
import { applyLineRecords, indexLineRecords, type LineRecordIndex } from "./line-records.ts";
import { makeSignal } from "./make-signal.ts";
import { MAX_MODEL_CONFIDENCE } from "./model/constants.ts";
import { isModelEligiblePath } from "./model/labels.ts";
import type { DetectionSignals, LineSplit, Signal } from "./signals.ts";
import { classifyTier, compileTierContext, type TierContext } from "./tiers.ts";
import type {
  AttributionContext,
  CommitAttribution,
  CommitInput,
  FileAttribution,
  FileChange,
  ManualOverride,
} from "./types.ts";

/** Bump on any change that can alter a verdict: rows with an older version get re-attributed. */
export const ENGINE_VERSION = "2026.12.2";

const MAX_SIGNALS = 100;
const MAX_FILE_SIGNALS = 50;

interface Overrides {
  commit: ManualOverride | null;
  byPath: Map<string, ManualOverride>;
}

function later(a: ManualOverride | undefined | null, b: ManualOverride): boolean {
  if (a == null) return true;
  const ta = Date.parse(a.at);
  const tb = Date.parse(b.at);
  return Number.isNaN(ta) || Number.isNaN(tb) ? b.at >= a.at : tb >= ta;
}

/** The latest override per file and for the whole commit. */
function indexOverrides(list: readonly ManualOverride[]): Overrides {
  const out: Overrides = { commit: null, byPath: new Map() };
  for (const o of list) {
    if (o.filePath === null) {
      if (later(out.commit, o)) out.commit = o;
    } else if (later(out.byPath.get(o.filePath), o)) {
      out.byPath.set(o.filePath, o);
    }
  }
  return out;
}

function isoOrRaw(at: string): string {
  const t = Date.parse(at);
  return Number.isNaN(t) ? at : new Date(t).toISOString();
}

interface Shared {
  commitLevel: Signal[];
  commitConfidence: number | null;
  /** A stated share of the commit's lines written by an agent (Entire), or null. */
  lineShare: LineShare | null;
  tiers: TierContext;
  lineRecords: LineRecordIndex;
  overrides: Overrides;
  context: AttributionContext;
}

function split(additions: number, ai: number, human: number): LineSplit {
  const a = Math.min(Math.max(ai, 0), additions);
  const h = Math.min(Math.max(human, 0), additions - a);
  return { ai: a, human: h, unknown: additions - a - h };
}

/**
 * Lines not decided by line-level records: with a stated share, that share of them is AI and the
 * rest human (each file rounded on its own, so it can be checked by hand); otherwise all AI when
 * the commit-level confidence reaches the line threshold, else unknown.
 */
function commitLevelLines(lines: number, shared: Shared): { ai: number; human: number } {
  const share = shared.lineShare;
  if (share !== null) {
    const ai = Math.round((lines * share.agentLines) / share.totalLines);
    return { ai, human: lines - ai };
  }
  const confidence = shared.commitConfidence;
  return { ai: confidence !== null && confidence >= AI_LINE_THRESHOLD ? lines : 0, human: 0 };
}

function attributeFile(file: FileChange, shared: Shared): FileAttribution {
  const additions = Math.max(0, file.additions);
  const binary = file.binary === true;
  const hasPatch = file.patch !== undefined && !binary;
  let added: AddedLines | null = null;
  if (hasPatch && file.patch !== undefined) added = parseAddedLines(file.patch);
  else if (!binary && file.status === "added") added = wholeFile(additions);
  const addedText = added?.text ?? [];

  let { tier, reason: tierReason } = classifyTier(
    { path: file.path, binary, addedLines: addedText, hasPatch },
    shared.tiers,
  );
  const { commitLevel, commitConfidence } = shared;

  let fileSignals: Signal[] = [];
  let confidence: number | null;
  let lines: LineSplit;
  let modelInfo: DetectionSignals["model"] = null;
  let method: DetectionMethod | null = null;

  const groups = shared.lineRecords.get(file.path);
  const records = groups !== undefined && added !== null ? applyLineRecords(file.path, groups, added) : null;
  const covered = records === null ? 0 : records.ai + records.human + records.coveredUnknown;

  if (records !== null && covered > 0) {
    // Line-level records decide the lines they cover; the rest follow the commit-level evidence.
    fileSignals = records.signals;
    const uncovered = Math.max(0, additions - covered);
    const rest = commitLevelLines(uncovered, shared);
    lines = split(additions, records.ai + rest.ai, records.human + rest.human);
    const positive = [...commitLevel, ...fileSignals.filter((s) => s.weight > 0)];
    if (lines.ai === 0 && uncovered === 0) {
      confidence = 0; // the records speak for every added line, and none of them is AI
    } else if (positive.length > 0) {
      confidence = combineSignals(positive);
    } else {
      confidence = records.human > 0 ? 0 : null;
    }
  } else {
    if (groups !== undefined && added === null) {
      // Records name this file but without a patch their line numbers cannot be matched to added lines.
      for (const g of groups) {
        if (g.verdict !== "ai" && g.verdict !== "mixed") continue;
        const evidence = `${g.source} ${g.ref} names ${file.path}, but the patch is unavailable: its line ranges could not be matched, so they count for nothing`;
        fileSignals.push(makeSignal(g.source, g.tool, g.model, evidence, 0));
      }
    }
    confidence = commitConfidence;
    const rest = commitLevelLines(additions, shared);
    lines = split(additions, rest.ai, rest.human);
    const scorer = shared.context.model;
    // The model is trained on source files only: it has nothing to say about lockfiles or docs.
    if (confidence === null && scorer != null && addedText.length > 0 && isModelEligiblePath(file.path)) {
      const raw = scorer.score(addedText, file.path);
      if (Number.isFinite(raw)) {
        const score = round(Math.min(1, Math.max(0, raw)));
        confidence = round(Math.min(score, MAX_MODEL_CONFIDENCE));
        method = "ml_model";
        const version = scorer.version.slice(0, 100);
        modelInfo = { version, score };
        // Lines count as AI only past the model's own operating threshold (chosen for ≤ 1% false
        // positives on human code), which is stricter than the heuristics' 0.5.
        const threshold = scorer.threshold ?? AI_LINE_THRESHOLD;
        const evidence = `model ${version} scored ${score} (threshold ${round(threshold)}); confidence capped at ${MAX_MODEL_CONFIDENCE}`;
        fileSignals = [makeSignal("ml-model", null, null, evidence, confidence)];
        lines = split(additions, score >= threshold ? additions : 0, 0);
      }
    }
  }
  if (method === null && confidence !== null) method = "heuristic";

  const override =
    shared.overrides.byPath.get(file.path) ??
    (file.previousPath !== undefined ? shared.overrides.byPath.get(file.previousPath) : undefined) ??
    shared.overrides.commit;
  let overrideInfo: DetectionSignals["override"] = null;
  if (override != null) {
    confidence = override.verdict === "ai" ? 1 : 0;
    method = "manual_override";
    lines = override.verdict === "ai" ? split(additions, additions, 0) : split(additions, 0, additions);
    overrideInfo = {
      actor: override.actor.slice(0, 255),
      reason: override.reason.slice(0, 2000),
      at: isoOrRaw(override.at),
    };
    if (override.riskTier !== null) {
      tier = override.riskTier;
      tierReason = `manual override by ${override.actor}`;
    }
  }

  const kept = fileSignals.slice(0, MAX_FILE_SIGNALS);
  const signals = [...commitLevel.slice(0, MAX_SIGNALS - kept.length), ...kept];
  // A file judged not AI (confidence 0: a "human" override or records covering every line) names no tool.
  const applied = confidence === null || confidence === 0 ? [] : signals.filter((s) => s.weight > 0);
  const { tool, model } =
    method === "ml_model" ? { tool: null, model: null } : strongestToolAndModel(applied);
  return {
    path: file.path,
    aiConfidence: confidence,
    detectionMethod: method,
    riskTier: tier,
    lines,
    linesAdded: additions,
    linesDeleted: Math.max(0, file.deletions),
    tool,
    model,
    detectionSignals: {
      engineVersion: ENGINE_VERSION,
      signals,
      lines,
      tierReason: tierReason.slice(0, 500),
      model: modelInfo,
      override: overrideInfo,
    },
  };
}

const METHOD_RANK: Record<DetectionMethod, number> = { manual_override: 3, heuristic: 2, ml_model: 1 };

/** Attributes one commit: pure, deterministic, no I/O. */
export function attributeCommit(input: CommitInput, context: AttributionContext): CommitAttribution {
  const commitLevel = commitSignals(input, context.pullRequest ?? null);
  const shared: Shared = {
    commitLevel,
    commitConfidence: combineSignals(commitLevel),
    lineShare: commitLineShare(input, context.pullRequest ?? null),
    tiers: compileTierContext(context),
    lineRecords: indexLineRecords(input.sha, context.gitAiNote, context.agentTraces),
    overrides: indexOverrides(context.overrides ?? []),
    context,
  };
  const files = input.files.map((f) => attributeFile(f, shared));

  const lines: LineSplit = { ai: 0, human: 0, unknown: 0 };
  let confidence: number | null = null;
  let method: DetectionMethod | null = null;
  for (const f of files) {
    lines.ai += f.lines.ai;
    lines.human += f.lines.human;
    lines.unknown += f.lines.unknown;
    if (f.aiConfidence === null || f.detectionMethod === null) continue;
    if (
      confidence === null ||
      f.aiConfidence > confidence ||
      (f.aiConfidence === confidence &&
        method !== null &&
        METHOD_RANK[f.detectionMethod] > METHOD_RANK[method])
    ) {
      confidence = f.aiConfidence;
      method = f.detectionMethod;
    }
  }
  if (files.length === 0) {
    // No files (an empty or merge-only commit): the commit's own evidence is all there is.
    const commitOverride = shared.overrides.commit;
    if (commitOverride !== null) {
      confidence = commitOverride.verdict === "ai" ? 1 : 0;
      method = "manual_override";
    } else if (shared.commitConfidence !== null) {
      confidence = shared.commitConfidence;
      method = "heuristic";
    }
  }

  // Tool and model: the strongest evidence among files that ended up with some AI confidence.
  const evidence: Signal[] =
    files.length === 0
      ? shared.overrides.commit?.verdict === "human"
        ? []
        : commitLevel
      : files
          .filter((f) => (f.aiConfidence ?? 0) > 0)
          .flatMap((f) => (f.tool === null ? [] : f.detectionSignals.signals));
  const { tool, model } = strongestToolAndModel(evidence.filter((s) => s.weight > 0));

  return {
    sha: input.sha,
    engineVersion: ENGINE_VERSION,
    tool,
    model,
    aiConfidence: confidence,
    detectionMethod: method,
    signals: commitLevel.slice(0, MAX_SIGNALS),
    lines,
    files,
  };
}
