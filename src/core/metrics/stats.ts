// Small, exact statistics shared by roll-ups and DORA, so the numbers in repo_metrics and in
// /metrics/dora are computed the same way.

/** Median; the mean of the two middle values for an even count (as PostgreSQL's percentile_cont(0.5)). Null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  if (sorted.length % 2 === 1) return upper;
  return ((sorted[mid - 1] as number) + upper) / 2;
}

/** part ÷ whole, null when whole is 0 (no sample is not a rate of 0). */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/**
 * Change failure rate: deploys with at least one incident ÷ deploys. Counting deploys, not
 * incidents, is what keeps it within 0–1 (incidents ÷ deploys can pass 100%).
 */
export function changeFailureRate(failedDeploys: number, deploys: number): number | null {
  if (failedDeploys < 0 || failedDeploys > deploys) {
    throw new RangeError(`failed deploys (${failedDeploys}) must be between 0 and deploys (${deploys})`);
  }
  return ratio(failedDeploys, deploys);
}

/** AI lines ÷ lines added; null when nothing was added (a pure deletion has no AI share). */
export function aiShare(aiLines: number, linesAdded: number): number | null {
  return ratio(aiLines, linesAdded);
}

/** A change is AI-heavy when its AI share is at or above the organization's threshold. */
export function isAiHeavy(share: number | null, threshold: number): boolean {
  return share !== null && share >= threshold;
}

export const DEFAULT_AI_HEAVY_THRESHOLD = 0.5;
