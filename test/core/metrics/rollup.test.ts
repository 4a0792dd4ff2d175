import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { summarizeDeploys } from "../../../src/core/metrics/deploys.ts";
import { computeDora } from "../../../src/core/metrics/dora.ts";
import type { RepoFacts } from "../../../src/core/metrics/facts.ts";
import { periodStart } from "../../../src/core/metrics/periods.ts";
import {
  ADDITIVE_COLUMNS,
  bucketsOf,
  computeMetricRows,
  type MetricRow,
} from "../../../src/core/metrics/rollup.ts";
import { factsArbitrary, HAND_FACTS, t } from "./fixture.ts";

const rowsOf = (facts: RepoFacts, threshold = 0.5) => computeMetricRows(facts, threshold, bucketsOf(facts));
const find = (rows: MetricRow[], period: string, date: string) =>
  rows.find((r) => r.period === period && r.date === date);

describe("what a deploy ships", () => {
  it("ships the commits after the previous production deploy, up to and including its own time", () => {
    const deploys = summarizeDeploys(
      HAND_FACTS.deploys,
      HAND_FACTS.commits,
      HAND_FACTS.attributions,
      HAND_FACTS.incidents,
      0.5,
    );
    expect(deploys.map((d) => [d.id, d.commits, d.aiShare, d.aiHeavy, d.failed])).toEqual([
      ["d0", [], null, false, false],
      ["d1", ["c1", "c2"], 80 / 150, true, true],
      ["d2", ["c3", "c4"], 10 / 30, false, true],
    ]);
    expect(deploys[1]?.leadTimesSeconds).toEqual([93_600, 7_200]);
  });
});

describe("repo_metrics rows from hand-computed facts", () => {
  const rows = rowsOf(HAND_FACTS);

  it("sums lines, tiers, tools, PRs, deploys and incidents of the ISO week Monday 2 – Sunday 8 March", () => {
    const week = find(rows, "week", "2026-03-02");
    expect(week).toEqual({
      period: "week",
      date: "2026-03-02",
      commits: 3,
      aiCommits: 2,
      filesChanged: 4,
      linesAdded: 170,
      linesDeleted: 15,
      aiLinesAdded: 90,
      humanLinesAdded: 60,
      unknownLinesAdded: 20,
      t1Lines: 40,
      t2Lines: 50,
      t3Lines: 60,
      t4Lines: 20,
      t1AiLines: 30,
      t2AiLines: 0,
      t3AiLines: 50,
      t4AiLines: 10,
      prsOpened: 1,
      prsMerged: 2,
      prsReviewed: 1,
      aiHeavyPrsMerged: 1,
      medianTimeToMergeSeconds: 46_800,
      deploys: 1,
      aiHeavyDeploys: 1,
      failedDeploys: 1,
      aiHeavyFailedDeploys: 1,
      incidentsOpened: 2,
      changeFailureRate: 1,
      changeFailureRateAi: 1,
      changeFailureRateOther: null,
      medianLeadTimeSeconds: 50_400,
      medianLeadTimeAiSeconds: 50_400,
      medianLeadTimeOtherSeconds: null,
      medianTimeToRestoreSeconds: 4_500,
      medianTimeToRestoreAiSeconds: 4_500,
      medianTimeToRestoreOtherSeconds: null,
      // No line history in these facts: no churn, no reverts.
      churnLines14d: 0,
      churnedLines14d: 0,
      aiChurnLines14d: 0,
      aiChurnedLines14d: 0,
      churnLines30d: 0,
      churnedLines30d: 0,
      aiChurnLines30d: 0,
      aiChurnedLines30d: 0,
      churnLines90d: 0,
      churnedLines90d: 0,
      aiChurnLines90d: 0,
      aiChurnedLines90d: 0,
      revertedCommits: 0,
      aiHeavyRevertedCommits: 0,
      breakdown: {
        aiLinesByTool: { claude: 80, copilot: 10 },
        incidentsBySeverity: { sev1: 1, sev2: 1 },
        samples: {
          leadTime: 2,
          leadTimeAi: 2,
          leadTimeOther: 0,
          timeToMerge: 2,
          timeToRestore: 2,
          timeToRestoreAi: 2,
          timeToRestoreOther: 0,
        },
      },
    });
  });

  it("puts Sunday 23:59:59 in the old week and Monday 00:00 in the new one", () => {
    expect(find(rows, "day", "2026-03-08")?.commits).toBe(1);
    expect(find(rows, "week", "2026-03-09")).toMatchObject({
      commits: 1,
      aiCommits: 0,
      deploys: 1,
      aiHeavyDeploys: 0,
      failedDeploys: 1,
      changeFailureRate: 1,
      changeFailureRateAi: null,
      changeFailureRateOther: 1,
      medianLeadTimeSeconds: 21_600.5,
      medianLeadTimeOtherSeconds: 21_600.5,
      incidentsOpened: 1,
      medianTimeToRestoreSeconds: null,
    });
  });

  it("computes month medians from all of the month's samples, not from its weeks", () => {
    expect(find(rows, "month", "2026-03-01")).toMatchObject({
      commits: 4,
      deploys: 2,
      failedDeploys: 2,
      changeFailureRate: 1,
      medianLeadTimeSeconds: 21_600.5,
      incidentsOpened: 3,
    });
    // February holds only the deploy that shipped nothing: a deploy, no failure, no lead time.
    expect(find(rows, "month", "2026-02-01")).toMatchObject({
      deploys: 1,
      failedDeploys: 0,
      changeFailureRate: 0,
      medianLeadTimeSeconds: null,
    });
  });

  it("writes no row for an empty period", () => {
    expect(find(rows, "day", "2026-03-05")).toBeUndefined();
    expect(find(rows, "week", "2026-02-16")).toBeUndefined();
  });

  it("moves a change across the AI-heavy line when the organization's threshold moves", () => {
    const strict = rowsOf(HAND_FACTS, 0.9);
    expect(find(strict, "week", "2026-03-02")).toMatchObject({
      aiCommits: 0,
      aiHeavyDeploys: 0,
      changeFailureRateOther: 1,
    });
  });
});

describe("DORA over a window", () => {
  it("splits deploys, lead time, failure rate and time to restore by AI-heavy change, with counts", () => {
    const deploys = summarizeDeploys(
      HAND_FACTS.deploys,
      HAND_FACTS.commits,
      HAND_FACTS.attributions,
      HAND_FACTS.incidents,
      0.5,
    );
    const report = computeDora(
      deploys,
      HAND_FACTS.incidents,
      { from: t("2026-03-01T00:00:00Z"), to: t("2026-03-15T00:00:00Z") },
      0.5,
    );
    expect(report.aiHeavy).toEqual({
      deploys: 1,
      deploymentFrequencyPerWeek: 0.5,
      leadTimeMedianSeconds: 50_400,
      leadTimeSamples: 2,
      changeFailureRate: 1,
      failedDeploys: 1,
      timeToRestoreMedianSeconds: 4_500,
      restoreSamples: 2,
    });
    expect(report.other).toEqual({
      deploys: 1,
      deploymentFrequencyPerWeek: 0.5,
      leadTimeMedianSeconds: 21_600.5,
      leadTimeSamples: 2,
      changeFailureRate: 1,
      failedDeploys: 1,
      timeToRestoreMedianSeconds: null,
      restoreSamples: 0,
    });
    expect(report.all).toMatchObject({
      deploys: 2,
      deploymentFrequencyPerWeek: 1,
      leadTimeSamples: 4,
      restoreSamples: 2,
    });
  });

  it("reports an empty window as zero deploys and no rates", () => {
    const report = computeDora(
      [],
      [],
      { from: t("2020-01-01T00:00:00Z"), to: t("2020-01-08T00:00:00Z") },
      0.5,
    );
    expect(report.all).toEqual({
      deploys: 0,
      deploymentFrequencyPerWeek: 0,
      leadTimeMedianSeconds: null,
      leadTimeSamples: 0,
      changeFailureRate: null,
      failedDeploys: 0,
      timeToRestoreMedianSeconds: null,
      restoreSamples: 0,
    });
  });
});

describe("roll-up properties", () => {
  it("day rows sum to their week and month rows in every additive column", () => {
    fc.assert(
      fc.property(factsArbitrary, fc.double({ min: 0, max: 1, noNaN: true }), (facts, threshold) => {
        const rows = rowsOf(facts, threshold);
        for (const coarse of rows.filter((r) => r.period !== "day")) {
          const days = rows.filter(
            (r) =>
              r.period === "day" &&
              periodStart(coarse.period, Date.parse(`${r.date}T00:00:00Z`)) === coarse.date,
          );
          for (const column of ADDITIVE_COLUMNS) {
            expect(
              days.reduce((s, d) => s + d[column], 0),
              `${coarse.period} ${coarse.date} ${column}`,
            ).toBe(coarse[column]);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("never reports a change failure rate above 100%, overall or split", () => {
    fc.assert(
      fc.property(factsArbitrary, (facts) => {
        for (const row of rowsOf(facts)) {
          for (const rate of [row.changeFailureRate, row.changeFailureRateAi, row.changeFailureRateOther]) {
            expect(rate === null || (rate >= 0 && rate <= 1)).toBe(true);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("computes a bucket the same alone as within a full rebuild", () => {
    fc.assert(
      fc.property(factsArbitrary, (facts) => {
        const all = rowsOf(facts);
        for (const row of all.slice(0, 10)) {
          expect(computeMetricRows(facts, 0.5, [{ period: row.period, date: row.date }])).toEqual([row]);
        }
      }),
      { numRuns: 50 },
    );
  });
});
