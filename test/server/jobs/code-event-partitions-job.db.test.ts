import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { compose } from "../../../src/server/composition.ts";
import { listCodeEventPartitions } from "../../../src/server/db/code-event-partitions.ts";
import { loadEnv } from "../../../src/server/env.ts";
import { maintainCodeEventPartitionsJob } from "../../../src/server/jobs/definitions.ts";
import { type Queue, startQueue } from "../../../src/server/jobs/queue.ts";
import { createLogger } from "../../../src/server/logger.ts";
import { recordCodeEvents } from "../../../src/server/services/github/code-events.ts";
import { registerCodeEventPartitionWorkers } from "../../../src/server/workers/code-event-partitions.ts";
import { useTestDatabase } from "../../helpers/db.ts";
import { makeOrg, makeRepo, sha } from "../services/fixtures.ts";

// The scheduled job through the real queue: scheduled with the environment's retention, it makes
// the months ahead of its clock and drops the months past the retention.

vi.setConfig({ hookTimeout: 120_000, testTimeout: 60_000 });

const database = useTestDatabase();
const lines: Array<Record<string, unknown>> = [];
let queue: Queue;

beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(text));
      done();
    },
  });
  const logger = createLogger(stream);
  queue = await startQueue(database(), { supervise: false, logger });
  const env = loadEnv({
    SENTINEL_CODE_EVENTS_RETENTION_MONTHS: "24",
    SENTINEL_DATA_DIR: "/tmp/sentinel-test-unused",
  });
  await registerCodeEventPartitionWorkers({
    ...compose(env, database(), queue),
    clock: { now: () => new Date("2031-06-15T12:00:00Z") },
    logger,
  });
});

afterAll(async () => {
  await queue?.stop();
});

async function until(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the code_events partitions job", () => {
  it("is scheduled daily with the retention from the environment", async () => {
    const schedules = await queue.boss.getSchedules();
    const schedule = schedules.find((s) => s.name === maintainCodeEventPartitionsJob.name);
    expect(schedule?.cron).toBe("7 0 * * *");
    expect(schedule?.data).toMatchObject({ monthsAhead: 3, retentionMonths: 24 });
  });

  it("creates the months ahead of its clock and drops the months past the retention", async () => {
    const ctx = await makeOrg(database().db);
    const repoId = await makeRepo(ctx, "acme/jobs");
    const person = { name: "Dev", email: null, login: "dev" };
    const commitAt = (at: string, label: string) => ({
      orgId: ctx.orgId,
      repoId,
      eventType: "commit" as const,
      commitSha: sha(label),
      timestamp: new Date(at),
      actor: "dev",
      sourceKey: sha(label),
      metadata: {
        message: label,
        author: person,
        committer: person,
        parents: [],
        branch: "main",
        additions: 1,
        deletions: 0,
        filesChanged: 1,
        url: null,
        source: "backfill" as const,
      },
    });
    // A month old enough to go (ended before 2029-06) and one young enough to stay; both wait in
    // the default partition until the job gives them a partition of their own.
    await recordCodeEvents(database().db, [
      commitAt("2020-02-10T00:00:00Z", "gone"),
      commitAt("2030-01-10T00:00:00Z", "kept"),
    ]);
    await queue.send(maintainCodeEventPartitionsJob, { monthsAhead: 3, retentionMonths: 24 });
    await until(async () => lines.some((l) => l.msg === "code_events partitions maintained"));
    const names = (await listCodeEventPartitions(database().db)).months.map((m) => m.name);
    for (const month of ["2031_06", "2031_07", "2031_08", "2031_09", "2030_01"])
      expect(names).toContain(`code_events_${month}`);
    expect(names).not.toContain("code_events_2020_02");
    const line = lines.find((l) => l.msg === "code_events partitions maintained");
    expect(line?.created).toEqual(expect.arrayContaining(["code_events_2020_02", "code_events_2030_01"]));
    expect(line?.dropped).toEqual(expect.arrayContaining(["code_events_2020_02"]));
    expect(line?.movedRows).toBe(2);
  });
});
