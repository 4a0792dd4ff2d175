// The quality measures stored with every model. Labels: 1 = AI, 0 = human.

export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean score of the files in the bin; null when the bin is empty. */
  meanPredicted: number | null;
  /** Share of those files that are AI; null when the bin is empty. */
  observed: number | null;
}

/**
 * Area under the ROC curve: the probability that a random AI file scores above a random human
 * file, ties counting one half (Mann–Whitney U with average ranks). Null without both classes.
 */
export function auroc(scores: readonly number[], labels: readonly (0 | 1)[]): number | null {
  const pairs = scores
    .map((score, i) => ({ score, label: labels[i] ?? 0 }))
    .sort((a, b) => a.score - b.score);
  const positives = pairs.filter((p) => p.label === 1).length;
  const negatives = pairs.length - positives;
  if (positives === 0 || negatives === 0) return null;
  let rankSum = 0;
  let i = 0;
  while (i < pairs.length) {
    let j = i;
    while (j + 1 < pairs.length && pairs[j + 1]?.score === pairs[i]?.score) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (pairs[k]?.label === 1) rankSum += averageRank;
    i = j + 1;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Ten (or `bins`) equal-width bins over [0, 1]: mean score against the observed AI share. */
export function calibration(
  scores: readonly number[],
  labels: readonly (0 | 1)[],
  bins = 10,
): CalibrationBin[] {
  const sums = Array.from({ length: bins }, () => ({ count: 0, predicted: 0, positives: 0 }));
  scores.forEach((score, i) => {
    const bin = sums[Math.min(bins - 1, Math.max(0, Math.floor(score * bins)))];
    if (!bin) return;
    bin.count += 1;
    bin.predicted += score;
    bin.positives += labels[i] ?? 0;
  });
  return sums.map((s, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: s.count,
    meanPredicted: s.count === 0 ? null : s.predicted / s.count,
    observed: s.count === 0 ? null : s.positives / s.count,
  }));
}

/** Expected calibration error: the count-weighted mean gap between predicted and observed. */
export function expectedCalibrationError(bins: readonly CalibrationBin[]): number | null {
  const total = bins.reduce((n, b) => n + b.count, 0);
  if (total === 0) return null;
  return bins.reduce(
    (sum, b) => sum + (b.count / total) * Math.abs((b.meanPredicted ?? 0) - (b.observed ?? 0)),
    0,
  );
}

/**
 * The lowest threshold at which at most `maxRate` of the human scores are at or above it (a file
 * is called AI when score ≥ threshold). Returns a value in (0, 1]; 1 when even that cannot hold.
 */
export function thresholdForFalsePositiveRate(humanScores: readonly number[], maxRate: number): number {
  if (humanScores.length === 0) return 1;
  const sorted = [...humanScores].sort((a, b) => b - a);
  const allowed = Math.floor(maxRate * sorted.length);
  const boundary = sorted[allowed];
  if (boundary === undefined) return Number.MIN_VALUE;
  // Just above the first score that must be excluded: ties at the boundary are excluded too.
  return Math.min(1, boundary + Math.max(1e-12, boundary * 1e-9));
}

/** Share of scores at or above the threshold (FPR on human scores, TPR on AI scores); null when empty. */
export function rateAtOrAbove(scores: readonly number[], threshold: number): number | null {
  if (scores.length === 0) return null;
  return scores.filter((s) => s >= threshold).length / scores.length;
}

/** Brier score: the mean squared gap between score and label (0 is perfect; 0.25 is a coin). */
export function brierScore(scores: readonly number[], labels: readonly (0 | 1)[]): number | null {
  if (scores.length === 0) return null;
  return scores.reduce((sum, s, i) => sum + (s - (labels[i] ?? 0)) ** 2, 0) / scores.length;
}

/** Share of files called AI (score ≥ threshold) that are AI; null when none is called AI. */
export function precisionAt(
  scores: readonly number[],
  labels: readonly (0 | 1)[],
  threshold: number,
): number | null {
  let called = 0;
  let right = 0;
  scores.forEach((s, i) => {
    if (s < threshold) return;
    called += 1;
    right += labels[i] ?? 0;
  });
  return called === 0 ? null : right / called;
}
