// Metrics roll-ups and the organization overview on the PostgreSQL server (TEST_DATABASE_URL's
// host, in a scratch database dropped afterwards).
//   npm run bench -- metrics      → bench/results/metrics.json
// For each size (1M code_events by default, 10M on request: a year of activity over 100 repositories, generated
// with INSERT … SELECT generate_series): the full roll-up time, and the 90-day overview read from
// repo_metrics against the same answer computed from the raw tables, p50/p95 of repeated runs.
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { type DatabaseHandle, openDatabase } from "../src/server/db/client.ts";
import { migrateDatabase } from "../src/server/db/migrate.ts";
import { organizations, repositories } from "../src/server/db/schema/index.ts";
import { testDatabaseUrl } from "../src/server/env.ts";
import type { ServiceContext } from "../src/server/services/context.ts";
import { overview, overviewFromRawRows } from "../src/server/services/metrics/overview.ts";
import { rebuildAll } from "../src/server/services/metrics/roll-up.ts";

const REPOSITORIES = 100;
const YEAR_START = "2025-01-01T00:00:00Z";
const SECONDS_IN_YEAR = 365 * 86_400;
const WINDOW = { from: "2025-10-03", to: "2025-12-31" };

export interface MetricsBenchSize {
  codeEvents: number;
  attributionRows: number;
  incidents: number;
  generateSeconds: number;
  fullRollUpSeconds: number;
  repoMetricsRows: number;
  overview: { runs: number; p50Ms: number; p95Ms: number };
  overviewFromRaw: { runs: number; p50Ms: number; p95Ms: number };
  speedupP50: number;
  speedupP95: number;
  sameAnswer: boolean;
}

export interface MetricsBenchResult {
  server: string;
  repositories: number;
  window: typeof WINDOW;
  sizes: MetricsBenchSize[];
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 100) / 100;
}

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * Appends events numbered [from, to) to the organization: 70% commits (two attributed files
 * each), 8% PRs opened, 10% reviews, 8% merges, 4% deploys (9 in 10 successful in production),
 * and an incident for one production deploy in 20. Deterministic: the same numbers give the same rows.
 */
async function generate(handle: DatabaseHandle, orgId: string, from: number, to: number): Promise<void> {
  const db = handle.db;
  const ts = (g: string) =>
    sql.raw(`('${YEAR_START}'::timestamptz + ((${g} * 7919) % ${SECONDS_IN_YEAR}) * interval '1 second')`);
  const repo = sql.raw(`(SELECT id FROM bench_repos WHERE n = g % ${REPOSITORIES})`);
  const kind =
    sql.raw(`CASE WHEN g % 100 < 70 THEN 'commit' WHEN g % 100 < 78 THEN 'pr_opened' WHEN g % 100 < 88 THEN 'pr_reviewed'
    WHEN g % 100 < 96 THEN 'pr_merged' ELSE 'deploy' END`);
  await db.execute(sql`
    INSERT INTO code_events (org_id, repo_id, event_type, commit_sha, timestamp, actor, source_key, metadata)
    SELECT ${orgId}::uuid, ${repo}, k::event_type,
           CASE WHEN k IN ('commit', 'deploy') THEN md5(g::text) || substr(md5('x' || g), 1, 8) END,
           ${ts("g")}, 'dev', k || ':' || g,
           CASE k
             WHEN 'commit' THEN jsonb_build_object('message', 'change ' || g, 'author', '{"name":"Dev","email":null,"login":"dev"}'::jsonb,
               'committer', '{"name":"Dev","email":null,"login":"dev"}'::jsonb, 'parents', '[]'::jsonb, 'branch', 'main',
               'additions', null, 'deletions', null, 'filesChanged', 2, 'url', null, 'source', 'seed')
             WHEN 'pr_opened' THEN jsonb_build_object('number', g, 'title', 'PR', 'author', 'dev', 'authorIsBot', false,
               'headBranch', 'f', 'baseBranch', 'main', 'labels', '[]'::jsonb, 'url', null, 'body', null, 'reopened', false)
             WHEN 'pr_reviewed' THEN jsonb_build_object('number', g, 'reviewer', 'rev', 'state', 'approved', 'url', null)
             WHEN 'pr_merged' THEN jsonb_build_object('number', g, 'title', 'PR', 'author', 'dev', 'authorIsBot', false,
               'headBranch', 'f', 'baseBranch', 'main', 'labels', '[]'::jsonb, 'url', null, 'mergeMethod', 'squash',
               'mergeCommitSha', md5((g - g % 100)::text) || substr(md5('x' || (g - g % 100)), 1, 8),
               'openedAt', to_char((${ts("g")} - interval '20 hours') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'commits', 1)
             ELSE jsonb_build_object('environment', 'production', 'state', CASE WHEN g % 10 = 9 THEN 'failure' ELSE 'success' END,
               'production', true, 'deploymentId', g, 'ref', 'main', 'url', null)
           END
    FROM generate_series(${from}::bigint, ${to - 1}::bigint) AS g, LATERAL (SELECT ${kind} AS k) AS kinds`);
  await db.execute(sql`
    INSERT INTO code_attribution (org_id, repo_id, commit_sha, file_path, ai_confidence, detection_method, risk_tier,
      detection_signals, lines_added, lines_deleted, ai_lines, human_lines, unknown_lines, tool, model, engine_version, committed_at)
    SELECT e.org_id, e.repo_id, e.commit_sha, 'src/file' || f || '.ts', 0.8, 'heuristic',
           (ARRAY['T1_boilerplate', 'T2_glue', 'T3_core', 'T4_novel'])[1 + (h % 4)]::risk_tier,
           '{"engineVersion":"bench","signals":[],"lines":{"ai":0,"human":0,"unknown":0},"tierReason":"bench","model":null,"override":null}'::jsonb,
           10 + h % 40, h % 7, (10 + h % 40) * (h % 5) / 4, (10 + h % 40) - (10 + h % 40) * (h % 5) / 4, 0,
           (ARRAY['claude', 'copilot', 'cursor'])[1 + (h % 3)], null, 'bench', e.timestamp
    FROM code_events e, generate_series(1, 2) AS f, LATERAL (SELECT abs(hashtext(e.commit_sha || f)) AS h) AS hashed
    WHERE e.org_id = ${orgId} AND e.event_type = 'commit' AND
          split_part(e.source_key, ':', 2)::bigint >= ${from} AND split_part(e.source_key, ':', 2)::bigint < ${to}`);
  await db.execute(sql`
    INSERT INTO incidents (org_id, repo_id, title, severity, status, source, started_at, resolved_at, deploy_event_id,
      link_method, suspect_ai_share, metadata)
    SELECT e.org_id, e.repo_id, 'bench incident', (ARRAY['sev1','sev2','sev3','sev4'])[1 + (n % 4)]::incident_severity,
           'resolved', 'seed', e.timestamp + interval '1 hour', e.timestamp + interval '1 hour' + (n % 300) * interval '1 minute',
           e.id, 'inferred', (n % 10) / 10.0, '{"source":"seed","externalUrl":null,"service":null,"history":[]}'::jsonb
    FROM code_events e, LATERAL (SELECT split_part(e.source_key, ':', 2)::bigint AS n) AS num
    WHERE e.org_id = ${orgId} AND e.event_type = 'deploy' AND e.metadata->>'state' = 'success'
      AND n >= ${from} AND n < ${to} AND (n / 100) % 20 = 0`);
  await db.execute(sql`ANALYZE code_events`);
  await db.execute(sql`ANALYZE code_attribution`);
  await db.execute(sql`ANALYZE incidents`);
}

async function timeRuns(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}

async function count(handle: DatabaseHandle, table: string): Promise<number> {
  const result = await handle.db.execute(sql.raw(`SELECT count(*)::float8 AS n FROM ${table}`));
  return Number(result.rows[0]?.n ?? 0);
}

export async function benchMetrics(options: { sizes?: number[] } = {}): Promise<MetricsBenchResult> {
  // 10M is opt-in (`benchMetrics({ sizes: [1_000_000, 10_000_000] })`): generating and rolling it up
  // takes the better part of an hour on a small machine.
  const sizes = options.sizes ?? [1_000_000];
  const name = `sentinel_bench_metrics_${process.pid}_${randomBytes(3).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), max: 4 });
  try {
    await migrateDatabase(handle);
    const [org] = await handle.db.insert(organizations).values({ name: "Bench", slug: "bench" }).returning();
    if (!org) throw new Error("no organization");
    const repos = await handle.db
      .insert(repositories)
      .values(
        Array.from({ length: REPOSITORIES }, (_, i) => ({ orgId: org.id, fullName: `bench/repo-${i}` })),
      )
      .returning({ id: repositories.id });
    await handle.db.execute(sql`CREATE TABLE bench_repos (n int PRIMARY KEY, id uuid NOT NULL)`);
    for (const [n, r] of repos.entries())
      await handle.db.execute(sql`INSERT INTO bench_repos VALUES (${n}, ${r.id})`);
    const ctx: ServiceContext = { db: handle.db, orgId: org.id, actor: { kind: "system" } };

    const results: MetricsBenchSize[] = [];
    let generated = 0;
    for (const size of sizes) {
      const started = performance.now();
      await generate(handle, org.id, generated, size);
      generated = size;
      const generateSeconds = (performance.now() - started) / 1000;

      const rollUpStarted = performance.now();
      await rebuildAll(ctx);
      const fullRollUpSeconds = (performance.now() - rollUpStarted) / 1000;

      const fast = await overview(ctx, WINDOW);
      const raw = await overviewFromRawRows(ctx, WINDOW);
      await timeRuns(3, () => overview(ctx, WINDOW)); // warm-up
      const fastSamples = await timeRuns(50, () => overview(ctx, WINDOW));
      const rawSamples = await timeRuns(size >= 10_000_000 ? 5 : 10, () => overviewFromRawRows(ctx, WINDOW));
      const p50 = percentile(fastSamples, 50);
      const p95 = percentile(fastSamples, 95);
      const rawP50 = percentile(rawSamples, 50);
      const rawP95 = percentile(rawSamples, 95);
      results.push({
        codeEvents: await count(handle, "code_events"),
        attributionRows: await count(handle, "code_attribution"),
        incidents: await count(handle, "incidents"),
        generateSeconds: Math.round(generateSeconds * 10) / 10,
        fullRollUpSeconds: Math.round(fullRollUpSeconds * 10) / 10,
        repoMetricsRows: await count(handle, "repo_metrics"),
        overview: { runs: fastSamples.length, p50Ms: p50, p95Ms: p95 },
        overviewFromRaw: { runs: rawSamples.length, p50Ms: rawP50, p95Ms: rawP95 },
        speedupP50: Math.round(rawP50 / p50),
        speedupP95: Math.round(rawP95 / p95),
        sameAnswer: JSON.stringify(fast) === JSON.stringify(raw),
      });
      process.stderr.write(`bench metrics: ${JSON.stringify(results[results.length - 1])}\n`);
    }
    return {
      server: handle.location.replace(/\/[^/]*$/, ""),
      repositories: REPOSITORIES,
      window: WINDOW,
      sizes: results,
    };
  } finally {
    await handle.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
