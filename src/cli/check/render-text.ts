import { TIER_LABEL } from "../../core/policies/evaluate.ts";
import type { CheckDocument } from "./run-check.ts";

// The check on a terminal or in a CI log: the decision first, then what it rests on.

const OUTCOME = { pass: "met", fail: "NOT MET", requires_review: "REQUIRES REVIEW" } as const;

function percent(share: number | null): string {
  return share === null ? "–" : `${Math.round(share * 1000) / 10}%`;
}

export function renderCheckText(doc: CheckDocument): string {
  const { summary } = doc;
  const out: string[] = [];
  out.push(`Sentinel check ${doc.range.base}..${doc.range.head}: ${doc.conclusion.toUpperCase()}`);
  out.push(`  ${doc.title}`);
  out.push(
    `  ${summary.commits} commits, ${summary.filesChanged} files, ${summary.linesAdded} lines added: ` +
      `AI ${summary.aiLines} (${percent(summary.aiShare)}), people ${summary.humanLines}, unknown ${summary.unknownLines}; coverage ${percent(summary.coverage)}`,
  );
  if (summary.byTool.length > 0)
    out.push(`  by tool: ${summary.byTool.map((t) => `${t.tool ?? "unnamed"} ${t.aiLines}`).join(", ")}`);
  const tiers = summary.byTier.filter((t) => t.linesAdded > 0);
  if (tiers.length > 0)
    out.push(
      `  by tier: ${tiers.map((t) => `${TIER_LABEL[t.tier]} ${t.aiLines}/${t.linesAdded} AI`).join(", ")}`,
    );
  out.push("");
  if (doc.policies.length === 0) out.push("No policies set: informative only.");
  else {
    out.push("Policies:");
    for (const p of doc.policies)
      out.push(`  [${OUTCOME[p.outcome]}] ${p.id}${p.effect ? ` (${p.effect})` : ""}: ${p.message}`);
  }
  if (doc.annotations.length > 0) {
    out.push("", "Files to review:");
    for (const a of doc.annotations) {
      out.push(`  ${a.level.padEnd(7)} ${a.path}: ${a.title}`);
      for (const line of a.message.split("\n")) out.push(`          ${line}`);
    }
  }
  for (const w of doc.warnings) out.push(`warning: ${w}`);
  return `${out.join("\n")}\n`;
}
