import { describe, expect, it } from "vitest";
import type { OrgPlan } from "../../../src/core/enums.ts";
import { getCommit } from "../../../src/server/services/attribution-reads/get-commit.ts";
import { topAiFiles } from "../../../src/server/services/attribution-reads/top-files.ts";
import { getIncidentDetail, listIncidents } from "../../../src/server/services/incidents/read.ts";
import { dora } from "../../../src/server/services/metrics/dora.ts";
import { overview, overviewFromRawRows } from "../../../src/server/services/metrics/overview.ts";
import { repositoryRanking } from "../../../src/server/services/metrics/repository-ranking.ts";
import { rebuildAll } from "../../../src/server/services/metrics/roll-up.ts";
import { timeSeries } from "../../../src/server/services/metrics/time-series.ts";
import { useTestDatabase } from "../../helpers/db.ts";
import { addCommit, addDeploy, addIncidentRow, makeOrg, makeRepo, sha } from "./fixtures.ts";

// The free plan answers 30 days of history, on every read: metrics, DORA, incidents, commits, top
// files, not only the event and attribution lists. A window reaching further back starts at the
// first day of the history; a window wholly before it is a 402 naming the limit.

const database = useTestDatabase();
const DAY_MS = 86_400_000;
const at = (daysAgo: number, hour = 12) => {
  const d = new Date(Date.now() - daysAgo * DAY_MS);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
};
const day = (daysAgo: number) => at(daysAgo).slice(0, 10);
/** The first UTC day of the free plan's history. */
const historyDay = () => new Date(Date.now() - 30 * DAY_MS).toISOString().slice(0, 10);
const dayBefore = (d: string) => new Date(Date.parse(`${d}T12:00:00Z`) - DAY_MS).toISOString();

/** A commit, deploy and incident 40 days ago, a commit the day before the history starts, and the same 2 days ago. */
async function orgWithHistory(plan: OrgPlan) {
  const ctx = await makeOrg(database().db, {}, plan);
  const repo = await makeRepo(ctx, "acme/api");
  const file = (ai: number) => [
    { path: "src/core.ts", tier: "T3_core" as const, added: 10, ai, tool: "claude" },
  ];
  await addCommit(ctx, repo, sha(`${ctx.orgId}old`), at(40, 10), file(10));
  const oldDeploy = await addDeploy(ctx, repo, sha(`${ctx.orgId}old`), at(40, 11));
  const oldIncident = await addIncidentRow(ctx, repo, {
    severity: "sev2",
    startedAt: at(40, 12),
    resolvedAt: at(40, 13),
    deployEventId: oldDeploy,
  });
  await addCommit(ctx, repo, sha(`${ctx.orgId}edge`), dayBefore(historyDay()), file(10));
  await addCommit(ctx, repo, sha(`${ctx.orgId}new`), at(2, 10), file(4));
  const newDeploy = await addDeploy(ctx, repo, sha(`${ctx.orgId}new`), at(2, 11));
  const newIncident = await addIncidentRow(ctx, repo, {
    severity: "sev3",
    startedAt: at(2, 12),
    resolvedAt: at(2, 13),
    deployEventId: newDeploy,
  });
  await rebuildAll(ctx);
  return { ctx, repo, oldIncident, newIncident };
}

const window = { from: day(60), to: day(0) };

describe("the free plan's history window", () => {
  it("bounds metrics: series of every period, overview and the repository ranking", async () => {
    const { ctx } = await orgWithHistory("free");
    for (const period of ["day", "week", "month"] as const) {
      const { series } = await timeSeries(ctx, { period, ...window });
      expect(
        series.reduce((n, p) => n + p.commits, 0),
        period,
      ).toBe(1);
      expect(
        series.reduce((n, p) => n + p.linesAdded, 0),
        period,
      ).toBe(10);
      expect(
        series.reduce((n, p) => n + p.deploys, 0),
        period,
      ).toBe(1);
      expect(
        series.reduce((n, p) => n + p.incidentsOpened, 0),
        period,
      ).toBe(1);
    }
    const days = await timeSeries(ctx, { period: "day", ...window });
    expect(days.series[0]?.date).toBe(historyDay());

    for (const totals of [await overview(ctx, window), await overviewFromRawRows(ctx, window)]) {
      expect(totals).toMatchObject({ commits: 1, linesAdded: 10, aiLinesAdded: 4, deploys: 1 });
    }
    const ranking = await repositoryRanking(ctx, window);
    expect(ranking.items.map((r) => [r.linesAdded, r.aiLinesAdded])).toEqual([[10, 4]]);
  });

  it("bounds DORA: the window, the deploy before it and the commits a deploy shipped", async () => {
    const { ctx } = await orgWithHistory("free");
    const all = await dora(ctx, window);
    expect(all.window.from).toBe(`${historyDay()}T00:00:00.000Z`);
    expect(all.all).toMatchObject({ deploys: 1, leadTimeSamples: 1, failedDeploys: 1, restoreSamples: 1 });
    // A window inside the history still does not reach before it for what the deploy shipped.
    const recent = await dora(ctx, { from: day(5), to: day(0) });
    expect(recent.all).toMatchObject({ deploys: 1, leadTimeSamples: 1 });
  });

  it("bounds incidents, commit pages and top files", async () => {
    const { ctx, repo, oldIncident, newIncident } = await orgWithHistory("free");
    const listed = await listIncidents(ctx, {});
    expect(listed.items.map((i) => i.id)).toEqual([newIncident]);
    await expect(getIncidentDetail(ctx, oldIncident)).rejects.toMatchObject({ code: "not_found" });
    const detail = await getIncidentDetail(ctx, newIncident);
    expect(detail.commits.map((c) => c.sha)).toEqual([sha(`${ctx.orgId}new`)]);

    await expect(getCommit(ctx, sha(`${ctx.orgId}old`))).rejects.toMatchObject({ code: "not_found" });
    expect((await getCommit(ctx, sha(`${ctx.orgId}new`))).files).toHaveLength(1);

    const top = await topAiFiles(ctx, repo, { from: window.from, limit: 10 });
    expect(top.window.from).toBe(historyDay());
    expect(top.items).toEqual([expect.objectContaining({ path: "src/core.ts", aiLines: 4, changes: 1 })]);
  });

  it("refuses a window wholly before the history with 402 naming the limit", async () => {
    const { ctx } = await orgWithHistory("free");
    const old = { from: day(60), to: day(35) };
    const refused = {
      code: "payment_required",
      details: { limit: "historyDays", allowed: 30, plan: "free" },
    };
    await expect(timeSeries(ctx, { period: "day", ...old })).rejects.toMatchObject(refused);
    await expect(overview(ctx, old)).rejects.toMatchObject(refused);
    await expect(dora(ctx, old)).rejects.toMatchObject(refused);
    await expect(repositoryRanking(ctx, old)).rejects.toMatchObject(refused);
  });

  it("answers everything on a plan without a history limit", async () => {
    const { ctx, oldIncident } = await orgWithHistory("enterprise");
    expect(await overview(ctx, window)).toMatchObject({ commits: 3, linesAdded: 30, deploys: 2 });
    expect((await dora(ctx, window)).all).toMatchObject({ deploys: 2 });
    expect((await listIncidents(ctx, {})).items).toHaveLength(2);
    expect((await getIncidentDetail(ctx, oldIncident)).id).toBe(oldIncident);
  });
});
