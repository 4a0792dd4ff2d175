import { sql } from "drizzle-orm";
import { fromDrizzle } from "pg-boss";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import type { JobDefinition, Queue } from "../jobs/queue.ts";

const created = new WeakMap<Queue, Set<string>>();

/**
 * Enqueues many jobs of one kind in one statement, inside the caller's transaction (a push of
 * twenty commits is one INSERT into the job table, not twenty).
 */
export async function enqueueMany<S extends z.ZodType>(
  queue: Queue,
  tx: Database,
  job: JobDefinition<S>,
  payloads: readonly z.input<S>[],
): Promise<void> {
  if (payloads.length === 0) return;
  let names = created.get(queue);
  if (!names) {
    names = new Set();
    created.set(queue, names);
  }
  if (!names.has(job.name)) {
    await queue.boss.createQueue(job.name);
    names.add(job.name);
  }
  const { retryLimit, retryDelay, retryBackoff, expireInSeconds } = job.options ?? {};
  const defaults = {
    ...(retryLimit === undefined ? {} : { retryLimit }),
    ...(retryDelay === undefined ? {} : { retryDelay }),
    ...(retryBackoff === undefined ? {} : { retryBackoff }),
    ...(expireInSeconds === undefined ? {} : { expireInSeconds }),
  };
  const jobs = payloads.map((p) => ({ data: job.schema.parse(p) as object, ...defaults }));
  await queue.boss.insert(job.name, jobs, { db: fromDrizzle(tx, sql) });
}
