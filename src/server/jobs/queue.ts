import { sql } from "drizzle-orm";
import { fromDrizzle, fromPglite, type JobResult, PgBoss, type QueuePolicy, type SendOptions } from "pg-boss";
import type { z } from "zod";
import type { Database, DatabaseHandle } from "../db/client.ts";
import { loggableError, logger } from "../logger.ts";

/** A job: its queue name and the zod schema of its payload, kept apart from its handler. */
export interface JobDefinition<S extends z.ZodType> {
  name: string;
  schema: S;
  /** Defaults for every send of this job. */
  options?: SendOptions;
  /** pg-boss queue policy, e.g. "stately" for one waiting + one running job per singleton key. */
  policy?: QueuePolicy;
  /** How a worker takes this job; defaults in WORK_DEFAULTS. */
  work?: Partial<WorkPace>;
}

/**
 * How fast a worker takes jobs. pg-boss's own defaults (one job per fetch, a 2 s poll, no burst)
 * cap every queue at one job per 2 s per process; these take a batch per fetch, keep fetching
 * without a pause while batches come back full, and poll every half second when idle. On
 * PostgreSQL a NOTIFY wakes idle workers at once (not through PgBouncer in transaction mode, where
 * the poll remains).
 */
export interface WorkPace {
  batchSize: number;
  pollingIntervalSeconds: number;
  /** Workers per process for this queue (ignored on PGlite, whose one connection serialises them). */
  localConcurrency: number;
}

export const WORK_DEFAULTS: WorkPace = { batchSize: 16, pollingIntervalSeconds: 0.5, localConcurrency: 1 };

// Every job defined anywhere; their queues are created when the queue starts. On PGlite the queue
// must exist before an enqueue inside a transaction: creating it there would wait for the
// transaction's own lock on the single connection.
const definitions = new Map<string, JobDefinition<z.ZodType>>();

export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  definitions.set(definition.name, definition);
  return definition;
}

export type JobHandler<S extends z.ZodType> = (payload: z.infer<S>) => Promise<void>;
/**
 * Handles a whole fetched batch at once (one read, one transaction for many jobs). Resolves to
 * one outcome per payload, in order: null when that job is done, an error to retry it alone.
 */
export type BatchHandler<S extends z.ZodType> = (payloads: z.infer<S>[]) => Promise<(Error | null)[]>;

export interface Queue {
  boss: PgBoss;
  /**
   * Enqueues inside the caller's transaction: the job exists if and only if the data it is about
   * was committed. Pass the transaction the data was written in.
   */
  enqueue<S extends z.ZodType>(
    tx: Database,
    job: JobDefinition<S>,
    payload: z.input<S>,
    options?: SendOptions,
  ): Promise<string | null>;
  /** Registers a handler and makes sure its queue exists. */
  work<S extends z.ZodType>(job: JobDefinition<S>, handler: JobHandler<S>): Promise<void>;
  /** Registers a handler of whole batches; a job whose payload does not parse fails alone. */
  workBatch<S extends z.ZodType>(job: JobDefinition<S>, handler: BatchHandler<S>): Promise<void>;
  stop(): Promise<void>;
}

const ensured = new WeakMap<PgBoss, Set<string>>();

async function ensureQueue(
  boss: PgBoss,
  job: Pick<JobDefinition<z.ZodType>, "name" | "policy">,
): Promise<void> {
  let names = ensured.get(boss);
  if (!names) {
    names = new Set();
    ensured.set(boss, names);
  }
  if (names.has(job.name)) return;
  // An existing queue keeps its policy; getQueue also warms pg-boss's cache outside any transaction.
  const existing = await boss.getQueue(job.name);
  if (!existing)
    await boss.createQueue(job.name, { notify: true, ...(job.policy ? { policy: job.policy } : {}) });
  else if (!existing.notify) await boss.updateQueue(job.name, { notify: true });
  names.add(job.name);
}

/**
 * Starts pg-boss on the same database. On PGlite it shares the single connection; on a server it
 * opens its own small pool. `supervise` runs maintenance (expiry, retention); off for short-lived
 * processes such as the CLI.
 */
export async function startQueue(handle: DatabaseHandle, opts: { supervise: boolean }): Promise<Queue> {
  const common = { supervise: opts.supervise, schedule: opts.supervise, migrate: true } as const;
  const boss =
    handle.driver.kind === "pglite"
      ? new PgBoss({ ...common, db: fromPglite(handle.driver.client), backend: "pglite" })
      : new PgBoss({ ...common, connectionString: handle.driver.url, max: 4, useListenNotify: true });
  boss.on("error", () => {
    // Surfaced through job failures and retries; the process must not die on a transient error.
  });
  await boss.start();
  for (const job of definitions.values()) await ensureQueue(boss, job);
  const queue: Queue = {
    boss,
    async enqueue(tx, job, payload, options) {
      const data = job.schema.parse(payload) as object;
      if (!ensured.get(boss)?.has(job.name)) {
        if (handle.driver.kind === "pglite")
          throw new Error(`job queue ${job.name} was defined after the queue started`);
        await ensureQueue(boss, job);
      }
      return boss.send(job.name, data, { ...job.options, ...options, db: fromDrizzle(tx, sql) });
    },
    async work(job, handler) {
      await queue.workBatch(job, async (payloads) => {
        const outcomes: (Error | null)[] = [];
        for (const payload of payloads) {
          try {
            await handler(payload);
            outcomes.push(null);
          } catch (error) {
            outcomes.push(error instanceof Error ? error : new Error(String(error)));
          }
        }
        return outcomes;
      });
    },
    async workBatch(job, handler) {
      await ensureQueue(boss, job);
      const pace = { ...WORK_DEFAULTS, ...job.work };
      await boss.work(
        job.name,
        {
          batchSize: pace.batchSize,
          pollingIntervalSeconds: pace.pollingIntervalSeconds,
          // With NOTIFY the poll is only a backstop, e.g. for retries coming due.
          notifyPollingIntervalSeconds: 5,
          burstWhenBatchFull: pace.batchSize > 1,
          localConcurrency: handle.driver.kind === "pglite" ? 1 : pace.localConcurrency,
          // Each job of a batch settles on its own: one failure retries that job, not its neighbours.
          perJobResults: true,
        },
        async (jobs) => {
          const results: JobResult[] = [];
          const parsed: { id: string; payload: z.infer<typeof job.schema> }[] = [];
          for (const item of jobs) {
            const payload = job.schema.safeParse(item.data);
            if (payload.success) parsed.push({ id: item.id, payload: payload.data });
            else results.push(failed(job.name, item.id, payload.error));
          }
          let outcomes: (Error | null)[];
          try {
            outcomes = parsed.length > 0 ? await handler(parsed.map((p) => p.payload)) : [];
          } catch (error) {
            outcomes = parsed.map(() => (error instanceof Error ? error : new Error(String(error))));
          }
          parsed.forEach(({ id }, i) => {
            const outcome = outcomes[i];
            results.push(outcome ? failed(job.name, id, outcome) : { id, status: "completed" });
          });
          return results;
        },
      );
    },
    stop: () => boss.stop({ graceful: true, timeout: 10_000, close: handle.driver.kind === "postgres" }),
  };
  return queue;
}

function failed(name: string, jobId: string, error: unknown): JobResult {
  logger.warn({ err: error, job: name, jobId }, "job failed; pg-boss retries it");
  return { id: jobId, status: "failed", output: loggableError(error) };
}
