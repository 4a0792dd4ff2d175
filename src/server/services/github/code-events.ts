import type { EventType } from "../../../core/enums.ts";
import type { EventMetadata } from "../../../core/events.ts";
import { parseEventMetadata } from "../../../core/events.ts";
import { codeEvents } from "../../db/schema/index.ts";
import type { ServiceContext } from "../context.ts";

export type NewCodeEvent = {
  [K in EventType]: {
    repoId: string;
    eventType: K;
    commitSha: string | null;
    timestamp: Date;
    actor: string | null;
    sourceKey: string;
    metadata: EventMetadata[K];
  };
}[EventType];

export interface InsertedEvent {
  id: string;
  repoId: string;
  eventType: EventType;
  commitSha: string | null;
  timestamp: Date;
}

/**
 * Appends events, skipping any already stored (same repository, type, natural key and time), so a
 * redelivered push or a re-run backfill adds nothing. Returns only the rows that are new.
 */
export async function recordCodeEvents(
  ctx: ServiceContext,
  events: readonly NewCodeEvent[],
): Promise<InsertedEvent[]> {
  if (events.length === 0) return [];
  const rows = events.map((e) => ({
    orgId: ctx.orgId,
    repoId: e.repoId,
    eventType: e.eventType,
    commitSha: e.commitSha,
    timestamp: e.timestamp,
    actor: e.actor,
    sourceKey: e.sourceKey,
    metadata: parseEventMetadata(e.eventType, e.metadata),
  }));
  return ctx.db.insert(codeEvents).values(rows).onConflictDoNothing().returning({
    id: codeEvents.id,
    repoId: codeEvents.repoId,
    eventType: codeEvents.eventType,
    commitSha: codeEvents.commitSha,
    timestamp: codeEvents.timestamp,
  });
}
