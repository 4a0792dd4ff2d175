import { sql } from "drizzle-orm";
import type { RiskTier } from "../../../core/enums.ts";
import { badRequest } from "../../../core/errors.ts";
import { ratio } from "../../../core/metrics/stats.ts";
import { CHURN_WINDOWS_DAYS } from "../../../core/survival/figures.ts";
import type { ServiceContext } from "../context.ts";
import { assertRepoInOrg } from "../metrics/roll-up.ts";
import { queryDate } from "../metrics/time-series.ts";
import { historyDays } from "../organizations/history.ts";
import { ATTRIBUTION_JOIN, LINE_CLASS } from "./line-class.ts";

// Survival, churn and reverts as the API and the dashboard read them (docs/metrics.md): churn and
// revert rates summed from repo_metrics' day rows, what the code base holds today from
// line_survival at each repository's tip, and a commit's files from line_survival.

export interface ChurnRate {
  lines: number;
  churned: number;
  rate: number | null;
}

export interface ChurnWindowView {
  days: number;
  all: ChurnRate;
  ai: ChurnRate;
  human: ChurnRate;
  unknown: ChurnRate;
  /** AI lines by tool. */
  byTool: Array<{ tool: string } & ChurnRate>;
  /** By risk tier (null: a file without attribution), split by verdict. */
  byTier: Array<{ tier: RiskTier | null; ai: ChurnRate; human: ChurnRate; unknown: ChurnRate }>;
}

export interface CodeBaseToday {
  /** Lines of the tips' text files. */
  lines: number;
  ai: number;
  human: number;
  unknown: number;
  /** Lines older than the stored history (blame's boundary lines). */
  olderThanHistory: number;
  /** ai ÷ lines. */
  aiShare: number | null;
  /** Repositories with stored survival, and when the newest walk ran. */
  repositories: number;
  computedAt: Date | null;
}

export interface RevertRates {
  commits: number;
  reverted: number;
  rate: number | null;
}

export interface SurvivalSummary {
  window: { from: string; to: string };
  /** Latest end of the stored histories: windows are complete up to it. */
  historyEnd: Date | null;
  churn: ChurnWindowView[];
  reverts: { aiHeavy: RevertRates; other: RevertRates };
  codeBaseToday: CodeBaseToday;
}

const rate = (lines: number, churned: number): ChurnRate => ({ lines, churned, rate: ratio(churned, lines) });

/** Lines at the tip of each repository with stored survival (one, or all of the organization's). */
export async function codeBaseToday(
  ctx: ServiceContext,
  input: { repoId?: string | undefined },
): Promise<CodeBaseToday> {
  if (input.repoId) await assertRepoInOrg(ctx, input.repoId);
  const repo = input.repoId ? sql`AND s.repo_id = ${input.repoId}` : sql``;
  const byClass = await ctx.db.execute(sql`
    SELECT ${LINE_CLASS} AS line_class, coalesce(sum(s.lines_present), 0)::float8 AS lines
    FROM line_survival s ${ATTRIBUTION_JOIN}
    WHERE s.org_id = ${ctx.orgId} ${repo} AND s.lines_present > 0 GROUP BY 1`);
  const state = await ctx.db.execute(sql`
    SELECT count(*)::int AS repositories, coalesce(sum(older_lines), 0)::float8 AS older, max(computed_at) AS computed_at
    FROM line_survival_state s WHERE s.org_id = ${ctx.orgId} ${repo}`);
  const lines = { ai: 0, human: 0, unknown: 0 };
  for (const r of byClass.rows) lines[r.line_class as keyof typeof lines] = Number(r.lines);
  const s = state.rows[0] ?? {};
  const older = Number(s.older ?? 0);
  const total = lines.ai + lines.human + lines.unknown + older;
  return {
    lines: total,
    ...lines,
    olderThanHistory: older,
    aiShare: ratio(lines.ai, total),
    repositories: Number(s.repositories ?? 0),
    computedAt: s.computed_at ? new Date(String(s.computed_at)) : null,
  };
}

export interface FileSurvival {
  path: string;
  /** Lines the commit added to the file as the line history tracks them. */
  linesAdded: number;
  /** Still present at the repository's tip. */
  linesPresent: number;
  churned14d: number;
  churned30d: number;
  churned90d: number;
  /** The file's plurality verdict (code_attribution). */
  lineClass: "ai" | "human" | "unknown";
  /** The file's AI lines still present: linesPresent when its lines are AI's, else 0. */
  aiLinesPresent: number;
}

/** A commit's files as line_survival has them; empty when no survival is stored for it. */
export async function commitSurvival(
  ctx: ServiceContext,
  input: { repoId: string; sha: string },
): Promise<FileSurvival[]> {
  const found = await ctx.db.execute(sql`
    SELECT s.file_path, s.lines_added, s.lines_present, s.churned_14d, s.churned_30d, s.churned_90d,
           ${LINE_CLASS} AS line_class
    FROM line_survival s ${ATTRIBUTION_JOIN}
    WHERE s.org_id = ${ctx.orgId} AND s.repo_id = ${input.repoId} AND s.commit_sha = ${input.sha}
    ORDER BY s.file_path`);
  return found.rows.map((r) => {
    const lineClass = String(r.line_class) as FileSurvival["lineClass"];
    const present = Number(r.lines_present);
    return {
      path: String(r.file_path),
      linesAdded: Number(r.lines_added),
      linesPresent: present,
      churned14d: Number(r.churned_14d),
      churned30d: Number(r.churned_30d),
      churned90d: Number(r.churned_90d),
      lineClass,
      aiLinesPresent: lineClass === "ai" ? present : 0,
    };
  });
}

/**
 * Churn (lines added by the window's commits, by commit day) and revert rates over whole UTC days,
 * from repo_metrics' day rows; and what the code base holds today.
 */
export async function survivalSummary(
  ctx: ServiceContext,
  asked: { from: string; to: string; repoId?: string | undefined },
): Promise<SurvivalSummary> {
  const fromDate = queryDate("from", asked.from);
  if (queryDate("to", asked.to) < fromDate) throw badRequest("to: must not be before from", { field: "to" });
  const input = await historyDays(ctx, asked);
  if (asked.repoId) await assertRepoInOrg(ctx, asked.repoId);
  const scope = sql`org_id = ${ctx.orgId} ${asked.repoId ? sql`AND repo_id = ${asked.repoId}` : sql``}
    AND period = 'day' AND date >= ${input.from}::date AND date <= ${input.to}::date`;
  const cells = await ctx.db.execute(sql`
    SELECT w.key AS window, k.key AS key, sum((k.value->>0)::int)::float8 AS lines,
           sum((k.value->>1)::int)::float8 AS churned
    FROM repo_metrics, jsonb_each(breakdown->'churn') AS w, jsonb_each(w.value) AS k
    WHERE ${scope} GROUP BY 1, 2`);
  const reverts = await ctx.db.execute(sql`
    SELECT coalesce(sum(commits), 0)::float8 AS commits, coalesce(sum(ai_commits), 0)::float8 AS ai_commits,
           coalesce(sum(reverted_commits), 0)::float8 AS reverted,
           coalesce(sum(ai_heavy_reverted_commits), 0)::float8 AS ai_reverted
    FROM repo_metrics WHERE ${scope}`);
  const end = await ctx.db.execute(sql`
    SELECT max(history_end) AS history_end FROM line_survival_state
    WHERE org_id = ${ctx.orgId} ${asked.repoId ? sql`AND repo_id = ${asked.repoId}` : sql``}`);

  const byWindow = new Map<string, Map<string, [number, number]>>();
  for (const r of cells.rows) {
    const window = byWindow.get(String(r.window)) ?? new Map<string, [number, number]>();
    window.set(String(r.key), [Number(r.lines), Number(r.churned)]);
    byWindow.set(String(r.window), window);
  }
  const churn = CHURN_WINDOWS_DAYS.map((days): ChurnWindowView => {
    const cellsOf = byWindow.get(`${days}d`) ?? new Map<string, [number, number]>();
    const cell = (key: string) => rate(...(cellsOf.get(key) ?? [0, 0]));
    const [ai, human, unknown] = [cell("ai"), cell("human"), cell("unknown")];
    const byTool: ChurnWindowView["byTool"] = [];
    const tiers = new Map<string, ChurnWindowView["byTier"][number]>();
    for (const [key, [lines, churned]] of cellsOf) {
      if (key.startsWith("tool:")) byTool.push({ tool: key.slice(5), ...rate(lines, churned) });
      const tier = /^tier:([^:]+):(ai|human|unknown)$/.exec(key);
      if (!tier?.[1] || !tier[2]) continue;
      const entry = tiers.get(tier[1]) ?? {
        tier: tier[1] === "none" ? null : (tier[1] as RiskTier),
        ai: rate(0, 0),
        human: rate(0, 0),
        unknown: rate(0, 0),
      };
      entry[tier[2] as "ai" | "human" | "unknown"] = rate(lines, churned);
      tiers.set(tier[1], entry);
    }
    return {
      days,
      all: rate(ai.lines + human.lines + unknown.lines, ai.churned + human.churned + unknown.churned),
      ai,
      human,
      unknown,
      byTool: byTool.sort((a, b) => b.lines - a.lines || a.tool.localeCompare(b.tool)),
      byTier: [...tiers.values()].sort((a, b) => String(a.tier).localeCompare(String(b.tier))),
    };
  });
  const r = reverts.rows[0] ?? {};
  const n = (key: string) => Number(r[key] ?? 0);
  const historyEnd = end.rows[0]?.history_end;
  return {
    window: { from: input.from, to: input.to },
    historyEnd: historyEnd ? new Date(String(historyEnd)) : null,
    churn,
    reverts: {
      aiHeavy: {
        commits: n("ai_commits"),
        reverted: n("ai_reverted"),
        rate: ratio(n("ai_reverted"), n("ai_commits")),
      },
      other: {
        commits: n("commits") - n("ai_commits"),
        reverted: n("reverted") - n("ai_reverted"),
        rate: ratio(n("reverted") - n("ai_reverted"), n("commits") - n("ai_commits")),
      },
    },
    codeBaseToday: await codeBaseToday(ctx, { repoId: asked.repoId }),
  };
}
