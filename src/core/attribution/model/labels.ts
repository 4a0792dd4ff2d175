import { AI_ERA_START, AI_LABEL_MIN_CONFIDENCE } from "./constants.ts";

// Where training labels come from. The organization already holds them: files the heuristics
// attributed with high confidence are AI, code committed before AI assistants were common is
// human, and a person's override beats both.

export type Label = "ai" | "human";
export type LabelSource = "heuristic" | "beforeAiEra" | "overrideHuman" | "overrideAi";

export interface TrainingExample {
  addedLines: string[];
  path: string;
  label: Label;
  /** Groups examples for the leave-one-repository-out split. */
  repoId: string;
  /** ISO 8601 commit time; orders examples for the time split. */
  committedAt: string;
  source: LabelSource;
}

export interface LabelEvidence {
  committedAt: string;
  /** The heuristic engine's confidence for the file, or null when it found nothing. */
  heuristicConfidence: number | null;
  /** A person's verdict for the file (or its whole commit), if any. */
  override: Label | null;
  /** Commits before this ISO instant are human (default AI_ERA_START). */
  humanBefore?: string;
  /** Written by a bot (dependabot, renovate, CI): neither human nor AI, whatever its date. */
  automation?: boolean;
}

// Bots' commits are machine-written without an AI model: they would teach "human" the style of
// a version bump. The corpus README uses the same test.
const AUTOMATION = /dependabot|renovate|github-actions|\[bot\]|actions@github\.com/i;

export function isAutomationAuthor(name: string, email: string): boolean {
  return AUTOMATION.test(name) || AUTOMATION.test(email);
}

/** The label of one file, or null when the evidence is not strong enough to train on. */
export function labelFile(evidence: LabelEvidence): { label: Label; source: LabelSource } | null {
  if (evidence.override === "human") return { label: "human", source: "overrideHuman" };
  if (evidence.override === "ai") return { label: "ai", source: "overrideAi" };
  if (evidence.heuristicConfidence !== null && evidence.heuristicConfidence >= AI_LABEL_MIN_CONFIDENCE) {
    return { label: "ai", source: "heuristic" };
  }
  if (evidence.automation) return null;
  const time = Date.parse(evidence.committedAt);
  if (Number.isFinite(time) && time < Date.parse(evidence.humanBefore ?? AI_ERA_START))
    return { label: "human", source: "beforeAiEra" };
  return null;
}

// The model reads hand-written source only: generated, vendored, minified and data files say
// nothing about who wrote them and would teach it noise.
const SOURCE_EXTENSIONS = new Set(
  (
    "ts tsx js jsx mjs cjs mts cts py pyi rb go rs java kt kts scala swift c h cc cpp cxx hpp hh cs php " +
    "lua sh bash zsh ex exs erl hs ml fs clj dart r jl pl pm sql vue svelte"
  ).split(" "),
);
const EXCLUDED_PATH =
  /(^|\/)(node_modules|vendor|third_party|dist|build|out|target|\.next|coverage|__generated__|generated|migrations?)\/|\.min\.[a-z]+$|\.d\.ts$|\.(pb|g|gen|generated)\.[a-z]+$|_pb2\.py$/i;

export function isModelEligiblePath(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const ext = name.includes(".") ? name.slice(name.lastIndexOf(".") + 1).toLowerCase() : "";
  return SOURCE_EXTENSIONS.has(ext) && !EXCLUDED_PATH.test(path);
}
