import { and, eq, sql } from "drizzle-orm";
import type { IncidentStatus } from "../../../core/enums.ts";
import type { Database } from "../../db/client.ts";
import { codeEvents } from "../../db/schema/index.ts";
import { validateRow } from "../../db/validate.ts";
import type { WriteContext } from "../after-commit.ts";
import { markStaleAndRequestRollUp } from "../metrics/schedule-roll-up.ts";
import type { IncidentRow } from "./view.ts";

export type IncidentChange = "opened" | "status_changed" | "updated" | "reopened" | "linked";

/**
 * Writes the `incident` code_event of one change (source key `incident:<id>:<n>`, n counting the
 * incident's events from 1). Incidents that name no repository have no event: code_events rows
 * belong to a repository.
 */
export async function recordIncidentChange(
  tx: Database,
  incident: IncidentRow,
  change: IncidentChange,
  previousStatus: IncidentStatus | null,
  actor: string,
  at: Date,
): Promise<void> {
  if (!incident.repoId) return;
  const [count] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(codeEvents)
    .where(
      and(
        eq(codeEvents.orgId, incident.orgId),
        eq(codeEvents.repoId, incident.repoId),
        eq(codeEvents.eventType, "incident"),
        sql`${codeEvents.metadata}->>'incidentId' = ${incident.id}`,
      ),
    );
  const n = (count?.n ?? 0) + 1;
  await tx.insert(codeEvents).values(
    validateRow(codeEvents, {
      orgId: incident.orgId,
      repoId: incident.repoId,
      eventType: "incident" as const,
      commitSha: incident.commitSha ?? incident.deploySha,
      timestamp: at,
      actor,
      sourceKey: `incident:${incident.id}:${n}`,
      metadata: {
        incidentId: incident.id,
        change,
        status: incident.status,
        previousStatus,
        severity: incident.severity,
      },
    }),
  );
}

/**
 * Marks the metrics buckets an incident touches (its start, its deploy's) stale in the transaction
 * of `ctx`, and asks for the roll-up after it commits: the same for every intake.
 */
export async function refreshIncidentMetrics(
  ctx: WriteContext,
  repoId: string | null,
  instants: ReadonlyArray<Date | null>,
): Promise<void> {
  if (!repoId) return;
  const timestamps = instants.filter((d): d is Date => d !== null);
  await markStaleAndRequestRollUp(ctx, { repoId, timestamps });
}
