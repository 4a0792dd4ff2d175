import { AI_LINE_THRESHOLD, combineSignals } from "../../core/attribution/combine.ts";
import { groupAt, indexLineRecords } from "../../core/attribution/line-records.ts";
import { classifyTier, type TierContext } from "../../core/attribution/tiers.ts";
import type { AttributionContext, CommitAttribution } from "../../core/attribution/types.ts";
import type { RiskTier } from "../../core/enums.ts";
import { type ChurnCell, churnWindows, groupFates, survivalAt } from "../../core/survival/figures.ts";
import { type FileVerdict, LINE_CLASSES, type LineClass } from "../../core/survival/ledger.ts";
import { type RevertLink, revertRates } from "../../core/survival/reverts.ts";
import type { RepositoryEvidence } from "../../git/commit-input.ts";
import { countTreeLines } from "../../git/line-history.ts";
import { type LineWalk, walkLineHistory as walkGitHistory, walkTip } from "../../git/line-walk.ts";
import type { LogRange } from "../../git/log-stream.ts";
import type { RepositoryInfo } from "../../git/repository.ts";
import { runGit } from "../../git/run-git.ts";
import { type CommitReport, type FileReport, round } from "./commit-report.ts";

// `sentinel analyze`'s survival, churn and reverts (docs/metrics.md, "Survival, churn and
// reverts"): a second pass over the same walk, oldest first, through the line ledger. Each added
// line takes the verdict the attribution pass gave its commit's file.

export interface ClassLines {
  lines: number;
  ai: number;
  human: number;
  unknown: number;
}

export interface SurvivalReport {
  /** The end revision whose lines are counted (blame view). */
  revision: string;
  /** The git blame this equals, line for line. */
  blame: string;
  atRevision: ClassLines & { olderThanRange: number; aiShare: number | null };
  addedInRange: {
    added: ClassLines;
    present: ClassLines;
    /** present.ai ÷ present.lines: "N% of what this range added and kept was written by AI". */
    aiShare: number | null;
    /** present ÷ added, per verdict. */
    survivalRate: { all: number | null; ai: number | null; human: number | null; unknown: number | null };
  };
}

export interface ChurnRow {
  lines: number;
  churned: number;
  rate: number | null;
}

export interface ChurnReport {
  /** Windows end here: the latest commit time of the range. */
  endAt: string;
  windows: Array<{
    days: number;
    all: ChurnRow;
    ai: ChurnRow;
    human: ChurnRow;
    unknown: ChurnRow;
    byTool: Array<{ tool: string | null } & ChurnRow>;
    byTier: Array<{ tier: RiskTier | null; ai: ChurnRow; human: ChurnRow; unknown: ChurnRow }>;
  }>;
}

export interface RevertRow {
  sha: string;
  committedAt: string;
  subject: string;
  reverted: string;
  revertedSubject: string | null;
  /** False when git's message names a commit outside the analysed range. */
  inRange: boolean;
  method: RevertLink["method"];
  /** The reverted commit is itself a revert (a re-revert restores the original). */
  revertOfRevert: boolean;
}

export interface RevertsReport {
  aiHeavyThreshold: number;
  aiHeavy: { commits: number; reverted: number; rate: number | null };
  other: { commits: number; reverted: number; rate: number | null };
  /** Newest first. */
  list: RevertRow[];
}

export interface LineHistorySection {
  survival: SurvivalReport;
  churn: ChurnReport;
  reverts: RevertsReport;
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : round(part / whole));

/**
 * What the attribution pass decided, by commit and file, for the ledger. A file's lines all take
 * its verdict; only a file split by line-level records (git-ai notes, Agent Trace) gets one class
 * per line, from the same records the engine read.
 */
export class VerdictIndex {
  readonly #reports = new Map<string, CommitReport>();
  readonly #lineLevel = new Map<string, (line: number) => LineClass>();
  readonly #tiers: TierContext;
  #cache: { sha: string; files: Map<string, FileReport> } | null = null;

  constructor(tiers: TierContext) {
    this.#tiers = tiers;
  }

  add(report: CommitReport, context: AttributionContext, attribution: CommitAttribution): void {
    this.#reports.set(report.sha, report);
    let records: ReturnType<typeof indexLineRecords> | null = null;
    for (const f of attribution.files) {
      const split = [f.lines.ai, f.lines.human, f.lines.unknown].filter((n) => n > 0).length;
      if (split < 2) continue;
      records ??= indexLineRecords(report.sha, context.gitAiNote, context.agentTraces);
      const groups = records.get(f.path);
      if (groups === undefined) continue;
      // As the engine decides lines no record covers: by the commit-level evidence.
      const uncovered: LineClass =
        (combineSignals(attribution.signals) ?? 0) >= AI_LINE_THRESHOLD ? "ai" : "unknown";
      this.#lineLevel.set(`${report.sha}\u0000${f.path}`, (line) => {
        const verdict = groups[groupAt(groups, line)]?.verdict;
        if (verdict === undefined) return uncovered;
        return verdict === "ai" || verdict === "mixed" ? "ai" : verdict;
      });
    }
  }

  report(sha: string): CommitReport | undefined {
    return this.#reports.get(sha);
  }

  readonly lookup = (sha: string, path: string): FileVerdict => {
    const report = this.#reports.get(sha);
    const file = report ? this.#file(report, path) : undefined;
    if (report === undefined || file === undefined) {
      // A merge's own lines (the engine gives merges no files), or a commit the engine skipped.
      const tier = classifyTier({ path, binary: false, addedLines: [], hasPatch: false }, this.#tiers).tier;
      const confidence = report?.aiConfidence ?? null;
      const lineClass: LineClass =
        confidence !== null && confidence >= AI_LINE_THRESHOLD
          ? "ai"
          : confidence === 0 && report?.method === "manual_override"
            ? "human"
            : "unknown";
      return { lineClass, tool: report?.tool ?? null, tier };
    }
    const lineLevel = this.#lineLevel.get(`${sha}\u0000${path}`);
    const largest = Math.max(file.aiLines, file.humanLines, file.unknownLines);
    const uniform: LineClass =
      file.aiLines === largest && largest > 0
        ? "ai"
        : file.humanLines === largest && largest > 0
          ? "human"
          : "unknown";
    return { lineClass: lineLevel ?? uniform, tool: file.tool ?? report.tool, tier: file.riskTier };
  };

  #file(report: CommitReport, path: string): FileReport | undefined {
    if (report.files.length <= 16) return report.files.find((f) => f.path === path);
    if (this.#cache?.sha !== report.sha) {
      this.#cache = { sha: report.sha, files: new Map(report.files.map((f) => [f.path, f])) };
    }
    return this.#cache.files.get(path);
  }
}

export type { LineWalk };

/**
 * Commits that may carry line-level evidence: those with a git-ai note or an Agent Trace record.
 * The ledger keeps the line numbers of their added lines so each line gets its own verdict.
 */
export async function lineRecordCommits(
  repo: RepositoryInfo,
  evidence: Pick<RepositoryEvidence, "tracesBySha" | "shortTraces">,
): Promise<(sha: string) => boolean> {
  const noted = new Set<string>();
  if (repo.hasGitAiNotes) {
    const listed = await runGit(repo.root, ["notes", "--ref=refs/notes/ai", "list"]);
    for (const line of listed.stdout.toString("latin1").split("\n")) {
      const commit = line.split(" ")[1];
      if (commit) noted.add(commit);
    }
  }
  const prefixes = evidence.shortTraces.flatMap((r) => (r.revision ? [r.revision.toLowerCase()] : []));
  return (sha) => noted.has(sha) || evidence.tracesBySha.has(sha) || prefixes.some((p) => sha.startsWith(p));
}

/**
 * Walks the range through the ledger (a second `git log`, oldest first). Needs no verdicts, so it
 * runs beside the attribution pass; stops early when `signal` aborts. Null for an empty range.
 */
export async function walkLineHistory(request: {
  repo: RepositoryInfo;
  /** The walk the attribution pass reads. */
  range: LogRange;
  lineNumbersFor: (sha: string) => boolean;
  signal?: AbortSignal;
}): Promise<LineWalk | null> {
  const { repo, range } = request;
  return walkGitHistory({
    root: repo.root,
    range: { revisions: range.revisions, since: range.since, firstParent: range.firstParent },
    shallow: repo.shallowCommits,
    lineNumbersFor: request.lineNumbersFor,
    ...(request.signal ? { signal: request.signal } : {}),
  });
}

export interface LineReportRequest {
  repo: RepositoryInfo;
  firstParent: boolean;
  verdicts: VerdictIndex;
  /** The tip to count at when the walk has several (HEAD for a default run). */
  preferredEnd: string | null;
  aiHeavyThreshold: number;
  warn: (message: string) => void;
}

/** Classifies the walked lines by the attribution verdicts and computes the document's sections. */
export async function lineHistoryReport(
  walk: LineWalk,
  request: LineReportRequest,
): Promise<LineHistorySection | null> {
  const { ledger, reverts } = walk;
  const { repo, verdicts } = request;
  ledger.classify(verdicts.lookup);
  if (ledger.mismatches > 0)
    request.warn(`line survival: ${ledger.mismatches} diff hunks did not match the tracked lines`);
  const end = walkTip(ledger, request.preferredEnd);
  if (end === undefined) return null;

  const figures = survivalAt(ledger, end);
  const presentLines = figures.present.ai + figures.present.human + figures.present.unknown;
  // Files the range never touched are not in the ledger; their lines are all older than it.
  const older = walk.bounded
    ? Math.max(figures.older, (await countTreeLines(repo.root, end)) - presentLines)
    : figures.older;
  const addedLines = figures.added.ai + figures.added.human + figures.added.unknown;
  const survival: SurvivalReport = {
    revision: end,
    blame: request.firstParent ? "git blame -w --first-parent" : "git blame -w",
    atRevision: {
      lines: presentLines + older,
      ...figures.present,
      olderThanRange: older,
      aiShare: ratio(figures.present.ai, presentLines + older),
    },
    addedInRange: {
      added: { lines: addedLines, ...figures.added },
      present: { lines: presentLines, ...figures.present },
      aiShare: ratio(figures.present.ai, presentLines),
      survivalRate: {
        all: ratio(presentLines, addedLines),
        ai: ratio(figures.present.ai, figures.added.ai),
        human: ratio(figures.present.human, figures.added.human),
        unknown: ratio(figures.present.unknown, figures.added.unknown),
      },
    },
  };

  let endTime = Number.NEGATIVE_INFINITY;
  for (const t of ledger.times) if (t > endTime) endTime = t;
  const churn: ChurnReport = {
    endAt: new Date(endTime * 1000).toISOString(),
    windows: churnWindows(groupFates(ledger, end), endTime).map((w) => {
      const all = LINE_CLASSES.reduce(
        (sum, c) => ({ lines: sum.lines + w.byClass[c].lines, churned: sum.churned + w.byClass[c].churned }),
        { lines: 0, churned: 0 },
      );
      return {
        days: w.days,
        all: row(all),
        ai: row(w.byClass.ai),
        human: row(w.byClass.human),
        unknown: row(w.byClass.unknown),
        byTool: [...w.byTool]
          .map(([tool, cell]) => ({ tool, ...row(cell) }))
          .sort((a, b) => b.lines - a.lines || String(a.tool).localeCompare(String(b.tool))),
        byTier: [...w.byTier]
          .sort(([a], [b]) => String(a).localeCompare(String(b)))
          .map(([tier, cells]) => ({
            tier,
            ai: row(cells.ai),
            human: row(cells.human),
            unknown: row(cells.unknown),
          })),
      };
    }),
  };

  const rates = revertRates(
    (function* () {
      for (const sha of ledger.shas) {
        const report = verdicts.report(sha);
        if (report === undefined) continue;
        // On a first-parent walk a merge carries its branch's lines: it is a change like any other.
        const merge = report.merge && !request.firstParent;
        yield { sha, merge, aiShare: report.linesAdded > 0 ? report.aiLines / report.linesAdded : null };
      }
    })(),
    reverts.links,
    request.aiHeavyThreshold,
  );
  const isRevert = new Set(reverts.links.map((l) => l.sha));
  const at = new Map(ledger.shas.map((sha, i) => [sha, ledger.times[i] as number]));
  const list: RevertRow[] = reverts.links
    .map((l) => {
      const report = verdicts.report(l.sha);
      return {
        sha: l.sha,
        committedAt: report?.committedAt ?? new Date((at.get(l.sha) ?? 0) * 1000).toISOString(),
        subject: report?.subject ?? "",
        reverted: l.reverted,
        revertedSubject: verdicts.report(l.reverted)?.subject ?? null,
        inRange: l.inWalk,
        method: l.method,
        revertOfRevert: isRevert.has(l.reverted),
      };
    })
    .reverse();
  const reportsRate = (r: { commits: number; reverted: number }) => ({
    ...r,
    rate: ratio(r.reverted, r.commits),
  });
  return {
    survival,
    churn,
    reverts: {
      aiHeavyThreshold: request.aiHeavyThreshold,
      aiHeavy: reportsRate(rates.aiHeavy),
      other: reportsRate(rates.other),
      list,
    },
  };
}

const row = (cell: ChurnCell): ChurnRow => ({ ...cell, rate: ratio(cell.churned, cell.lines) });
