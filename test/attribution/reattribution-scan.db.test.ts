import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ENGINE_VERSION } from "../../src/core/attribution/engine.ts";
import { requestReattributionScan } from "../../src/server/attribution/reattribute.ts";
import { type DatabaseHandle, openDatabase } from "../../src/server/db/client.ts";
import { startQueue } from "../../src/server/jobs/queue.ts";
import { completeReattributionScan } from "../../src/server/services/attribution/reattribution-scans.ts";
import { TEST_ENGINE, useTestDatabase } from "../helpers/db.ts";

// Every worker start asks for the scan of rows made by older engines; the cluster runs it once per
// engine version. On the server, each "worker" has its own pool and queue, as separate processes do.

const database = useTestDatabase();

describe("the re-attribution scan", () => {
  it("is queued by exactly one of several workers starting at once, and by none after", async () => {
    const url = database().url;
    const handles: DatabaseHandle[] =
      TEST_ENGINE === "postgres" && url
        ? await Promise.all([1, 2, 3].map(() => openDatabase({ url, max: 3 })))
        : [database()];
    const queues = await Promise.all(handles.map((h) => startQueue(h, { supervise: false })));
    try {
      const starts = TEST_ENGINE === "postgres" ? 6 : 3;
      const requested = await Promise.all(
        Array.from({ length: starts }, (_, i) => {
          const k = i % handles.length;
          return requestReattributionScan(
            (handles[k] as DatabaseHandle).db,
            queues[k] as (typeof queues)[number],
          );
        }),
      );
      expect(requested.filter(Boolean)).toHaveLength(1);
      const { db } = database();
      const jobs = await db.execute<{ data: { engineVersion: string } }>(
        sql`SELECT data FROM pgboss.job WHERE name = 'reattribution-scan'`,
      );
      expect(jobs.rows.map((j) => j.data.engineVersion)).toEqual([ENGINE_VERSION]);

      await completeReattributionScan(db, ENGINE_VERSION, 0);
      expect(await requestReattributionScan(db, queues[0] as (typeof queues)[number])).toBe(false);
      const scans = await db.execute<{ engine_version: string; completed: boolean; commits: number }>(
        sql`SELECT engine_version, completed_at IS NOT NULL AS completed, commits FROM reattribution_scans`,
      );
      expect(scans.rows).toEqual([{ engine_version: ENGINE_VERSION, completed: true, commits: 0 }]);
    } finally {
      await Promise.all(queues.map((q) => q.stop()));
      if (handles[0] !== database()) await Promise.all(handles.map((h) => h.close()));
    }
  });
});
