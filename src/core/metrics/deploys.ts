import type { AttributionFact, CommitFact, DeployFact, IncidentFact } from "./facts.ts";
import { aiShare, isAiHeavy } from "./stats.ts";

// What each production deploy shipped. A deploy ships the repository's commits whose commit time
// is after the previous successful production deploy and at or before it (commit-time order, not
// graph ancestry: the commit graph may be incomplete, commit times always exist). The first
// deploy ships every commit before it.

export interface DeploySummary {
  id: string;
  at: number;
  sha: string | null;
  /** SHAs shipped, oldest first. */
  commits: string[];
  linesAdded: number;
  aiLines: number;
  aiShare: number | null;
  aiHeavy: boolean;
  /** At least one incident is linked to this deploy. */
  failed: boolean;
  /** Seconds from each shipped commit to this deploy. */
  leadTimesSeconds: number[];
}

const byTimeThenId =
  <T extends { at: number }>(key: (x: T) => string) =>
  (a: T, b: T) =>
    a.at - b.at || key(a).localeCompare(key(b));

export function summarizeDeploys(
  deploys: readonly DeployFact[],
  commits: readonly CommitFact[],
  attributions: readonly AttributionFact[],
  incidents: readonly IncidentFact[],
  threshold: number,
): DeploySummary[] {
  const sortedDeploys = [...deploys].sort(byTimeThenId((d) => d.id));
  const sortedCommits = dedupeCommits(commits).sort(byTimeThenId((c) => c.sha));
  const lines = new Map(attributions.map((a) => [a.sha, a]));
  const failed = new Set(incidents.flatMap((i) => (i.deployEventId ? [i.deployEventId] : [])));

  const out: DeploySummary[] = [];
  let cursor = 0;
  let previousAt = Number.NEGATIVE_INFINITY;
  for (const deploy of sortedDeploys) {
    while (cursor < sortedCommits.length && (sortedCommits[cursor] as CommitFact).at <= previousAt) cursor++;
    const shipped: CommitFact[] = [];
    while (cursor < sortedCommits.length && (sortedCommits[cursor] as CommitFact).at <= deploy.at) {
      shipped.push(sortedCommits[cursor] as CommitFact);
      cursor++;
    }
    let linesAdded = 0;
    let aiLines = 0;
    for (const commit of shipped) {
      const fact = lines.get(commit.sha);
      linesAdded += fact?.linesAdded ?? 0;
      aiLines += fact?.aiLines ?? 0;
    }
    const share = aiShare(aiLines, linesAdded);
    out.push({
      id: deploy.id,
      at: deploy.at,
      sha: deploy.sha,
      commits: shipped.map((c) => c.sha),
      linesAdded,
      aiLines,
      aiShare: share,
      aiHeavy: isAiHeavy(share, threshold),
      failed: failed.has(deploy.id),
      leadTimesSeconds: shipped.map((c) => (deploy.at - c.at) / 1000),
    });
    previousAt = deploy.at;
  }
  return out;
}

/** One fact per SHA (the earliest), so a commit seen twice ships once. */
function dedupeCommits(commits: readonly CommitFact[]): CommitFact[] {
  const bySha = new Map<string, CommitFact>();
  for (const c of commits) {
    const seen = bySha.get(c.sha);
    if (!seen || c.at < seen.at) bySha.set(c.sha, c);
  }
  return [...bySha.values()];
}
