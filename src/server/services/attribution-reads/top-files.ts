import { sql } from "drizzle-orm";
import type { RiskTier } from "../../../core/enums.ts";
import { badRequest } from "../../../core/errors.ts";
import type { ServiceContext } from "../context.ts";
import { queryDate } from "../metrics/time-series.ts";
import { historyFrom } from "../organizations/history.ts";
import { getRepository } from "../repositories/repository-views.ts";
import { matchAttributions } from "./list-attributions.ts";

const DAY_MS = 86_400_000;

export interface TopFilesInput {
  tier?: RiskTier | undefined;
  tool?: string | undefined;
  minConfidence?: number | undefined;
  /** A file, or a directory and everything under it. */
  path?: string | undefined;
  /** First UTC day included (YYYY-MM-DD); none: as far back as the plan's history goes. */
  from?: string | undefined;
  /** Last UTC day included (YYYY-MM-DD); none: up to now. */
  to?: string | undefined;
  limit: number;
}

export interface TopFile {
  path: string;
  aiLines: number;
  linesAdded: number;
  /** File changes (one per commit touching the file) counted. */
  changes: number;
  /** The tier of the file's latest counted change. */
  latestRiskTier: RiskTier;
  /** Tools named by the counted changes, sorted. */
  tools: string[];
}

export interface TopFiles {
  /** The UTC days counted (both included); null: unbounded on that side. */
  window: { from: string | null; to: string | null };
  /** Every file change matching the filters, whether or not it has AI-written lines. */
  fileChanges: number;
  /** Files with AI-written lines among them; `items` are the first `limit`. */
  files: number;
  items: TopFile[];
}

const dayOf = (date: Date) => date.toISOString().slice(0, 10);

/**
 * The files of one repository with the most AI-written lines over the changes that match the
 * filters, summed per file in the database: AI lines descending, then path (byte order). Files
 * without AI-written lines are left out. The window starts no earlier than the UTC day on which
 * the plan's history starts.
 */
export async function topAiFiles(
  ctx: ServiceContext,
  repoId: string,
  input: TopFilesInput,
): Promise<TopFiles> {
  const requestedFrom = input.from === undefined ? undefined : queryDate("from", input.from);
  const to = input.to === undefined ? undefined : queryDate("to", input.to);
  if (requestedFrom && to && to < requestedFrom)
    throw badRequest("to: must not be before from", { field: "to" });
  await getRepository(ctx, repoId);

  // The plan's history starts at an instant; the window at the start of that UTC day.
  const from = await historyFrom(ctx, requestedFrom, { older: "clamp", unit: "day" });
  const where = matchAttributions(ctx.orgId, {
    repositoryId: repoId,
    tier: input.tier,
    tool: input.tool,
    minConfidence: input.minConfidence,
    path: input.path,
    from,
    before: to ? new Date(to.getTime() + DAY_MS) : undefined,
  });

  // One pass over the matching rows: per-file sums, the totals over all of them, then the top
  // files. The totals row is always there, with null file columns when no file has AI lines.
  const result = await ctx.db.execute(sql`
    WITH per_file AS (
      SELECT file_path,
             sum(ai_lines)::float8 AS ai_lines,
             sum(lines_added)::float8 AS lines_added,
             count(*)::float8 AS changes,
             (array_agg(risk_tier ORDER BY committed_at DESC, id DESC))[1]::text AS latest_risk_tier,
             array_remove(array_agg(DISTINCT tool COLLATE "C" ORDER BY tool COLLATE "C"), NULL) AS tools
      FROM code_attribution
      WHERE ${where}
      GROUP BY file_path
    ),
    totals AS (
      SELECT coalesce(sum(changes), 0)::float8 AS file_changes,
             (count(*) FILTER (WHERE ai_lines > 0))::float8 AS files
      FROM per_file
    ),
    ranked AS (
      SELECT * FROM per_file WHERE ai_lines > 0
      ORDER BY ai_lines DESC, file_path COLLATE "C"
      LIMIT ${input.limit}
    )
    SELECT totals.file_changes, totals.files, ranked.*
    FROM totals LEFT JOIN ranked ON true
    ORDER BY ranked.ai_lines DESC, ranked.file_path COLLATE "C"`);

  const first = result.rows[0];
  const items: TopFile[] = [];
  for (const r of result.rows) {
    if (r.file_path === null || r.file_path === undefined) continue;
    items.push({
      path: String(r.file_path),
      aiLines: Number(r.ai_lines),
      linesAdded: Number(r.lines_added),
      changes: Number(r.changes),
      latestRiskTier: r.latest_risk_tier as RiskTier,
      tools: (r.tools as string[] | null) ?? [],
    });
  }
  return {
    window: { from: from ? dayOf(from) : null, to: to ? dayOf(to) : null },
    fileChanges: Number(first?.file_changes ?? 0),
    files: Number(first?.files ?? 0),
    items,
  };
}
