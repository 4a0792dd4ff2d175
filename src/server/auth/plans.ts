import type { OrgPlan } from "../../core/enums.ts";
import { AppError } from "../../core/errors.ts";

// What each plan allows. `null` means unlimited. Enforced where each limit bites: members at
// invitation and acceptance, repositories where one starts being tracked, history in queries,
// API rate in the rate limiter.
export interface PlanLimits {
  /** Repositories tracked at once. */
  repositories: number | null;
  /** Days of history kept for backfill and answered by queries. */
  historyDays: number | null;
  /** Requests per minute for one API key (or one signed-in user). */
  apiRatePerMinute: number;
  /** Requests per minute for the whole organization, all callers together. */
  orgRatePerMinute: number;
  /** Members, counting pending invitations. */
  members: number | null;
}

export const PLAN_LIMITS: Record<OrgPlan, PlanLimits> = {
  free: { repositories: 3, historyDays: 30, apiRatePerMinute: 60, orgRatePerMinute: 120, members: 5 },
  team: { repositories: 50, historyDays: 365, apiRatePerMinute: 600, orgRatePerMinute: 1200, members: 100 },
  enterprise: {
    repositories: null,
    historyDays: null,
    apiRatePerMinute: 3000,
    orgRatePerMinute: 6000,
    members: null,
  },
};

export type CountedLimit = "repositories" | "members";

/** 402 naming the limit when `current + adding` would exceed it. */
export function assertWithinLimit(plan: OrgPlan, limit: CountedLimit, current: number, adding = 1): void {
  const allowed = PLAN_LIMITS[plan][limit];
  if (allowed !== null && current + adding > allowed) {
    throw new AppError(
      "payment_required",
      `the ${plan} plan allows ${allowed} ${limit}; upgrade to add more`,
      {
        limit,
        allowed,
        current,
        plan,
      },
    );
  }
}

/** The oldest instant a query may reach on this plan, or null for unlimited history. */
export function historyStart(plan: OrgPlan, now = new Date()): Date | null {
  const days = PLAN_LIMITS[plan].historyDays;
  return days === null ? null : new Date(now.getTime() - days * 86_400_000);
}

/**
 * The effective lower bound of a time-filtered query: the caller's `from`, clamped to the plan's
 * history. Asking explicitly for older data is a 402 naming the limit, not a silent truncation.
 */
export function effectiveFrom(plan: OrgPlan, from: Date | undefined, now = new Date()): Date | undefined {
  const start = historyStart(plan, now);
  if (!start) return from;
  if (from && from.getTime() < start.getTime() - 86_400_000) {
    throw new AppError(
      "payment_required",
      `the ${plan} plan keeps ${PLAN_LIMITS[plan].historyDays} days of history; 'from' is older than that`,
      { limit: "historyDays", allowed: PLAN_LIMITS[plan].historyDays, plan },
    );
  }
  return from && from > start ? from : start;
}
