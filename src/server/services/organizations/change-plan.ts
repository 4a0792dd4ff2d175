import { and, count, eq, gt, isNull } from "drizzle-orm";
import type { OrgPlan } from "../../../core/enums.ts";
import { assertWithinLimit } from "../../auth/plans.ts";
import { repositories } from "../../db/schema/github.ts";
import { invitations, organizationMembers, organizations } from "../../db/schema/organizations.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";
import { getOrganization, type OrganizationView } from "./get-organization.ts";

/** Members plus invitations still open: both take a seat. */
export async function countSeats(ctx: ServiceContext): Promise<number> {
  const [members] = await ctx.db
    .select({ n: count() })
    .from(organizationMembers)
    .where(eq(organizationMembers.orgId, ctx.orgId));
  const [pending] = await ctx.db
    .select({ n: count() })
    .from(invitations)
    .where(
      and(
        eq(invitations.orgId, ctx.orgId),
        isNull(invitations.acceptedAt),
        gt(invitations.expiresAt, new Date()),
      ),
    );
  return (members?.n ?? 0) + (pending?.n ?? 0);
}

export async function countTrackedRepositories(ctx: ServiceContext): Promise<number> {
  const [row] = await ctx.db
    .select({ n: count() })
    .from(repositories)
    .where(and(eq(repositories.orgId, ctx.orgId), eq(repositories.tracked, true)));
  return row?.n ?? 0;
}

/**
 * Puts the organization on `plan`, for a PlanSource only (billing.ts: the operator, a billing
 * integration): no route calls it, a customer never picks their own plan. A downgrade the
 * organization does not fit in is refused with 402. Locks the organization's row, so the counts
 * hold until the change commits; run it in a transaction.
 */
export async function changePlan(ctx: ServiceContext, plan: OrgPlan): Promise<OrganizationView> {
  await ctx.db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.id, ctx.orgId))
    .for("update");
  const current = await getOrganization(ctx);
  if (current.plan === plan) return current;
  assertWithinLimit(plan, "members", await countSeats(ctx), 0);
  assertWithinLimit(plan, "repositories", await countTrackedRepositories(ctx), 0);
  await ctx.db.update(organizations).set({ plan }).where(eq(organizations.id, ctx.orgId));
  await recordAudit(ctx, "organization.plan_changed", `organization:${ctx.orgId}`, {
    from: current.plan,
    to: plan,
  });
  return getOrganization(ctx);
}
