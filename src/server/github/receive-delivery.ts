import { AppError } from "../../core/errors.ts";
import type { Database } from "../db/client.ts";
import { isConnectionFailure } from "../db/errors.ts";
import { processDeliveriesJob } from "../jobs/github-definitions.ts";
import type { Queue } from "../jobs/queue.ts";
import { logger } from "../logger.ts";
import { withAfterCommit } from "../services/after-commit.ts";
import {
  claimDelivery,
  type DeliveryHeaders,
  type DeliveryResult,
  findDelivery,
  finishDelivery,
  storeDelivery,
} from "../services/github/deliveries.ts";
import { pendingDeliveryIds } from "../services/github/installations.ts";
import { enqueueMany, prepareIngestionQueues } from "./enqueue-many.ts";
import { type Delivery, deliveryAction, deliveryInstallationId, routeDelivery } from "./route-delivery.ts";

export type Receipt = { status: "accepted"; result: DeliveryResult } | { status: "duplicate" };

export function deliveryHeaders(delivery: Delivery): DeliveryHeaders {
  return {
    deliveryId: delivery.deliveryId,
    event: delivery.event,
    action: deliveryAction(delivery.payload),
    installationId: deliveryInstallationId(delivery.payload),
    bodySha256: delivery.bodySha256 ?? null,
  };
}

/**
 * Stores a verified delivery and everything it causes (events, state, jobs) in one transaction,
 * and only then returns: an acknowledged delivery is never lost. A delivery id or a body already
 * stored is a duplicate and changes nothing.
 */
export async function receiveDelivery(db: Database, queue: Queue, delivery: Delivery): Promise<Receipt> {
  const headers = deliveryHeaders(delivery);
  await prepareIngestionQueues(queue);
  try {
    return await withAfterCommit(queue, (afterCommit) =>
      db.transaction(async (tx) => {
        if (!(await claimDelivery(tx, headers))) return { status: "duplicate" as const };
        const result = await routeDelivery(tx, queue, afterCommit, delivery);
        await finishDelivery(tx, delivery.deliveryId, {
          ...result,
          payload: result.payload ?? delivery.payload,
        });
        return { status: "accepted" as const, result };
      }),
    );
  } catch (error) {
    if (isLostDatabase(error)) throw unavailable();
    const failed = failedDelivery(delivery, error);
    try {
      return await db.transaction(async (tx) => {
        if (!(await storeDelivery(tx, headers, failed))) return { status: "duplicate" as const };
        await scheduleReplay(queue, tx, delivery.deliveryId);
        return { status: "accepted" as const, result: failed };
      });
    } catch (second) {
      throw isLostDatabase(second) ? unavailable() : second;
    }
  }
}

/**
 * A payload we could not apply (or a bug) is kept as `failed` with its payload, so nothing
 * acknowledged is lost and a retry (or a fixed release) can replay it.
 */
export function failedDelivery(delivery: Delivery, error: unknown): DeliveryResult {
  logger.error(
    // HTTP caps delivery ids at 100 characters; stored ones replayed by a job are not re-checked.
    { err: error, deliveryId: delivery.deliveryId.slice(0, 100), event: delivery.event },
    "delivery failed to apply",
  );
  return { outcome: "failed", orgId: null, eventsCreated: 0, payload: delivery.payload };
}

/** A failed delivery is replayed by a job a minute later (and retried with backoff after that). */
export function scheduleReplay(queue: Queue, tx: Database, deliveryId: string): Promise<void> {
  return enqueueMany(queue, tx, processDeliveriesJob, [{ deliveryId }], { startAfter: 60 });
}

/** A connection lost or refused, including a pooled client the server killed mid-transaction. */
export function isLostDatabase(error: unknown): boolean {
  if (isConnectionFailure(error)) return true;
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (/not queryable|connection error|terminating connection/i.test(String(e))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export const unavailable = () => new AppError("unavailable", "the database is unavailable; retry shortly");

/**
 * Applies a stored delivery that is waiting (pending link) or failed. Returns its new outcome,
 * or null when there was nothing to do (already processed, or pruned).
 */
export async function processStoredDelivery(
  db: Database,
  queue: Queue,
  deliveryId: string,
): Promise<DeliveryResult | null> {
  await prepareIngestionQueues(queue);
  return withAfterCommit(queue, (afterCommit) =>
    db.transaction(async (tx) => {
      const row = await findDelivery(tx, deliveryId, { lock: true });
      if (!row?.payload || (row.outcome !== "pending_link" && row.outcome !== "failed")) return null;
      const stored = { deliveryId, event: row.event, payload: row.payload };
      const result = await routeDelivery(tx, queue, afterCommit, stored);
      if (result.outcome === "pending_link") return result;
      await finishDelivery(tx, deliveryId, result);
      return result;
    }),
  );
}

/** Applies an installation's waiting deliveries in the order they arrived (after linking). */
export async function processPendingDeliveries(
  db: Database,
  queue: Queue,
  installationId: number,
): Promise<{ processed: number; eventsCreated: number }> {
  const ids = await pendingDeliveryIds(db, installationId);
  let eventsCreated = 0;
  let processed = 0;
  for (const id of ids) {
    const result = await processStoredDelivery(db, queue, id);
    if (result && result.outcome !== "pending_link") {
      processed++;
      eventsCreated += result.eventsCreated;
    }
  }
  logger.info({ installationId, processed, eventsCreated }, "processed deliveries waiting for link");
  return { processed, eventsCreated };
}
