import type { DetectionMethod, RiskTier } from "../enums.ts";
import type { TierRule } from "../settings.ts";
import type { FileScorer } from "./scorer.ts";
import type { DetectionSignals, LineSplit, Signal } from "./signals.ts";

// The engine's contract, shared by the server pipeline, the seed and the CLI. Pure data in, pure
// data out: no database, no network, no clock (dates come in as values).

export interface Person {
  name: string;
  email: string;
}

export type FileStatus = "added" | "modified" | "removed" | "renamed" | "copied" | "changed" | "unchanged";

export interface FileChange {
  path: string;
  previousPath?: string;
  status: FileStatus;
  additions: number;
  deletions: number;
  /** Unified diff of the file; absent for binaries and patches GitHub or git would not give. */
  patch?: string;
  binary?: boolean;
}

export interface CommitInput {
  sha: string;
  message: string;
  author: Person;
  committer: Person;
  /** GitHub logins, when known (webhooks and the REST API give them; local git does not). */
  authorLogin?: string | null;
  committerLogin?: string | null;
  parents: string[];
  branch?: string | null;
  /** ISO 8601 commit time. */
  committedAt: string;
  files: FileChange[];
}

export interface PullRequestContext {
  number: number;
  title: string;
  body: string | null;
  labels: string[];
  headBranch: string | null;
  authorLogin: string | null;
  mergeMethod?: "merge" | "squash" | "rebase" | "unknown";
  /** The PR's own commits: their trailers carry over to a squash or rebase merge. */
  commits: Array<
    Pick<CommitInput, "sha" | "message" | "author" | "committer" | "authorLogin" | "committerLogin">
  >;
}

/** git-ai authorship note for one commit (refs/notes/ai), already parsed. */
export interface GitAiNote {
  files: Array<{ path: string; ranges: Array<{ promptId: string; start: number; end: number }> }>;
  prompts: Record<string, { tool: string | null; model: string | null; human: string | null }>;
}

/** One Agent Trace record (v0.1) that names this commit. */
export interface AgentTraceRecord {
  id: string;
  tool: string | null;
  /** `vcs.revision`: the commit the record describes; records naming another commit are ignored. */
  revision?: string | null;
  files: Array<{
    path: string;
    conversations: Array<{
      contributor: { type: "human" | "ai" | "mixed" | "unknown"; modelId: string | null };
      ranges: Array<{ startLine: number; endLine: number }>;
    }>;
  }>;
}

export interface ManualOverride {
  /** Null: the whole commit. */
  filePath: string | null;
  verdict: "ai" | "human";
  riskTier: RiskTier | null;
  actor: string;
  reason: string;
  at: string;
}

export interface AttributionContext {
  pullRequest?: PullRequestContext | null;
  gitAiNote?: GitAiNote | null;
  agentTraces?: AgentTraceRecord[];
  /** Organization rules first, then repository rules; the first matching pattern wins. */
  tierRules?: TierRule[];
  /** `.gitattributes` lines (linguist-generated / linguist-vendored). */
  gitattributes?: string | null;
  /** CODEOWNERS content; entries owned by security teams raise paths to T4. */
  codeowners?: string | null;
  overrides?: ManualOverride[];
  /** A trained model to score files without strong signals; absent or null: heuristics only. */
  model?: FileScorer | null;
}

export interface FileAttribution {
  path: string;
  /** 0–1; null when no evidence at all (unknown, never "human"). */
  aiConfidence: number | null;
  detectionMethod: DetectionMethod | null;
  riskTier: RiskTier;
  lines: LineSplit;
  linesAdded: number;
  linesDeleted: number;
  tool: string | null;
  model: string | null;
  detectionSignals: DetectionSignals;
}

export interface CommitAttribution {
  sha: string;
  engineVersion: string;
  /** Strongest tool and model named by the evidence, if any. */
  tool: string | null;
  model: string | null;
  aiConfidence: number | null;
  detectionMethod: DetectionMethod | null;
  /** Commit-level signals (trailers, authors, PR), also copied into each file's signals. */
  signals: Signal[];
  lines: LineSplit;
  files: FileAttribution[];
}
