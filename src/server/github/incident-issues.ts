import type { ServiceContext } from "../services/context.ts";
import type { RepositoryRow } from "../services/github/repositories.ts";

/**
 * GitHub issues carrying the organization's incident label become incidents. The incident
 * service (src/server/services/incidents/) is not available yet, so the delivery is only
 * recorded; returns whether an incident was written.
 */
export async function recordIncidentIssue(
  _ctx: ServiceContext,
  _repo: RepositoryRow,
  _payload: Record<string, unknown>,
): Promise<boolean> {
  return false;
}
