import type { Database } from "../db/client.ts";
import type { Queue } from "../jobs/queue.ts";
import { logger } from "../logger.ts";
import { withAfterCommit } from "../services/after-commit.ts";
import { applyDeliveryBatch } from "./apply-batch.ts";
import { prepareIngestionQueues } from "./enqueue-many.ts";
import { isLostDatabase, type Receipt, receiveDelivery, unavailable } from "./receive-delivery.ts";
import type { Delivery } from "./route-delivery.ts";

export interface GroupCommitOptions {
  /** Most deliveries in one transaction. */
  maxBatch: number;
  /** Transactions open at once; while they run, new deliveries gather into the next batch. */
  maxInFlight: number;
}

const DEFAULTS: GroupCommitOptions = { maxBatch: 64, maxInFlight: 2 };

interface Waiter {
  delivery: Delivery;
  resolve(receipt: Receipt): void;
  reject(error: unknown): void;
}

/**
 * Group commit for webhook deliveries. Deliveries that arrive while earlier transactions are open
 * wait and then go together into one transaction; each request is answered only once the
 * transaction holding its delivery has committed, so an acknowledged delivery is as durable as
 * with one transaction each, at a fraction of the statements and commits. A quiet server commits
 * each delivery at once (a batch of one); a busy one batches as much as is waiting.
 */
export class DeliveryGroupCommit {
  readonly #waiting: Waiter[] = [];
  #inFlight = 0;
  readonly #db: Database;
  readonly #queue: Queue;
  readonly #options: GroupCommitOptions;

  constructor(db: Database, queue: Queue, options: Partial<GroupCommitOptions> = {}) {
    this.#db = db;
    this.#queue = queue;
    this.#options = { ...DEFAULTS, ...options };
  }

  /** Stores a verified delivery and its work; resolves after the commit, like receiveDelivery. */
  receive(delivery: Delivery): Promise<Receipt> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ delivery, resolve, reject });
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#inFlight < this.#options.maxInFlight && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#options.maxBatch);
      this.#inFlight++;
      void this.#commit(batch).finally(() => {
        this.#inFlight--;
        this.#drain();
      });
    }
  }

  async #commit(batch: readonly Waiter[]): Promise<void> {
    try {
      await prepareIngestionQueues(this.#queue);
      const receipts = await withAfterCommit(this.#queue, (afterCommit) =>
        this.#db.transaction((tx) =>
          applyDeliveryBatch(
            tx,
            this.#queue,
            afterCommit,
            batch.map((w) => w.delivery),
          ),
        ),
      );
      batch.forEach((w, i) => {
        w.resolve(receipts[i] ?? { status: "duplicate" });
      });
    } catch (error) {
      if (isLostDatabase(error)) {
        for (const w of batch) w.reject(unavailable());
        return;
      }
      // A batch fails as a whole only on a conflict with another server's batch (a deadlock) or
      // a bug: then each delivery gets its own transaction, as without group commit.
      logger.warn({ err: error, deliveries: batch.length }, "delivery batch failed; applying one by one");
      await Promise.all(
        batch.map((w) => receiveDelivery(this.#db, this.#queue, w.delivery).then(w.resolve, w.reject)),
      );
    }
  }
}
