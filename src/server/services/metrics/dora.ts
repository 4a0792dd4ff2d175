import { type SQL, sql } from "drizzle-orm";
import { badRequest } from "../../../core/errors.ts";
import { type DeploySummary, summarizeDeploys } from "../../../core/metrics/deploys.ts";
import { computeDora, type DoraReport } from "../../../core/metrics/dora.ts";
import type { AttributionFact, CommitFact, DeployFact, IncidentFact } from "../../../core/metrics/facts.ts";
import type { ServiceContext } from "../context.ts";
import { historyDays } from "../organizations/history.ts";
import {
  ATTRIBUTION_SUMS,
  addAttributionGroup,
  epochMs,
  type FactRange,
  newAttributionFact,
  num,
  type Row,
  SHA_SHAPE,
  toIncidentFact,
} from "./load-facts.ts";
import { isProductionDeploy } from "./production-deploy.ts";
import { assertRepoInOrg } from "./roll-up.ts";
import { orgSettings } from "./settings.ts";
import { queryDate } from "./time-series.ts";

const DAY_MS = 86_400_000;

/**
 * DORA over any window of whole UTC days (`from` and `to` included), computed from the raw rows,
 * for one repository or the whole organization (whose deploys are each judged within their own
 * repository; incidents naming no repository count only organization-wide). The plan's history
 * bounds the window and what it looks back at (historyDays).
 */
export async function dora(
  ctx: ServiceContext,
  input: { from: string; to: string; repoId?: string | undefined },
): Promise<{ window: { from: string; to: string }; aiHeavyThreshold: number } & DoraReport> {
  const requested = queryDate("from", input.from);
  const end = new Date(queryDate("to", input.to).getTime() + DAY_MS);
  if (end <= requested) throw badRequest("to: must not be before from", { field: "to" });
  const window = await historyDays(ctx, input);
  const start = queryDate("from", window.from);
  const floor = window.floor === null ? null : queryDate("from", window.floor);
  const { aiHeavyThreshold } = await orgSettings(ctx.db, ctx.orgId);
  if (input.repoId) await assertRepoInOrg(ctx, input.repoId);
  const facts = await loadDoraFacts(ctx, { start, end }, floor, input.repoId);
  const deploys: DeploySummary[] = [];
  for (const repo of facts.repos.values()) {
    deploys.push(
      ...summarizeDeploys(repo.deploys, repo.commits, repo.attributions, repo.incidents, aiHeavyThreshold),
    );
  }
  const report = computeDora(
    deploys,
    dedupeById(facts.incidents),
    { from: start.getTime(), to: end.getTime() },
    aiHeavyThreshold,
  );
  return { window: { from: start.toISOString(), to: end.toISOString() }, aiHeavyThreshold, ...report };
}

function dedupeById(incidents: IncidentFact[]): IncidentFact[] {
  return [...new Map(incidents.map((i) => [i.id, i])).values()];
}

// What DORA reads, for every repository at once (a handful of set-based queries, whatever the
// number of repositories). Per repository these are the same facts loadRepoFacts gives for the
// range, narrowed to what the deploys of the range depend on: the production deploys in the
// range and the one just before (it bounds what the first shipped), the commits back to that
// deploy with their attribution, and the incidents. Pull requests play no part in DORA.

interface RepoDoraFacts {
  deploys: DeployFact[];
  commits: CommitFact[];
  attributions: AttributionFact[];
  incidents: IncidentFact[];
}

/** The SHAs load-facts.ts looks attribution up by; others count only when committed in the range. */
const SHA_SHAPE_SQL = SHA_SHAPE.source;

const uuidArray = (ids: readonly string[]) =>
  sql`${`{${ids.filter((id) => SHA_SHAPE.test(id)).join(",")}}`}::uuid[]`;

async function loadDoraFacts(
  ctx: ServiceContext,
  range: FactRange,
  floor: Date | null,
  repoId: string | undefined,
): Promise<{ repos: Map<string, RepoDoraFacts>; incidents: IncidentFact[] }> {
  const { db, orgId } = ctx;
  const rows = async (query: SQL): Promise<Row[]> => (await db.execute(query)).rows;
  const startAt = sql`${range.start.toISOString()}::timestamptz`;
  const endAt = sql`${range.end.toISOString()}::timestamptz`;
  // Nothing before the plan's history, not even the deploy before the range or what it shipped.
  const since = (column: SQL) => (floor ? sql`AND ${column} >= ${floor.toISOString()}::timestamptz` : sql``);
  const inScope = repoId
    ? sql`org_id = ${orgId} AND repo_id = ${repoId}`
    : sql`org_id = ${orgId} AND repo_id IN (SELECT id FROM repositories WHERE org_id = ${orgId})`;

  const repos = new Map<string, RepoDoraFacts>();
  const repo = (id: string): RepoDoraFacts => {
    let facts = repos.get(id);
    if (!facts) {
      facts = { deploys: [], commits: [], attributions: [], incidents: [] };
      repos.set(id, facts);
    }
    return facts;
  };

  // The deploys in the range, and for each repository that has some, the one just before it.
  const deployRows = await rows(sql`
    WITH in_range AS (
      SELECT id, repo_id, commit_sha, timestamp FROM code_events
      WHERE ${inScope} AND ${isProductionDeploy} AND timestamp >= ${startAt} AND timestamp < ${endAt}
    )
    SELECT id, repo_id, commit_sha, ${epochMs(sql`timestamp`)} AS at, false AS lookback FROM in_range
    UNION ALL
    SELECT before.id, before.repo_id, before.commit_sha, ${epochMs(sql`before.timestamp`)} AS at, true AS lookback
    FROM (SELECT DISTINCT repo_id FROM in_range) AS deployed
    CROSS JOIN LATERAL (
      SELECT id, repo_id, commit_sha, timestamp FROM code_events
      WHERE org_id = ${orgId} AND repo_id = deployed.repo_id AND ${isProductionDeploy}
        AND timestamp < ${startAt} ${since(sql`timestamp`)}
      ORDER BY timestamp DESC, id DESC LIMIT 1
    ) AS before`);
  const lookbackSeconds = new Map<string, number>();
  for (const r of deployRows) {
    const id = String(r.repo_id);
    const deploy = {
      id: String(r.id),
      sha: r.commit_sha === null ? null : String(r.commit_sha),
      at: num(r.at),
    };
    repo(id).deploys.push(deploy);
    if (r.lookback === true) lookbackSeconds.set(id, deploy.at / 1000);
  }

  // The commits those deploys may have shipped: back to the deploy before the range (1 ms of
  // slack, as load-facts.ts), or to the beginning when there is none. A repository without a
  // deploy in the range ships nothing DORA counts, so its commits are not read.
  const deployed = [...repos.keys()];
  if (deployed.length > 0) {
    const windows = sql`unnest(${uuidArray(deployed)},
      ${`{${deployed.map((id) => lookbackSeconds.get(id) ?? "NULL").join(",")}}`}::float8[]) AS w(repo_id, after_s)`;
    const shipped = sql`
      SELECT e.repo_id, e.commit_sha, e.at FROM ${windows}
      CROSS JOIN LATERAL (
        SELECT repo_id, commit_sha, ${epochMs(sql`timestamp`)} AS at FROM code_events
        WHERE org_id = ${orgId} AND repo_id = w.repo_id AND event_type = 'commit'
          AND commit_sha IS NOT NULL AND timestamp < ${endAt} ${since(sql`timestamp`)}
          AND (w.after_s IS NULL OR timestamp >= to_timestamp(w.after_s) - interval '1 millisecond')
      ) AS e`;
    for (const r of await rows(shipped)) {
      repo(String(r.repo_id)).commits.push({ sha: String(r.commit_sha), at: num(r.at) });
    }

    // Their attribution, summed per commit as load-facts.ts does (which also finds a commit's rows
    // committed outside the range, by SHA, when the SHA has the usual shape). One pass, grouped
    // by tool as well, gives both the sums and the AI lines per tool.
    const byTool = await rows(sql`
      SELECT repo_id, commit_sha, coalesce(tool, 'unknown') AS tool,
             ${epochMs(sql`min(committed_at)`)} AS at, ${ATTRIBUTION_SUMS}
      FROM code_attribution
      WHERE org_id = ${orgId}
        AND (repo_id, commit_sha) IN (SELECT repo_id, commit_sha FROM (${shipped}) AS s)
        AND (commit_sha ~ ${SHA_SHAPE_SQL} OR (committed_at >= ${startAt} AND committed_at < ${endAt}))
        ${since(sql`committed_at`)}
      GROUP BY repo_id, commit_sha, coalesce(tool, 'unknown')`);
    const facts = new Map<string, AttributionFact>();
    for (const r of byTool) {
      const key = `${String(r.repo_id)} ${String(r.commit_sha)}`;
      let fact = facts.get(key);
      if (!fact) {
        fact = newAttributionFact(String(r.commit_sha), num(r.at));
        facts.set(key, fact);
        repo(String(r.repo_id)).attributions.push(fact);
      }
      addAttributionGroup(fact, r);
    }
  }

  // Incidents started in the range, and those linked to the deploys read above (they make a
  // deploy failed, whenever they started). Organization-wide, also those naming no repository.
  const deployIds = [...repos.values()].flatMap((r) => r.deploys.map((d) => d.id));
  const startedInRange = sql`started_at >= ${startAt} AND started_at < ${endAt}`;
  const incidentRows = await rows(sql`
    SELECT id, repo_id, severity, ${epochMs(sql`started_at`)} AS started_at,
           ${epochMs(sql`resolved_at`)} AS resolved_at, deploy_event_id, suspect_ai_share
    FROM incidents
    WHERE (${inScope} AND (${startedInRange} OR deploy_event_id = ANY(${uuidArray(deployIds)})))
      ${repoId ? sql`` : sql`OR (org_id = ${orgId} AND repo_id IS NULL AND ${startedInRange})`}`);
  const incidents: IncidentFact[] = [];
  for (const r of incidentRows) {
    const fact = toIncidentFact(r);
    incidents.push(fact);
    if (r.repo_id !== null && r.repo_id !== undefined) repo(String(r.repo_id)).incidents.push(fact);
  }
  return { repos, incidents };
}
