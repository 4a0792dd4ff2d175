import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadEnv } from "../../src/server/env.ts";
import { defineJob } from "../../src/server/jobs/queue.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import {
  createInstallation,
  createOrg,
  createRepository,
  postDelivery,
  pushPayload,
  SECRET,
  uniqueId,
} from "../github/helpers.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { parseExposition, type Sample, sampleValue } from "./prometheus-text.ts";

// GET /metrics over real HTTP on loopback, against a real database: who may read it, that it is
// valid Prometheus text, and that its numbers follow what happened (deliveries, queued jobs,
// stale roll-ups, requests).

const TOKEN = "metrics-token-0123456789abcdef";
const database = useTestDatabase();
const db = () => database().db;
let server: RunningServer;
let closed: RunningServer;

/** A queue no worker takes in this file (SENTINEL_WORKERS=false): what is sent stays queued. */
const depthProbeJob = defineJob({
  name: "test-metrics-depth",
  version: 1,
  schema: z.strictObject({ n: z.number().int() }),
  options: { retryLimit: 0 },
});

const baseEnv = {
  PORT: "0",
  LOG_LEVEL: "silent",
  SENTINEL_SEED_ON_START: "false",
  SENTINEL_WORKERS: "false",
  GITHUB_WEBHOOK_SECRET: SECRET,
} as const;

beforeAll(async () => {
  server = await startServer(
    loadEnv({ ...baseEnv, SENTINEL_METRICS_TOKEN: TOKEN, SENTINEL_METRICS_PORT: "0" }),
    { handle: database() },
  );
  closed = await startServer(loadEnv(baseEnv), { handle: database() });
});

afterAll(async () => {
  await server?.stop();
  await closed?.stop();
});

async function scrape(base = server.url, authorization = `Bearer ${TOKEN}`): Promise<Sample[]> {
  const res = await fetch(`${base}/metrics`, { headers: { authorization } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  return parseExposition(await res.text());
}

describe("GET /metrics: who may read it", () => {
  it("does not exist without SENTINEL_METRICS_TOKEN: a JSON 404, not the dashboard's page", async () => {
    const res = await fetch(`${closed.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "not_found" });
    expect(closed.metricsUrl).toBeNull();
  });

  it("refuses a request without the token, with another token, or with the token in another scheme", async () => {
    for (const authorization of [
      undefined,
      "Bearer wrong-token-0123456789abcdef",
      `Bearer ${TOKEN}x`,
      `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}`,
      TOKEN,
    ]) {
      const res = await fetch(`${server.url}/metrics`, {
        headers: authorization ? { authorization } : {},
      });
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const body = await res.text();
      expect(body).toContain('"code":"unauthorized"');
      expect(body).not.toContain("sentinel_");
    }
  });

  it("serves valid Prometheus text to the right token, with process and cluster-wide metrics", async () => {
    const samples = await scrape();
    expect(sampleValue(samples, "sentinel_cluster_metrics_up")).toBe(1);
    // prom-client's process metrics are there too.
    expect(samples.some((s) => s.name === "process_cpu_user_seconds_total")).toBe(true);
    expect(samples.some((s) => s.name === "nodejs_eventloop_lag_seconds")).toBe(true);
  });

  it("serves the same on the separate listener, which answers nothing else", async () => {
    const base = server.metricsUrl ?? "";
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sampleValue(await scrape(base), "sentinel_cluster_metrics_up")).toBe(1);
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/api/health`)).status).toBe(404);
  });
});

describe("GET /metrics: what it counts", () => {
  it("counts webhook deliveries by outcome: stored, duplicate and refused", async () => {
    const org = await createOrg(db());
    const installationId = uniqueId();
    const githubId = uniqueId();
    await createInstallation(db(), installationId, org.id);
    await createRepository(db(), org.id, installationId, githubId);
    const count = (samples: Sample[], outcome: string) =>
      sampleValue(samples, "sentinel_webhook_deliveries_total", { source: "github", outcome });

    const before = await scrape();
    const payload = pushPayload({ installationId, repoGithubId: githubId, commits: 2 });
    const first = await postDelivery(server.url, "push", payload);
    expect(first.status).toBe(202);
    const again = await postDelivery(server.url, "push", payload, { deliveryId: first.deliveryId });
    expect(again.status).toBe(200);
    const forged = await postDelivery(server.url, "push", payload, { secret: "not-the-secret" });
    expect(forged.status).toBe(401);
    const after = await scrape();

    expect(count(after, "processed") - count(before, "processed")).toBe(1);
    expect(count(after, "duplicate") - count(before, "duplicate")).toBe(1);
    expect(count(after, "unauthorized") - count(before, "unauthorized")).toBe(1);
    // The delivery's two attribution jobs wait in their queue (no workers here).
    expect(sampleValue(after, "sentinel_queue_jobs", { queue: "attribute-commit", state: "ready" })).toBe(
      sampleValue(before, "sentinel_queue_jobs", { queue: "attribute-commit", state: "ready" }) + 2,
    );
  });

  it("reports each queue's depth and how long its oldest ready job has waited, from the database", async () => {
    for (let n = 0; n < 5; n++) await server.queue.send(depthProbeJob, { n });
    await server.queue.send(depthProbeJob, { n: 99 }, { startAfter: 3600 });
    // One job has waited ten minutes: as if the workers had fallen behind.
    await db().execute(sql`
      UPDATE pgboss.job SET created_on = now() - interval '10 minutes', start_after = now() - interval '10 minutes'
      WHERE name = ${depthProbeJob.name} AND data->>'n' = '0'`);
    const samples = await scrape();
    const queue = depthProbeJob.name;
    expect(sampleValue(samples, "sentinel_queue_jobs", { queue, state: "ready" })).toBe(5);
    expect(sampleValue(samples, "sentinel_queue_jobs", { queue, state: "deferred" })).toBe(1);
    expect(sampleValue(samples, "sentinel_queue_jobs", { queue, state: "active" })).toBe(0);
    const age = sampleValue(samples, "sentinel_queue_oldest_ready_job_age_seconds", { queue });
    expect(age).toBeGreaterThanOrEqual(600);
    expect(age).toBeLessThan(900);
    // Seen the same through the other process's listener: it is the database's number, not a process's.
    const viaListener = await scrape(server.metricsUrl ?? "");
    expect(sampleValue(viaListener, "sentinel_queue_jobs", { queue, state: "ready" })).toBe(5);
  });

  it("reports the roll-up lag: the age of the oldest stale repo_metrics mark", async () => {
    const org = await createOrg(db());
    const installationId = uniqueId();
    await createInstallation(db(), installationId, org.id);
    const repoId = await createRepository(db(), org.id, installationId, uniqueId());
    await db().execute(sql`
      INSERT INTO repo_metrics_pending (org_id, repo_id, period, date, requested_at)
      VALUES (${org.id}, ${repoId}, 'day', '2026-11-30', now() - interval '300 seconds')`);
    const samples = await scrape();
    expect(sampleValue(samples, "sentinel_rollup_lag_seconds")).toBeGreaterThanOrEqual(300);
    expect(sampleValue(samples, "sentinel_rollup_pending_rows")).toBeGreaterThanOrEqual(1);
    await db().execute(sql`DELETE FROM repo_metrics_pending WHERE repo_id = ${repoId}`);
    expect(sampleValue(await scrape(), "sentinel_rollup_lag_seconds")).toBeLessThan(300);
  });

  it("times requests by the route that answered, never by the raw path", async () => {
    const slug = `no-such-org-${randomUUID()}`;
    const before = await scrape();
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    const pagerduty = await fetch(`${server.url}/api/webhooks/pagerduty/${slug}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(pagerduty.status).toBe(401);
    const after = await scrape();
    const served = (samples: Sample[], route: string, status: string) =>
      sampleValue(samples, "sentinel_http_request_duration_seconds_count", { method: "GET", route, status }) +
      sampleValue(samples, "sentinel_http_request_duration_seconds_count", { method: "POST", route, status });
    expect(served(after, "/api/health", "200") - served(before, "/api/health", "200")).toBe(1);
    const pattern = after.find(
      (s) =>
        s.name === "sentinel_http_request_duration_seconds_count" && s.labels.route?.includes("pagerduty"),
    );
    expect(pattern?.labels).toMatchObject({ method: "POST", status: "401" });
    expect(pattern?.labels.route).toMatch(/^\/api\/webhooks\/pagerduty\/(:\w+|\*)$/);
    expect(after.some((s) => Object.values(s.labels).some((v) => v.includes(slug)))).toBe(false);
  });
});
