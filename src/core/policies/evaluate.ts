import { compileCodeowners, ownersFor } from "../attribution/codeowners.ts";
import { compileGlob, type GlobMatcher } from "../attribution/glob.ts";
import type { CommitAttribution } from "../attribution/types.ts";
import { RISK_TIERS, type RiskTier } from "../enums.ts";
import type { Policy, PolicyConclusion, PolicySet } from "./schema.ts";

// The pull request check, pure: the attributed files of a PR's commits (or of any range) and the
// team's policies in; the summary, per-policy results, annotations and conclusion out. The App
// (stored attributions) and `sentinel check` (the engine over a local clone) both call it, so a
// reviewer sees the same decision in either place.

/** One piece of evidence behind a file's verdict: which detector fired, and on what text. */
export interface CheckEvidence {
  detector: string;
  evidence: string;
  weight: number;
  tool: string | null;
  model: string | null;
}

export interface CheckFile {
  path: string;
  riskTier: RiskTier;
  linesAdded: number;
  aiLines: number;
  humanLines: number;
  unknownLines: number;
  /** Null: nothing detected anything (unknown, never "human"). */
  aiConfidence: number | null;
  tool: string | null;
  model: string | null;
  evidence: CheckEvidence[];
}

export interface CheckCommit {
  sha: string;
  subject: string;
  files: CheckFile[];
}

/** Who approved the PR at its head; null when unknown (`sentinel check` has no review data). */
export interface ReviewState {
  /** GitHub logins with their teams as `org/team`, every one lower-cased or not: compared case-insensitively. */
  approvals: Array<{ login: string; teams: string[] }>;
}

export interface CheckRequest {
  /** Newest first or oldest first: order does not change the result. */
  commits: CheckCommit[];
  /** Null: no policies set (the check is then neutral and informative). */
  policies: PolicySet | null;
  /** CODEOWNERS at the head, if any. */
  codeowners: string | null;
  review: ReviewState | null;
}

export type CheckConclusion = "success" | "neutral" | "failure";
export type PolicyOutcome = "pass" | "fail" | "requires_review";
export type AnnotationLevel = "notice" | "warning" | "failure";

export interface PolicyResult {
  id: string;
  kind: Policy["kind"];
  description: string | null;
  outcome: PolicyOutcome;
  /** What the unmet policy does to the check (its setting); null when it passed. */
  effect: PolicyConclusion | null;
  message: string;
  /** Files that make the policy unmet. */
  paths: string[];
}

export interface FileSummary extends Omit<CheckFile, "evidence"> {
  /** Commits of the range that touched it. */
  commits: string[];
  sensitive: boolean;
  /** Up to three strongest pieces of evidence, with the commit each came from. */
  evidence: Array<CheckEvidence & { commitSha: string }>;
}

export interface CheckAnnotation {
  path: string;
  level: AnnotationLevel;
  title: string;
  message: string;
}

export interface CheckSummary {
  commits: number;
  filesChanged: number;
  linesAdded: number;
  aiLines: number;
  humanLines: number;
  unknownLines: number;
  /** aiLines / linesAdded; null when nothing was added. */
  aiShare: number | null;
  /** (aiLines + humanLines) / linesAdded: the share of added lines with any evidence. */
  coverage: number | null;
  byTool: Array<{ tool: string | null; aiLines: number; share: number | null }>;
  byTier: Array<{ tier: RiskTier; linesAdded: number; aiLines: number; aiShare: number | null }>;
}

export interface CheckResult {
  conclusion: CheckConclusion;
  /** One line for the check's title. */
  title: string;
  summary: CheckSummary;
  policies: PolicyResult[];
  /** Files with AI lines in T3/T4 or in a sensitive path, and files an unmet policy names. */
  annotations: CheckAnnotation[];
  /** Every file of the range, most AI lines first. */
  files: FileSummary[];
}

const TIER_RANK = new Map<RiskTier, number>(RISK_TIERS.map((t, i) => [t, i]));
const REVIEW_TIERS = new Set<RiskTier>(["T3_core", "T4_novel"]);
const EVIDENCE_PER_FILE = 3;

const ratio = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
export const TIER_LABEL: Record<RiskTier, string> = {
  T1_boilerplate: "T1 boilerplate",
  T2_glue: "T2 glue",
  T3_core: "T3 core",
  T4_novel: "T4 novel",
};

function compileAll(patterns: readonly string[]): GlobMatcher[] {
  // Validation refuses invalid patterns; one that slipped through matches nothing.
  return patterns.flatMap((p) => {
    const m = compileGlob(p);
    return m === null ? [] : [m];
  });
}

/** One row per path over the range: lines summed, the highest tier and strongest evidence kept. */
function summariseFiles(commits: readonly CheckCommit[], sensitive: readonly GlobMatcher[]): FileSummary[] {
  const byPath = new Map<string, FileSummary>();
  for (const commit of commits) {
    for (const f of commit.files) {
      let row = byPath.get(f.path);
      if (row === undefined) {
        row = {
          ...f,
          linesAdded: 0,
          aiLines: 0,
          humanLines: 0,
          unknownLines: 0,
          commits: [],
          sensitive: sensitive.some((m) => m(f.path)),
          evidence: [],
        };
        byPath.set(f.path, row);
      }
      row.linesAdded += f.linesAdded;
      row.aiLines += f.aiLines;
      row.humanLines += f.humanLines;
      row.unknownLines += f.unknownLines;
      if (!row.commits.includes(commit.sha)) row.commits.push(commit.sha);
      if ((TIER_RANK.get(f.riskTier) ?? 0) > (TIER_RANK.get(row.riskTier) ?? 0)) row.riskTier = f.riskTier;
      if (f.aiConfidence !== null && (row.aiConfidence === null || f.aiConfidence > row.aiConfidence)) {
        row.aiConfidence = f.aiConfidence;
        row.tool = f.tool ?? row.tool;
        row.model = f.model ?? row.model;
      }
      for (const e of f.evidence) {
        if (e.weight <= 0) continue;
        const known = row.evidence.some((x) => x.detector === e.detector && x.evidence === e.evidence);
        if (!known) row.evidence.push({ ...e, commitSha: commit.sha });
      }
      row.evidence.sort((a, b) => b.weight - a.weight);
      row.evidence.length = Math.min(row.evidence.length, EVIDENCE_PER_FILE);
    }
  }
  return [...byPath.values()].sort((a, b) => b.aiLines - a.aiLines || a.path.localeCompare(b.path));
}

function summarise(commits: readonly CheckCommit[], files: readonly FileSummary[]): CheckSummary {
  let linesAdded = 0;
  let aiLines = 0;
  let humanLines = 0;
  let unknownLines = 0;
  const tools = new Map<string | null, number>();
  const tiers = new Map<RiskTier, { linesAdded: number; aiLines: number }>(
    RISK_TIERS.map((t) => [t, { linesAdded: 0, aiLines: 0 }]),
  );
  for (const commit of commits) {
    for (const f of commit.files) {
      linesAdded += f.linesAdded;
      aiLines += f.aiLines;
      humanLines += f.humanLines;
      unknownLines += f.unknownLines;
      if (f.aiLines > 0) tools.set(f.tool, (tools.get(f.tool) ?? 0) + f.aiLines);
      const tier = tiers.get(f.riskTier);
      if (tier) {
        tier.linesAdded += f.linesAdded;
        tier.aiLines += f.aiLines;
      }
    }
  }
  return {
    commits: commits.length,
    filesChanged: files.length,
    linesAdded,
    aiLines,
    humanLines,
    unknownLines,
    aiShare: ratio(aiLines, linesAdded),
    coverage: ratio(aiLines + humanLines, linesAdded),
    byTool: [...tools.entries()]
      .map(([tool, lines]) => ({ tool, aiLines: lines, share: ratio(lines, aiLines) }))
      .sort((a, b) => b.aiLines - a.aiLines || (a.tool ?? "").localeCompare(b.tool ?? "")),
    byTier: RISK_TIERS.map((tier) => {
      const t = tiers.get(tier) ?? { linesAdded: 0, aiLines: 0 };
      return { tier, linesAdded: t.linesAdded, aiLines: t.aiLines, aiShare: ratio(t.aiLines, t.linesAdded) };
    }),
  };
}

const normalise = (owner: string) => owner.replace(/^@/, "").toLowerCase();

/** True when one of the approvals comes from an owner: the user itself, or a member of the owning team. */
function approvedByOwner(owners: readonly string[], review: ReviewState): boolean {
  const wanted = new Set(owners.map(normalise));
  return review.approvals.some(
    (a) => wanted.has(a.login.toLowerCase()) || a.teams.some((t) => wanted.has(t.toLowerCase())),
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function evaluatePolicy(
  policy: Policy,
  index: number,
  files: readonly FileSummary[],
  summary: CheckSummary,
  request: CheckRequest,
): PolicyResult {
  const id = policy.id ?? `${policy.kind}-${index + 1}`;
  const base = { id, kind: policy.kind, description: policy.description ?? null };
  const pass = (message: string): PolicyResult => ({
    ...base,
    outcome: "pass",
    effect: null,
    message,
    paths: [],
  });
  const unmet = (outcome: PolicyOutcome, message: string, paths: string[]): PolicyResult => ({
    ...base,
    outcome,
    effect: policy.conclusion,
    message,
    paths,
  });

  switch (policy.kind) {
    case "codeowner-review": {
      const tiers = new Set(policy.tiers);
      const tierNames = policy.tiers.map((t) => TIER_LABEL[t]).join(", ");
      const concerned = files.filter((f) => f.aiLines > 0 && tiers.has(f.riskTier));
      if (concerned.length === 0) return pass(`no AI-written lines in ${tierNames}`);
      const rules = compileCodeowners(request.codeowners);
      const lines = concerned.reduce((n, f) => n + f.aiLines, 0);
      const what = `${plural(lines, "AI-written line")} in ${tierNames} (${plural(concerned.length, "file")})`;
      const { review } = request;
      if (review === null) {
        return unmet(
          "requires_review",
          `${what} need an approving review from a CODEOWNER; review state is unknown here`,
          concerned.map((f) => f.path),
        );
      }
      const missing = concerned.filter((f) => {
        const owned = ownersFor(f.path, rules);
        return owned === null || !approvedByOwner(owned.owners, review);
      });
      if (missing.length === 0) return pass(`${what}: approved by a CODEOWNER`);
      return unmet(
        "fail",
        `${what} need an approving review from a CODEOWNER; missing for ${plural(missing.length, "file")}`,
        missing.map((f) => f.path),
      );
    }
    case "ai-lines-in-paths": {
      const matchers = compileAll(policy.paths);
      const matched = files.filter((f) => f.aiLines > 0 && matchers.some((m) => m(f.path)));
      const lines = matched.reduce((n, f) => n + f.aiLines, 0);
      const where = policy.paths.join(", ");
      if (lines <= policy.maxAiLines)
        return pass(`${plural(lines, "AI-written line")} in ${where} (at most ${policy.maxAiLines})`);
      return unmet(
        "fail",
        `${plural(lines, "AI-written line")} in ${where}: more than ${policy.maxAiLines}`,
        matched.map((f) => f.path),
      );
    }
    case "evidence-required": {
      const anyEvidence = files.some((f) => f.aiConfidence !== null);
      if (anyEvidence || summary.linesAdded <= policy.minLines)
        return pass(
          anyEvidence
            ? "evidence found"
            : `${plural(summary.linesAdded, "added line")}, at most ${policy.minLines} without evidence`,
        );
      return unmet(
        "fail",
        `no evidence at all on ${plural(summary.linesAdded, "added line")} (more than ${policy.minLines}): Sentinel cannot tell who wrote them`,
        [],
      );
    }
  }
}

function conclusionOf(set: PolicySet | null, results: readonly PolicyResult[]): CheckConclusion {
  if (set === null || set.policies.length === 0) return "neutral";
  if (results.some((r) => r.effect === "failure")) return "failure";
  if (results.some((r) => r.effect === "neutral")) return "neutral";
  return "success";
}

function percent(share: number | null): string {
  return share === null ? "–" : `${Math.round(share * 100)}%`;
}

function titleOf(summary: CheckSummary, results: readonly PolicyResult[], set: PolicySet | null): string {
  const share =
    summary.linesAdded === 0
      ? "no added lines"
      : `AI wrote ${summary.aiLines} of ${summary.linesAdded} added lines (${percent(summary.aiShare)})`;
  if (set === null || set.policies.length === 0) return `${share} · no policies set`;
  const unmet = results.filter((r) => r.outcome !== "pass").length;
  return `${share} · ${unmet === 0 ? "all policies met" : `${unmet} ${unmet === 1 ? "policy" : "policies"} not met`}`;
}

function annotate(files: readonly FileSummary[], results: readonly PolicyResult[]): CheckAnnotation[] {
  const named = new Map<string, PolicyResult[]>();
  for (const r of results)
    for (const p of r.paths) {
      const list = named.get(p) ?? [];
      list.push(r);
      named.set(p, list);
    }
  const out: CheckAnnotation[] = [];
  for (const f of files) {
    const policies = named.get(f.path) ?? [];
    const flagged = f.aiLines > 0 && (REVIEW_TIERS.has(f.riskTier) || f.sensitive);
    if (!flagged && policies.length === 0) continue;
    const level: AnnotationLevel = policies.some((p) => p.effect === "failure")
      ? "failure"
      : f.riskTier === "T4_novel" || f.sensitive || policies.length > 0
        ? "warning"
        : "notice";
    const where = `${TIER_LABEL[f.riskTier]}${f.sensitive ? ", sensitive path" : ""}`;
    const tool = f.tool === null ? "" : ` by ${f.tool}${f.model ? ` (${f.model})` : ""}`;
    const lines = [
      `${f.aiLines} of ${f.linesAdded} added lines written by AI${tool}, confidence ${f.aiConfidence ?? "–"}.`,
      ...f.evidence.map((e) => `Evidence (${e.detector}, ${e.commitSha.slice(0, 7)}): ${e.evidence}`),
      ...policies.map((p) => `Policy ${p.id}: ${p.message}`),
    ];
    out.push({
      path: f.path,
      level,
      title: `${plural(f.aiLines, "AI-written line")} in ${where}`,
      message: lines.join("\n").slice(0, 4000),
    });
  }
  const rank: Record<AnnotationLevel, number> = { failure: 0, warning: 1, notice: 2 };
  return out.sort((a, b) => rank[a.level] - rank[b.level] || a.path.localeCompare(b.path));
}

/** Evaluates a PR's (or a range's) attributed commits against the team's policies. */
export function evaluateCheck(request: CheckRequest): CheckResult {
  const sensitive = compileAll(request.policies?.sensitivePaths ?? []);
  const files = summariseFiles(request.commits, sensitive);
  const summary = summarise(request.commits, files);
  const results = (request.policies?.policies ?? []).map((p, i) =>
    evaluatePolicy(p, i, files, summary, request),
  );
  return {
    conclusion: conclusionOf(request.policies, results),
    title: titleOf(summary, results, request.policies),
    summary,
    policies: results,
    annotations: annotate(files, results),
    files,
  };
}

/** The engine's verdict on one commit, as the check reads it. */
export function checkCommitFromAttribution(attribution: CommitAttribution, subject: string): CheckCommit {
  return {
    sha: attribution.sha,
    subject,
    files: attribution.files.map((f) => ({
      path: f.path,
      riskTier: f.riskTier,
      linesAdded: f.linesAdded,
      aiLines: f.lines.ai,
      humanLines: f.lines.human,
      unknownLines: f.lines.unknown,
      aiConfidence: f.aiConfidence,
      tool: f.tool,
      model: f.model,
      evidence: f.detectionSignals.signals.map(({ detector, evidence, weight, tool, model }) => ({
        detector,
        evidence,
        weight,
        tool,
        model,
      })),
    })),
  };
}
