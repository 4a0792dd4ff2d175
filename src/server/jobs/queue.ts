import { sql } from "drizzle-orm";
import { fromDrizzle, fromPglite, PgBoss, type SendOptions } from "pg-boss";
import type { z } from "zod";
import type { Database, DatabaseHandle } from "../db/client.ts";

/** A job: its queue name and the zod schema of its payload, kept apart from its handler. */
export interface JobDefinition<S extends z.ZodType> {
  name: string;
  schema: S;
  /** Defaults for every send of this job. */
  options?: SendOptions;
}

export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}

export type JobHandler<S extends z.ZodType> = (payload: z.infer<S>, job: { id: string }) => Promise<void>;

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
  stop(): Promise<void>;
}

const ensured = new WeakMap<PgBoss, Set<string>>();

async function ensureQueue(boss: PgBoss, name: string): Promise<void> {
  let names = ensured.get(boss);
  if (!names) {
    names = new Set();
    ensured.set(boss, names);
  }
  if (names.has(name)) return;
  await boss.createQueue(name);
  names.add(name);
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
      : new PgBoss({ ...common, connectionString: handle.driver.url, max: 4 });
  boss.on("error", () => {
    // Surfaced through job failures and retries; the process must not die on a transient error.
  });
  await boss.start();
  return {
    boss,
    async enqueue(tx, job, payload, options) {
      const data = job.schema.parse(payload) as object;
      await ensureQueue(boss, job.name);
      return boss.send(job.name, data, { ...job.options, ...options, db: fromDrizzle(tx, sql) });
    },
    async work(job, handler) {
      await ensureQueue(boss, job.name);
      await boss.work(job.name, async (jobs) => {
        for (const item of jobs) {
          await handler(job.schema.parse(item.data), { id: item.id });
        }
      });
    },
    stop: () => boss.stop({ graceful: true, timeout: 10_000, close: handle.driver.kind === "postgres" }),
  };
}
