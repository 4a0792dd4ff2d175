import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defineJob, type Queue, startQueue, WORK_DEFAULTS } from "../../../src/server/jobs/queue.ts";
import { useTestDatabase } from "../../helpers/db.ts";

// Workers take jobs in batches and settle each job on its own: one job that throws is retried
// alone, its neighbours in the same batch complete.

vi.setConfig({ hookTimeout: 120_000, testTimeout: 60_000 });

const probeJob = defineJob({
  name: "test-queue-probe",
  version: 1,
  schema: z.strictObject({ n: z.number().int(), fail: z.boolean() }),
  options: { retryLimit: 0 },
});

/** Version 2 renamed v1's `count` to `n`; payloads still queued as version 1 are upgraded. */
const versionedJob = defineJob({
  name: "test-queue-versioned",
  version: 2,
  schema: z.strictObject({ n: z.number().int() }),
  upgrade: (payload, from) => (from === 1 ? { n: (payload as { count: number }).count } : payload),
  options: { retryLimit: 0 },
});

const database = useTestDatabase();
let queue: Queue;

beforeAll(async () => {
  queue = await startQueue(database(), { supervise: false });
});
afterAll(async () => {
  await queue?.stop();
});

async function until(check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the job queue", () => {
  it("takes a backlog in batches and settles each job of a batch on its own", async () => {
    const total = WORK_DEFAULTS.batchSize * 2 + 3;
    const ids: string[] = [];
    for (let n = 0; n < total; n++) {
      const id = await queue.enqueue(database().db, probeJob, { n, fail: n === 5 });
      if (id) ids.push(id);
    }
    const handled: number[] = [];
    await queue.work(probeJob, async ({ n, fail }) => {
      handled.push(n);
      if (fail) throw new Error(`job ${n} failed\nparams: secret-value`);
    });
    await until(() => handled.length === total);

    // Settlement follows the handler: wait until every job has left "active".
    let settled: Awaited<ReturnType<typeof queue.boss.getJobById>>[] = [];
    const deadline = Date.now() + 30_000;
    do {
      settled = await Promise.all(ids.map((id) => queue.boss.getJobById(probeJob.name, id)));
    } while (
      settled.some((job) => job?.state !== "completed" && job?.state !== "failed") &&
      Date.now() < deadline
    );
    expect(settled.filter((job) => job?.state === "completed")).toHaveLength(total - 1);
    const broken = settled.find((job) => job?.state === "failed");
    expect(broken?.data).toEqual({ n: 5, fail: true, jobVersion: 1 });
    // The stored failure keeps the message, never a query's parameters.
    expect(JSON.stringify(broken?.output)).toContain("job 5 failed");
    expect(JSON.stringify(broken?.output)).not.toContain("secret-value");
  });

  it("stores each job with its definition's version, upgrades older payloads and refuses newer ones", async () => {
    const id = await queue.enqueue(database().db, versionedJob, { n: 1 });
    expect((await queue.boss.getJobById(versionedJob.name, id ?? ""))?.data).toEqual({ n: 1, jobVersion: 2 });
    // Sent by older releases: before job versions existed (none stored: version 1), and as version 1.
    await queue.boss.send(versionedJob.name, { count: 2 });
    await queue.boss.send(versionedJob.name, { count: 3, jobVersion: 1 });
    // Sent by a newer release than this worker's.
    const future = await queue.boss.send(versionedJob.name, { n: 4, jobVersion: 3 }, { retryLimit: 0 });
    const handled: number[] = [];
    await queue.work(versionedJob, async ({ n }) => {
      handled.push(n);
    });
    await until(() => handled.length === 3);
    expect(handled.sort()).toEqual([1, 2, 3]);
    let refused: Awaited<ReturnType<typeof queue.boss.getJobById>> = null;
    const deadline = Date.now() + 30_000;
    while (refused?.state !== "failed" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      refused = await queue.boss.getJobById(versionedJob.name, future ?? "");
    }
    expect(refused?.state).toBe("failed");
    expect(JSON.stringify(refused?.output)).toContain("payload version 3 is newer than this worker's 2");
    expect(handled).toHaveLength(3);
  });
});
