import type { AnalysisDocument } from "./json-document.ts";

// The human summary `sentinel analyze` prints by default: plain text, fixed-width columns, no
// colour, so it reads the same in a terminal, a CI log or a pasted issue.

const int = (n: number) => n.toLocaleString("en-US");
const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);
const short = (sha: string | null) => (sha ? sha.slice(0, 7) : "—");
const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s);
const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const bar = (x: number | null, width = 20) => "█".repeat(Math.round((x ?? 0) * width));
const TIER_LABEL: Record<string, string> = {
  T1_boilerplate: "T1 boilerplate",
  T2_glue: "T2 glue",
  T3_core: "T3 core",
  T4_novel: "T4 novel",
};

export function renderText(doc: AnalysisDocument): string {
  const out: string[] = [];
  const { summary: s, repository: r, range } = doc;
  const where = r.detached ? `detached HEAD ${short(r.head)}` : `${r.branch ?? "HEAD"} @ ${short(r.head)}`;
  out.push(`Sentinel · ${r.path} (${where})`);
  const span =
    s.firstCommitAt && s.lastCommitAt
      ? ` · ${s.firstCommitAt.slice(0, 10)} → ${s.lastCommitAt.slice(0, 10)}`
      : "";
  const merges =
    s.mergeCommits > 0 ? ` (${int(s.mergeCommits)} ${s.mergeCommits === 1 ? "merge" : "merges"})` : "";
  out.push(`${int(s.commits)} commits${merges}${span}`);
  if (range.incrementalFrom)
    out.push(`Only commits after ${short(range.incrementalFrom)}, the last analysis (--full reads all).`);
  for (const w of doc.warnings) out.push(`warning: ${w}`);
  out.push("");

  if (s.commits === 0) {
    out.push(
      range.incrementalFrom ? "Up to date: no new commits since the last analysis." : "No commits in range.",
    );
    return `${out.join("\n")}\n`;
  }

  out.push(
    `AI share of added lines   ${lpad(pct(s.aiShare), 6)}   ${int(s.aiLines)} of ${int(s.linesAdded)} lines`,
  );
  out.push(
    `Coverage (any evidence)   ${lpad(pct(s.coverage), 6)}   ${int(s.aiLines)} AI · ${int(s.humanLines)} human · ${int(s.unknownLines)} unknown`,
  );
  out.push(`Commits with AI lines     ${lpad(int(s.aiCommits), 6)}   of ${int(s.commits)}`);

  if (doc.byTool.length > 0) {
    out.push("", "By tool                    AI lines  of AI");
    for (const t of doc.byTool) {
      out.push(
        `  ${pad(clip(t.tool ?? "(unnamed)", 22), 22)} ${lpad(int(t.aiLines), 10)} ${lpad(pct(t.share), 6)}  ${bar(t.share)}`,
      );
    }
  }
  if (doc.byModel.some((m) => m.model !== null)) {
    out.push("", "By model                                      AI lines  of AI");
    for (const m of doc.byModel) {
      const tool = clip(m.tool ?? "(unnamed)", 16);
      const model = clip(m.model ?? "model not named", 26);
      out.push(`  ${pad(tool, 16)} ${pad(model, 26)} ${lpad(int(m.aiLines), 9)} ${lpad(pct(m.share), 6)}`);
    }
  }

  out.push("", "By risk tier                  added  AI lines  AI share");
  for (const t of doc.byTier) {
    out.push(
      `  ${pad(TIER_LABEL[t.tier] ?? t.tier, 22)} ${lpad(int(t.linesAdded), 10)} ${lpad(int(t.aiLines), 9)} ${lpad(pct(t.aiShare), 9)}`,
    );
  }

  out.push("", "By month       commits      added  AI lines  AI share  coverage");
  for (const m of doc.byMonth) {
    out.push(
      `  ${pad(m.month, 10)} ${lpad(int(m.commits), 9)} ${lpad(int(m.linesAdded), 10)} ${lpad(int(m.aiLines), 9)} ${lpad(pct(m.aiShare), 9)} ${lpad(pct(m.coverage), 9)}`,
    );
  }

  if (doc.topFiles.length > 0) {
    out.push("", "Files with the most AI lines     AI lines  of added");
    for (const f of doc.topFiles) {
      out.push(
        `  ${pad(clip(f.path, 30), 30)} ${lpad(int(f.aiLines), 9)} ${lpad(pct(f.linesAdded ? f.aiLines / f.linesAdded : null), 9)}`,
      );
    }
  }

  if (doc.strongestCommits.length > 0) {
    out.push("", "Strongest evidence");
    for (const c of doc.strongestCommits) {
      const who = [c.tool, c.model].filter(Boolean).join(" · ") || "AI";
      out.push(
        `  ${short(c.sha)}  ${c.aiConfidence.toFixed(2)}  ${pad(clip(who, 28), 28)} ${clip(c.subject, 50)}`,
      );
      if (c.evidence)
        out.push(`           ${c.detector ?? "signal"}: ${clip(c.evidence.replace(/\s+/g, " "), 80)}`);
    }
  }

  if (doc.stored) {
    out.push(
      "",
      `Stored ${int(doc.stored.commitsStored)} commits in organization "${doc.stored.organization}", repository ${doc.stored.repository}; \`npx sentinel serve\` shows them.`,
    );
  }
  return `${out.join("\n")}\n`;
}
