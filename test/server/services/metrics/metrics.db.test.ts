import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { periodsTouched } from "../../../../src/core/metrics/periods.ts";
import type { ServiceContext } from "../../../../src/server/services/context.ts";
import { markMetricsStale, rollUpPending } from "../../../../src/server/services/metrics/pending.ts";
import { rebuildAll, rebuildAllMetrics, rollUp } from "../../../../src/server/services/metrics/roll-up.ts";
import { useTestDatabase } from "../../../helpers/db.ts";
import {
  addCommit,
  addDeploy,
  addIncidentRow,
  addPullRequest,
  makeOrg,
  makeRepo,
  metricRows,
  sha,
} from "../fixtures.ts";

const database = useTestDatabase();

/** The week of test/core/metrics/fixture.ts, as rows (expected values computed there by hand). */
async function handScenario(ctx: ServiceContext, name = "acme/api") {
  const repoId = await makeRepo(ctx, name);
  const [c1, c2, c3, c4] = [sha(`${name}1`), sha(`${name}2`), sha(`${name}3`), sha(`${name}4`)];
  await addCommit(ctx, repoId, c1, "2026-03-02T10:00:00Z", [
    { tier: "T3_core", added: 60, ai: 50, human: 10, deleted: 10, tool: "claude" },
    { tier: "T1_boilerplate", added: 40, ai: 30, unknown: 10, tool: "claude" },
  ]);
  await addCommit(ctx, repoId, c2, "2026-03-03T10:00:00Z", [
    { tier: "T2_glue", added: 50, human: 50, deleted: 5 },
  ]);
  await addCommit(ctx, repoId, c3, "2026-03-08T23:59:59Z", [
    { tier: "T4_novel", added: 20, ai: 10, unknown: 10, tool: "copilot" },
  ]);
  // Written with an offset: 01:00 on Monday in UTC+1 is Monday 00:00 UTC.
  await addCommit(ctx, repoId, c4, "2026-03-09T01:00:00+01:00", [
    { tier: "T1_boilerplate", added: 10, unknown: 10 },
  ]);
  await addPullRequest(ctx, repoId, { kind: "opened", number: 1, at: "2026-03-02T09:00:00Z" });
  await addPullRequest(ctx, repoId, {
    kind: "opened",
    number: 1,
    at: "2026-03-02T09:30:00Z",
    reopened: true,
  });
  await addPullRequest(ctx, repoId, { kind: "reviewed", number: 1, at: "2026-03-02T11:00:00Z" });
  await addPullRequest(ctx, repoId, { kind: "reviewed", number: 1, at: "2026-03-02T12:00:00Z" });
  await addPullRequest(ctx, repoId, {
    kind: "merged",
    number: 1,
    at: "2026-03-03T10:00:00Z",
    openedAt: "2026-03-02T09:00:00Z",
    mergeCommitSha: c2,
  });
  await addPullRequest(ctx, repoId, {
    kind: "merged",
    number: 2,
    at: "2026-03-08T20:00:00Z",
    openedAt: "2026-03-08T19:00:00Z",
    mergeCommitSha: c3,
  });
  await addDeploy(ctx, repoId, sha("old"), "2026-02-27T00:00:00Z");
  const d1 = await addDeploy(ctx, repoId, c2, "2026-03-03T12:00:00Z");
  const d2 = await addDeploy(ctx, repoId, c4, "2026-03-09T06:00:00Z");
  // Neither a staging deploy nor a failed one counts.
  await addDeploy(ctx, repoId, c2, "2026-03-03T11:00:00Z", { production: false });
  await addDeploy(ctx, repoId, c2, "2026-03-03T11:30:00Z", { state: "failure" });
  await addIncidentRow(ctx, repoId, {
    severity: "sev1",
    startedAt: "2026-03-03T13:00:00Z",
    resolvedAt: "2026-03-03T15:00:00Z",
    deployEventId: d1,
    suspectAiShare: 80 / 150,
  });
  await addIncidentRow(ctx, repoId, {
    severity: "sev2",
    startedAt: "2026-03-03T14:00:00Z",
    resolvedAt: "2026-03-03T14:30:00Z",
    deployEventId: d1,
    suspectAiShare: 80 / 150,
  });
  await addIncidentRow(ctx, repoId, {
    severity: "sev3",
    startedAt: "2026-03-10T00:00:00Z",
    deployEventId: d2,
    suspectAiShare: 10 / 30,
  });
  return { repoId, c1, c2, c3, c4, d1, d2 };
}

describe("roll-ups into repo_metrics", () => {
  it("writes the hand-computed week, with UTC edges, deploy filters and CFR counted per deploy", async () => {
    const ctx = await makeOrg(database().db);
    const { repoId } = await handScenario(ctx);
    await rebuildAll(ctx);
    const rows = await metricRows(ctx, repoId);
    const week = rows.find((r) => r.period === "week" && r.date === "2026-03-02");
    expect(week).toMatchObject({
      commits: 3,
      aiCommits: 2,
      filesChanged: 4,
      linesAdded: 170,
      aiLinesAdded: 90,
      unknownLinesAdded: 20,
      t3AiLines: 50,
      t4AiLines: 10,
      prsOpened: 1,
      prsMerged: 2,
      prsReviewed: 1,
      aiHeavyPrsMerged: 1,
      medianTimeToMergeSeconds: 46_800,
      deploys: 1,
      failedDeploys: 1,
      changeFailureRate: 1,
      medianLeadTimeSeconds: 50_400,
      medianTimeToRestoreSeconds: 4_500,
      incidentsOpened: 2,
      breakdown: { aiLinesByTool: { claude: 80, copilot: 10 }, incidentsBySeverity: { sev1: 1, sev2: 1 } },
    });
    expect(rows.find((r) => r.period === "day" && r.date === "2026-03-09")).toMatchObject({
      commits: 1,
      deploys: 1,
    });
    expect(rows.find((r) => r.period === "month" && r.date === "2026-03-01")).toMatchObject({
      deploys: 2,
      failedDeploys: 2,
      medianLeadTimeSeconds: 21_600.5,
    });
    expect(rows.filter((r) => r.period === "day").map((r) => r.date)).toEqual([
      "2026-02-27",
      "2026-03-02",
      "2026-03-03",
      "2026-03-08",
      "2026-03-09",
      "2026-03-10",
    ]);
  });

  it("recomputes only the touched periods after a late, out-of-order commit, giving the rebuild's rows", async () => {
    const ctx = await makeOrg(database().db);
    const { repoId } = await handScenario(ctx);
    await rebuildAll(ctx);
    const before = await metricRows(ctx, repoId);
    // Arrives today, happened on Wednesday 4 March (between deploys d1 and d2).
    const late = "2026-03-04T08:00:00Z";
    await addCommit(ctx, repoId, sha("late"), late, [
      { tier: "T3_core", added: 100, ai: 100, tool: "cursor" },
    ]);
    await markMetricsStale(ctx.db, { orgId: ctx.orgId, repoId, timestamps: [late] });
    expect(await rollUpPending(ctx, repoId)).toEqual({ periods: 3 });
    const incremental = await metricRows(ctx, repoId);
    expect(incremental.find((r) => r.period === "week" && r.date === "2026-03-02")?.linesAdded).toBe(270);
    // It also changes what d2 shipped, so d2's week (9 March) is recomputed too: d2 turns AI-heavy.
    expect(before.find((r) => r.period === "week" && r.date === "2026-03-09")?.aiHeavyDeploys).toBe(0);
    expect(incremental.find((r) => r.period === "week" && r.date === "2026-03-09")?.aiHeavyDeploys).toBe(1);
    // Untouched periods keep their rows as they were.
    expect(incremental.find((r) => r.period === "month" && r.date === "2026-02-01")).toEqual(
      before.find((r) => r.period === "month" && r.date === "2026-02-01"),
    );
    await rebuildAll(ctx);
    expect(incremental).toEqual(await metricRows(ctx, repoId));
  });

  it("removes the row of a period that became empty", async () => {
    const ctx = await makeOrg(database().db);
    const repoId = await makeRepo(ctx, "acme/empty");
    await addCommit(ctx, repoId, sha("x"), "2026-05-05T10:00:00Z", [{ added: 5, human: 5 }]);
    await rebuildAll(ctx);
    expect((await metricRows(ctx, repoId)).length).toBe(3);
    await ctx.db.execute(`DELETE FROM code_events WHERE repo_id = '${repoId}'`);
    await ctx.db.execute(`DELETE FROM code_attribution WHERE repo_id = '${repoId}'`);
    await rollUp(ctx, { repoId, periods: periodsTouched([Date.parse("2026-05-05T10:00:00Z")]) });
    expect(await metricRows(ctx, repoId)).toEqual([]);
  });

  it("gives the same rows incrementally, batch by batch in any order, as a full rebuild", async () => {
    const event = fc.record({
      kind: fc.constantFrom("commit", "deploy", "incident", "pr"),
      at: fc.integer({ min: Date.parse("2025-12-20T00:00:00Z"), max: Date.parse("2026-01-20T00:00:00Z") }),
      lines: fc.nat(50),
      ai: fc.nat(50),
      restore: fc.option(fc.nat(7_200_000)),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(event, { maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        async (batches) => {
          const ctx = await makeOrg(database().db);
          const repoId = await makeRepo(ctx, `acme/p${run++}`);
          const deploys: string[] = [];
          const deployTimes = new Map<string, number>();
          for (const [b, batch] of batches.entries()) {
            for (const [i, e] of batch.entries()) {
              const at = new Date(e.at).toISOString();
              if (e.kind === "commit") {
                await addCommit(ctx, repoId, sha(`${run}-${b}-${i}`), at, [
                  {
                    added: e.lines + e.ai,
                    ai: e.ai,
                    human: e.lines,
                    tier: i % 2 ? "T3_core" : "T2_glue",
                    tool: "claude",
                  },
                ]);
              } else if (e.kind === "deploy") {
                const id = await addDeploy(ctx, repoId, sha(`d${run}-${b}-${i}`), at);
                deploys.push(id);
                deployTimes.set(id, e.at);
              } else if (e.kind === "pr") {
                await addPullRequest(ctx, repoId, {
                  kind: "merged",
                  number: i + 1,
                  at,
                  openedAt: new Date(e.at - 3_600_000).toISOString(),
                });
              } else {
                await addIncidentRow(ctx, repoId, {
                  severity: "sev2",
                  startedAt: at,
                  ...(e.restore === null ? {} : { resolvedAt: new Date(e.at + e.restore).toISOString() }),
                  ...(deploys.length > 0 ? { deployEventId: deploys[i % deploys.length] as string } : {}),
                  suspectAiShare: e.ai / 50,
                });
              }
            }
            // What ingestion marks: each new row's own time; an incident also marks its deploy's.
            const touched = batch.map((e) => e.at);
            touched.push(...[...deployTimes.values()].filter(() => batch.some((e) => e.kind === "incident")));
            await markMetricsStale(ctx.db, { orgId: ctx.orgId, repoId, timestamps: touched });
            await rollUpPending(ctx, repoId);
          }
          const incremental = await metricRows(ctx, repoId);
          await rebuildAll(ctx);
          expect(incremental).toEqual(await metricRows(ctx, repoId));
        },
      ),
      { numRuns: 6 },
    );
  });

  it("rebuilds every organization at once (the end of the seed)", async () => {
    const a = await makeOrg(database().db);
    const b = await makeOrg(database().db);
    await addCommit(a, await makeRepo(a, "a/one"), sha("a1"), "2026-01-01T00:00:00Z", [{ added: 3, ai: 3 }]);
    await addCommit(b, await makeRepo(b, "b/one"), sha("b1"), "2026-01-02T00:00:00Z", [
      { added: 4, human: 4 },
    ]);
    const result = await rebuildAllMetrics(database().db);
    expect(result.rows).toBeGreaterThanOrEqual(6);
    expect((await metricRows(a)).map((r) => r.linesAdded)).toEqual([3, 3, 3]);
    expect((await metricRows(b)).map((r) => r.aiLinesAdded)).toEqual([0, 0, 0]);
  });
});
