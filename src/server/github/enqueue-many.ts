import { sql } from "drizzle-orm";
import { fromDrizzle, type SendOptions } from "pg-boss";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import { attributeCommitJob } from "../jobs/definitions.ts";
import {
  backfillJob,
  completePushJob,
  processDeliveriesJob,
  pullRequestCheckJob,
} from "../jobs/github-definitions.ts";
import { type JobDefinition, jobData, type Queue } from "../jobs/queue.ts";

/** Every job ingestion enqueues inside its transactions. */
const INGESTION_JOBS: JobDefinition<z.ZodType>[] = [
  attributeCommitJob,
  backfillJob,
  completePushJob,
  processDeliveriesJob,
  pullRequestCheckJob,
];

const prepared = new WeakMap<Queue, Promise<void>>();

/**
 * Creates the queues ingestion sends to, once per process, before any transaction opens. Creating
 * one inside a transaction would deadlock on PGlite, whose single connection the open
 * transaction holds.
 */
export function prepareIngestionQueues(queue: Queue): Promise<void> {
  let ready = prepared.get(queue);
  if (!ready) {
    ready = (async () => {
      for (const job of INGESTION_JOBS) await queue.boss.createQueue(job.name);
    })();
    ready.catch(() => prepared.delete(queue));
    prepared.set(queue, ready);
  }
  return ready;
}

/**
 * Enqueues jobs of one kind in one statement, inside the caller's transaction (a push of twenty
 * commits is one INSERT into the job table, not twenty). Call prepareIngestionQueues first.
 */
export async function enqueueMany<S extends z.ZodType>(
  queue: Queue,
  tx: Database,
  job: JobDefinition<S>,
  payloads: readonly z.input<S>[],
  options: Pick<SendOptions, "startAfter"> = {},
): Promise<void> {
  if (payloads.length === 0) return;
  const { retryLimit, retryDelay, retryBackoff, expireInSeconds } = job.options ?? {};
  const defaults = {
    ...(retryLimit === undefined ? {} : { retryLimit }),
    ...(retryDelay === undefined ? {} : { retryDelay }),
    ...(retryBackoff === undefined ? {} : { retryBackoff }),
    ...(expireInSeconds === undefined ? {} : { expireInSeconds }),
    ...(options.startAfter === undefined ? {} : { startAfter: options.startAfter }),
  };
  const jobs = payloads.map((p) => ({ data: jobData(job, p) as object, ...defaults }));
  await queue.boss.insert(job.name, jobs, { db: fromDrizzle(tx, sql) });
}
