import type { DeploySummary } from "./deploys.ts";
import type { IncidentFact } from "./facts.ts";
import { changeFailureRate, isAiHeavy, median } from "./stats.ts";

// The four DORA keys over any window, split by whether the change was AI-heavy, each with the
// count behind it so a small sample shows as small.

export interface DoraFigures {
  deploys: number;
  deploymentFrequencyPerWeek: number;
  leadTimeMedianSeconds: number | null;
  leadTimeSamples: number;
  changeFailureRate: number | null;
  failedDeploys: number;
  timeToRestoreMedianSeconds: number | null;
  restoreSamples: number;
}

export interface DoraReport {
  aiHeavy: DoraFigures;
  other: DoraFigures;
  all: DoraFigures;
}

export interface Window {
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms. */
  to: number;
}

const WEEK_MS = 7 * 86_400_000;

/**
 * Deploys count when their time is in the window; incidents when they started in it. An incident's
 * class is its suspect change's AI share (recorded at linking); unlinked incidents count as other.
 */
export function computeDora(
  deploys: readonly DeploySummary[],
  incidents: readonly IncidentFact[],
  window: Window,
  threshold: number,
): DoraReport {
  if (window.to <= window.from) throw new RangeError("the window must end after it starts");
  const inWindow = (at: number) => at >= window.from && at < window.to;
  const shipped = deploys.filter((d) => inWindow(d.at));
  const started = incidents.filter((i) => inWindow(i.startedAt));
  const weeks = (window.to - window.from) / WEEK_MS;
  const heavyIncident = (i: IncidentFact) => isAiHeavy(i.suspectAiShare, threshold);
  return {
    aiHeavy: figures(
      shipped.filter((d) => d.aiHeavy),
      started.filter(heavyIncident),
      weeks,
    ),
    other: figures(
      shipped.filter((d) => !d.aiHeavy),
      started.filter((i) => !heavyIncident(i)),
      weeks,
    ),
    all: figures(shipped, started, weeks),
  };
}

function figures(
  deploys: readonly DeploySummary[],
  incidents: readonly IncidentFact[],
  weeks: number,
): DoraFigures {
  const leadTimes = deploys.flatMap((d) => d.leadTimesSeconds);
  const failed = deploys.filter((d) => d.failed).length;
  const restores = incidents.flatMap((i) =>
    i.resolvedAt === null ? [] : [(i.resolvedAt - i.startedAt) / 1000],
  );
  return {
    deploys: deploys.length,
    deploymentFrequencyPerWeek: deploys.length / weeks,
    leadTimeMedianSeconds: median(leadTimes),
    leadTimeSamples: leadTimes.length,
    changeFailureRate: changeFailureRate(failed, deploys.length),
    failedDeploys: failed,
    timeToRestoreMedianSeconds: median(restores),
    restoreSamples: restores.length,
  };
}
