import { RISK_TIERS, type RiskTier } from "../../core/enums.ts";
import { type CommitReport, round } from "./commit-report.ts";

// Totals over the analysed commits. Shares are of ADDED lines; `coverage` is the share of added
// lines with any evidence at all (AI or human), because a line without evidence is unknown, not human.

export interface Summary {
  commits: number;
  mergeCommits: number;
  /** Commits with any evidence (aiConfidence not null). */
  commitsWithEvidence: number;
  /** Commits with at least one line attributed to AI. */
  aiCommits: number;
  filesChanged: number;
  linesAdded: number;
  linesDeleted: number;
  aiLines: number;
  humanLines: number;
  unknownLines: number;
  /** aiLines / linesAdded; null when nothing was added. */
  aiShare: number | null;
  /** (aiLines + humanLines) / linesAdded; null when nothing was added. */
  coverage: number | null;
  firstCommitAt: string | null;
  lastCommitAt: string | null;
}

export interface ToolRow {
  tool: string | null;
  aiLines: number;
  commits: number;
  /** Share of all AI lines. */
  share: number | null;
}
export interface ModelRow extends ToolRow {
  model: string | null;
}
export interface TierRow {
  tier: RiskTier;
  linesAdded: number;
  aiLines: number;
  aiShare: number | null;
}
export interface MonthRow {
  /** `YYYY-MM`, UTC. */
  month: string;
  commits: number;
  linesAdded: number;
  aiLines: number;
  humanLines: number;
  unknownLines: number;
  aiShare: number | null;
  coverage: number | null;
}
export interface FileRow {
  path: string;
  aiLines: number;
  linesAdded: number;
  commits: number;
}
export interface EvidenceRow {
  sha: string;
  committedAt: string;
  subject: string;
  aiConfidence: number;
  tool: string | null;
  model: string | null;
  aiLines: number;
  linesAdded: number;
  /** The strongest signal's detector and the exact text that triggered it. */
  detector: string | null;
  evidence: string | null;
}

export interface Breakdown {
  summary: Summary;
  byTool: ToolRow[];
  byModel: ModelRow[];
  byTier: TierRow[];
  byMonth: MonthRow[];
  topFiles: FileRow[];
  strongestCommits: EvidenceRow[];
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : round(part / whole));

interface Counter {
  aiLines: number;
  commits: Set<string>;
}

export class SummaryBuilder {
  readonly #limit: number;
  #commits = 0;
  #merges = 0;
  #withEvidence = 0;
  #aiCommits = 0;
  #files = 0;
  #added = 0;
  #deleted = 0;
  #ai = 0;
  #human = 0;
  #unknown = 0;
  #first: string | null = null;
  #last: string | null = null;
  #firstMs = Number.POSITIVE_INFINITY;
  #lastMs = Number.NEGATIVE_INFINITY;
  #tools = new Map<string, Counter & { tool: string | null }>();
  #models = new Map<string, Counter & { tool: string | null; model: string | null }>();
  #tiers = new Map<RiskTier, { linesAdded: number; aiLines: number }>(
    RISK_TIERS.map((t) => [t, { linesAdded: 0, aiLines: 0 }]),
  );
  #months = new Map<string, Omit<MonthRow, "month" | "aiShare" | "coverage">>();
  #paths = new Map<string, { aiLines: number; linesAdded: number; commits: number }>();
  #evidence: EvidenceRow[] = [];

  /** `limit`: rows kept for top files and strongest commits. */
  constructor(limit = 10) {
    this.#limit = limit;
  }

  add(commit: CommitReport): void {
    this.#commits++;
    if (commit.merge) this.#merges++;
    if (commit.aiConfidence !== null) this.#withEvidence++;
    if (commit.aiLines > 0) this.#aiCommits++;
    this.#files += commit.files.length;
    this.#added += commit.linesAdded;
    this.#deleted += commit.linesDeleted;
    this.#ai += commit.aiLines;
    this.#human += commit.humanLines;
    this.#unknown += commit.unknownLines;

    const ms = Date.parse(commit.committedAt);
    if (ms < this.#firstMs) {
      this.#firstMs = ms;
      this.#first = commit.committedAt;
    }
    if (ms > this.#lastMs) {
      this.#lastMs = ms;
      this.#last = commit.committedAt;
    }

    const month = Number.isNaN(ms) ? "unknown" : new Date(ms).toISOString().slice(0, 7);
    const m = this.#months.get(month) ?? {
      commits: 0,
      linesAdded: 0,
      aiLines: 0,
      humanLines: 0,
      unknownLines: 0,
    };
    m.commits++;
    m.linesAdded += commit.linesAdded;
    m.aiLines += commit.aiLines;
    m.humanLines += commit.humanLines;
    m.unknownLines += commit.unknownLines;
    this.#months.set(month, m);

    for (const file of commit.files) {
      const tier = this.#tiers.get(file.riskTier);
      if (tier) {
        tier.linesAdded += file.linesAdded;
        tier.aiLines += file.aiLines;
      }
      const p = this.#paths.get(file.path) ?? { aiLines: 0, linesAdded: 0, commits: 0 };
      p.aiLines += file.aiLines;
      p.linesAdded += file.linesAdded;
      p.commits++;
      this.#paths.set(file.path, p);
      if (file.aiLines > 0) {
        // A file's own tool wins over the commit's (a git-ai note can name a different agent per file).
        const tool = file.tool ?? commit.tool;
        const model = file.model ?? commit.model;
        count(this.#tools, `${tool}`, { tool }, file.aiLines, commit.sha);
        count(this.#models, `${tool}\u0000${model}`, { tool, model }, file.aiLines, commit.sha);
      }
    }

    if (commit.aiConfidence !== null && commit.aiConfidence > 0) {
      this.#evidence.push({
        sha: commit.sha,
        committedAt: commit.committedAt,
        subject: commit.subject,
        aiConfidence: commit.aiConfidence,
        tool: commit.tool,
        model: commit.model,
        aiLines: commit.aiLines,
        linesAdded: commit.linesAdded,
        detector: commit.evidence?.detector ?? null,
        evidence: commit.evidence?.evidence ?? null,
      });
      // Keep memory flat on long histories: trim to the best rows now and then.
      if (this.#evidence.length > this.#limit * 20) this.#evidence = this.#topEvidence();
    }
  }

  build(): Breakdown {
    const summary: Summary = {
      commits: this.#commits,
      mergeCommits: this.#merges,
      commitsWithEvidence: this.#withEvidence,
      aiCommits: this.#aiCommits,
      filesChanged: this.#files,
      linesAdded: this.#added,
      linesDeleted: this.#deleted,
      aiLines: this.#ai,
      humanLines: this.#human,
      unknownLines: this.#unknown,
      aiShare: ratio(this.#ai, this.#added),
      coverage: ratio(this.#ai + this.#human, this.#added),
      firstCommitAt: this.#first,
      lastCommitAt: this.#last,
    };
    const byAiLines = <T extends { aiLines: number }>(a: T, b: T) => b.aiLines - a.aiLines;
    return {
      summary,
      byTool: [...this.#tools.values()]
        .map((c) => ({
          tool: c.tool,
          aiLines: c.aiLines,
          commits: c.commits.size,
          share: ratio(c.aiLines, this.#ai),
        }))
        .sort((a, b) => byAiLines(a, b) || String(a.tool).localeCompare(String(b.tool))),
      byModel: [...this.#models.values()]
        .map((c) => ({
          tool: c.tool,
          model: c.model,
          aiLines: c.aiLines,
          commits: c.commits.size,
          share: ratio(c.aiLines, this.#ai),
        }))
        .sort((a, b) => byAiLines(a, b) || `${a.tool}${a.model}`.localeCompare(`${b.tool}${b.model}`)),
      byTier: [...this.#tiers].map(([tier, t]) => ({
        tier,
        linesAdded: t.linesAdded,
        aiLines: t.aiLines,
        aiShare: ratio(t.aiLines, t.linesAdded),
      })),
      byMonth: [...this.#months]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([month, m]) => ({
          month,
          ...m,
          aiShare: ratio(m.aiLines, m.linesAdded),
          coverage: ratio(m.aiLines + m.humanLines, m.linesAdded),
        })),
      topFiles: [...this.#paths]
        .filter(([, p]) => p.aiLines > 0)
        .map(([path, p]) => ({ path, ...p }))
        .sort((a, b) => byAiLines(a, b) || a.path.localeCompare(b.path))
        .slice(0, this.#limit),
      strongestCommits: this.#topEvidence(),
    };
  }

  #topEvidence(): EvidenceRow[] {
    return [...this.#evidence]
      .sort(
        (a, b) =>
          b.aiConfidence - a.aiConfidence ||
          b.aiLines - a.aiLines ||
          Date.parse(b.committedAt) - Date.parse(a.committedAt) ||
          a.sha.localeCompare(b.sha),
      )
      .slice(0, this.#limit);
  }
}

function count<K extends object>(
  map: Map<string, Counter & K>,
  key: string,
  fields: K,
  aiLines: number,
  sha: string,
): void {
  let row = map.get(key);
  if (!row) {
    row = { ...fields, aiLines: 0, commits: new Set<string>() };
    map.set(key, row);
  }
  row.aiLines += aiLines;
  row.commits.add(sha);
}
