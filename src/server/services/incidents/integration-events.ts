import { lt } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { integrationEvents } from "../../db/schema/index.ts";
import type { ServiceContext } from "../context.ts";

/** How long applied event ids are kept: the same 30 days as the GitHub delivery log. */
export const INTEGRATION_EVENT_RETENTION_DAYS = 30;

/**
 * Records that the organization's `kind` event `eventId` is being applied, inside the caller's
 * transaction. Returns false when it already was (a redelivery or a replayed body): the caller
 * then applies nothing. A concurrent copy waits on the unique index until the first transaction
 * ends, then sees it (or takes over if it rolled back).
 */
export async function claimIntegrationEvent(
  ctx: ServiceContext,
  kind: string,
  event: { id: string; occurredAt: Date },
): Promise<boolean> {
  const rows = await ctx.db
    .insert(integrationEvents)
    .values({ orgId: ctx.orgId, kind, eventId: event.id, occurredAt: event.occurredAt })
    .onConflictDoNothing({
      target: [integrationEvents.orgId, integrationEvents.kind, integrationEvents.eventId],
    })
    .returning({ id: integrationEvents.id });
  return rows.length > 0;
}

/** Deletes event ids received before `before` (the retention), every organization's; returns how many. */
export async function pruneIntegrationEvents(db: Database, before: Date): Promise<number> {
  const rows = await db
    .delete(integrationEvents)
    .where(lt(integrationEvents.receivedAt, before))
    .returning({ id: integrationEvents.id });
  return rows.length;
}
