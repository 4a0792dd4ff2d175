import { sql } from "drizzle-orm";
import { badRequest } from "../../../core/errors.ts";
import { ratio } from "../../../core/metrics/stats.ts";
import type { ServiceContext } from "../context.ts";
import { historyDays } from "../organizations/history.ts";
import { queryDate } from "./time-series.ts";

export interface RepositoryRank {
  repositoryId: string;
  fullName: string;
  linesAdded: number;
  aiLinesAdded: number;
  aiShare: number | null;
  t3t4Lines: number;
  t3t4AiLines: number;
  t3t4AiShare: number | null;
}

/**
 * Repositories ranked by the AI share of their core and novel (T3/T4) added lines between two
 * dates (both included; from no earlier than the plan's history), from the day rows of
 * repo_metrics. Repositories without T3/T4 lines come last.
 */
export async function repositoryRanking(
  ctx: ServiceContext,
  asked: { from: string; to: string },
): Promise<{ items: RepositoryRank[] }> {
  const from = queryDate("from", asked.from);
  const to = queryDate("to", asked.to);
  if (to < from) throw badRequest("to: must not be before from", { field: "to" });
  const input = await historyDays(ctx, asked);
  const result = await ctx.db.execute(sql`
    SELECT r.id AS repo_id, r.full_name,
           coalesce(sum(m.lines_added), 0)::float8 AS lines_added,
           coalesce(sum(m.ai_lines_added), 0)::float8 AS ai_lines_added,
           coalesce(sum(m.t3_lines + m.t4_lines), 0)::float8 AS t3t4,
           coalesce(sum(m.t3_ai_lines + m.t4_ai_lines), 0)::float8 AS t3t4_ai
    FROM repositories r
    LEFT JOIN repo_metrics m ON m.repo_id = r.id AND m.org_id = ${ctx.orgId} AND m.period = 'day'
         AND m.date >= ${input.from}::date AND m.date <= ${input.to}::date
    WHERE r.org_id = ${ctx.orgId}
    GROUP BY r.id, r.full_name`);
  const items = result.rows.map((r) => {
    const linesAdded = Number(r.lines_added);
    const aiLinesAdded = Number(r.ai_lines_added);
    const t3t4Lines = Number(r.t3t4);
    const t3t4AiLines = Number(r.t3t4_ai);
    return {
      repositoryId: String(r.repo_id),
      fullName: String(r.full_name),
      linesAdded,
      aiLinesAdded,
      aiShare: ratio(aiLinesAdded, linesAdded),
      t3t4Lines,
      t3t4AiLines,
      t3t4AiShare: ratio(t3t4AiLines, t3t4Lines),
    };
  });
  items.sort(
    (a, b) =>
      (b.t3t4AiShare ?? -1) - (a.t3t4AiShare ?? -1) ||
      b.t3t4Lines - a.t3t4Lines ||
      a.fullName.localeCompare(b.fullName),
  );
  return { items };
}
