import { sql } from "drizzle-orm";
import { z } from "zod";
import { type DatabaseHandle, openDatabase } from "../src/server/db/client.ts";
import { migrateDatabase } from "../src/server/db/migrate.ts";
import { defineJob, startQueue, WORK_DEFAULTS } from "../src/server/jobs/queue.ts";
import { openScratchDatabase } from "./lib/scratch-database.ts";

const benchJob = defineJob({
  name: "bench-queue",
  version: 1,
  schema: z.strictObject({ n: z.number().int() }),
});
// The baseline's queue is made as queues were before (no NOTIFY), outside Sentinel's definitions.
const BASELINE_QUEUE = "bench-queue-baseline";

interface Run {
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
}

async function drain(handle: DatabaseHandle, jobs: number, pace: "baseline" | "sentinel"): Promise<Run> {
  const queue = await startQueue(handle, { supervise: false });
  try {
    await handle.db.execute(sql`CREATE TABLE IF NOT EXISTS bench_queue_done (n int)`);
    if (pace === "sentinel") {
      await handle.db.transaction(async (tx) => {
        for (let n = 0; n < jobs; n++) await queue.enqueue(tx, benchJob, { n });
      });
    } else {
      await queue.boss.createQueue(BASELINE_QUEUE);
      for (let n = 0; n < jobs; n++) await queue.boss.send(BASELINE_QUEUE, { n });
    }
    let done = 0;
    let finished!: () => void;
    const all = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const handler = async (n: number) => {
      await handle.db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO bench_queue_done VALUES (${n})`);
      });
      if (++done === jobs) finished();
    };
    const started = performance.now();
    if (pace === "sentinel") await queue.work(benchJob, async ({ n }) => handler(n));
    // pg-boss as Sentinel used it before: work() with its defaults (one job a fetch, a 2 s poll).
    else
      await queue.boss.work(BASELINE_QUEUE, async (batch) => {
        for (const job of batch) await handler((job.data as { n: number }).n);
      });
    await all;
    const seconds = (performance.now() - started) / 1000;
    return { jobs, seconds: Number(seconds.toFixed(2)), jobsPerSecond: Number((jobs / seconds).toFixed(2)) };
  } finally {
    await queue.stop();
  }
}

async function onEngine(open: () => Promise<DatabaseHandle & { dispose(): Promise<void> }>) {
  // The baseline is slow by construction (one job per 2 s), so it gets fewer jobs.
  const baselineHandle = await open();
  const baseline = await drain(baselineHandle, 10, "baseline").finally(() => baselineHandle.dispose());
  const sentinelHandle = await open();
  const sentinel = await drain(sentinelHandle, 1000, "sentinel").finally(() => sentinelHandle.dispose());
  return { baseline, sentinel, ratio: Number((sentinel.jobsPerSecond / baseline.jobsPerSecond).toFixed(1)) };
}

export async function benchQueue() {
  const pglite = await onEngine(async () => {
    const handle = await openDatabase({ memory: true });
    await migrateDatabase(handle);
    return { ...handle, dispose: () => handle.close() };
  });
  const postgres = await onEngine(async () => {
    const { handle, dispose } = await openScratchDatabase("sentinel_bench_queue");
    return { ...handle, dispose };
  });
  return { pace: WORK_DEFAULTS, pglite, postgres };
}
