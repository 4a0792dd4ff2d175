import { sql } from "drizzle-orm";
import type { RiskTier, TimePeriod } from "../../../core/enums.ts";
import { badRequest } from "../../../core/errors.ts";
import { enumeratePeriods, nextPeriod, parseDate, periodStart } from "../../../core/metrics/periods.ts";
import { ratio } from "../../../core/metrics/stats.ts";
import type { ServiceContext } from "../context.ts";
import { historyDays } from "../organizations/history.ts";
import { assertRepoInOrg } from "./roll-up.ts";

export interface SeriesPoint {
  date: string;
  commits: number;
  aiCommits: number;
  linesAdded: number;
  aiLinesAdded: number;
  humanLinesAdded: number;
  unknownLinesAdded: number;
  /** aiLinesAdded ÷ linesAdded; null without added lines. */
  aiShare: number | null;
  /** Share of added lines with any evidence: 1 − unknownLinesAdded ÷ linesAdded. */
  coverage: number | null;
  aiLinesByTool: Record<string, number>;
  tiers: Record<RiskTier, { lines: number; aiLines: number }>;
  prsMerged: number;
  deploys: number;
  incidentsOpened: number;
}

const MAX_POINTS = 1000;

/** Parses a `YYYY-MM-DD` query value, refusing anything else with a clear error. */
export function queryDate(name: string, value: string): Date {
  try {
    return parseDate(value);
  } catch {
    throw badRequest(`${name}: expected a date as YYYY-MM-DD, got ${JSON.stringify(value)}`, { field: name });
  }
}

/**
 * repo_metrics rows of one period kind between two dates (both included; `from` is widened to
 * the start of its bucket), summed per date across repositories unless one is named. Periods with
 * no row appear with zeros, so charts show gaps as gaps. The plan's history bounds the window
 * (historyDays): the first bucket, when it begins before the history, sums only the day rows
 * from the history's first day.
 */
export async function timeSeries(
  ctx: ServiceContext,
  input: { period: TimePeriod; from: string; to: string; repoId?: string | undefined },
): Promise<{ period: TimePeriod; series: SeriesPoint[] }> {
  const requested = queryDate("from", input.from);
  const to = queryDate("to", input.to);
  if (to < requested) throw badRequest("to: must not be before from", { field: "to" });
  const window = await historyDays(ctx, input);
  const from = queryDate("from", window.from);
  const dates = enumeratePeriods(input.period, from, to);
  if (dates.length > MAX_POINTS)
    throw badRequest(`the range spans more than ${MAX_POINTS} ${input.period}s`, { field: "from" });
  if (input.repoId) await assertRepoInOrg(ctx, input.repoId);

  const first = periodStart(input.period, from);
  const clipped = window.floor !== null && first < window.floor;
  const whole = clipped ? nextPeriod(input.period, first) : first;
  const scope = sql`org_id = ${ctx.orgId} ${input.repoId ? sql`AND repo_id = ${input.repoId}` : sql``}
    AND ((period = ${input.period} AND date >= ${whole}::date AND date <= ${input.to}::date)
      ${clipped ? sql`OR (period = 'day' AND date >= ${window.floor}::date AND date < ${whole}::date)` : sql``})`;
  // Day rows are read only for a clipped first bucket (never when the series is of days).
  const bucket = sql`(CASE WHEN period = ${input.period} THEN date ELSE ${first}::date END)::text`;
  const sums = await ctx.db.execute(sql`
    SELECT ${bucket} AS date, sum(commits)::float8 AS commits, sum(ai_commits)::float8 AS ai_commits,
           sum(lines_added)::float8 AS lines_added, sum(ai_lines_added)::float8 AS ai_lines_added,
           sum(human_lines_added)::float8 AS human_lines_added, sum(unknown_lines_added)::float8 AS unknown_lines_added,
           sum(t1_lines)::float8 AS t1, sum(t2_lines)::float8 AS t2, sum(t3_lines)::float8 AS t3, sum(t4_lines)::float8 AS t4,
           sum(t1_ai_lines)::float8 AS t1_ai, sum(t2_ai_lines)::float8 AS t2_ai,
           sum(t3_ai_lines)::float8 AS t3_ai, sum(t4_ai_lines)::float8 AS t4_ai,
           sum(prs_merged)::float8 AS prs_merged, sum(deploys)::float8 AS deploys,
           sum(incidents_opened)::float8 AS incidents_opened
    FROM repo_metrics WHERE ${scope} GROUP BY 1`);
  const tools = await ctx.db.execute(sql`
    SELECT ${bucket} AS date, t.key AS tool, sum(t.value::int)::float8 AS ai_lines
    FROM repo_metrics, jsonb_each_text(breakdown->'aiLinesByTool') AS t
    WHERE ${scope} GROUP BY 1, 2 ORDER BY 2`);

  const byDate = new Map(sums.rows.map((r) => [String(r.date), r]));
  const toolsByDate = new Map<string, Record<string, number>>();
  for (const r of tools.rows) {
    const entry = toolsByDate.get(String(r.date)) ?? {};
    entry[String(r.tool)] = Number(r.ai_lines);
    toolsByDate.set(String(r.date), entry);
  }
  const series = dates.map((date) => {
    const r = byDate.get(date) ?? {};
    const n = (key: string) => Number(r[key] ?? 0);
    const linesAdded = n("lines_added");
    const unknown = n("unknown_lines_added");
    return {
      date,
      commits: n("commits"),
      aiCommits: n("ai_commits"),
      linesAdded,
      aiLinesAdded: n("ai_lines_added"),
      humanLinesAdded: n("human_lines_added"),
      unknownLinesAdded: unknown,
      aiShare: ratio(n("ai_lines_added"), linesAdded),
      coverage: linesAdded > 0 ? 1 - unknown / linesAdded : null,
      aiLinesByTool: toolsByDate.get(date) ?? {},
      tiers: {
        T1_boilerplate: { lines: n("t1"), aiLines: n("t1_ai") },
        T2_glue: { lines: n("t2"), aiLines: n("t2_ai") },
        T3_core: { lines: n("t3"), aiLines: n("t3_ai") },
        T4_novel: { lines: n("t4"), aiLines: n("t4_ai") },
      },
      prsMerged: n("prs_merged"),
      deploys: n("deploys"),
      incidentsOpened: n("incidents_opened"),
    };
  });
  return { period: input.period, series };
}
