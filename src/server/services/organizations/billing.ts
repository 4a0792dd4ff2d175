import type { OrgPlan } from "../../../core/enums.ts";
import type { Database } from "../../db/client.ts";
import type { Actor } from "../context.ts";
import { changePlan } from "./change-plan.ts";
import type { OrganizationView } from "./get-organization.ts";

/**
 * Where an organization's plan comes from. Never from the customer: no route changes a plan. The
 * operator sets it from the command line (`sentinel orgs set-plan`); a billing integration, when
 * there is one, is another PlanSource that applies what was paid for (its webhook handler calls
 * setPlan with its own actor). Every source goes through changePlan: a downgrade the organization
 * does not fit in is a 402, and each change is in the organization's audit log under the source's actor.
 */
export interface PlanSource {
  /** Recorded as the actor of each change in the audit log. */
  readonly actor: Actor;
  /** Puts the organization on `plan`, in a transaction of its own. */
  setPlan(orgId: string, plan: OrgPlan): Promise<OrganizationView>;
}

/** The operator, at the command line, on the database it opened (the connection's role, as `orgs create`). */
export function operatorPlanSource(db: Database): PlanSource {
  const actor: Actor = { kind: "cli" };
  return {
    actor,
    setPlan: (orgId, plan) => db.transaction((tx) => changePlan({ db: tx, orgId, actor }, plan)),
  };
}
