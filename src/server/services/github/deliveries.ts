import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { deliveryPayloadSchema } from "../../db/json-schemas.ts";
import { webhookDeliveries } from "../../db/schema/index.ts";

/** `recorded`: known and kept (tag pushes, branch deletions, closed PRs) but not analysed. */
export const DELIVERY_OUTCOMES = [
  "received",
  "processed",
  "recorded",
  "ignored",
  "pending_link",
  "failed",
] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export interface DeliveryHeaders {
  deliveryId: string;
  event: string;
  action: string | null;
  installationId: number | null;
  /** SHA-256 (hex) of the raw body; null when the delivery did not come from a request. */
  bodySha256: string | null;
}

/**
 * Claims a delivery: its id and its body. Returns false when either is already stored (GitHub's
 * redelivery reuses both; a replayed body under a fresh id reuses the body). A concurrent
 * duplicate waits on the unique index until the first transaction ends, then sees it (or takes
 * over if it rolled back).
 */
export async function claimDelivery(db: Database, d: DeliveryHeaders): Promise<boolean> {
  const rows = await db
    .insert(webhookDeliveries)
    .values({ ...d, outcome: "received" satisfies DeliveryOutcome })
    // No target: a conflict on either unique index (delivery id, body hash) is a duplicate.
    .onConflictDoNothing()
    .returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}

/**
 * claimDelivery for several deliveries, distinct in id and body, in one statement; returns the
 * ids this call claimed.
 */
export async function claimDeliveries(db: Database, ds: readonly DeliveryHeaders[]): Promise<Set<string>> {
  if (ds.length === 0) return new Set();
  const rows = await db
    .insert(webhookDeliveries)
    .values(ds.map((d) => ({ ...d, outcome: "received" satisfies DeliveryOutcome })))
    .onConflictDoNothing()
    .returning({ deliveryId: webhookDeliveries.deliveryId });
  return new Set(rows.map((r) => r.deliveryId));
}

export interface DeliveryResult {
  outcome: DeliveryOutcome;
  orgId: string | null;
  eventsCreated: number;
  /** Kept only while the delivery still has to be processed (pending link, failed). */
  payload?: Record<string, unknown> | undefined;
}

export async function finishDelivery(
  db: Database,
  deliveryId: string,
  result: DeliveryResult,
): Promise<void> {
  const keep = result.outcome === "pending_link" || result.outcome === "failed";
  await db
    .update(webhookDeliveries)
    .set({
      outcome: result.outcome,
      orgId: result.orgId,
      eventsCreated: result.eventsCreated,
      payload: keep && result.payload ? deliveryPayloadSchema.parse(result.payload) : null,
      processedAt: keep ? null : new Date(),
    })
    .where(eq(webhookDeliveries.deliveryId, deliveryId));
}

/**
 * finishDelivery for several claimed deliveries whose work is done (nothing left to replay, so no
 * payload is kept), in one statement.
 */
export async function finishDeliveries(
  db: Database,
  finished: ReadonlyArray<{ deliveryId: string; result: DeliveryResult }>,
): Promise<void> {
  if (finished.length === 0) return;
  const values = sql.join(
    finished.map(
      ({ deliveryId, result }) =>
        sql`(${deliveryId}, ${result.outcome}, ${result.orgId}::uuid, ${result.eventsCreated}::integer)`,
    ),
    sql`, `,
  );
  await db.execute(sql`
    UPDATE webhook_deliveries AS d
    SET outcome = v.outcome, org_id = v.org_id, events_created = v.events_created, payload = NULL,
        processed_at = now()
    FROM (VALUES ${values}) AS v(delivery_id, outcome, org_id, events_created)
    WHERE d.delivery_id = v.delivery_id`);
}

/**
 * Stores a delivery in one statement with its final outcome (the failure path, after a rollback);
 * false when its id or body is already stored, as for claimDelivery.
 */
export async function storeDelivery(
  db: Database,
  d: DeliveryHeaders,
  result: DeliveryResult,
): Promise<boolean> {
  const keep = result.outcome === "pending_link" || result.outcome === "failed";
  const rows = await db
    .insert(webhookDeliveries)
    .values({
      ...d,
      outcome: result.outcome,
      orgId: result.orgId,
      eventsCreated: result.eventsCreated,
      payload: keep && result.payload ? deliveryPayloadSchema.parse(result.payload) : null,
      processedAt: keep ? null : new Date(),
    })
    .onConflictDoNothing()
    .returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}

export async function findDelivery(
  db: Database,
  deliveryId: string,
  opts: { lock?: boolean } = {},
): Promise<DeliveryRow | undefined> {
  const query = db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
  const rows = opts.lock ? await query.for("update") : await query;
  return rows[0];
}

/** Which of these delivery ids are stored, whatever their outcome. */
export async function storedDeliveryIds(db: Database, deliveryIds: readonly string[]): Promise<Set<string>> {
  if (deliveryIds.length === 0) return new Set();
  const rows = await db
    .select({ deliveryId: webhookDeliveries.deliveryId })
    .from(webhookDeliveries)
    .where(inArray(webhookDeliveries.deliveryId, [...deliveryIds]));
  return new Set(rows.map((r) => r.deliveryId));
}

/**
 * Deletes deliveries received before `before` (the 30-day retention), returning how many. Their
 * body hashes go with them: a body older than the retention is no longer recognised as a replay.
 */
export async function pruneDeliveries(db: Database, before: Date): Promise<number> {
  const rows = await db
    .delete(webhookDeliveries)
    .where(
      and(
        lt(webhookDeliveries.receivedAt, before),
        // Deliveries still waiting for work are kept whatever their age: pruning them would lose data.
        inArray(webhookDeliveries.outcome, ["processed", "recorded", "ignored", "received"]),
      ),
    )
    .returning({ id: webhookDeliveries.id });
  return rows.length;
}
