import type { JobQueue } from "../jobs/queue.ts";
import { logger } from "../logger.ts";
import type { ServiceContext } from "./context.ts";

type Effect = (queue: JobQueue) => Promise<unknown>;

/**
 * Work a service asks for once its transaction has committed, such as a metrics roll-up: a job
 * sent earlier could run before the rows it reads are visible, and API requests' tenant role may
 * not write the job tables at all. Services register; whoever owns the transaction runs them
 * (withAfterCommit), so every caller of a service gets the same follow-up.
 */
export class AfterCommit {
  readonly #effects = new Map<string, Effect>();

  /** Registers `effect`; one already registered under `key` (the same roll-up) is kept instead. */
  add(key: string, effect: Effect): void {
    if (!this.#effects.has(key)) this.#effects.set(key, effect);
  }

  /** The keys registered so far, in order. */
  get keys(): string[] {
    return [...this.#effects.keys()];
  }

  /**
   * Runs the effects once, in order. The commit has happened, so a failure is logged, not thrown:
   * each effect must be one whose loss something else makes good (the roll-up sweep, a retry).
   */
  async run(queue: JobQueue): Promise<void> {
    const effects = [...this.#effects];
    this.#effects.clear();
    for (const [key, effect] of effects) {
      try {
        await effect(queue);
      } catch (err) {
        logger.warn({ err, effect: key }, "after-commit effect failed");
      }
    }
  }
}

/** A service context for writes: the service registers follow-up work on `afterCommit`. */
export interface WriteContext extends ServiceContext {
  afterCommit: AfterCommit;
}

/**
 * Runs `fn`, which opens and commits the transaction, then the effects registered during it on
 * `queue`. When `fn` throws nothing was committed, and nothing runs. Effects registered inside a
 * savepoint that rolled back still run: each must be harmless then (a roll-up finds nothing stale).
 */
export async function withAfterCommit<T>(
  queue: JobQueue,
  fn: (afterCommit: AfterCommit) => Promise<T>,
): Promise<T> {
  const afterCommit = new AfterCommit();
  const result = await fn(afterCommit);
  await afterCommit.run(queue);
  return result;
}
