import { sql } from "drizzle-orm";
import type { EventType } from "../../../core/enums.ts";
import type { EventMetadata } from "../../../core/events.ts";
import { parseEventMetadata } from "../../../core/events.ts";
import type { Database } from "../../db/client.ts";

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

/** An event with the organization it belongs to (a group commit writes several organizations' at once). */
export type OrgCodeEvent = NewCodeEvent & { orgId: string };

export interface InsertedEvent {
  id: string;
  orgId: string;
  repoId: string;
  sourceKey: string;
  eventType: EventType;
  commitSha: string | null;
  timestamp: Date;
}

/** Rows per statement, so one huge push does not become one huge JSON document. */
const INSERT_CHUNK = 5000;

/**
 * Appends events, skipping any already stored (same repository, type, natural key and time), so a
 * redelivered push or a re-run backfill adds nothing. Returns only the rows that are new. The rows
 * travel as one JSON parameter: a batch of thousands is one short statement to plan, on both engines.
 */
export async function recordCodeEvents(
  db: Database,
  events: readonly OrgCodeEvent[],
): Promise<InsertedEvent[]> {
  const inserted: InsertedEvent[] = [];
  for (let i = 0; i < events.length; i += INSERT_CHUNK) {
    const rows = events.slice(i, i + INSERT_CHUNK).map((e) => ({
      org_id: e.orgId,
      repo_id: e.repoId,
      event_type: e.eventType,
      commit_sha: e.commitSha,
      timestamp: e.timestamp.toISOString(),
      actor: e.actor,
      source_key: e.sourceKey,
      metadata: parseEventMetadata(e.eventType, e.metadata),
    }));
    const result = await db.execute(sql`
      INSERT INTO code_events (org_id, repo_id, event_type, commit_sha, timestamp, actor, source_key, metadata)
      SELECT org_id, repo_id, event_type, commit_sha, timestamp, actor, source_key, metadata
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(
        org_id uuid, repo_id uuid, event_type event_type, commit_sha text, timestamp timestamptz,
        actor text, source_key text, metadata jsonb)
      ON CONFLICT DO NOTHING
      RETURNING id, org_id, repo_id, source_key, event_type, commit_sha, timestamp`);
    for (const r of result.rows) {
      inserted.push({
        id: String(r.id),
        orgId: String(r.org_id),
        repoId: String(r.repo_id),
        sourceKey: String(r.source_key),
        eventType: r.event_type as EventType,
        commitSha: r.commit_sha === null ? null : String(r.commit_sha),
        timestamp: new Date(r.timestamp as string | Date),
      });
    }
  }
  return inserted;
}

/**
 * Fills in how a merged PR was merged, which GitHub's webhook does not carry, once the attribution
 * of its merge commit has read it (docs/decisions/0003). Only an `unknown` is replaced: a known
 * method is never rewritten, so a repeated job changes nothing.
 */
export async function recordMergeMethod(
  db: Database,
  input: { orgId: string; repoId: string; mergeCommitSha: string; method: "merge" | "squash" | "rebase" },
): Promise<void> {
  await db.execute(sql`
    UPDATE code_events SET metadata = jsonb_set(metadata, '{mergeMethod}', to_jsonb(${input.method}::text))
    WHERE org_id = ${input.orgId} AND repo_id = ${input.repoId} AND event_type = 'pr_merged'
      AND metadata->>'mergeCommitSha' = ${input.mergeCommitSha} AND metadata->>'mergeMethod' = 'unknown'`);
}
