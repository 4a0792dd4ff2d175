import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { summarizeDeploys } from "../../../src/core/metrics/deploys.ts";
import { aiShare, changeFailureRate, isAiHeavy, median } from "../../../src/core/metrics/stats.ts";

describe("metric arithmetic", () => {
  it("takes the middle value, or the mean of the two middle values, and has no median of nothing", () => {
    expect(median([])).toBeNull();
    expect(median([7])).toBe(7);
    expect(median([30, 10, 20])).toBe(20);
    expect(median([40, 10, 30, 20])).toBe(25);
  });

  it("calls a change AI-heavy at or above the threshold, and a change without added lines never", () => {
    expect(isAiHeavy(aiShare(50, 100), 0.5)).toBe(true);
    expect(isAiHeavy(aiShare(49, 100), 0.5)).toBe(false);
    expect(isAiHeavy(aiShare(0, 0), 0)).toBe(false);
    expect(aiShare(0, 0)).toBeNull();
  });

  it("refuses a change failure rate above 100%", () => {
    expect(changeFailureRate(0, 0)).toBeNull();
    expect(changeFailureRate(3, 4)).toBe(0.75);
    expect(() => changeFailureRate(5, 4)).toThrow(RangeError);
  });

  it("counts a deploy with several incidents once, so the rate never passes 100%", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 0, maxLength: 20 }),
        fc.array(fc.nat(30), { maxLength: 60 }),
        (deployTimes, incidentTargets) => {
          const deploys = deployTimes.map((at, i) => ({ id: `d${i}`, sha: null, at }));
          const incidents = incidentTargets.map((t, i) => ({
            id: `i${i}`,
            severity: "sev2" as const,
            startedAt: 0,
            resolvedAt: null,
            deployEventId: `d${t}`,
            suspectAiShare: null,
          }));
          const summaries = summarizeDeploys(deploys, [], [], incidents, 0.5);
          const failed = summaries.filter((d) => d.failed).length;
          const rate = changeFailureRate(failed, summaries.length);
          expect(rate === null || (rate >= 0 && rate <= 1)).toBe(true);
        },
      ),
    );
  });
});
