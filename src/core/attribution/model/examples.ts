import { parseAddedLines } from "../diff.ts";
import type { CommitAttribution, CommitInput } from "../types.ts";
import { MAX_LINES_PER_FILE } from "./constants.ts";
import {
  isAutomationAuthor,
  isModelEligiblePath,
  type Label,
  labelFile,
  type TrainingExample,
} from "./labels.ts";

/** What is known about a commit beyond what the engine saw: stored verdicts and overrides. */
export interface StoredLabels {
  /** A person's verdict on a file, or on its whole commit (path null). */
  override(sha: string, path: string | null): Label | null;
  /** The stored heuristic confidence of a file (e.g. from PR context the local history lacks). */
  heuristicConfidence(sha: string, path: string): number | null;
}

export const NO_STORED_LABELS: StoredLabels = { override: () => null, heuristicConfidence: () => null };

/**
 * Training examples of one commit: its eligible files with added lines and a label. `attribution`
 * is the heuristic engine's verdict on the same commit, run without a model and without overrides
 * (so its confidence is the heuristics' own).
 */
export function examplesFromCommit(
  input: CommitInput,
  attribution: CommitAttribution,
  repoId: string,
  stored: StoredLabels = NO_STORED_LABELS,
  options: { humanBefore?: string } = {},
): TrainingExample[] {
  const automation = isAutomationAuthor(input.author.name, input.author.email);
  const byPath = new Map(attribution.files.map((f) => [f.path, f]));
  const examples: TrainingExample[] = [];
  for (const file of input.files) {
    if (file.binary || file.status === "removed" || !file.patch || !isModelEligiblePath(file.path)) continue;
    const addedLines = parseAddedLines(file.patch).text.slice(0, MAX_LINES_PER_FILE);
    if (addedLines.every((line) => line.trim() === "")) continue;
    const verdict = byPath.get(file.path);
    const engineConfidence = verdict?.detectionMethod === "heuristic" ? verdict.aiConfidence : null;
    const storedConfidence = stored.heuristicConfidence(input.sha, file.path);
    const known = [engineConfidence, storedConfidence].filter((c): c is number => c !== null);
    const labelled = labelFile({
      committedAt: input.committedAt,
      heuristicConfidence: known.length > 0 ? Math.max(...known) : null,
      override: stored.override(input.sha, file.path) ?? stored.override(input.sha, null),
      automation,
      ...(options.humanBefore ? { humanBefore: options.humanBefore } : {}),
    });
    if (!labelled) continue;
    examples.push({
      addedLines,
      path: file.path,
      label: labelled.label,
      source: labelled.source,
      repoId,
      committedAt: input.committedAt,
    });
  }
  return examples;
}
