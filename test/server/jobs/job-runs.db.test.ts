import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defineJob, type Queue, startQueue } from "../../../src/server/jobs/queue.ts";
import { createLogger } from "../../../src/server/logger.ts";
import { processRegistry } from "../../../src/server/observability/metrics.ts";
import { parseExposition, type Sample, sampleValue } from "../../api/prometheus-text.ts";
import { useTestDatabase } from "../../helpers/db.ts";

// Every job run leaves one structured log line (queue, job id, outcome, duration, attempt, the
// ids it was about) and moves the job metrics, written once by the queue wrapper for every queue.

vi.setConfig({ hookTimeout: 120_000, testTimeout: 60_000 });

const runsJob = defineJob({
  name: "test-job-runs",
  version: 1,
  schema: z.strictObject({
    orgId: z.uuid(),
    repoId: z.uuid(),
    note: z.string(),
    failures: z.number().int(),
  }),
  // A retry comes due at once, so the second attempt runs within the test.
  options: { retryLimit: 1, retryDelay: 0 },
});

interface JobLine {
  level: number;
  msg: string;
  queue: string;
  jobId: string;
  outcome: string;
  ms: number;
  attempt: number;
  batchSize: number;
  lagMs?: number;
  willRetry?: boolean;
  orgId?: string;
  repoId?: string;
  note?: unknown;
  err?: { message: string };
}

const database = useTestDatabase();
const lines: JobLine[] = [];
let queue: Queue;

beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(text) as JobLine);
      done();
    },
  });
  queue = await startQueue(database(), { supervise: false, logger: createLogger(stream) });
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

async function metrics(): Promise<Sample[]> {
  return parseExposition(await processRegistry.metrics());
}

describe("a job run", () => {
  it("is logged once per run with its fields, and counted, whether it completes, is retried or fails", async () => {
    const orgId = randomUUID();
    const before = await metrics();
    const attempts = new Map<string, number>();
    const send = (note: string, failures: number) =>
      queue.send(runsJob, { orgId, repoId: randomUUID(), note, failures });
    const ok = await send("secret payload text", 0);
    const flaky = await send("flaky", 1);
    const broken = await send("broken", 5);
    await queue.work(runsJob, async ({ note, failures }) => {
      const seen = (attempts.get(note) ?? 0) + 1;
      attempts.set(note, seen);
      if (seen <= failures) throw new Error(`${note} failed on attempt ${seen}`);
    });
    // ok: 1 run; flaky: fails, then completes; broken: fails twice (its one retry used up).
    const runsOf = (jobId: string | null) =>
      lines.filter((l) => l.queue === runsJob.name && l.jobId === jobId);
    await until(() => runsOf(ok).length === 1 && runsOf(flaky).length === 2 && runsOf(broken).length === 2);

    const [okLine] = runsOf(ok);
    expect(okLine).toMatchObject({ msg: "job run", level: 30, outcome: "completed", attempt: 1, orgId });
    expect(okLine?.ms).toBeGreaterThanOrEqual(0);
    expect(okLine?.lagMs).toBeGreaterThanOrEqual(0);
    expect(okLine?.batchSize).toBeGreaterThanOrEqual(1);
    expect(okLine?.repoId).toMatch(/^[0-9a-f-]{36}$/);
    // Ids only: the payload's content stays out of the log.
    expect(JSON.stringify(okLine)).not.toContain("secret payload text");

    expect(runsOf(flaky).map((l) => [l.outcome, l.attempt, l.willRetry])).toEqual([
      ["failed", 1, true],
      ["completed", 2, undefined],
    ]);
    expect(runsOf(flaky)[0]).toMatchObject({ msg: "job run failed", level: 40 });
    expect(runsOf(flaky)[0]?.err?.message).toBe("flaky failed on attempt 1");
    expect(runsOf(broken).map((l) => [l.outcome, l.attempt, l.willRetry])).toEqual([
      ["failed", 1, true],
      ["failed", 2, false],
    ]);

    const after = await metrics();
    const delta = (name: string, labels: Record<string, string>) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    const queueLabel = { queue: runsJob.name };
    expect(delta("sentinel_jobs_total", { ...queueLabel, outcome: "completed" })).toBe(2);
    expect(delta("sentinel_jobs_total", { ...queueLabel, outcome: "failed" })).toBe(3);
    // Lag from creation is observed for each completed job; batches are timed once each.
    expect(delta("sentinel_job_lag_seconds_count", queueLabel)).toBe(2);
    expect(delta("sentinel_job_batch_duration_seconds_count", queueLabel)).toBeGreaterThanOrEqual(2);
  });

  it("logs a payload that does not parse as a failed run, without its content", async () => {
    const id = await queue.boss.send(runsJob.name, { orgId: "not-a-uuid", note: "unparsed secret" });
    await until(() => lines.some((l) => l.jobId === id && l.attempt === 2));
    const runs = lines.filter((l) => l.jobId === id);
    expect(runs.map((l) => l.outcome)).toEqual(["failed", "failed"]);
    expect(JSON.stringify(runs)).not.toContain("unparsed secret");
  });
});
