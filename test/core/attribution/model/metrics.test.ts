import { describe, expect, it } from "vitest";
import {
  auroc,
  calibration,
  expectedCalibrationError,
  rateAtOrAbove,
  thresholdForFalsePositiveRate,
} from "../../../../src/core/attribution/model/metrics.ts";

describe("auroc", () => {
  it("matches the hand-computed value: 3 of 4 AI/human pairs ordered correctly", () => {
    // Pairs (AI, human): (0.35, 0.1) ok, (0.35, 0.4) wrong, (0.8, 0.1) ok, (0.8, 0.4) ok.
    expect(auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
  });

  it("counts a tie as half a correct pair", () => {
    expect(auroc([0.5, 0.5], [0, 1])).toBeCloseTo(0.5, 12);
    // Pairs: (0.5 vs 0.5) = 0.5, (0.9 vs 0.5) = 1 → 1.5 / 2.
    expect(auroc([0.5, 0.5, 0.9], [0, 1, 1])).toBeCloseTo(0.75, 12);
  });

  it("is 1 for a perfect ranking, 0 for an inverted one, null without both classes", () => {
    expect(auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auroc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(auroc([0.3, 0.6], [1, 1])).toBeNull();
    expect(auroc([], [])).toBeNull();
  });
});

describe("calibration", () => {
  it("bins scores into ten equal-width bins with mean predicted and observed AI share", () => {
    const bins = calibration([0.05, 0.15, 0.12, 0.95, 1.0, 0.91], [0, 0, 1, 1, 1, 0]);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toEqual({ lower: 0, upper: 0.1, count: 1, meanPredicted: 0.05, observed: 0 });
    expect(bins[1]?.count).toBe(2);
    expect(bins[1]?.meanPredicted).toBeCloseTo(0.135, 12);
    expect(bins[1]?.observed).toBe(0.5);
    // A score of exactly 1 belongs to the last bin.
    expect(bins[9]?.count).toBe(3);
    expect(bins[9]?.meanPredicted).toBeCloseTo((0.95 + 1 + 0.91) / 3, 12);
    expect(bins[9]?.observed).toBeCloseTo(2 / 3, 12);
    expect(bins[5]).toEqual({ lower: 0.5, upper: 0.6, count: 0, meanPredicted: null, observed: null });
  });

  it("expected calibration error is the count-weighted gap", () => {
    const bins = calibration([0.05, 0.15, 0.12, 0.95, 1.0, 0.91], [0, 0, 1, 1, 1, 0]);
    const expected = (1 / 6) * 0.05 + (2 / 6) * Math.abs(0.135 - 0.5) + (3 / 6) * Math.abs(2.86 / 3 - 2 / 3);
    expect(expectedCalibrationError(bins)).toBeCloseTo(expected, 12);
    expect(expectedCalibrationError(calibration([], []))).toBeNull();
  });
});

describe("operating threshold", () => {
  it("lets through at most the target share of human files", () => {
    const humans = Array.from({ length: 100 }, (_, i) => i / 100); // 0.00 … 0.99
    const threshold = thresholdForFalsePositiveRate(humans, 0.05);
    expect(rateAtOrAbove(humans, threshold)).toBe(0.05);
    // The next lower score would let a sixth file through.
    expect(rateAtOrAbove(humans, 0.94)).toBe(0.06);
  });

  it("excludes ties at the boundary rather than exceed the target", () => {
    const humans = [0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
    const threshold = thresholdForFalsePositiveRate(humans, 0.2); // 2 allowed, but 3 tie at 0.9
    expect(rateAtOrAbove(humans, threshold)).toBe(0);
    expect(threshold).toBeGreaterThan(0.9);
  });

  it("is 1 without human scores, and rates are null on empty sets", () => {
    expect(thresholdForFalsePositiveRate([], 0.05)).toBe(1);
    expect(rateAtOrAbove([], 0.5)).toBeNull();
  });
});
