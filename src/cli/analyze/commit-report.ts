import type { Signal } from "../../core/attribution/signals.ts";
import type { CommitAttribution } from "../../core/attribution/types.ts";
import type { DetectionMethod, RiskTier } from "../../core/enums.ts";
import type { LogCommit } from "../../git/log-parser.ts";

// One commit as `sentinel analyze --json` prints it (docs/cli.md documents every field).

export interface FileReport {
  path: string;
  previousPath: string | null;
  status: string;
  binary: boolean;
  riskTier: RiskTier;
  aiConfidence: number | null;
  method: DetectionMethod | null;
  tool: string | null;
  model: string | null;
  linesAdded: number;
  linesDeleted: number;
  aiLines: number;
  humanLines: number;
  unknownLines: number;
}

export interface SignalReport {
  detector: string;
  tool: string | null;
  model: string | null;
  evidence: string;
  weight: number;
}

export interface CommitReport {
  sha: string;
  parents: string[];
  author: { name: string; email: string };
  committedAt: string;
  subject: string;
  merge: boolean;
  /** Oldest commit of a shallow clone: git cannot show its diff, so its files are left out. */
  shallowBoundary: boolean;
  aiConfidence: number | null;
  method: DetectionMethod | null;
  tool: string | null;
  model: string | null;
  linesAdded: number;
  linesDeleted: number;
  aiLines: number;
  humanLines: number;
  unknownLines: number;
  /** Commit-level signals (trailers, authors); file-level ones (git-ai, Agent Trace) are in `evidence`. */
  signals: SignalReport[];
  /** The strongest signal of the commit or any of its files; null when nothing fired. */
  evidence: SignalReport | null;
  files: FileReport[];
}

/** Confidences rounded for output: enough digits to compare, none that pretend to precision. */
export const round = (value: number | null, digits = 4): number | null =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

export function commitReport(
  commit: LogCommit,
  attribution: CommitAttribution,
  shallowBoundary: boolean,
): CommitReport {
  const { input } = commit;
  const sources = new Map(input.files.map((f) => [f.path, f]));
  const files: FileReport[] = attribution.files.map((f) => {
    const source = sources.get(f.path);
    return {
      path: f.path,
      previousPath: source?.previousPath ?? null,
      status: source?.status ?? "modified",
      binary: source?.binary ?? false,
      riskTier: f.riskTier,
      aiConfidence: round(f.aiConfidence),
      method: f.detectionMethod,
      tool: f.tool,
      model: f.model,
      linesAdded: f.linesAdded,
      linesDeleted: f.linesDeleted,
      aiLines: f.lines.ai,
      humanLines: f.lines.human,
      unknownLines: f.lines.unknown,
    };
  });
  let linesAdded = 0;
  let linesDeleted = 0;
  for (const f of files) {
    linesAdded += f.linesAdded;
    linesDeleted += f.linesDeleted;
  }
  return {
    sha: input.sha,
    parents: input.parents,
    author: { name: input.author.name, email: input.author.email },
    committedAt: input.committedAt,
    subject: input.message.split("\n", 1)[0] ?? "",
    merge: input.parents.length > 1,
    shallowBoundary,
    aiConfidence: round(attribution.aiConfidence),
    method: attribution.detectionMethod,
    tool: attribution.tool,
    model: attribution.model,
    linesAdded,
    linesDeleted,
    aiLines: attribution.lines.ai,
    humanLines: attribution.lines.human,
    unknownLines: attribution.lines.unknown,
    signals: attribution.signals.map(signalReport),
    evidence: strongestSignal(attribution),
    files,
  };
}

const signalReport = (s: Signal): SignalReport => ({
  detector: s.detector,
  tool: s.tool,
  model: s.model,
  evidence: s.evidence,
  weight: s.weight,
});

function strongestSignal(attribution: CommitAttribution): SignalReport | null {
  let best: Signal | null = null;
  const all = [attribution.signals, ...attribution.files.map((f) => f.detectionSignals.signals)];
  for (const list of all) for (const s of list) if (best === null || s.weight > best.weight) best = s;
  return best === null ? null : signalReport(best);
}
