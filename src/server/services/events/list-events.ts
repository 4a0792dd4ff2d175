import { and, desc, eq, gte, lt } from "drizzle-orm";
import type { EventType } from "../../../core/enums.ts";
import { effectiveFrom } from "../../auth/plans.ts";
import { codeEvents } from "../../db/schema/telemetry.ts";
import type { ServiceContext } from "../context.ts";
import { getOrganizationPlan } from "../organizations/get-organization.ts";
import { decodeCursor, encodeCursor, exactTime, olderThan, pageOf, timeIdCursor } from "../pagination.ts";
import { getRepository } from "../repositories/repository-views.ts";

export interface EventFilters {
  type?: EventType | undefined;
  repositoryId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface EventView {
  id: string;
  repositoryId: string;
  type: EventType;
  commitSha: string | null;
  timestamp: Date;
  actor: string | null;
  metadata: Record<string, unknown>;
}

/** Newest first; the plan's history window bounds how far back it reaches. */
export async function listEvents(
  ctx: ServiceContext,
  filters: EventFilters,
): Promise<{ items: EventView[]; nextCursor: string | null }> {
  if (filters.repositoryId) await getRepository(ctx, filters.repositoryId);
  const from = effectiveFrom(await getOrganizationPlan(ctx), filters.from);
  const after = decodeCursor(filters.cursor, timeIdCursor);
  const rows = await ctx.db
    .select({
      id: codeEvents.id,
      repositoryId: codeEvents.repoId,
      type: codeEvents.eventType,
      commitSha: codeEvents.commitSha,
      timestamp: codeEvents.timestamp,
      actor: codeEvents.actor,
      metadata: codeEvents.metadata,
      position: exactTime(codeEvents.timestamp),
    })
    .from(codeEvents)
    .where(
      and(
        eq(codeEvents.orgId, ctx.orgId),
        filters.repositoryId ? eq(codeEvents.repoId, filters.repositoryId) : undefined,
        filters.type ? eq(codeEvents.eventType, filters.type) : undefined,
        from ? gte(codeEvents.timestamp, from) : undefined,
        filters.to ? lt(codeEvents.timestamp, filters.to) : undefined,
        after ? olderThan(codeEvents.timestamp, codeEvents.id, after) : undefined,
      ),
    )
    .orderBy(desc(codeEvents.timestamp), desc(codeEvents.id))
    .limit(filters.limit + 1);
  const page = pageOf(rows, filters.limit, (last) => encodeCursor({ t: last.position, id: last.id }));
  return {
    items: page.items.map(({ position: _, metadata, ...event }) => ({
      ...event,
      metadata: metadata as unknown as Record<string, unknown>,
    })),
    nextCursor: page.nextCursor,
  };
}
