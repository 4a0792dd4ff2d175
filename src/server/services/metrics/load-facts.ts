import { type SQL, sql } from "drizzle-orm";
import type { IncidentSeverity, RiskTier } from "../../../core/enums.ts";
import {
  type AttributionFact,
  type CommitFact,
  type DeployFact,
  emptyTiers,
  type IncidentFact,
  type PullRequestFact,
  type RepoFacts,
  type SurvivalFact,
} from "../../../core/metrics/facts.ts";
import type { Database } from "../../db/client.ts";
import { ATTRIBUTION_JOIN, LINE_CLASS } from "../survival/line-class.ts";
import { isProductionDeploy } from "./production-deploy.ts";

// Reads one repository's rows into the facts the metrics math needs. Sums per commit happen in
// SQL (one row per commit, not per file); everything else is computed in src/core/metrics.

export interface FactRange {
  /** Inclusive. */
  start: Date;
  /** Exclusive. */
  end: Date;
}

export type Row = Record<string, unknown>;

/** What may appear inside a PostgreSQL array literal unquoted (commit SHAs, UUIDs). */
export const SHA_SHAPE = /^[0-9A-Za-z-]+$/;

export const epochMs = (column: SQL) => sql`(extract(epoch from ${column}) * 1000)::float8`;

async function rows(db: Database, query: SQL): Promise<Row[]> {
  return (await db.execute(query)).rows;
}

export const num = (v: unknown): number => (typeof v === "number" ? v : Number(v ?? 0));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

/**
 * Loads the facts that the buckets inside `range` depend on (everything when `range` is absent):
 * the events and incidents in it, the production deploy just before it (it bounds what the first
 * deploy in the range shipped) and the commits that deploy window reaches back to.
 */
export async function loadRepoFacts(
  db: Database,
  orgId: string,
  repoId: string,
  range?: FactRange,
): Promise<RepoFacts> {
  const scope = sql`org_id = ${orgId} AND repo_id = ${repoId}`;
  const inRange = (column: SQL) =>
    range
      ? sql`${column} >= ${range.start.toISOString()}::timestamptz AND ${column} < ${range.end.toISOString()}::timestamptz`
      : sql`true`;

  const deployRows = await rows(
    db,
    range
      ? sql`(SELECT id, commit_sha, ${epochMs(sql`timestamp`)} AS at FROM code_events
             WHERE ${scope} AND ${isProductionDeploy} AND ${inRange(sql`timestamp`)})
            UNION ALL
            (SELECT id, commit_sha, ${epochMs(sql`timestamp`)} AS at FROM code_events
             WHERE ${scope} AND ${isProductionDeploy} AND timestamp < ${range.start.toISOString()}::timestamptz
             ORDER BY timestamp DESC, id DESC LIMIT 1)`
      : sql`SELECT id, commit_sha, ${epochMs(sql`timestamp`)} AS at FROM code_events WHERE ${scope} AND ${isProductionDeploy}`,
  );
  const deploys: DeployFact[] = deployRows.map((r) => ({
    id: String(r.id),
    sha: r.commit_sha === null ? null : String(r.commit_sha),
    at: num(r.at),
  }));

  // Commits: those in the range, and those the range's deploys may have shipped (back to the
  // deploy before the range, or to the beginning when there is none).
  let commitWindow = inRange(sql`timestamp`);
  if (range) {
    const inRangeDeploys = deploys.filter((d) => d.at >= range.start.getTime());
    const lookback = deploys.find((d) => d.at < range.start.getTime());
    if (inRangeDeploys.length > 0) {
      commitWindow = lookback
        ? sql`timestamp >= to_timestamp(${lookback.at / 1000}) - interval '1 millisecond' AND timestamp < ${range.end.toISOString()}::timestamptz`
        : sql`timestamp < ${range.end.toISOString()}::timestamptz`;
    }
  }
  const commitRows = await rows(
    db,
    sql`SELECT commit_sha, ${epochMs(sql`timestamp`)} AS at FROM code_events
        WHERE ${scope} AND event_type = 'commit' AND commit_sha IS NOT NULL AND ${commitWindow}`,
  );
  const commits: CommitFact[] = commitRows.map((r) => ({ sha: String(r.commit_sha), at: num(r.at) }));

  const prRows = await rows(
    db,
    sql`SELECT event_type, ${epochMs(sql`timestamp`)} AS at, metadata->>'number' AS number,
               metadata->>'reopened' AS reopened, metadata->>'openedAt' AS opened_at,
               metadata->>'mergeCommitSha' AS merge_commit_sha
        FROM code_events
        WHERE ${scope} AND event_type IN ('pr_opened', 'pr_merged', 'pr_reviewed') AND ${inRange(sql`timestamp`)}`,
  );
  const pullRequests: PullRequestFact[] = prRows.map((r) => ({
    kind: r.event_type === "pr_opened" ? "opened" : r.event_type === "pr_merged" ? "merged" : "reviewed",
    number: num(r.number),
    at: num(r.at),
    reopened: r.reopened === "true",
    openedAt: typeof r.opened_at === "string" ? Date.parse(r.opened_at) : null,
    mergeCommitSha: typeof r.merge_commit_sha === "string" ? r.merge_commit_sha : null,
  }));

  // Attribution of the loaded commits, of merge commits (they classify PRs), and of anything
  // committed in the range (without a range: all of the repository's).
  let attributionFilter = sql`true`;
  if (range) {
    const shas = [
      ...new Set([
        ...commits.map((c) => c.sha),
        ...pullRequests.flatMap((p) => (p.mergeCommitSha ? [p.mergeCommitSha] : [])),
      ]),
    ].filter((sha) => SHA_SHAPE.test(sha));
    attributionFilter = sql`(${inRange(sql`committed_at`)} OR commit_sha = ANY(${`{${shas.join(",")}}`}::text[]))`;
  }
  // One pass over the rows, per commit and tool: a commit's sums are those of its tools' groups,
  // and a tool has AI lines when one of its files does (`tool_ai_lines` is null otherwise).
  const attributionRows = await rows(
    db,
    sql`SELECT commit_sha, coalesce(tool, 'unknown') AS tool, ${epochMs(sql`min(committed_at)`)} AS at,
               ${ATTRIBUTION_SUMS}
        FROM code_attribution WHERE ${scope} AND ${attributionFilter}
        GROUP BY commit_sha, coalesce(tool, 'unknown')`,
  );
  const bySha = new Map<string, AttributionFact>();
  for (const r of attributionRows) {
    const sha = String(r.commit_sha);
    let fact = bySha.get(sha);
    if (!fact) {
      fact = newAttributionFact(sha, num(r.at));
      bySha.set(sha, fact);
    }
    addAttributionGroup(fact, r);
  }
  const attributions = [...bySha.values()];

  const deployIds = deploys.map((d) => d.id);
  const incidentRows = await rows(
    db,
    sql`SELECT id, severity, ${epochMs(sql`started_at`)} AS started_at, ${epochMs(sql`resolved_at`)} AS resolved_at,
               deploy_event_id, suspect_ai_share
        FROM incidents
        WHERE ${scope} AND (${inRange(sql`started_at`)}
              OR deploy_event_id = ANY(${`{${deployIds.join(",")}}`}::uuid[]))`,
  );
  const incidents: IncidentFact[] = incidentRows.map(toIncidentFact);

  return {
    commits,
    attributions,
    pullRequests,
    deploys,
    incidents,
    ...(await loadSurvivalFacts(db, { orgId, repoId }, inRange)),
  };
}

/** Line survival of the commit-files committed in range, the history's end, and reverted commits. */
async function loadSurvivalFacts(
  db: Database,
  { orgId, repoId }: { orgId: string; repoId: string },
  inRange: (column: SQL) => SQL,
): Promise<Pick<RepoFacts, "survival" | "historyEnd" | "revertedShas">> {
  const scope = sql`org_id = ${orgId} AND repo_id = ${repoId}`;
  const state = await rows(
    db,
    sql`SELECT ${epochMs(sql`history_end`)} AS history_end FROM line_survival_state WHERE ${scope}`,
  );
  if (state.length === 0) return { survival: [], historyEnd: null, revertedShas: [] };
  const survivalRows = await rows(
    db,
    sql`SELECT s.commit_sha, s.file_path, ${epochMs(sql`s.committed_at`)} AS at, s.lines_added,
               s.churned_14d, s.churned_30d, s.churned_90d, ${LINE_CLASS} AS line_class,
               a.tool, a.risk_tier
        FROM line_survival s ${ATTRIBUTION_JOIN}
        WHERE s.org_id = ${orgId} AND s.repo_id = ${repoId} AND ${inRange(sql`s.committed_at`)}`,
  );
  const survival: SurvivalFact[] = survivalRows.map((r) => ({
    sha: String(r.commit_sha),
    path: String(r.file_path),
    at: num(r.at),
    lineClass: r.line_class as SurvivalFact["lineClass"],
    tool: r.tool === null || r.tool === undefined ? null : String(r.tool),
    tier: r.risk_tier === null || r.risk_tier === undefined ? null : (String(r.risk_tier) as RiskTier),
    added: num(r.lines_added),
    churned: [num(r.churned_14d), num(r.churned_30d), num(r.churned_90d)],
  }));
  const reverted = await rows(
    db,
    sql`SELECT DISTINCT reverted_sha FROM commit_reverts WHERE ${scope} AND in_history`,
  );
  return {
    survival,
    historyEnd: num(state[0]?.history_end),
    revertedShas: reverted.map((r) => String(r.reverted_sha)),
  };
}

/**
 * A commit's attribution summed per tool (GROUP BY commit and `coalesce(tool, 'unknown')`, with
 * `at` selected beside it): the roll-up and DORA read commits with the same sums.
 */
export const ATTRIBUTION_SUMS = sql`count(*)::int AS files,
  sum(lines_added)::int AS lines_added, sum(lines_deleted)::int AS lines_deleted,
  sum(ai_lines)::int AS ai_lines, sum(human_lines)::int AS human_lines,
  sum(unknown_lines)::int AS unknown_lines,
  coalesce(sum(lines_added) FILTER (WHERE risk_tier = 'T1_boilerplate'), 0)::int AS t1,
  coalesce(sum(lines_added) FILTER (WHERE risk_tier = 'T2_glue'), 0)::int AS t2,
  coalesce(sum(lines_added) FILTER (WHERE risk_tier = 'T3_core'), 0)::int AS t3,
  coalesce(sum(lines_added) FILTER (WHERE risk_tier = 'T4_novel'), 0)::int AS t4,
  coalesce(sum(ai_lines) FILTER (WHERE risk_tier = 'T1_boilerplate'), 0)::int AS t1_ai,
  coalesce(sum(ai_lines) FILTER (WHERE risk_tier = 'T2_glue'), 0)::int AS t2_ai,
  coalesce(sum(ai_lines) FILTER (WHERE risk_tier = 'T3_core'), 0)::int AS t3_ai,
  coalesce(sum(ai_lines) FILTER (WHERE risk_tier = 'T4_novel'), 0)::int AS t4_ai,
  sum(ai_lines) FILTER (WHERE ai_lines > 0)::int AS tool_ai_lines`;

export function newAttributionFact(sha: string, at: number): AttributionFact {
  return {
    sha,
    at,
    files: 0,
    linesAdded: 0,
    linesDeleted: 0,
    aiLines: 0,
    humanLines: 0,
    unknownLines: 0,
    tiers: emptyTiers(),
    aiLinesByTool: {},
  };
}

/**
 * Adds one tool's group of ATTRIBUTION_SUMS to its commit: a commit's sums are those of its
 * tools' groups, and a tool counts once one of its files has AI lines (`tool_ai_lines` is null
 * otherwise).
 */
export function addAttributionGroup(fact: AttributionFact, r: Row): void {
  fact.at = Math.min(fact.at, num(r.at));
  fact.files += num(r.files);
  fact.linesAdded += num(r.lines_added);
  fact.linesDeleted += num(r.lines_deleted);
  fact.aiLines += num(r.ai_lines);
  fact.humanLines += num(r.human_lines);
  fact.unknownLines += num(r.unknown_lines);
  const { tiers } = fact;
  tiers.T1_boilerplate.lines += num(r.t1);
  tiers.T1_boilerplate.aiLines += num(r.t1_ai);
  tiers.T2_glue.lines += num(r.t2);
  tiers.T2_glue.aiLines += num(r.t2_ai);
  tiers.T3_core.lines += num(r.t3);
  tiers.T3_core.aiLines += num(r.t3_ai);
  tiers.T4_novel.lines += num(r.t4);
  tiers.T4_novel.aiLines += num(r.t4_ai);
  if (r.tool_ai_lines !== null && r.tool_ai_lines !== undefined)
    fact.aiLinesByTool[String(r.tool)] = num(r.tool_ai_lines);
}

export function toIncidentFact(r: Row): IncidentFact {
  return {
    id: String(r.id),
    severity: String(r.severity) as IncidentSeverity,
    startedAt: num(r.started_at),
    resolvedAt: numOrNull(r.resolved_at),
    deployEventId:
      r.deploy_event_id === null || r.deploy_event_id === undefined ? null : String(r.deploy_event_id),
    suspectAiShare: numOrNull(r.suspect_ai_share),
  };
}

/** Incidents of the organization that name no repository, started in the range (organization-wide DORA). */
export async function loadUnassignedIncidents(
  db: Database,
  orgId: string,
  range: FactRange,
): Promise<IncidentFact[]> {
  const found = await rows(
    db,
    sql`SELECT id, severity, ${epochMs(sql`started_at`)} AS started_at, ${epochMs(sql`resolved_at`)} AS resolved_at,
               deploy_event_id, suspect_ai_share
        FROM incidents
        WHERE org_id = ${orgId} AND repo_id IS NULL
          AND started_at >= ${range.start.toISOString()}::timestamptz AND started_at < ${range.end.toISOString()}::timestamptz`,
  );
  return found.map(toIncidentFact);
}
