import type { OrgPlan } from "../../core/enums.ts";
import { AppError } from "../../core/errors.ts";

// What each plan allows. `null` means unlimited. Enforced where each limit bites: members at
// invitation and acceptance, repositories where one starts being tracked (whatever starts it),
// history in every read, API rate in the rate limiter. A plan is set by the operator or a billing
// integration (services/organizations/billing.ts), never by the customer.
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

/** How many more fit under the limit now (none when already over it; Infinity when unlimited). */
export function roomWithin(plan: OrgPlan, limit: CountedLimit, current: number): number {
  const allowed = PLAN_LIMITS[plan][limit];
  return allowed === null ? Number.POSITIVE_INFINITY : Math.max(0, allowed - current);
}

const DAY_MS = 86_400_000;

/** The oldest instant a query may reach on this plan, or null for unlimited history. */
export function historyStart(plan: OrgPlan, now = new Date()): Date | null {
  const days = PLAN_LIMITS[plan].historyDays;
  return days === null ? null : new Date(now.getTime() - days * DAY_MS);
}

/** 402 naming the history limit. */
export function historyLimitError(plan: OrgPlan, message: string): AppError {
  return new AppError(
    "payment_required",
    `the ${plan} plan keeps ${PLAN_LIMITS[plan].historyDays} days of history; ${message}`,
    { limit: "historyDays", allowed: PLAN_LIMITS[plan].historyDays, plan },
  );
}

export interface HistoryOptions {
  now?: Date;
  /**
   * A `from` older than the history: "refuse" (the default, for event and attribution lists) is a
   * 402 naming the limit, beyond a day of slack; "clamp" (windows of whole days: metrics, DORA,
   * top files, which the dashboard asks for 90 days whatever the plan) moves it up to the history.
   */
  older?: "refuse" | "clamp";
  /** "day": the history starts at midnight UTC of its first day, for reads counted in whole UTC days. */
  unit?: "instant" | "day";
}

/**
 * The one history bound of every read: the caller's `from`, clamped to the plan's history. Every
 * time-filtered query goes through it (the services' way in is historyFrom and historyDays in
 * services/organizations/history.ts).
 */
export function effectiveFrom(
  plan: OrgPlan,
  from: Date | undefined,
  options: HistoryOptions = {},
): Date | undefined {
  let start = historyStart(plan, options.now);
  if (!start) return from;
  if (options.unit === "day") start = new Date(Math.floor(start.getTime() / DAY_MS) * DAY_MS);
  if (options.older !== "clamp" && from && from.getTime() < start.getTime() - DAY_MS) {
    throw historyLimitError(plan, "'from' is older than that");
  }
  return from && from > start ? from : start;
}
