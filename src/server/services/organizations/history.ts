import { utcDate } from "../../../core/metrics/periods.ts";
import { effectiveFrom, type HistoryOptions, historyLimitError } from "../../auth/plans.ts";
import type { ServiceContext } from "../context.ts";
import { getOrganizationPlan } from "./get-organization.ts";

// How far back a read of this organization may reach: effectiveFrom (auth/plans.ts) on its plan.
// Lists of events and attributions refuse an older `from` (402); windows of whole days clamp it.

/** The lower bound of a time-filtered read: `from` clamped to the plan's history (see effectiveFrom). */
export async function historyFrom(
  ctx: ServiceContext,
  from: Date | undefined,
  options: Omit<HistoryOptions, "now"> = {},
): Promise<Date | undefined> {
  return effectiveFrom(await getOrganizationPlan(ctx), from, options);
}

/**
 * A window of whole UTC days (`YYYY-MM-DD`, both included) as this organization's plan answers it:
 * `from` moved up to the first day of the history (the day it starts in is counted whole), `to`
 * as asked; a window that ends before the history starts is a 402 naming the limit. `floor` is
 * that first day, or null when the plan keeps everything: what a read must not reach before, even
 * for context outside the window (the deploy before it, the commits a deploy shipped).
 */
export async function historyDays(
  ctx: ServiceContext,
  window: { from: string; to: string },
): Promise<{ from: string; to: string; floor: string | null }> {
  const plan = await getOrganizationPlan(ctx);
  const floor = effectiveFrom(plan, undefined, { unit: "day" });
  const from = effectiveFrom(plan, new Date(`${window.from}T00:00:00Z`), { older: "clamp", unit: "day" });
  const start = from ? utcDate(from) : window.from;
  if (window.to < start) throw historyLimitError(plan, `the window ends before ${start}`);
  return { from: start, to: window.to, floor: floor ? utcDate(floor) : null };
}
