import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { DatabaseHandle } from "../../src/server/db/client.ts";
import { rebuildAll } from "../../src/server/services/metrics/roll-up.ts";
import { makeKey, makeOrg } from "../api/helpers.ts";
import {
  type Cluster,
  connectRepository,
  driveLoad,
  type LoadResult,
  prepareDeliveries,
  startCluster,
  until,
} from "./cluster.ts";

// Three servers and two workers as real processes on one PostgreSQL (through PgBouncer in
// transaction mode where it is installed). Signed push webhooks go to the servers round-robin; one
// server and one worker are killed with SIGKILL mid-load and restarted. Afterwards nothing is lost
// or doubled, and what must be shared across processes (rate limits, schedules, the
// re-attribution scan) behaved as in one process.

vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });

const COMMITS = 150;
const PER_PUSH = 3;

let cluster: Cluster;
let handle: DatabaseHandle;
let orgId = "";
let repoId = "";
let load: LoadResult;

const rows = async <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
  (await handle.db.execute<T>(query)).rows;

beforeAll(async () => {
  cluster = await startCluster({
    serverUrl: inject("testServerUrl"),
    servers: 3,
    workers: 2,
    commits: COMMITS,
  });
  console.log(`multi-process test: ${cluster.topology} topology`);
  ({ handle, orgId, repoId } = await connectRepository(cluster));
});

afterAll(async () => {
  await handle?.close();
  await cluster?.stop();
});

describe("3 servers and 2 workers on one database", () => {
  it("loses and doubles nothing when a server and a worker are killed mid-load", async () => {
    const deliveries = prepareDeliveries(cluster.commits, PER_PUSH, cluster.github.url);
    const [victimServer, victimWorker] = [cluster.servers[1], cluster.workers[0]];
    if (!victimServer || !victimWorker) throw new Error("the cluster is too small");
    let chaos: Promise<void> | undefined;
    load = await driveLoad(
      () => cluster.servers.map((s) => s.url ?? ""),
      deliveries,
      6,
      (acknowledged) => {
        if (chaos || acknowledged < deliveries.length / 3) return;
        chaos = (async () => {
          await Promise.all([victimServer.kill(), victimWorker.kill()]);
          await new Promise((r) => setTimeout(r, 500));
          await Promise.all([victimServer.start(), victimWorker.start()]);
        })();
      },
    );
    await chaos;
    expect(victimServer.starts).toBe(2);
    expect(victimWorker.starts).toBe(2);
    expect(load.acknowledged.size).toBe(deliveries.length);

    // Every acknowledged delivery is stored once, and each commit it carried is one code event.
    const stored = await rows<{ delivery_id: string; n: number }>(
      sql`SELECT delivery_id, count(*)::int AS n FROM webhook_deliveries GROUP BY delivery_id`,
    );
    expect(stored.filter((r) => load.acknowledged.has(r.delivery_id)).map((r) => r.n)).toEqual(
      Array(deliveries.length).fill(1),
    );
    const events = await rows<{ commit_sha: string; n: number }>(
      sql`SELECT commit_sha, count(*)::int AS n FROM code_events
          WHERE repo_id = ${repoId} AND event_type = 'commit' GROUP BY commit_sha`,
    );
    expect(events).toHaveLength(COMMITS);
    expect(events.every((e) => e.n === 1)).toBe(true);

    // Every commit is attributed, once: one row per file it changed, whichever worker ran it (a job
    // cut off by the kill is retried by the other worker once its heartbeat stops).
    await until(
      "every commit attributed",
      async () => {
        const [done] = await rows<{ n: number }>(
          sql`SELECT count(DISTINCT commit_sha)::int AS n FROM code_attribution WHERE repo_id = ${repoId}`,
        );
        return done?.n === COMMITS;
      },
      150_000,
    );
    const attributed = await rows<{ commit_sha: string; n: number; files: number }>(
      sql`SELECT commit_sha, count(*)::int AS n, count(DISTINCT file_path)::int AS files
          FROM code_attribution WHERE repo_id = ${repoId} GROUP BY commit_sha`,
    );
    const expected = new Map(cluster.commits.map((c) => [c.sha, c.files.length]));
    expect(attributed.filter((a) => a.n !== expected.get(a.commit_sha) || a.files !== a.n)).toEqual([]);
    const [ai] = await rows<{ n: number }>(
      sql`SELECT count(DISTINCT commit_sha)::int AS n FROM code_attribution WHERE repo_id = ${repoId} AND tool IS NOT NULL`,
    );
    expect(ai?.n).toBeGreaterThan(0);
  });

  it("rolls up the same metrics a full rebuild computes", async () => {
    await until(
      "roll-ups drained",
      async () => {
        const [open] = await rows<{ pending: number; jobs: number }>(sql`
          SELECT (SELECT count(*)::int FROM repo_metrics_pending WHERE repo_id = ${repoId}) AS pending,
                 (SELECT count(*)::int FROM pgboss.job
                   WHERE name IN ('metrics-roll-up', 'attribute-commit')
                     AND state IN ('created', 'retry', 'active')) AS jobs`);
        return open?.pending === 0 && open?.jobs === 0;
      },
      120_000,
    );
    const snapshot = async () =>
      (
        await rows<Record<string, unknown>>(
          sql`SELECT * FROM repo_metrics WHERE repo_id = ${repoId} ORDER BY period, date`,
        )
      ).map(({ id: _id, computed_at: _at, ...metrics }) => metrics);
    const incremental = await snapshot();
    expect(incremental.length).toBeGreaterThan(0);
    await rebuildAll({ db: handle.db, orgId, actor: { kind: "system" } });
    expect(await snapshot()).toEqual(incremental);
  });

  it("holds an API key to its plan's limit across all servers", async () => {
    const org = await makeOrg(handle.db, "free");
    const { key, id } = await makeKey(handle.db, org.id, ["events:read"]);
    const statuses = await Promise.all(
      Array.from({ length: 90 }, async (_, i) => {
        const server = cluster.servers[i % cluster.servers.length];
        const response = await fetch(`${server?.url}/api/v1/organization`, {
          headers: { authorization: `Bearer ${key}` },
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    // The free plan allows 60 a minute per key: exactly 60, not 60 per server.
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    const [used] = await rows<{ last_used_at: string | null }>(
      sql`SELECT last_used_at FROM api_keys WHERE id = ${id}`,
    );
    expect(used?.last_used_at).not.toBeNull();
  });

  it("runs scheduled jobs and the re-attribution scan once for the whole cluster", async () => {
    // Five processes run pg-boss's scheduler; each minute's metrics-sweep exists once. On a fast
    // machine the load is over before the first minute's schedule fires: wait for it.
    const sweepCount = async () =>
      (
        await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'metrics-sweep'`)
      )[0]?.n ?? 0;
    await until("a scheduled metrics-sweep", async () => (await sweepCount()) > 0, 150_000);
    const sweeps = await rows<{ minute: string; n: number }>(sql`
      SELECT date_trunc('minute', created_on)::text AS minute, count(*)::int AS n
      FROM pgboss.job WHERE name = 'metrics-sweep' GROUP BY 1 ORDER BY 1`);
    expect(sweeps.length).toBeGreaterThan(0);
    expect(sweeps.filter((s) => s.n !== 1)).toEqual([]);
    // Three worker starts (two, then one restarted; servers run no workers) asked for one scan.
    const scans = await rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'reattribution-scan'`,
    );
    expect(scans[0]?.n).toBe(1);
    const claimed = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM reattribution_scans`);
    expect(claimed[0]?.n).toBe(1);
  });
});
