import { describe, expect, it } from "vitest";
import { compose } from "../../../../src/server/composition.ts";
import { loadEnv } from "../../../../src/server/env.ts";
import { startQueue } from "../../../../src/server/jobs/queue.ts";
import { dora } from "../../../../src/server/services/metrics/dora.ts";
import { overview, overviewFromRawRows } from "../../../../src/server/services/metrics/overview.ts";
import { repositoryRanking } from "../../../../src/server/services/metrics/repository-ranking.ts";
import { rebuildAll } from "../../../../src/server/services/metrics/roll-up.ts";
import { scheduleRollUp } from "../../../../src/server/services/metrics/schedule-roll-up.ts";
import { timeSeries } from "../../../../src/server/services/metrics/time-series.ts";
import { ensureRollUpQueue, registerMetricsWorkers } from "../../../../src/server/workers/metrics.ts";
import { useTestDatabase } from "../../../helpers/db.ts";
import { addCommit, addDeploy, addIncidentRow, makeOrg, makeRepo, metricRows, sha } from "../fixtures.ts";

const database = useTestDatabase();

async function twoRepos() {
  const ctx = await makeOrg(database().db);
  const api = await makeRepo(ctx, "acme/api");
  const web = await makeRepo(ctx, "acme/web");
  // api: AI-heavy core code; web: human glue code.
  await addCommit(ctx, api, sha("a1"), "2026-04-06T09:00:00Z", [
    { tier: "T3_core", added: 80, ai: 60, human: 20, tool: "claude" },
  ]);
  await addCommit(ctx, api, sha("a2"), "2026-04-08T09:00:00Z", [
    { tier: "T4_novel", added: 20, ai: 20, tool: "copilot" },
  ]);
  await addCommit(ctx, web, sha("w1"), "2026-04-06T15:00:00Z", [
    { tier: "T2_glue", added: 100, human: 90, unknown: 10 },
  ]);
  await addCommit(ctx, web, sha("w2"), "2026-04-08T10:00:00Z", [
    { tier: "T3_core", added: 50, human: 40, ai: 10, tool: "claude" },
  ]);
  const apiDeploy = await addDeploy(ctx, api, sha("a2"), "2026-04-08T12:00:00Z");
  await addDeploy(ctx, web, sha("w2"), "2026-04-08T18:00:00Z");
  await addIncidentRow(ctx, api, {
    severity: "sev2",
    startedAt: "2026-04-08T13:00:00Z",
    resolvedAt: "2026-04-08T14:00:00Z",
    deployEventId: apiDeploy,
    suspectAiShare: 0.8,
  });
  await rebuildAll(ctx);
  return { ctx, api, web };
}

describe("metrics queries", () => {
  it("sums repositories per date organization-wide and shows empty days as zeros", async () => {
    const { ctx, api } = await twoRepos();
    const { series } = await timeSeries(ctx, { period: "day", from: "2026-04-06", to: "2026-04-08" });
    expect(series.map((p) => [p.date, p.linesAdded, p.aiLinesAdded, p.deploys])).toEqual([
      ["2026-04-06", 180, 60, 0],
      ["2026-04-07", 0, 0, 0],
      ["2026-04-08", 70, 30, 2],
    ]);
    expect(series[0]).toMatchObject({
      aiShare: 60 / 180,
      coverage: 1 - 10 / 180,
      aiLinesByTool: { claude: 60 },
    });
    expect(series[1]).toMatchObject({ aiShare: null, coverage: null, aiLinesByTool: {} });
    expect(series[2]?.tiers.T3_core).toEqual({ lines: 50, aiLines: 10 });
    const week = await timeSeries(ctx, { period: "week", from: "2026-04-08", to: "2026-04-08", repoId: api });
    expect(week.series).toMatchObject([
      { date: "2026-04-06", linesAdded: 100, aiLinesAdded: 80, incidentsOpened: 1 },
    ]);
  });

  it("refuses malformed dates and inverted ranges with the field named", async () => {
    const { ctx } = await twoRepos();
    await expect(
      timeSeries(ctx, { period: "day", from: "2026-4-6", to: "2026-04-08" }),
    ).rejects.toMatchObject({ code: "bad_request", details: { field: "from" } });
    await expect(dora(ctx, { from: "2026-04-09", to: "2026-04-08" })).rejects.toMatchObject({
      code: "bad_request",
    });
  });

  it("computes DORA from raw rows per repository and organization-wide, split by AI share", async () => {
    const { ctx, web } = await twoRepos();
    const org = await dora(ctx, { from: "2026-04-06", to: "2026-04-12" });
    expect(org.window).toEqual({ from: "2026-04-06T00:00:00.000Z", to: "2026-04-13T00:00:00.000Z" });
    expect(org.aiHeavyThreshold).toBe(0.5);
    // api's deploy shipped a1+a2 (80 of 100 lines AI): AI-heavy, failed; web's shipped w1+w2 (10 of 150): other.
    expect(org.aiHeavy).toEqual({
      deploys: 1,
      deploymentFrequencyPerWeek: 1,
      leadTimeMedianSeconds: (51 * 3600 + 3 * 3600) / 2,
      leadTimeSamples: 2,
      changeFailureRate: 1,
      failedDeploys: 1,
      timeToRestoreMedianSeconds: 3600,
      restoreSamples: 1,
    });
    expect(org.other).toMatchObject({
      deploys: 1,
      changeFailureRate: 0,
      failedDeploys: 0,
      leadTimeSamples: 2,
      restoreSamples: 0,
    });
    expect(org.all).toMatchObject({ deploys: 2, changeFailureRate: 0.5, leadTimeSamples: 4 });
    const webOnly = await dora(ctx, { from: "2026-04-06", to: "2026-04-12", repoId: web });
    expect(webOnly.all).toMatchObject({
      deploys: 1,
      failedDeploys: 0,
      leadTimeMedianSeconds: (51 * 3600 + 8 * 3600) / 2,
    });
  });

  it("ranks repositories by the AI share of their T3/T4 lines", async () => {
    const { ctx } = await twoRepos();
    const { items } = await repositoryRanking(ctx, { from: "2026-04-01", to: "2026-04-30" });
    expect(items).toMatchObject([
      { fullName: "acme/api", t3t4Lines: 100, t3t4AiLines: 80, t3t4AiShare: 0.8, aiShare: 0.8 },
      { fullName: "acme/web", t3t4Lines: 50, t3t4AiLines: 10, t3t4AiShare: 0.2 },
    ]);
  });

  it("answers the overview from repo_metrics exactly as from the raw tables", async () => {
    const { ctx } = await twoRepos();
    const fast = await overview(ctx, { from: "2026-04-01", to: "2026-04-30" });
    expect(fast).toEqual(await overviewFromRawRows(ctx, { from: "2026-04-01", to: "2026-04-30" }));
    expect(fast).toMatchObject({
      commits: 4,
      linesAdded: 250,
      aiLinesAdded: 90,
      deploys: 2,
      failedDeploys: 1,
      changeFailureRate: 0.5,
    });
    // Windows made of whole months, part months, a single day, and months plus edge days.
    for (const window of [
      { from: "2026-04-07", to: "2026-04-07" },
      { from: "2026-04-08", to: "2026-05-31" },
      { from: "2026-03-31", to: "2026-04-06" },
      { from: "2026-03-15", to: "2026-06-10" },
      { from: "2026-04-01", to: "2026-04-30" },
    ]) {
      expect(await overview(ctx, window), JSON.stringify(window)).toEqual(
        await overviewFromRawRows(ctx, window),
      );
    }
    expect((await overview(ctx, { from: "2026-04-08", to: "2026-05-31" })).linesAdded).toBe(70);
  });

  it("keeps every organization's metrics to itself", async () => {
    const { ctx } = await twoRepos();
    const other = await makeOrg(database().db);
    expect(
      (await timeSeries(other, { period: "month", from: "2026-04-01", to: "2026-04-30" })).series[0]
        ?.linesAdded,
    ).toBe(0);
    expect((await dora(other, { from: "2026-04-01", to: "2026-04-30" })).all.deploys).toBe(0);
    await expect(
      timeSeries(other, {
        period: "day",
        from: "2026-04-01",
        to: "2026-04-02",
        repoId: (await metricRows(ctx))[0]?.repoId,
      }),
    ).rejects.toMatchObject({ code: "not_found" });
  });

  it("rolls up through the debounced job, enqueued in the writer's transaction", async () => {
    const handle = database();
    const ctx = await makeOrg(handle.db);
    const repoId = await makeRepo(ctx, "acme/jobs");
    const queue = await startQueue(handle, { supervise: false });
    try {
      await ensureRollUpQueue(queue);
      await registerMetricsWorkers(compose(loadEnv({ NODE_ENV: "test" }), handle, queue));
      await handle.db.transaction(async (tx) => {
        await addCommit({ ...ctx, db: tx }, repoId, sha("job1"), "2026-06-01T10:00:00Z", [
          { added: 7, ai: 7 },
        ]);
        await scheduleRollUp(tx, queue, { orgId: ctx.orgId, repoId, timestamps: ["2026-06-01T10:00:00Z"] });
        // A second write in the burst: absorbed by the same waiting job.
        await addCommit({ ...ctx, db: tx }, repoId, sha("job2"), "2026-06-02T10:00:00Z", [
          { added: 3, human: 3 },
        ]);
        await scheduleRollUp(tx, queue, { orgId: ctx.orgId, repoId, timestamps: ["2026-06-02T10:00:00Z"] });
      });
      const deadline = Date.now() + 25_000;
      let rows = await metricRows(ctx, repoId);
      while (rows.length < 4 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        rows = await metricRows(ctx, repoId);
      }
      expect(rows.find((r) => r.period === "month")).toMatchObject({
        commits: 2,
        linesAdded: 10,
        aiLinesAdded: 7,
      });
    } finally {
      await queue.stop();
    }
  }, 40_000);
});
