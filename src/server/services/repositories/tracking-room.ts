import { eq } from "drizzle-orm";
import type { OrgPlan } from "../../../core/enums.ts";
import { assertWithinLimit, PLAN_LIMITS, roomWithin } from "../../auth/plans.ts";
import { organizations } from "../../db/schema/organizations.ts";
import type { ServiceContext } from "../context.ts";
import { countTrackedRepositories } from "../organizations/change-plan.ts";
import { getOrganizationPlan } from "../organizations/get-organization.ts";

export interface TrackingRoom {
  plan: OrgPlan;
  /** The plan's repository limit; null when unlimited. */
  allowed: number | null;
  tracked: number;
  /** How many more may start being tracked now (Infinity when unlimited). */
  room: number;
}

/**
 * The one check of the plan's repository limit, wherever a repository starts being tracked: an
 * admin turning tracking on, and every way GitHub adds one (an installation's list, repositories
 * added to it, a push from one we had not met; services/github/repositories.ts). Locks the
 * organization's row first, so two deliveries at once cannot both take the last place; call it in
 * the transaction that then starts the tracking.
 */
export async function trackingRoom(ctx: ServiceContext): Promise<TrackingRoom> {
  await ctx.db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.id, ctx.orgId))
    .for("update");
  const plan = await getOrganizationPlan(ctx);
  const tracked = await countTrackedRepositories(ctx);
  return {
    plan,
    allowed: PLAN_LIMITS[plan].repositories,
    tracked,
    room: roomWithin(plan, "repositories", tracked),
  };
}

/** trackingRoom for one repository an admin asked for: 402 naming the limit when there is none. */
export async function assertRoomToTrack(ctx: ServiceContext): Promise<void> {
  const { plan, tracked } = await trackingRoom(ctx);
  assertWithinLimit(plan, "repositories", tracked);
}
