import { and, desc, eq, gte, like, lte, or } from "drizzle-orm";
import type { DetectionMethod, RiskTier } from "../../../core/enums.ts";
import { effectiveFrom } from "../../auth/plans.ts";
import { codeAttribution } from "../../db/schema/telemetry.ts";
import type { ServiceContext } from "../context.ts";
import { getOrganizationPlan } from "../organizations/get-organization.ts";
import { decodeCursor, encodeCursor, exactTime, olderThan, pageOf, timeIdCursor } from "../pagination.ts";
import { getRepository } from "../repositories/repository-views.ts";
import { type AttributionView, attributionColumns } from "./attribution-view.ts";

export interface AttributionFilters {
  repositoryId?: string | undefined;
  commitSha?: string | undefined;
  minConfidence?: number | undefined;
  maxConfidence?: number | undefined;
  tier?: RiskTier | undefined;
  method?: DetectionMethod | undefined;
  /** A file path, or a directory: matches the path itself and everything under it. */
  path?: string | undefined;
  tool?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** Per-file attributions, newest commit first, within the plan's history window. */
export async function listAttributions(
  ctx: ServiceContext,
  filters: AttributionFilters,
): Promise<{ items: AttributionView[]; nextCursor: string | null }> {
  if (filters.repositoryId) await getRepository(ctx, filters.repositoryId);
  const from = effectiveFrom(await getOrganizationPlan(ctx), undefined);
  const after = decodeCursor(filters.cursor, timeIdCursor);
  const path = filters.path?.replace(/\/+$/, "");
  const rows = await ctx.db
    .select({ ...attributionColumns, position: exactTime(codeAttribution.committedAt) })
    .from(codeAttribution)
    .where(
      and(
        eq(codeAttribution.orgId, ctx.orgId),
        filters.repositoryId ? eq(codeAttribution.repoId, filters.repositoryId) : undefined,
        filters.commitSha ? eq(codeAttribution.commitSha, filters.commitSha) : undefined,
        filters.minConfidence !== undefined
          ? gte(codeAttribution.aiConfidence, filters.minConfidence)
          : undefined,
        filters.maxConfidence !== undefined
          ? lte(codeAttribution.aiConfidence, filters.maxConfidence)
          : undefined,
        filters.tier ? eq(codeAttribution.riskTier, filters.tier) : undefined,
        filters.method ? eq(codeAttribution.detectionMethod, filters.method) : undefined,
        path
          ? or(eq(codeAttribution.filePath, path), like(codeAttribution.filePath, `${escapeLike(path)}/%`))
          : undefined,
        filters.tool ? eq(codeAttribution.tool, filters.tool) : undefined,
        from ? gte(codeAttribution.committedAt, from) : undefined,
        after ? olderThan(codeAttribution.committedAt, codeAttribution.id, after) : undefined,
      ),
    )
    .orderBy(desc(codeAttribution.committedAt), desc(codeAttribution.id))
    .limit(filters.limit + 1);
  const page = pageOf(rows, filters.limit, (last) => encodeCursor({ t: last.position, id: last.id }));
  return { items: page.items.map(({ position: _, ...item }) => item), nextCursor: page.nextCursor };
}
