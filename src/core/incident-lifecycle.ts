import type { IncidentStatus } from "./enums.ts";
import { badRequest } from "./errors.ts";

// The incident status machine. Forward moves only (an incident may be resolved without passing
// through identified: a page can be resolved before anyone acknowledges it); a resolved
// incident may be reopened, which puts it back to investigating and is recorded.

const ALLOWED: Record<IncidentStatus, readonly IncidentStatus[]> = {
  investigating: ["identified", "resolved"],
  identified: ["resolved"],
  resolved: ["investigating"],
};

export type StatusChange = "status_changed" | "reopened";

/** Whether `from → to` is allowed; the same status is not a transition. */
export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** Checks a transition, throwing bad_request that names it; returns how the event records it. */
export function assertTransition(from: IncidentStatus, to: IncidentStatus): StatusChange {
  if (!canTransition(from, to)) {
    const allowed = ALLOWED[from].join(" or ");
    throw badRequest(
      `cannot move an incident from ${from} to ${to} (from ${from} it can move to ${allowed})`,
      {
        field: "status",
        from,
        to,
      },
    );
  }
  return from === "resolved" ? "reopened" : "status_changed";
}
