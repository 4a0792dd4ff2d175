import { sql } from "drizzle-orm";
import { badRequest } from "../../../core/errors.ts";
import { nextPeriod, parseDate, periodStart, utcDate } from "../../../core/metrics/periods.ts";
import { changeFailureRate, ratio } from "../../../core/metrics/stats.ts";
import type { ServiceContext } from "../context.ts";
import { historyDays } from "../organizations/history.ts";
import { isProductionDeploy } from "./production-deploy.ts";
import { queryDate } from "./time-series.ts";

export interface OverviewTotals {
  commits: number;
  linesAdded: number;
  aiLinesAdded: number;
  unknownLinesAdded: number;
  t3t4Lines: number;
  t3t4AiLines: number;
  prsMerged: number;
  deploys: number;
  failedDeploys: number;
  incidentsOpened: number;
  aiShare: number | null;
  coverage: number | null;
  changeFailureRate: number | null;
}

interface Window {
  from: string;
  to: string;
}

function validate(input: Window): void {
  const from = queryDate("from", input.from);
  const to = queryDate("to", input.to);
  if (to < from) throw badRequest("to: must not be before from", { field: "to" });
}

/**
 * The organization's totals over whole UTC days (both included), read from repo_metrics only:
 * month rows for the months the window covers entirely, day rows for the days around them (every
 * column summed here is additive, so both give the same sums; month rows are 30× fewer). The
 * window starts no earlier than the plan's history (historyDays).
 */
export async function overview(ctx: ServiceContext, asked: Window): Promise<OverviewTotals> {
  validate(asked);
  const input = await historyDays(ctx, asked);
  const { monthsFrom, monthsTo, end } = wholeMonths(input);
  const result = await ctx.db.execute(sql`
    SELECT coalesce(sum(commits), 0)::float8 AS commits,
           coalesce(sum(lines_added), 0)::float8 AS lines_added,
           coalesce(sum(ai_lines_added), 0)::float8 AS ai_lines_added,
           coalesce(sum(unknown_lines_added), 0)::float8 AS unknown_lines_added,
           coalesce(sum(t3_lines + t4_lines), 0)::float8 AS t3t4_lines,
           coalesce(sum(t3_ai_lines + t4_ai_lines), 0)::float8 AS t3t4_ai_lines,
           coalesce(sum(prs_merged), 0)::float8 AS prs_merged,
           coalesce(sum(deploys), 0)::float8 AS deploys,
           coalesce(sum(failed_deploys), 0)::float8 AS failed_deploys,
           coalesce(sum(incidents_opened), 0)::float8 AS incidents_opened
    FROM repo_metrics
    WHERE org_id = ${ctx.orgId} AND (
      (period = 'month' AND date >= ${monthsFrom}::date AND date < ${monthsTo}::date)
      OR (period = 'day' AND date >= ${input.from}::date AND date < ${monthsFrom}::date)
      OR (period = 'day' AND date >= ${monthsTo}::date AND date < ${end}::date))`);
  return totals(result.rows[0] ?? {});
}

/** The whole months inside [from, to] as [monthsFrom, monthsTo), and the day after `to`; an empty month range sits at `end`. */
function wholeMonths(input: Window): { monthsFrom: string; monthsTo: string; end: string } {
  const end = utcDate(queryDate("to", input.to).getTime() + 86_400_000);
  const from = queryDate("from", input.from);
  const monthsFrom =
    periodStart("month", from) === input.from ? input.from : nextPeriod("month", periodStart("month", from));
  const monthsTo = periodStart("month", parseDate(end));
  return monthsTo > monthsFrom ? { monthsFrom, monthsTo, end } : { monthsFrom: end, monthsTo: end, end };
}

/**
 * The same totals computed from the raw tables (code_events, code_attribution, incidents): the
 * reference the roll-ups are checked and benchmarked against. Slow by design; not for requests.
 */
export async function overviewFromRawRows(ctx: ServiceContext, asked: Window): Promise<OverviewTotals> {
  validate(asked);
  const input = await historyDays(ctx, asked);
  // Explicit UTC instants: the session time zone must not move day boundaries.
  const start = sql`${`${input.from}T00:00:00Z`}::timestamptz`;
  const end = sql`${new Date(queryDate("to", input.to).getTime() + 86_400_000).toISOString()}::timestamptz`;
  const result = await ctx.db.execute(sql`
    WITH events AS (
      SELECT id, repo_id, event_type, commit_sha, metadata FROM code_events
      WHERE org_id = ${ctx.orgId} AND timestamp >= ${start} AND timestamp < ${end}
        AND event_type IN ('commit', 'pr_merged', 'deploy')
    ), deploys AS (
      SELECT id FROM events
      WHERE ${isProductionDeploy}
    ), lines AS (
      SELECT coalesce(sum(lines_added), 0) AS lines_added, coalesce(sum(ai_lines), 0) AS ai_lines,
             coalesce(sum(unknown_lines), 0) AS unknown_lines,
             coalesce(sum(lines_added) FILTER (WHERE risk_tier IN ('T3_core', 'T4_novel')), 0) AS t3t4_lines,
             coalesce(sum(ai_lines) FILTER (WHERE risk_tier IN ('T3_core', 'T4_novel')), 0) AS t3t4_ai_lines
      FROM code_attribution
      WHERE org_id = ${ctx.orgId} AND committed_at >= ${start} AND committed_at < ${end}
    )
    SELECT
      (SELECT count(DISTINCT (repo_id, commit_sha)) FROM events WHERE event_type = 'commit' AND commit_sha IS NOT NULL)::float8 AS commits,
      lines.lines_added::float8 AS lines_added, lines.ai_lines::float8 AS ai_lines_added,
      lines.unknown_lines::float8 AS unknown_lines_added,
      lines.t3t4_lines::float8 AS t3t4_lines, lines.t3t4_ai_lines::float8 AS t3t4_ai_lines,
      (SELECT count(*) FROM events WHERE event_type = 'pr_merged')::float8 AS prs_merged,
      (SELECT count(*) FROM deploys)::float8 AS deploys,
      (SELECT count(*) FROM deploys d WHERE EXISTS (
         SELECT 1 FROM incidents i WHERE i.org_id = ${ctx.orgId} AND i.deploy_event_id = d.id))::float8 AS failed_deploys,
      (SELECT count(*) FROM incidents WHERE org_id = ${ctx.orgId} AND repo_id IS NOT NULL
         AND started_at >= ${start} AND started_at < ${end})::float8 AS incidents_opened
    FROM lines`);
  return totals(result.rows[0] ?? {});
}

function totals(r: Record<string, unknown>): OverviewTotals {
  const n = (key: string) => Number(r[key] ?? 0);
  const linesAdded = n("lines_added");
  return {
    commits: n("commits"),
    linesAdded,
    aiLinesAdded: n("ai_lines_added"),
    unknownLinesAdded: n("unknown_lines_added"),
    t3t4Lines: n("t3t4_lines"),
    t3t4AiLines: n("t3t4_ai_lines"),
    prsMerged: n("prs_merged"),
    deploys: n("deploys"),
    failedDeploys: n("failed_deploys"),
    incidentsOpened: n("incidents_opened"),
    aiShare: ratio(n("ai_lines_added"), linesAdded),
    coverage: linesAdded > 0 ? 1 - n("unknown_lines_added") / linesAdded : null,
    changeFailureRate: changeFailureRate(n("failed_deploys"), n("deploys")),
  };
}
