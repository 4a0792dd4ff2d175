import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sweepMetricsJob } from "../../src/server/jobs/definitions.ts";
import { type Queue, startQueue } from "../../src/server/jobs/queue.ts";
import { parseExposition, sampleValue } from "../api/prometheus-text.ts";
import { TEST_ENGINE, useTestDatabase } from "../helpers/db.ts";

// `npm run worker` has no HTTP port: its counters are scraped on SENTINEL_METRICS_PORT. A real
// worker process shares the test's database, takes a job sent from here, and its own /metrics
// counts the run. On PostgreSQL only: a separate worker process is a multi-process deployment,
// which PGlite (one process's database) does not run; the listener itself is tested on both
// engines by test/api/metrics-endpoint.db.test.ts.
const onServer = TEST_ENGINE === "postgres";

vi.setConfig({ hookTimeout: 180_000, testTimeout: 120_000 });

const TOKEN = "worker-metrics-token-0123456789";
const WORKER = join(import.meta.dirname, "../../src/server/worker.ts");
const database = useTestDatabase();
let worker: ChildProcess | undefined;
let metricsUrl = "";
let dataDir = "";
const output: string[] = [];

beforeAll(async () => {
  if (!onServer) return;
  dataDir = mkdtempSync(join(tmpdir(), "sentinel-worker-metrics-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    SENTINEL_DATA_DIR: dataDir,
    SENTINEL_METRICS_TOKEN: TOKEN,
    SENTINEL_METRICS_PORT: "0",
  };
  env.DATABASE_URL = database().url;
  const child = spawn(process.execPath, [WORKER], { env, stdio: ["ignore", "pipe", "pipe"] });
  worker = child;
  child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
  const deadline = Date.now() + 150_000;
  while (!metricsUrl) {
    if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode}: ${output.join("")}`);
    if (Date.now() > deadline) throw new Error(`worker did not start: ${output.join("")}`);
    const started = lines().find((l) => l.msg === "Sentinel workers started");
    if (typeof started?.metrics === "string") metricsUrl = started.metrics;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker?.once("exit", resolve));
    worker.kill("SIGTERM");
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function lines(): Array<Record<string, unknown>> {
  return output
    .join("")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function scrape(authorization = `Bearer ${TOKEN}`) {
  const res = await fetch(`${metricsUrl}/metrics`, { headers: { authorization } });
  return { status: res.status, text: await res.text() };
}

describe.runIf(onServer)("a worker process's metrics", () => {
  it("are served on its own loopback listener, behind the token", async () => {
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await scrape("Bearer wrong-token-0123456789abcdef")).status).toBe(401);
    const { status, text } = await scrape();
    expect(status).toBe(200);
    const samples = parseExposition(text);
    expect(sampleValue(samples, "sentinel_cluster_metrics_up")).toBe(1);
    // The worker created its queues: each is reported, empty or not.
    expect(
      samples.some((s) => s.name === "sentinel_queue_jobs" && s.labels.queue === "attribute-commit"),
    ).toBe(true);
  });

  it("count the jobs that worker ran, with one log line each", async () => {
    let queue: Queue | undefined;
    try {
      queue = await startQueue(database(), { supervise: false });
      const jobId = await queue.send(sweepMetricsJob, {});
      expect(jobId).not.toBeNull();
      const deadline = Date.now() + 60_000;
      while (!lines().some((l) => l.jobId === jobId)) {
        if (Date.now() > deadline) throw new Error(`the worker did not run ${jobId}: ${output.join("")}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(lines().find((l) => l.jobId === jobId)).toMatchObject({
        msg: "job run",
        queue: "metrics-sweep",
        outcome: "completed",
        attempt: 1,
      });
      const samples = parseExposition((await scrape()).text);
      expect(
        sampleValue(samples, "sentinel_jobs_total", { queue: "metrics-sweep", outcome: "completed" }),
      ).toBeGreaterThanOrEqual(1);
    } finally {
      await queue?.stop();
    }
  });
});
