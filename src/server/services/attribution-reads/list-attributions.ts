import { and, desc, eq, gte, like, lt, lte, or, type SQL } from "drizzle-orm";
import type { DetectionMethod, RiskTier } from "../../../core/enums.ts";
import { effectiveFrom } from "../../auth/plans.ts";
import { codeAttribution } from "../../db/schema/telemetry.ts";
import type { ServiceContext } from "../context.ts";
import { getOrganizationPlan } from "../organizations/get-organization.ts";
import { decodeCursor, encodeCursor, exactTime, olderThan, pageOf, timeIdCursor } from "../pagination.ts";
import { getRepository } from "../repositories/repository-views.ts";
import { type AttributionView, attributionColumns } from "./attribution-view.ts";

/** Which attribution rows a read counts: the filters of GET /attributions and its kin. */
export interface AttributionMatch {
  repositoryId?: string | undefined;
  commitSha?: string | undefined;
  minConfidence?: number | undefined;
  maxConfidence?: number | undefined;
  tier?: RiskTier | undefined;
  method?: DetectionMethod | undefined;
  /** A file path, or a directory: matches the path itself and everything under it. */
  path?: string | undefined;
  tool?: string | undefined;
  /** Committed at or after. */
  from?: Date | undefined;
  /** Committed strictly before. */
  before?: Date | undefined;
}

export interface AttributionFilters extends Omit<AttributionMatch, "from" | "before"> {
  limit: number;
  cursor?: string | undefined;
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** `/\/+$/` without the regular expression, which is quadratic on a path of slashes. */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  return path.slice(0, end);
}

/** The WHERE condition on code_attribution for one organization's rows matching `m`. */
export function matchAttributions(orgId: string, m: AttributionMatch): SQL | undefined {
  const path = m.path === undefined ? undefined : withoutTrailingSlashes(m.path);
  return and(
    eq(codeAttribution.orgId, orgId),
    m.repositoryId ? eq(codeAttribution.repoId, m.repositoryId) : undefined,
    m.commitSha ? eq(codeAttribution.commitSha, m.commitSha) : undefined,
    m.minConfidence !== undefined ? gte(codeAttribution.aiConfidence, m.minConfidence) : undefined,
    m.maxConfidence !== undefined ? lte(codeAttribution.aiConfidence, m.maxConfidence) : undefined,
    m.tier ? eq(codeAttribution.riskTier, m.tier) : undefined,
    m.method ? eq(codeAttribution.detectionMethod, m.method) : undefined,
    path
      ? or(eq(codeAttribution.filePath, path), like(codeAttribution.filePath, `${escapeLike(path)}/%`))
      : undefined,
    m.tool ? eq(codeAttribution.tool, m.tool) : undefined,
    m.from ? gte(codeAttribution.committedAt, m.from) : undefined,
    m.before ? lt(codeAttribution.committedAt, m.before) : undefined,
  );
}

/** Per-file attributions, newest commit first, within the plan's history window. */
export async function listAttributions(
  ctx: ServiceContext,
  filters: AttributionFilters,
): Promise<{ items: AttributionView[]; nextCursor: string | null }> {
  if (filters.repositoryId) await getRepository(ctx, filters.repositoryId);
  const from = effectiveFrom(await getOrganizationPlan(ctx), undefined);
  const after = decodeCursor(filters.cursor, timeIdCursor);
  const rows = await ctx.db
    .select({ ...attributionColumns, position: exactTime(codeAttribution.committedAt) })
    .from(codeAttribution)
    .where(
      and(
        matchAttributions(ctx.orgId, { ...filters, from }),
        after ? olderThan(codeAttribution.committedAt, codeAttribution.id, after) : undefined,
      ),
    )
    .orderBy(desc(codeAttribution.committedAt), desc(codeAttribution.id))
    .limit(filters.limit + 1);
  const page = pageOf(rows, filters.limit, (last) => encodeCursor({ t: last.position, id: last.id }));
  return { items: page.items.map(({ position: _, ...item }) => item), nextCursor: page.nextCursor };
}
