import type { CommitReport } from "./commit-report.ts";
import type { ChurnReport, RevertsReport, SurvivalReport } from "./line-survival.ts";
import type { Breakdown } from "./summary.ts";

/**
 * The `sentinel analyze --json` document. Bump SCHEMA_VERSION when a field changes meaning or goes
 * away; adding a field keeps the version. docs/cli.md describes every field.
 */
export const SCHEMA_VERSION = 1;

export interface RepositoryFacts {
  path: string;
  head: string | null;
  branch: string | null;
  detached: boolean;
  shallow: boolean;
  bare: boolean;
  gitAiNotes: boolean;
  agentTraceRecords: number;
}

export interface RangeFacts {
  revisions: string[];
  since: string | null;
  firstParent: boolean;
  /** Set when only commits after the last stored analysis were read (`<sha>..HEAD`). */
  incrementalFrom: string | null;
}

export interface StoredFacts {
  organization: string;
  repositoryId: string;
  repository: string;
  commitsStored: number;
  filesStored: number;
  /** line_survival rows written or updated (the whole history of the tip is walked); null when skipped. */
  lineSurvivalRowsWritten?: number | null;
}

export interface AnalysisDocument extends Breakdown {
  schemaVersion: typeof SCHEMA_VERSION;
  generator: { name: "sentinel"; version: string; engineVersion: string | null };
  repository: RepositoryFacts;
  range: RangeFacts;
  /** Null with --no-survival, or when the range holds no commit. */
  survival: SurvivalReport | null;
  churn: ChurnReport | null;
  reverts: RevertsReport | null;
  stored: StoredFacts | null;
  warnings: string[];
  commits: CommitReport[];
}

/**
 * Indented like `JSON.stringify(doc, null, 2)` except that each commit sits on one line, so the
 * output stays readable, greppable and fast to print on long histories.
 */
export function* serializeDocument(doc: AnalysisDocument): Generator<string> {
  const { commits, ...head } = doc;
  const top = JSON.stringify(head, null, 2);
  yield `${top.slice(0, top.length - 2)},\n  "commits": [`;
  let first = true;
  for (const commit of commits) {
    yield `${first ? "" : ","}\n    ${JSON.stringify(commit)}`;
    first = false;
  }
  yield commits.length === 0 ? "]\n}\n" : "\n  ]\n}\n";
}
