// Webhook throughput with 1 and with 3 servers (2 workers each time), every process a real child
// process on one fresh PostgreSQL database, through PgBouncer in transaction mode where it is
// installed (test/cluster/cluster.ts). Measures how fast signed push deliveries are acknowledged
// across the servers (round-robin, as a load balancer sends them) and how long until every commit
// is attributed by the workers.
//   npm run bench -- scale   → JSON {topology, runs: [{servers, deliveriesPerSecond, …}], …}
// PostgreSQL from TEST_DATABASE_URL's server.
import { availableParallelism, loadavg } from "node:os";
import { sql } from "drizzle-orm";
import { testDatabaseUrl } from "../src/server/env.ts";
import {
  connectRepository,
  driveLoad,
  prepareDeliveries,
  startCluster,
  until,
} from "../test/cluster/cluster.ts";

const COMMITS = 300;
const PER_PUSH = 3;
const CONCURRENCY = 12;
const WORKERS = 2;

async function run(servers: number) {
  const cluster = await startCluster({
    serverUrl: testDatabaseUrl(),
    servers,
    workers: WORKERS,
    commits: COMMITS,
  });
  try {
    const { handle, repoId } = await connectRepository(cluster);
    try {
      const deliveries = prepareDeliveries(cluster.commits, PER_PUSH, cluster.github.url);
      const started = performance.now();
      const load = await driveLoad(() => cluster.servers.map((s) => s.url ?? ""), deliveries, CONCURRENCY);
      await until(
        "every commit attributed",
        async () => {
          const { rows } = await handle.db.execute<{ n: number }>(
            sql`SELECT count(DISTINCT commit_sha)::int AS n FROM code_attribution WHERE repo_id = ${repoId}`,
          );
          return rows[0]?.n === COMMITS;
        },
        20 * 60_000,
      );
      const attributedSeconds = (performance.now() - started) / 1000;
      return {
        topology: cluster.topology,
        servers,
        workers: WORKERS,
        deliveries: deliveries.length,
        commits: COMMITS,
        ingestSeconds: Number(load.seconds.toFixed(2)),
        deliveriesPerSecond: Math.round(deliveries.length / load.seconds),
        commitsAcknowledgedPerSecond: Math.round(COMMITS / load.seconds),
        attributedSeconds: Number(attributedSeconds.toFixed(2)),
        commitsAttributedPerSecond: Math.round(COMMITS / attributedSeconds),
        retriedDeliveries: load.retried,
      };
    } finally {
      await handle.close();
    }
  } finally {
    await cluster.stop();
  }
}

export async function benchScale() {
  const before = loadavg()[0] ?? 0;
  const runs = [await run(1), await run(3)];
  return {
    machine: { cpus: availableParallelism(), loadAverageBefore: Number(before.toFixed(1)) },
    concurrency: CONCURRENCY,
    commitsPerPush: PER_PUSH,
    runs,
    threeVersusOne: Number(
      ((runs[1]?.deliveriesPerSecond ?? 0) / Math.max(1, runs[0]?.deliveriesPerSecond ?? 1)).toFixed(2),
    ),
  };
}
