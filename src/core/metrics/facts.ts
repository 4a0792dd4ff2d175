import type { IncidentSeverity, RiskTier } from "../enums.ts";

// The rows of one repository that roll-ups and DORA are computed from, reduced to what the math
// needs. Instants are epoch milliseconds (UTC). The server loads them; everything here is pure.

/** A `commit` event: a commit that reached a tracked branch. */
export interface CommitFact {
  sha: string;
  at: number;
}

/** A commit's code_attribution rows, summed (lines are added lines unless named otherwise). */
export interface AttributionFact {
  sha: string;
  /** code_attribution.committed_at. */
  at: number;
  files: number;
  linesAdded: number;
  linesDeleted: number;
  aiLines: number;
  humanLines: number;
  unknownLines: number;
  tiers: Record<RiskTier, { lines: number; aiLines: number }>;
  /** AI lines per tool; a null tool counts as `unknown`. */
  aiLinesByTool: Record<string, number>;
}

export interface PullRequestFact {
  kind: "opened" | "merged" | "reviewed";
  number: number;
  at: number;
  /** pr_opened: a reopen, which is not a new PR. */
  reopened: boolean;
  /** pr_merged: when it was opened, for time to merge. */
  openedAt: number | null;
  /** pr_merged: the commit that landed on the base branch; its attribution classifies the PR. */
  mergeCommitSha: string | null;
}

/** A successful production deploy (`deploy` event, metadata.production and state success). */
export interface DeployFact {
  id: string;
  sha: string | null;
  at: number;
}

export interface IncidentFact {
  id: string;
  severity: IncidentSeverity;
  startedAt: number;
  resolvedAt: number | null;
  deployEventId: string | null;
  /** AI share of the suspect change, recorded when the incident was linked. */
  suspectAiShare: number | null;
}

/** A line_survival row with its file's verdict (code_attribution), for churn. */
export interface SurvivalFact {
  sha: string;
  path: string;
  /** line_survival.committed_at. */
  at: number;
  /** The file's plurality verdict; `unknown` when the commit-file has no attribution. */
  lineClass: "ai" | "human" | "unknown";
  tool: string | null;
  tier: RiskTier | null;
  added: number;
  /** Deleted or rewritten within 14 / 30 / 90 days. */
  churned: [number, number, number];
}

export interface RepoFacts {
  commits: CommitFact[];
  attributions: AttributionFact[];
  pullRequests: PullRequestFact[];
  /**
   * Every production deploy the requested buckets need, plus the one just before them (it bounds
   * what the first of them shipped). When the list starts at the repository's first deploy,
   * that deploy ships every earlier commit.
   */
  deploys: DeployFact[];
  incidents: IncidentFact[];
  /** Line survival of the commit-files in range (absent: none stored). */
  survival?: SurvivalFact[];
  /** line_survival_state.history_end: churn windows are complete up to it; null when none stored. */
  historyEnd?: number | null;
  /** Commits of the repository a later commit reverted (commit_reverts, in the history). */
  revertedShas?: readonly string[];
}

export function emptyTiers(): AttributionFact["tiers"] {
  return {
    T1_boilerplate: { lines: 0, aiLines: 0 },
    T2_glue: { lines: 0, aiLines: 0 },
    T3_core: { lines: 0, aiLines: 0 },
    T4_novel: { lines: 0, aiLines: 0 },
  };
}
