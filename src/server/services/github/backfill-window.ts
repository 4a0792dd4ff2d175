import { eq } from "drizzle-orm";
import type { OrgPlan } from "../../../core/enums.ts";
import { organizations } from "../../db/schema/index.ts";
import type { ServiceContext } from "../context.ts";

/** How far back a new repository's history is imported, by plan. */
export const BACKFILL_DAYS: Record<OrgPlan, number> = { free: 90, team: 180, enterprise: 365 };

export async function backfillSince(ctx: ServiceContext, now = new Date()): Promise<Date> {
  const [org] = await ctx.db
    .select({ plan: organizations.plan })
    .from(organizations)
    .where(eq(organizations.id, ctx.orgId));
  const days = BACKFILL_DAYS[org?.plan ?? "free"];
  return new Date(now.getTime() - days * 86_400_000);
}
