import { sql } from "drizzle-orm";
import { fromDrizzle, fromPglite, type JobResult, PgBoss, type QueuePolicy, type SendOptions } from "pg-boss";
import type { z } from "zod";
import type { Database, DatabaseHandle } from "../db/client.ts";
import { type Logger, loggableError, logger as processLogger } from "../logger.ts";
import { recordJobBatch, recordJobRun } from "../observability/job-runs.ts";

/** A job: its queue name, payload version and the zod schema of its payload, kept apart from its handler. */
export interface JobDefinition<S extends z.ZodType> {
  name: string;
  /**
   * The payload's format, stored with every job as `jobVersion` (see JOB_VERSION_KEY). Jobs outlive
   * releases, so a change to the schema that an older payload would fail bumps it; the handler
   * then gets older payloads through `upgrade`, or refuses them. A payload newer than the
   * definition (a job sent by a newer release, taken by an older worker) is refused and retried.
   */
  version: number;
  schema: S;
  /** Turns a payload of an older version (already stripped of its version) into this one's input. */
  upgrade?: (payload: unknown, from: number) => unknown;
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
  if (!Number.isSafeInteger(definition.version) || definition.version < 1)
    throw new Error(`job ${definition.name}: version must be a positive integer`);
  definitions.set(definition.name, definition);
  return definition;
}

/**
 * The key of a payload's version in the stored job data, beside the payload's own fields (so
 * `data->>'orgId'` keeps working). Jobs stored before versions existed have none: they are version 1.
 */
export const JOB_VERSION_KEY = "jobVersion";

/** The job data to store for a payload: validated, with its definition's version. */
export function jobData<S extends z.ZodType>(job: JobDefinition<S>, payload: z.input<S>): unknown {
  const data: unknown = job.schema.parse(payload);
  return isRecord(data) ? { ...data, [JOB_VERSION_KEY]: job.version } : data;
}

/**
 * A stored job's payload as its handler takes it: the version checked (an older one upgraded, a
 * newer or unknown one refused) and the schema applied.
 */
export function parseJobData<S extends z.ZodType>(
  job: JobDefinition<S>,
  data: unknown,
): { success: true; data: z.infer<S> } | { success: false; error: Error } {
  let payload = data;
  let version = 1;
  if (isRecord(data) && JOB_VERSION_KEY in data) {
    const { [JOB_VERSION_KEY]: stored, ...rest } = data;
    if (typeof stored !== "number" || !Number.isSafeInteger(stored) || stored < 1)
      return { success: false, error: new Error(`job ${job.name}: ${JOB_VERSION_KEY} is not a version`) };
    version = stored;
    payload = rest;
  }
  if (version > job.version)
    return {
      success: false,
      error: new Error(
        `job ${job.name}: payload version ${version} is newer than this worker's ${job.version}`,
      ),
    };
  if (version < job.version) {
    if (!job.upgrade)
      return {
        success: false,
        error: new Error(
          `job ${job.name}: payload version ${version} is no longer handled (now ${job.version})`,
        ),
      };
    payload = job.upgrade(payload, version);
  }
  const parsed = job.schema.safeParse(payload);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, error: parsed.error };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export type JobHandler<S extends z.ZodType> = (payload: z.infer<S>) => Promise<void>;
/**
 * Handles a whole fetched batch at once (one read, one transaction for many jobs). Resolves to
 * one outcome per payload, in order: null when that job is done, an error to retry it alone.
 */
export type BatchHandler<S extends z.ZodType> = (payloads: z.infer<S>[]) => Promise<(Error | null)[]>;

/** The pg-boss queue of this process. */
export interface Queue {
  readonly kind: "pg-boss";
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
  /**
   * Sends outside any transaction, for work asked for after a commit (services/after-commit.ts).
   * Resolves to null when the queue's policy or a singleton key absorbed the send.
   */
  send<S extends z.ZodType>(
    job: JobDefinition<S>,
    payload: z.input<S>,
    options?: SendOptions,
  ): Promise<string | null>;
  /** Runs the job on a cron schedule (kept in the database: one schedule per job, whoever sets it). */
  schedule<S extends z.ZodType>(job: JobDefinition<S>, cron: string, payload?: z.input<S>): Promise<void>;
  /** Registers a handler and makes sure its queue exists. */
  work<S extends z.ZodType>(job: JobDefinition<S>, handler: JobHandler<S>): Promise<void>;
  /** Registers a handler of whole batches; a job whose payload does not parse fails alone. */
  workBatch<S extends z.ZodType>(job: JobDefinition<S>, handler: BatchHandler<S>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The queue of a process that deliberately runs none: sends are dropped. Only for work that
 * something else picks up: a CLI command's stale metrics marks are rolled up by the server's
 * `metrics-sweep`, HTTP tests that run no workers. Whatever needs a real queue (webhooks, worker
 * registration) checks `kind` and refuses.
 */
export interface NoQueue {
  readonly kind: "none";
  send<S extends z.ZodType>(job: JobDefinition<S>, payload: z.input<S>, options?: SendOptions): Promise<null>;
}

export const noQueue: NoQueue = Object.freeze({
  kind: "none" as const,
  send: async () => null,
});

/** What callers hold: the real queue or, as a visible choice, noQueue; never undefined. */
export type JobQueue = Queue | NoQueue;

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
  const heartbeat = heartbeats.has(boss) ? { heartbeatSeconds: JOB_HEARTBEAT_SECONDS } : {};
  // An existing queue keeps its policy; getQueue also warms pg-boss's cache outside any transaction.
  const existing = await boss.getQueue(job.name);
  if (!existing)
    await boss.createQueue(job.name, {
      notify: true,
      ...(job.policy ? { policy: job.policy } : {}),
      ...heartbeat,
    });
  else if (!existing.notify || (heartbeats.has(boss) && existing.heartbeatSeconds !== JOB_HEARTBEAT_SECONDS))
    await boss.updateQueue(job.name, { notify: true, ...heartbeat });
  names.add(job.name);
}

/**
 * A job stays `active` until it settles or expires (pg-boss: 15 minutes), so the jobs of a worker
 * killed mid-batch would wait that long. On a server, where several workers share the queue, every
 * queue has a heartbeat instead: the worker refreshes it while it works, and a job whose worker
 * went quiet for this long is failed and retried by any other (the check runs every
 * JOB_MONITOR_SECONDS, once for the whole cluster).
 */
export const JOB_HEARTBEAT_SECONDS = 20;
const JOB_MONITOR_SECONDS = 10;
const heartbeats = new WeakSet<PgBoss>();

/**
 * Starts pg-boss on the same database. On PGlite it shares the single connection; on a server it
 * opens its own small pool. `supervise` runs maintenance (expiry, retention); off for short-lived
 * processes such as the CLI. Every job run is logged to `logger` (default: the process's) as one
 * line, here and not in the handlers (observability/job-runs.ts).
 */
export async function startQueue(
  handle: DatabaseHandle,
  opts: { supervise: boolean; logger?: Logger },
): Promise<Queue> {
  const logger = opts.logger ?? processLogger;
  const common = { supervise: opts.supervise, schedule: opts.supervise, migrate: true } as const;
  const boss =
    handle.driver.kind === "pglite"
      ? new PgBoss({ ...common, db: fromPglite(handle.driver.client), backend: "pglite" })
      : new PgBoss({
          ...common,
          connectionString: handle.driver.url,
          max: 4,
          // LISTEN needs a session of its own, which a transaction-mode pooler does not give.
          useListenNotify: !handle.driver.transactionPooling,
          monitorIntervalSeconds: JOB_MONITOR_SECONDS,
        });
  if (handle.driver.kind === "postgres") heartbeats.add(boss);
  boss.on("error", () => {
    // Surfaced through job failures and retries; the process must not die on a transient error.
  });
  // Processes starting together on a new database race to install pg-boss's schema; the loser's
  // CREATE SCHEMA can fail (a stale catalog snapshot behind pg-boss's lock). A second attempt finds
  // it installed.
  await boss.start({ attempts: 3 });
  for (const job of definitions.values()) await ensureQueue(boss, job);
  const queue: Queue = {
    kind: "pg-boss",
    boss,
    async enqueue(tx, job, payload, options) {
      const data = jobData(job, payload) as object;
      if (!ensured.get(boss)?.has(job.name)) {
        if (handle.driver.kind === "pglite")
          throw new Error(`job queue ${job.name} was defined after the queue started`);
        await ensureQueue(boss, job);
      }
      return boss.send(job.name, data, { ...job.options, ...options, db: fromDrizzle(tx, sql) });
    },
    async send(job, payload, options) {
      const data = jobData(job, payload) as object;
      await ensureQueue(boss, job);
      return boss.send(job.name, data, { ...job.options, ...options });
    },
    async schedule(job, cron, payload) {
      await ensureQueue(boss, job);
      await boss.schedule(
        job.name,
        cron,
        payload === undefined ? undefined : (jobData(job, payload) as object),
      );
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
          // createdOn and retryLimit, for the per-run log line and the lag from creation.
          includeMetadata: true,
        },
        async (jobs) => {
          const started = performance.now();
          const errors = new Map<string, Error>();
          const parsed: { id: string; payload: z.infer<typeof job.schema> }[] = [];
          for (const item of jobs) {
            const payload = parseJobData(job, item.data);
            if (payload.success) parsed.push({ id: item.id, payload: payload.data });
            else errors.set(item.id, payload.error);
          }
          let outcomes: (Error | null)[];
          try {
            outcomes = parsed.length > 0 ? await handler(parsed.map((p) => p.payload)) : [];
          } catch (error) {
            outcomes = parsed.map(() => (error instanceof Error ? error : new Error(String(error))));
          }
          parsed.forEach(({ id }, i) => {
            const outcome = outcomes[i];
            if (outcome) errors.set(id, outcome);
          });
          const ms = Math.round(performance.now() - started);
          recordJobBatch(job.name, ms / 1000);
          return jobs.map((item): JobResult => {
            const error = errors.get(item.id);
            recordJobRun(logger, {
              queue: job.name,
              jobId: item.id,
              outcome: error ? "failed" : "completed",
              ms,
              attempt: item.retryCount + 1,
              batchSize: jobs.length,
              retryLimit: item.retryLimit,
              createdOn: item.createdOn,
              data: item.data,
              error,
            });
            return error
              ? { id: item.id, status: "failed", output: loggableError(error) }
              : { id: item.id, status: "completed" };
          });
        },
      );
    },
    stop: () => boss.stop({ graceful: true, timeout: 10_000, close: handle.driver.kind === "postgres" }),
  };
  return queue;
}
