import type { CheckConclusion, CheckResult, FileSummary, PolicyResult } from "./evaluate.ts";
import { TIER_LABEL } from "./evaluate.ts";

// The check as GitHub-flavoured Markdown: the check run's summary, a PR comment, or a CI job
// summary ($GITHUB_STEP_SUMMARY). Text from commits (paths, trailers, messages) goes into code
// spans, so it can neither break the table nor @-mention anyone.

export interface MarkdownOptions {
  /** Link for a commit (the dashboard's commit page); none: the short sha alone. */
  commitUrl?: ((sha: string) => string) | null;
  /** Rows in the files table. */
  maxFiles?: number;
  /** GitHub refuses a check summary over 65,535 characters. */
  maxLength?: number;
}

const ICON: Record<CheckConclusion, string> = { success: "✅", neutral: "ℹ️", failure: "❌" };
const OUTCOME: Record<PolicyResult["outcome"], string> = {
  pass: "✅ met",
  fail: "❌ not met",
  requires_review: "👀 requires review",
};

/** Inline code that survives any input: no backticks, pipes escaped, one line, bounded. */
export function code(text: string, max = 200): string {
  const flat = text
    .replace(/[\r\n\u2028\u2029]+/g, " ")
    .replace(/`/g, "ʼ")
    .replace(/\|/g, "\\|");
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return `\`${cut === "" ? " " : cut}\``;
}

/** Plain text in Markdown: punctuation that formats is escaped, so `src/**` stays `src/**`. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|#~!@]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, " ");
}

function percent(share: number | null): string {
  return share === null ? "–" : `${Math.round(share * 1000) / 10}%`;
}

function commitRef(sha: string, options: MarkdownOptions): string {
  const short = sha.slice(0, 7);
  return options.commitUrl ? `[${short}](${options.commitUrl(sha)})` : `\`${short}\``;
}

function fileRow(f: FileSummary, options: MarkdownOptions): string {
  const evidence = f.evidence[0];
  const tier = `${TIER_LABEL[f.riskTier]}${f.sensitive ? " · sensitive" : ""}`;
  const tool = f.tool === null ? "–" : code(f.model ? `${f.tool} (${f.model})` : f.tool, 80);
  const commits = f.commits
    .slice(0, 3)
    .map((s) => commitRef(s, options))
    .join(" ");
  return `| ${code(f.path, 120)} | ${tier} | ${f.aiLines} / ${f.linesAdded} | ${tool} | ${evidence ? code(evidence.evidence, 120) : "–"} | ${commits}${f.commits.length > 3 ? " …" : ""} |`;
}

export function renderCheckMarkdown(result: CheckResult, options: MarkdownOptions = {}): string {
  const { summary } = result;
  const out: string[] = [];
  out.push(`## ${ICON[result.conclusion]} Sentinel: ${result.title}`, "");
  out.push(
    `**${percent(summary.aiShare)}** of the ${summary.linesAdded} added lines were written by AI` +
      ` (${summary.aiLines} lines) · coverage **${percent(summary.coverage)}** (lines with any evidence)` +
      ` · ${summary.commits} commit${summary.commits === 1 ? "" : "s"}, ${summary.filesChanged} file${summary.filesChanged === 1 ? "" : "s"}`,
    "",
  );

  if (result.policies.length === 0) {
    out.push("No policies are set: this check informs and does not decide.", "");
  } else {
    out.push("### Policies", "", "| Policy | Result | Effect | Details |", "| --- | --- | --- | --- |");
    for (const p of result.policies) {
      out.push(
        `| ${code(p.id, 64)} | ${OUTCOME[p.outcome]} | ${p.effect ?? "–"} | ${escapeMarkdown(p.message)} |`,
      );
    }
    out.push("");
  }

  if (summary.byTool.length > 0) {
    out.push("### By tool", "", "| Tool | AI lines | Share of AI lines |", "| --- | ---: | ---: |");
    for (const t of summary.byTool)
      out.push(`| ${t.tool === null ? "unnamed" : code(t.tool, 80)} | ${t.aiLines} | ${percent(t.share)} |`);
    out.push("");
  }
  out.push(
    "### By risk tier",
    "",
    "| Tier | Added lines | AI lines | AI share |",
    "| --- | ---: | ---: | ---: |",
  );
  for (const t of summary.byTier)
    out.push(`| ${TIER_LABEL[t.tier]} | ${t.linesAdded} | ${t.aiLines} | ${percent(t.aiShare)} |`);
  out.push("");

  const flagged = new Set(result.annotations.map((a) => a.path));
  const toReview = result.files.filter((f) => flagged.has(f.path));
  if (toReview.length > 0) {
    const max = options.maxFiles ?? 30;
    out.push(
      "### Files to review",
      "",
      "AI-written lines in T3 core / T4 novel code, in sensitive paths, or named by a policy:",
      "",
      "| File | Tier | AI / added lines | Tool | Strongest evidence | Commits |",
      "| --- | --- | ---: | --- | --- | --- |",
    );
    for (const f of toReview.slice(0, max)) out.push(fileRow(f, options));
    if (toReview.length > max) out.push("", `… and ${toReview.length - max} more files.`);
    out.push("");
  }

  const text = out.join("\n");
  const limit = options.maxLength ?? 65_000;
  return text.length <= limit ? text : `${text.slice(0, limit - 40)}\n\n… (summary truncated)\n`;
}
