import type { AnalysisDocument } from "./json-document.ts";
import type { ChurnReport, ChurnRow } from "./line-survival.ts";

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

  renderSurvival(doc, out);

  if (doc.stored) {
    out.push(
      "",
      `Stored ${int(doc.stored.commitsStored)} commits in organization "${doc.stored.organization}", repository ${doc.stored.repository}; \`npx sentinel serve\` shows them.`,
    );
  }
  return `${out.join("\n")}\n`;
}

const REVERT_ROWS = 10;

/** "Survival and churn": the blame view of the end revision, churn windows, reverts. */
function renderSurvival(doc: AnalysisDocument, out: string[]): void {
  const { survival, churn, reverts } = doc;
  if (!survival || !churn || !reverts) return;
  const at = survival.atRevision;
  const share = (n: number) => lpad(pct(at.lines ? n / at.lines : null), 7);
  out.push("", `Survival and churn (${survival.blame} at ${short(survival.revision)})`);
  out.push("In the code at the end               lines    share");
  out.push(`  AI                          ${lpad(int(at.ai), 12)} ${share(at.ai)}`);
  out.push(`  human                       ${lpad(int(at.human), 12)} ${share(at.human)}`);
  out.push(`  unknown                     ${lpad(int(at.unknown), 12)} ${share(at.unknown)}`);
  if (at.olderThanRange > 0)
    out.push(`  older than the range        ${lpad(int(at.olderThanRange), 12)} ${share(at.olderThanRange)}`);
  const added = survival.addedInRange;
  out.push(
    `Added in range, still there  ${lpad(int(added.present.lines), 12)} of ${int(added.added.lines)} (${pct(added.survivalRate.all)}) · AI share ${pct(added.aiShare)}`,
  );
  out.push(
    `  kept: AI ${pct(added.survivalRate.ai)} · human ${pct(added.survivalRate.human)} · unknown ${pct(added.survivalRate.unknown)}`,
  );

  const windows = churn.windows;
  const cell = (text: string) => lpad(text, 16);
  out.push("", `Churn: deleted or rewritten within${windows.map((w) => cell(`${w.days} days`)).join("")}`);
  const line = (label: string, pick: (w: ChurnReport["windows"][number]) => string) =>
    out.push(`  ${pad(clip(label, 32), 32)}${windows.map((w) => cell(pick(w))).join("")}`);
  const rate = (r: ChurnRow | undefined) => (r && r.lines > 0 ? `${pct(r.rate)} of ${int(r.lines)}` : "—");
  line("AI", (w) => rate(w.ai));
  line("human", (w) => rate(w.human));
  line("unknown", (w) => rate(w.unknown));
  line("all", (w) => rate(w.all));
  const tools = windows[0]?.byTool ?? [];
  if (tools.length > 0) {
    out.push("  AI lines by tool");
    for (const t of tools.slice(0, 5)) {
      line(`  ${t.tool ?? "(unnamed)"}`, (w) => rate(w.byTool.find((x) => x.tool === t.tool)));
    }
  }
  out.push("  By risk tier: AI / other");
  for (const tier of windows[0]?.byTier ?? []) {
    line(`  ${TIER_LABEL[tier.tier ?? ""] ?? "no tier"}`, (w) => {
      const t = w.byTier.find((x) => x.tier === tier.tier);
      if (!t) return "—";
      const other = t.human.lines + t.unknown.lines;
      const otherChurned = t.human.churned + t.unknown.churned;
      return `${t.ai.lines ? pct(t.ai.rate) : "—"} / ${other ? pct(otherChurned / other) : "—"}`;
    });
  }
  out.push(
    `  Windows end at the range's last commit (${churn.endAt.slice(0, 10)}); lines younger than a window are left out of it.`,
  );

  const { aiHeavy, other } = reverts;
  out.push(
    "",
    `Reverts  ${int(reverts.list.length)} · AI-heavy commits ${int(aiHeavy.reverted)} of ${int(aiHeavy.commits)} reverted (${pct(aiHeavy.rate)}) · others ${int(other.reverted)} of ${int(other.commits)} (${pct(other.rate)})`,
  );
  for (const r of reverts.list.slice(0, REVERT_ROWS)) {
    const target = r.inRange ? short(r.reverted) : `${short(r.reverted)} (outside)`;
    out.push(`  ${short(r.sha)} reverts ${pad(target, 17)} ${pad(r.method, 12)} ${clip(r.subject, 60)}`);
  }
  if (reverts.list.length > REVERT_ROWS)
    out.push(`  … and ${int(reverts.list.length - REVERT_ROWS)} more (--json lists all)`);
}
