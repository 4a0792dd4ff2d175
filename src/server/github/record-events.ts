import type { Database } from "../db/client.ts";
import { attributeCommitJob } from "../jobs/definitions.ts";
import type { Queue } from "../jobs/queue.ts";
import type { ServiceContext } from "../services/context.ts";
import {
  type InsertedEvent,
  type NewCodeEvent,
  type OrgCodeEvent,
  recordCodeEvents,
} from "../services/github/code-events.ts";
import { markMetricsStaleMany } from "../services/metrics/pending.ts";
import { enqueueMany } from "./enqueue-many.ts";

export interface RecordOptions {
  /**
   * False: enqueue no attribution (a backfill stores merged PRs before the commit phase that
   * attributes their merges). Default true.
   */
  attribute?: boolean;
}

/** Stores one organization's events with their follow-up work (see recordOrgEvents). */
export function recordEvents(
  ctx: ServiceContext,
  queue: Queue,
  events: NewCodeEvent[],
  options: RecordOptions = {},
): Promise<InsertedEvent[]> {
  return recordOrgEvents(
    ctx.db,
    queue,
    events.map((e) => ({ ...e, orgId: ctx.orgId })),
    options,
  );
}

/**
 * Stores events and, in the same transaction, enqueues the attribution of every commit that is
 * new and marks the metrics periods they touch. Three statements however many events and
 * organizations: the group commit of webhook deliveries goes through here once per batch.
 */
export async function recordOrgEvents(
  db: Database,
  queue: Queue,
  events: readonly OrgCodeEvent[],
  options: RecordOptions = {},
): Promise<InsertedEvent[]> {
  const inserted = await recordCodeEvents(db, events);
  // A merged PR's merge commit is attributed (again) once the PR is known: its squash or rebase
  // merge lost the PR's own commits and trailers, and the push may have arrived first.
  const commits = new Map<string, { orgId: string; repoId: string; commitSha: string }>();
  for (const e of inserted) {
    if ((e.eventType === "commit" || e.eventType === "pr_merged") && e.commitSha) {
      commits.set(`${e.repoId}:${e.commitSha}`, { orgId: e.orgId, repoId: e.repoId, commitSha: e.commitSha });
    }
  }
  if (options.attribute !== false) await enqueueMany(queue, db, attributeCommitJob, [...commits.values()]);
  // Every new event changes some period's metrics; the roll-up sweep recomputes marked periods.
  const byRepo = Map.groupBy(inserted, (e) => e.repoId);
  await markMetricsStaleMany(
    db,
    [...byRepo].map(([repoId, rows]) => ({
      orgId: rows[0]?.orgId ?? "",
      repoId,
      timestamps: rows.map((e) => e.timestamp),
    })),
  );
  return inserted;
}
