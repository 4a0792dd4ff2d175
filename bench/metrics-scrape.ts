// `npm run bench -- metrics-scrape`: what one Prometheus scrape costs the database. The
// cluster-wide gauges of GET /metrics (services/operations/backlogs.ts) are read at every scrape
// of every process; this times that read on the PostgreSQL server (TEST_DATABASE_URL's, a scratch
// database) as the queue's backlog grows: 0, 10k, 100k and 500k waiting jobs, 9 reads each.
import { loadavg } from "node:os";
import { startQueue } from "../src/server/jobs/queue.ts";
import { readBacklogs } from "../src/server/services/operations/backlogs.ts";
import { openScratchDatabase } from "./lib/scratch-database.ts";

const BACKLOGS = [0, 10_000, 100_000, 500_000];
const READS = 9;
const QUEUE = "bench-metrics-backlog";

export async function benchMetricsScrape() {
  const { handle, dispose } = await openScratchDatabase("sentinel_bench_scrape");
  const queue = await startQueue(handle, { supervise: false });
  const loadBefore = loadavg();
  const runs: Array<{ waitingJobs: number; p50Ms: number; maxMs: number }> = [];
  try {
    await queue.boss.createQueue(QUEUE);
    let queued = 0;
    for (const target of BACKLOGS) {
      while (queued < target) {
        const n = Math.min(10_000, target - queued);
        const first = queued;
        await queue.boss.insert(
          QUEUE,
          Array.from({ length: n }, (_, i) => ({ data: { n: first + i } })),
        );
        queued += n;
      }
      await handle.db.execute("ANALYZE pgboss.job");
      const seen = (await readBacklogs(handle.db)).queues.find((q) => q.queue === QUEUE);
      if ((seen?.ready ?? 0) !== target)
        throw new Error(`expected ${target} waiting jobs, read ${seen?.ready}`);
      const ms: number[] = [];
      for (let i = 0; i < READS; i++) {
        const started = performance.now();
        await readBacklogs(handle.db);
        ms.push(performance.now() - started);
      }
      ms.sort((a, b) => a - b);
      runs.push({
        waitingJobs: target,
        p50Ms: Number((ms[Math.floor(READS / 2)] ?? 0).toFixed(1)),
        maxMs: Number((ms.at(-1) ?? 0).toFixed(1)),
      });
    }
  } finally {
    await queue.stop();
    await dispose();
  }
  return { name: "metrics-scrape", runs, loadAverage: { before: loadBefore, after: loadavg() } };
}
