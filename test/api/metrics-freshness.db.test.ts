import { createHmac } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadEnv } from "../../src/server/env.ts";
import { rollUpMetricsJob } from "../../src/server/jobs/definitions.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import type { ServiceContext } from "../../src/server/services/context.ts";
import { rotateIntegrationSecret } from "../../src/server/services/incidents/secrets.ts";
import { rollUpPending } from "../../src/server/services/metrics/pending.ts";
import { rebuildAll } from "../../src/server/services/metrics/roll-up.ts";
import { createInstallation, createRepository, postDelivery, SECRET, uniqueId } from "../github/helpers.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { addCommit, addDeploy, metricRows, sha } from "../server/services/fixtures.ts";
import { bearer, makeKey, makeOrg } from "./helpers.ts";

// Metrics freshness is the services' business: whichever way an incident or a setting arrives
// (REST, GitHub issue, PagerDuty), the same periods are marked stale in its transaction and the
// same debounced roll-up is asked for once it commits. The server runs without workers here, so
// the roll-up jobs wait in the queue to be looked at.

vi.setConfig({ hookTimeout: 120_000, testTimeout: 60_000 });

const database = useTestDatabase();
const db = () => database().db;
let server: RunningServer;

beforeAll(async () => {
  const env = loadEnv({
    PORT: "0",
    LOG_LEVEL: "silent",
    SENTINEL_SEED_ON_START: "false",
    SENTINEL_WORKERS: "false",
    GITHUB_WEBHOOK_SECRET: SECRET,
  });
  server = await startServer(env, { handle: database() });
});

afterAll(async () => {
  await server?.stop();
});

const STARTED = "2026-07-02T13:00:00Z";

/** An organization with an installation, and a repository with an AI commit shipped by a production deploy. */
async function world() {
  const org = await makeOrg(db());
  const ctx: ServiceContext = { db: db(), orgId: org.id, actor: { kind: "system" } };
  const installationId = uniqueId();
  await createInstallation(db(), installationId, org.id);
  const githubId = uniqueId();
  const fullName = `acct/shop-${githubId}`;
  const repoId = await createRepository(db(), org.id, installationId, githubId, { fullName });
  await addCommit(ctx, repoId, sha(`c${githubId}`), "2026-07-02T09:00:00Z", [
    { added: 10, ai: 6, human: 4, tier: "T3_core" },
  ]);
  await addDeploy(ctx, repoId, sha(`c${githubId}`), "2026-07-02T12:00:00Z");
  return { org, ctx, installationId, githubId, fullName, repoId };
}

/** What an intake left for the metrics: its stale marks and the roll-up jobs waiting for the repository. */
async function freshness(repoId: string) {
  const marks = await db().execute<{ period: string; date: string }>(
    sql`SELECT period, date::text AS date FROM repo_metrics_pending WHERE repo_id = ${repoId} `,
  );
  const jobs = await db().execute<{ singleton_key: string; start_after: Date; created_on: Date }>(
    sql`SELECT singleton_key, start_after, created_on FROM pgboss.job
        WHERE name = ${rollUpMetricsJob.name} AND data->>'repoId' = ${repoId} AND state = 'created'`,
  );
  return {
    marks: marks.rows.map((r) => `${r.period}:${r.date}`).sort(),
    jobs: jobs.rows.map((j) => ({
      singletonKey: j.singleton_key.replace(repoId, "<repo>"),
      debounced: new Date(j.start_after).getTime() > new Date(j.created_on).getTime(),
    })),
  };
}

const request = (path: string, init: RequestInit) => fetch(`${server.url}${path}`, init);

describe("metrics after an incident", () => {
  it("every intake marks the same periods stale and asks for one debounced roll-up", async () => {
    const rest = await world();
    const { key } = await makeKey(db(), rest.org.id, ["incidents:write"]);
    const created = await request("/api/v1/incidents", {
      method: "POST",
      headers: { ...bearer(key), "content-type": "application/json" },
      body: JSON.stringify({
        title: "Checkout down",
        severity: "sev2",
        repositoryId: rest.repoId,
        startedAt: STARTED,
      }),
    });
    expect(created.status).toBe(201);

    const github = await world();
    const delivered = await postDelivery(server.url, "issues", {
      action: "opened",
      issue: {
        number: 1,
        title: "Checkout down",
        body: null,
        html_url: "https://github.com/acct/shop/issues/1",
        labels: [{ name: "incident" }, { name: "sev2" }],
        created_at: STARTED,
        updated_at: STARTED,
      },
      repository: { id: github.githubId, full_name: github.fullName, default_branch: "main" },
      installation: { id: github.installationId },
    });
    expect(delivered).toMatchObject({ status: 202, body: { outcome: "processed" } });

    const pagerDuty = await world();
    const { secret } = await rotateIntegrationSecret(pagerDuty.ctx, "pagerduty");
    const body = JSON.stringify({
      event: {
        id: "01EVTFRESH",
        event_type: "incident.triggered",
        resource_type: "incident",
        occurred_at: STARTED,
        data: {
          id: "QFRESH",
          type: "incident",
          title: "Checkout down",
          created_at: STARTED,
          urgency: "high",
          service: { id: "S", summary: pagerDuty.fullName },
        },
      },
    });
    const paged = await request(`/api/webhooks/pagerduty/${pagerDuty.org.slug}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-pagerduty-signature": `v1=${createHmac("sha256", secret).update(body).digest("hex")}`,
      },
      body,
    });
    expect(await paged.json()).toMatchObject({ outcome: "created" });

    const expected = {
      // The incident's start and its deploy fall in the same day, week and month.
      marks: ["day:2026-07-02", "month:2026-07-01", "week:2026-06-29"],
      jobs: [{ singletonKey: "metrics:<repo>", debounced: true }],
    };
    expect(await freshness(rest.repoId)).toEqual(expected);
    expect(await freshness(github.repoId)).toEqual(expected);
    expect(await freshness(pagerDuty.repoId)).toEqual(expected);
  });
});

describe("changing the AI-heavy threshold", () => {
  it("marks every stored period stale, so the roll-up counts AI-heavy changes with the new threshold", async () => {
    const { org, ctx, repoId } = await world();
    await rebuildAll(ctx);
    // 6 of 10 lines: AI-heavy at the default 0.5.
    const heavy = (rows: Awaited<ReturnType<typeof metricRows>>) =>
      rows.map((r) => `${r.period}:${r.aiCommits}`).sort();
    expect(heavy(await metricRows(ctx, repoId))).toEqual(["day:1", "month:1", "week:1"]);

    const { key } = await makeKey(db(), org.id, ["admin"]);
    const changed = await request("/api/v1/organization/settings", {
      method: "PATCH",
      headers: { ...bearer(key), "content-type": "application/json" },
      body: JSON.stringify({ aiHeavyThreshold: 0.7 }),
    });
    expect(changed.status).toBe(200);
    expect(await freshness(repoId)).toEqual({
      marks: ["day:2026-07-02", "month:2026-07-01", "week:2026-06-29"],
      jobs: [{ singletonKey: "metrics:<repo>", debounced: true }],
    });

    // What the roll-up job does with the marks.
    await rollUpPending({ ...ctx, actor: { kind: "job", name: rollUpMetricsJob.name } }, repoId);
    expect(heavy(await metricRows(ctx, repoId))).toEqual(["day:0", "month:0", "week:0"]);

    // Sending the same threshold again changes nothing to roll up.
    await request("/api/v1/organization/settings", {
      method: "PATCH",
      headers: { ...bearer(key), "content-type": "application/json" },
      body: JSON.stringify({ aiHeavyThreshold: 0.7 }),
    });
    expect((await freshness(repoId)).marks).toEqual([]);
  });
});
