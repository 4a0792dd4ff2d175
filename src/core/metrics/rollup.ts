import { INCIDENT_SEVERITIES, TIME_PERIODS } from "../enums.ts";
import type { MetricsBreakdown } from "../metrics-breakdown.ts";
import { churnOf } from "./churn.ts";
import { type DeploySummary, summarizeDeploys } from "./deploys.ts";
import type {
  AttributionFact,
  CommitFact,
  IncidentFact,
  PullRequestFact,
  RepoFacts,
  SurvivalFact,
} from "./facts.ts";
import { type PeriodKey, periodStart } from "./periods.ts";
import { aiShare, changeFailureRate, isAiHeavy, median } from "./stats.ts";

/** One repo_metrics row's computed values (everything but ids and computed_at). */
export interface MetricRow extends PeriodKey {
  commits: number;
  aiCommits: number;
  filesChanged: number;
  linesAdded: number;
  linesDeleted: number;
  aiLinesAdded: number;
  humanLinesAdded: number;
  unknownLinesAdded: number;
  t1Lines: number;
  t2Lines: number;
  t3Lines: number;
  t4Lines: number;
  t1AiLines: number;
  t2AiLines: number;
  t3AiLines: number;
  t4AiLines: number;
  prsOpened: number;
  prsMerged: number;
  prsReviewed: number;
  aiHeavyPrsMerged: number;
  medianTimeToMergeSeconds: number | null;
  deploys: number;
  aiHeavyDeploys: number;
  failedDeploys: number;
  aiHeavyFailedDeploys: number;
  incidentsOpened: number;
  changeFailureRate: number | null;
  changeFailureRateAi: number | null;
  changeFailureRateOther: number | null;
  medianLeadTimeSeconds: number | null;
  medianLeadTimeAiSeconds: number | null;
  medianLeadTimeOtherSeconds: number | null;
  medianTimeToRestoreSeconds: number | null;
  medianTimeToRestoreAiSeconds: number | null;
  medianTimeToRestoreOtherSeconds: number | null;
  churnLines14d: number;
  churnedLines14d: number;
  aiChurnLines14d: number;
  aiChurnedLines14d: number;
  churnLines30d: number;
  churnedLines30d: number;
  aiChurnLines30d: number;
  aiChurnedLines30d: number;
  churnLines90d: number;
  churnedLines90d: number;
  aiChurnLines90d: number;
  aiChurnedLines90d: number;
  revertedCommits: number;
  aiHeavyRevertedCommits: number;
  breakdown: MetricsBreakdown;
}

/** Columns that are plain counts: a week's or month's value is the sum of its days'. */
export const ADDITIVE_COLUMNS = [
  "commits",
  "aiCommits",
  "filesChanged",
  "linesAdded",
  "linesDeleted",
  "aiLinesAdded",
  "humanLinesAdded",
  "unknownLinesAdded",
  "t1Lines",
  "t2Lines",
  "t3Lines",
  "t4Lines",
  "t1AiLines",
  "t2AiLines",
  "t3AiLines",
  "t4AiLines",
  "prsOpened",
  "prsMerged",
  "aiHeavyPrsMerged",
  "deploys",
  "aiHeavyDeploys",
  "failedDeploys",
  "aiHeavyFailedDeploys",
  "incidentsOpened",
  "churnLines14d",
  "churnedLines14d",
  "aiChurnLines14d",
  "aiChurnedLines14d",
  "churnLines30d",
  "churnedLines30d",
  "aiChurnLines30d",
  "aiChurnedLines30d",
  "churnLines90d",
  "churnedLines90d",
  "aiChurnLines90d",
  "aiChurnedLines90d",
  "revertedCommits",
  "aiHeavyRevertedCommits",
] as const satisfies ReadonlyArray<keyof MetricRow>;

function emptyRow(key: PeriodKey): MetricRow {
  return {
    ...key,
    commits: 0,
    aiCommits: 0,
    filesChanged: 0,
    linesAdded: 0,
    linesDeleted: 0,
    aiLinesAdded: 0,
    humanLinesAdded: 0,
    unknownLinesAdded: 0,
    t1Lines: 0,
    t2Lines: 0,
    t3Lines: 0,
    t4Lines: 0,
    t1AiLines: 0,
    t2AiLines: 0,
    t3AiLines: 0,
    t4AiLines: 0,
    prsOpened: 0,
    prsMerged: 0,
    prsReviewed: 0,
    aiHeavyPrsMerged: 0,
    medianTimeToMergeSeconds: null,
    deploys: 0,
    aiHeavyDeploys: 0,
    failedDeploys: 0,
    aiHeavyFailedDeploys: 0,
    incidentsOpened: 0,
    changeFailureRate: null,
    changeFailureRateAi: null,
    changeFailureRateOther: null,
    medianLeadTimeSeconds: null,
    medianLeadTimeAiSeconds: null,
    medianLeadTimeOtherSeconds: null,
    medianTimeToRestoreSeconds: null,
    medianTimeToRestoreAiSeconds: null,
    medianTimeToRestoreOtherSeconds: null,
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
    breakdown: { aiLinesByTool: {}, incidentsBySeverity: {}, samples: {} },
  };
}

/** A bucket with nothing in it has no row (so incremental and full roll-ups write the same rows). */
export function isEmptyRow(row: MetricRow): boolean {
  return ADDITIVE_COLUMNS.every((c) => row[c] === 0) && row.prsReviewed === 0;
}

// All three buckets of an instant depend only on its UTC day, and a year of events falls on a
// few hundred days: bucket keys are computed once per day (periodStart builds dates and strings,
// which at millions of facts was most of a full rebuild's time).
const DAY_MS = 86_400_000;
const dayOf = (at: number) => Math.floor(at / DAY_MS);

/** Every bucket (in all three periods) that some fact falls in: the rows a full rebuild writes. */
export function bucketsOf(facts: RepoFacts): PeriodKey[] {
  const keys = new Map<string, PeriodKey>();
  const seenDays = new Set<number>();
  const add = (at: number) => {
    // A day already seen adds no bucket (its week and month came with it), so skipping it keeps
    // the order in which buckets are first met.
    const day = dayOf(at);
    if (seenDays.has(day)) return;
    seenDays.add(day);
    for (const period of TIME_PERIODS) {
      const date = periodStart(period, at);
      keys.set(`${period}:${date}`, { period, date });
    }
  };
  for (const c of facts.commits) add(c.at);
  for (const a of facts.attributions) add(a.at);
  for (const p of facts.pullRequests) add(p.at);
  for (const d of facts.deploys) add(d.at);
  for (const i of facts.incidents) add(i.startedAt);
  for (const s of facts.survival ?? []) add(s.at);
  return [...keys.values()];
}

interface BucketFacts {
  commits: CommitFact[];
  attributions: AttributionFact[];
  pullRequests: PullRequestFact[];
  deploys: DeploySummary[];
  incidents: IncidentFact[];
  survival: SurvivalFact[];
}

/**
 * Computes the rows of the given buckets from one repository's facts. The facts must cover the
 * buckets (and the deploy before the first of them); rows of empty buckets are left out.
 */
export function computeMetricRows(
  facts: RepoFacts,
  threshold: number,
  buckets: readonly PeriodKey[],
): MetricRow[] {
  const deploys = summarizeDeploys(
    facts.deploys,
    facts.commits,
    facts.attributions,
    facts.incidents,
    threshold,
  );
  // Whether each attributed commit is AI-heavy, decided once per SHA (the last fact of a SHA
  // counts), not once per bucket it lands in.
  const heavyShas = new Set<string>();
  for (const [sha, fact] of new Map(facts.attributions.map((a) => [a.sha, a]))) {
    if (isAiHeavy(aiShare(fact.aiLines, fact.linesAdded), threshold)) heavyShas.add(sha);
  }
  const heavySha = (sha: string | null) => (sha ? heavyShas.has(sha) : false);

  // Group facts by bucket once, instead of scanning every fact for every bucket.
  const groups = new Map<string, BucketFacts>();
  for (const key of buckets) {
    groups.set(`${key.period}:${key.date}`, {
      commits: [],
      attributions: [],
      pullRequests: [],
      deploys: [],
      incidents: [],
      survival: [],
    });
  }
  // The groups a fact lands in depend only on its UTC day: found once per day.
  const groupsByDay = new Map<number, BucketFacts[]>();
  const groupsOf = (at: number): BucketFacts[] => {
    const day = dayOf(at);
    let found = groupsByDay.get(day);
    if (!found) {
      found = TIME_PERIODS.flatMap((period) => groups.get(`${period}:${periodStart(period, at)}`) ?? []);
      groupsByDay.set(day, found);
    }
    return found;
  };
  const place = <K extends keyof BucketFacts>(at: number, list: K, item: BucketFacts[K][number]) => {
    for (const group of groupsOf(at)) (group[list] as Array<typeof item>).push(item);
  };
  for (const c of facts.commits) place(c.at, "commits", c);
  for (const a of facts.attributions) place(a.at, "attributions", a);
  for (const pr of facts.pullRequests) place(pr.at, "pullRequests", pr);
  for (const d of deploys) place(d.at, "deploys", d);
  for (const i of facts.incidents) place(i.startedAt, "incidents", i);
  for (const s of facts.survival ?? []) place(s.at, "survival", s);
  const reverted = new Set(facts.revertedShas ?? []);

  const rows: MetricRow[] = [];
  for (const key of buckets) {
    const group = groups.get(`${key.period}:${key.date}`);
    if (!group) continue;
    const row = emptyRow(key);

    const commitShas = new Set(group.commits.map((c) => c.sha));
    row.commits = commitShas.size;
    row.aiCommits = [...commitShas].filter(heavySha).length;
    for (const sha of commitShas) {
      if (!reverted.has(sha)) continue;
      row.revertedCommits++;
      if (heavySha(sha)) row.aiHeavyRevertedCommits++;
    }
    applyChurn(row, group.survival, facts.historyEnd ?? null);

    for (const a of group.attributions) {
      row.filesChanged += a.files;
      row.linesAdded += a.linesAdded;
      row.linesDeleted += a.linesDeleted;
      row.aiLinesAdded += a.aiLines;
      row.humanLinesAdded += a.humanLines;
      row.unknownLinesAdded += a.unknownLines;
      // Spelled out, and without Object.entries: this loop runs for every commit in three buckets.
      const { T1_boilerplate: t1, T2_glue: t2, T3_core: t3, T4_novel: t4 } = a.tiers;
      row.t1Lines += t1.lines;
      row.t1AiLines += t1.aiLines;
      row.t2Lines += t2.lines;
      row.t2AiLines += t2.aiLines;
      row.t3Lines += t3.lines;
      row.t3AiLines += t3.aiLines;
      row.t4Lines += t4.lines;
      row.t4AiLines += t4.aiLines;
      const byTool = row.breakdown.aiLinesByTool;
      for (const tool in a.aiLinesByTool) {
        const n = a.aiLinesByTool[tool] as number;
        if (n > 0) byTool[tool] = (byTool[tool] ?? 0) + n;
      }
    }
    row.breakdown.aiLinesByTool = sortedRecord(row.breakdown.aiLinesByTool);

    const reviewed = new Set<number>();
    const mergeTimes: number[] = [];
    for (const pr of group.pullRequests) {
      if (pr.kind === "opened" && !pr.reopened) row.prsOpened++;
      if (pr.kind === "reviewed") reviewed.add(pr.number);
      if (pr.kind === "merged") {
        row.prsMerged++;
        if (heavySha(pr.mergeCommitSha)) row.aiHeavyPrsMerged++;
        if (pr.openedAt !== null) mergeTimes.push((pr.at - pr.openedAt) / 1000);
      }
    }
    row.prsReviewed = reviewed.size;
    row.medianTimeToMergeSeconds = median(mergeTimes);

    applyDeploys(row, group.deploys);
    applyIncidents(row, group.incidents, threshold);
    row.breakdown.samples.timeToMerge = mergeTimes.length;
    row.breakdown.samples = sortedRecord(row.breakdown.samples);

    if (!isEmptyRow(row)) rows.push(row);
  }
  return rows;
}

function applyChurn(row: MetricRow, facts: readonly SurvivalFact[], historyEnd: number | null): void {
  const churn = churnOf(facts, historyEnd);
  if (churn === null) return;
  const [a14, a30, a90] = churn.all as [[number, number], [number, number], [number, number]];
  const [i14, i30, i90] = churn.ai as [[number, number], [number, number], [number, number]];
  [row.churnLines14d, row.churnedLines14d, row.aiChurnLines14d, row.aiChurnedLines14d] = [...a14, ...i14];
  [row.churnLines30d, row.churnedLines30d, row.aiChurnLines30d, row.aiChurnedLines30d] = [...a30, ...i30];
  [row.churnLines90d, row.churnedLines90d, row.aiChurnLines90d, row.aiChurnedLines90d] = [...a90, ...i90];
  row.breakdown.churn = churn.breakdown;
}

/** Keys in a fixed order, so rows built in different ways compare equal. */
function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function applyDeploys(row: MetricRow, deploys: DeploySummary[]): void {
  const ai = deploys.filter((d) => d.aiHeavy);
  const other = deploys.filter((d) => !d.aiHeavy);
  row.deploys = deploys.length;
  row.aiHeavyDeploys = ai.length;
  row.failedDeploys = deploys.filter((d) => d.failed).length;
  row.aiHeavyFailedDeploys = ai.filter((d) => d.failed).length;
  row.changeFailureRate = changeFailureRate(row.failedDeploys, row.deploys);
  row.changeFailureRateAi = changeFailureRate(row.aiHeavyFailedDeploys, ai.length);
  row.changeFailureRateOther = changeFailureRate(row.failedDeploys - row.aiHeavyFailedDeploys, other.length);
  const lead = deploys.flatMap((d) => d.leadTimesSeconds);
  const leadAi = ai.flatMap((d) => d.leadTimesSeconds);
  const leadOther = other.flatMap((d) => d.leadTimesSeconds);
  row.medianLeadTimeSeconds = median(lead);
  row.medianLeadTimeAiSeconds = median(leadAi);
  row.medianLeadTimeOtherSeconds = median(leadOther);
  Object.assign(row.breakdown.samples, {
    leadTime: lead.length,
    leadTimeAi: leadAi.length,
    leadTimeOther: leadOther.length,
  });
}

function applyIncidents(row: MetricRow, incidents: readonly IncidentFact[], threshold: number): void {
  const restore: number[] = [];
  const restoreAi: number[] = [];
  const restoreOther: number[] = [];
  for (const incident of incidents) {
    row.incidentsOpened++;
    const bySeverity = row.breakdown.incidentsBySeverity;
    bySeverity[incident.severity] = (bySeverity[incident.severity] ?? 0) + 1;
    if (incident.resolvedAt === null) continue;
    const seconds = (incident.resolvedAt - incident.startedAt) / 1000;
    restore.push(seconds);
    (isAiHeavy(incident.suspectAiShare, threshold) ? restoreAi : restoreOther).push(seconds);
  }
  row.medianTimeToRestoreSeconds = median(restore);
  row.medianTimeToRestoreAiSeconds = median(restoreAi);
  row.medianTimeToRestoreOtherSeconds = median(restoreOther);
  Object.assign(row.breakdown.samples, {
    timeToRestore: restore.length,
    timeToRestoreAi: restoreAi.length,
    timeToRestoreOther: restoreOther.length,
  });
  // Keep the key order stable so rows compare equal however they were built.
  row.breakdown.incidentsBySeverity = Object.fromEntries(
    INCIDENT_SEVERITIES.filter((s) => s in row.breakdown.incidentsBySeverity).map((s) => [
      s,
      row.breakdown.incidentsBySeverity[s] ?? 0,
    ]),
  );
}
