// Metrics roll-ups and the organization overview on the PostgreSQL server (TEST_DATABASE_URL's
// host, in a scratch database dropped afterwards).
//   npm run bench -- metrics      → bench/results/metrics.json
//   SENTINEL_BENCH_SIZES=1M,10M npm run bench -- metrics   → 1M, then 9M more events on top (10M)
// For each size (a year of activity over 100 repositories, generated with INSERT … SELECT
// generate_series): the generation and full roll-up times, and the 90-day overview read from
// repo_metrics against the same answer computed from the raw tables, p50/p95 of repeated runs.
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
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
const FAST_RUNS = 50;
const RAW_RUNS = 10;

export interface MetricsBenchSize {
  codeEvents: number;
  /** Events generated for this size: each size adds to the rows of the one before. */
  addedEvents: number;
  attributionRows: number;
  incidents: number;
  generateSeconds: number;
  generateSteps: GenerateSteps;
  fullRollUpSeconds: number;
  /** VACUUM ANALYZE of repo_metrics after the roll-up, before measuring (not in fullRollUpSeconds). */
  vacuumRepoMetricsSeconds: number;
  repoMetricsRows: number;
  /** Rows rebuildAll reports writing (equals repoMetricsRows). */
  rolledUpRows: number;
  overview: { runs: number; p50Ms: number; p95Ms: number };
  overviewFromRaw: { runs: number; p50Ms: number; p95Ms: number; note?: string };
  speedupP50: number;
  speedupP95: number;
  sameAnswer: boolean;
  /** os.loadavg() (1, 5, 15 minutes) before generating and after measuring. */
  loadAverage: { before: [number, number, number]; after: [number, number, number] };
}

export interface MetricsBenchResult {
  server: string;
  cpus: number;
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

// The big tables whose indexes and constraints are set aside while rows are generated, then
// rebuilt from their own definitions (so the measured schema is exactly the migrated one).
const BULK_TABLES = ["code_events", "code_attribution"];

interface Structure {
  /** Indexes not backing a constraint, as `CREATE INDEX …` (pg_get_indexdef). */
  indexes: string[];
  /** Constraints as `ALTER TABLE … ADD CONSTRAINT …`, primary and unique keys before foreign keys. */
  constraints: string[];
  /** `ALTER TABLE … DROP CONSTRAINT …` / `DROP INDEX …`, foreign keys first. */
  drops: string[];
}

async function structureOf(client: pg.ClientBase, tables: string[]): Promise<Structure> {
  const constraints = await client.query<{ tbl: string; name: string; def: string }>(
    `SELECT c.conrelid::regclass::text AS tbl, c.conname AS name, pg_get_constraintdef(c.oid) AS def
     FROM pg_constraint c
     WHERE c.contype IN ('p', 'u', 'f')
       AND (c.conrelid = ANY($1::regclass[]) OR c.confrelid = ANY($1::regclass[]))
     ORDER BY c.contype = 'f', c.conname`,
    [tables],
  );
  const indexes = await client.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i
     WHERE i.indrelid = ANY($1::regclass[])
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
     ORDER BY 1`,
    [tables],
  );
  const keys = constraints.rows;
  return {
    // An index of a partitioned table reads `ON ONLY parent`, which would not build it on the
    // partitions: rebuilt on the parent, it is built on every partition.
    indexes: indexes.rows.map((r) => r.def.replace(" ON ONLY ", " ON ")),
    constraints: keys.map((c) => `ALTER TABLE ${c.tbl} ADD CONSTRAINT ${c.name} ${c.def}`),
    drops: [
      ...[...keys].reverse().map((c) => `ALTER TABLE ${c.tbl} DROP CONSTRAINT ${c.name}`),
      ...indexes.rows.map((r) => `DROP INDEX ${r.name}`),
    ],
  };
}

const sameStructure = (a: Structure, b: Structure) =>
  JSON.stringify([[...a.indexes].sort(), [...a.constraints].sort()]) ===
  JSON.stringify([[...b.indexes].sort(), [...b.constraints].sort()]);

/** Seconds spent in each step of one `generate` call. */
export type GenerateSteps = Record<
  "dropIndexes" | "codeEvents" | "codeAttribution" | "restoreIndexes" | "incidents" | "vacuumAnalyze",
  number
>;

/**
 * Appends events numbered [from, to) to the organization. Each block of 100 consecutive numbers
 * belongs to one repository (blocks go round the repositories) and holds 70 commits (two
 * attributed files each), 8 PRs opened, 10 reviews, 8 merges (merge commit: the block's first
 * commit) and 4 deploys (3 successful in production); the deploys of one block in 20 get an
 * incident. Event times are spread over the year (number × 7919 s, modulo a year), so every
 * repository has every kind of event all year round and its deploys ship its commits.
 * Deterministic: the same numbers give the same rows, whatever sizes they are generated in.
 *
 * Fast at 10M: code_events and code_attribution are filled by one set-based INSERT … SELECT each
 * (attribution computed from the same numbers, not read back from code_events) while their
 * indexes and keys are dropped; they are then rebuilt from the definitions read before dropping
 * (and checked to match), and the tables are vacuumed and analyzed, so everything measured
 * afterwards runs against the migrated schema with all its indexes.
 */
export async function generate(url: string, orgId: string, from: number, to: number): Promise<GenerateSteps> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const steps = {} as GenerateSteps;
  const step = async (name: keyof GenerateSteps, fn: () => Promise<unknown>) => {
    const started = performance.now();
    await fn();
    steps[name] = Math.round((performance.now() - started) / 100) / 10;
  };
  try {
    // Session settings only: bigger sort memory for index builds; nothing here needs a synchronous flush.
    await client.query(`SET maintenance_work_mem = '1GB'`);
    await client.query(`SET work_mem = '256MB'`);
    await client.query(`SET synchronous_commit = off`);

    const structure = await structureOf(client, BULK_TABLES);
    await step("dropIndexes", async () => {
      for (const statement of structure.drops) await client.query(statement);
    });

    // g → the event's repository, time, kind and commit SHA, the same expressions for both tables.
    const at = (g: string) =>
      `('${YEAR_START}'::timestamptz + ((${g} * 7919) % ${SECONDS_IN_YEAR}) * interval '1 second')`;
    const sha = (g: string) => `md5(${g}::text) || substr(md5('x' || ${g}), 1, 8)`;
    const repoOf = (g: string) => `(${g} / 100) % ${REPOSITORIES}`;
    const series = `generate_series(${from}::bigint, ${to - 1}::bigint) AS g
      JOIN bench_repos r ON r.n = ${repoOf("g")}`;
    const kind = `CASE WHEN g % 100 < 70 THEN 'commit' WHEN g % 100 < 78 THEN 'pr_opened' WHEN g % 100 < 88 THEN 'pr_reviewed'
      WHEN g % 100 < 96 THEN 'pr_merged' ELSE 'deploy' END`;
    await step("codeEvents", () =>
      client.query(
        `INSERT INTO code_events (org_id, repo_id, event_type, commit_sha, timestamp, actor, source_key, metadata)
         SELECT $1::uuid, r.id, k::event_type, CASE WHEN k IN ('commit', 'deploy') THEN ${sha("g")} END,
                ${at("g")}, 'dev', k || ':' || g,
                CASE k
                  WHEN 'commit' THEN jsonb_build_object('message', 'change ' || g, 'author', '{"name":"Dev","email":null,"login":"dev"}'::jsonb,
                    'committer', '{"name":"Dev","email":null,"login":"dev"}'::jsonb, 'parents', '[]'::jsonb, 'branch', 'main',
                    'additions', null, 'deletions', null, 'filesChanged', 2, 'url', null, 'source', 'seed')
                  WHEN 'pr_opened' THEN jsonb_build_object('number', g, 'title', 'PR', 'author', 'dev', 'authorIsBot', false,
                    'headBranch', 'f', 'baseBranch', 'main', 'labels', '[]'::jsonb, 'url', null, 'body', null, 'reopened', false)
                  WHEN 'pr_reviewed' THEN jsonb_build_object('number', g, 'reviewer', 'rev', 'state', 'approved', 'url', null)
                  WHEN 'pr_merged' THEN jsonb_build_object('number', g, 'title', 'PR', 'author', 'dev', 'authorIsBot', false,
                    'headBranch', 'f', 'baseBranch', 'main', 'labels', '[]'::jsonb, 'url', null, 'mergeMethod', 'squash',
                    'mergeCommitSha', ${sha("(g - g % 100)")},
                    'openedAt', to_char((${at("g")} - interval '20 hours') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'commits', 1)
                  ELSE jsonb_build_object('environment', 'production', 'state', CASE WHEN g % 10 = 9 THEN 'failure' ELSE 'success' END,
                    'production', true, 'deploymentId', g, 'ref', 'main', 'url', null)
                END
         FROM ${series}, LATERAL (SELECT ${kind} AS k OFFSET 0) AS kinds`,
        [orgId],
      ),
    );
    // Two files per commit event (g % 100 < 70), committed when the commit event happened.
    // (`OFFSET 0` keeps PostgreSQL from inlining the laterals: `h` appears a dozen times below,
    // and inlined, each appearance would recompute two md5s and a hash.)
    await step("codeAttribution", () =>
      client.query(
        `INSERT INTO code_attribution (org_id, repo_id, commit_sha, file_path, ai_confidence, detection_method, risk_tier,
           detection_signals, lines_added, lines_deleted, ai_lines, human_lines, unknown_lines, tool, model, engine_version, committed_at)
         SELECT $1::uuid, r.id, s.sha, 'src/file' || f || '.ts', 0.8, 'heuristic',
                (ARRAY['T1_boilerplate', 'T2_glue', 'T3_core', 'T4_novel'])[1 + (h % 4)]::risk_tier,
                '{"engineVersion":"bench","signals":[],"lines":{"ai":0,"human":0,"unknown":0},"tierReason":"bench","model":null,"override":null}'::jsonb,
                10 + h % 40, h % 7, (10 + h % 40) * (h % 5) / 4, (10 + h % 40) - (10 + h % 40) * (h % 5) / 4, 0,
                (ARRAY['claude', 'copilot', 'cursor'])[1 + (h % 3)], null, 'bench', ${at("g")}
         FROM ${series}, LATERAL (SELECT ${sha("g")} AS sha OFFSET 0) AS s, generate_series(1, 2) AS f,
              LATERAL (SELECT abs(hashtext(s.sha || f)) AS h OFFSET 0) AS hashed
         WHERE g % 100 < 70`,
        [orgId],
      ),
    );
    await step("restoreIndexes", async () => {
      for (const statement of [...structure.indexes, ...structure.constraints]) await client.query(statement);
      if (!sameStructure(structure, await structureOf(client, BULK_TABLES)))
        throw new Error("bench: the rebuilt indexes and constraints differ from the migrated schema");
    });
    // The successful production deploys (g % 100 in 96–98) of one block in 20 get an incident,
    // found through code_events' natural key. Which blocks shifts every 100 blocks, so every
    // repository has some.
    await step("incidents", () =>
      client.query(
        `INSERT INTO incidents (org_id, repo_id, title, severity, status, source, started_at, resolved_at, deploy_event_id,
           link_method, suspect_ai_share, metadata)
         SELECT e.org_id, e.repo_id, 'bench incident', (ARRAY['sev1','sev2','sev3','sev4'])[1 + (g % 4)]::incident_severity,
                'resolved', 'seed', e.timestamp + interval '1 hour', e.timestamp + interval '1 hour' + (g % 300) * interval '1 minute',
                e.id, 'inferred', (g % 10) / 10.0, '{"source":"seed","externalUrl":null,"service":null,"history":[]}'::jsonb
         FROM ${series}
         JOIN code_events e ON e.repo_id = r.id AND e.event_type = 'deploy' AND e.source_key = 'deploy:' || g
                           AND e.timestamp = ${at("g")}
         WHERE g % 100 BETWEEN 96 AND 98 AND (g / 100 + g / 10000) % 20 = 0 AND e.org_id = $1::uuid
           AND e.metadata->>'state' = 'success'`,
        [orgId],
      ),
    );
    await step("vacuumAnalyze", async () => {
      for (const table of [...BULK_TABLES, "incidents"]) await client.query(`VACUUM (ANALYZE) ${table}`);
    });
    return steps;
  } finally {
    await client.end();
  }
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

const DEFAULT_SIZES = [1_000_000];

/**
 * The sizes to run: `SENTINEL_BENCH_SIZES` (comma-separated, increasing; `1M`, `500k` and plain
 * numbers accepted), 1M when unset. `SENTINEL_BENCH_SIZES=1M,10M npm run bench -- metrics` adds 10M.
 */
export function benchSizes(value: string | undefined = process.env.SENTINEL_BENCH_SIZES): number[] {
  if (value === undefined || value.trim() === "") return DEFAULT_SIZES;
  const sizes = value.split(",").map((part) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(part);
    const n = match
      ? Number(match[1]) * ({ k: 1e3, m: 1e6 }[(match[2] ?? "").toLowerCase()] ?? 1)
      : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1000)
      throw new Error(`SENTINEL_BENCH_SIZES: ${JSON.stringify(part)} is not a size of at least 1000 events`);
    return n;
  });
  if (sizes.some((n, i) => i > 0 && n <= (sizes[i - 1] as number)))
    throw new Error("SENTINEL_BENCH_SIZES: sizes must increase (each size adds to the one before)");
  return sizes;
}

/** A fresh organization with the benchmark's repositories, and `bench_repos` numbering them. */
export async function setUpOrganization(handle: DatabaseHandle): Promise<ServiceContext> {
  await migrateDatabase(handle);
  // Enterprise: unlimited history, so the year-old window is answered (a free plan refuses it).
  const [org] = await handle.db
    .insert(organizations)
    .values({ name: "Bench", slug: "bench", plan: "enterprise" })
    .returning();
  if (!org) throw new Error("no organization");
  const repos = await handle.db
    .insert(repositories)
    .values(Array.from({ length: REPOSITORIES }, (_, i) => ({ orgId: org.id, fullName: `bench/repo-${i}` })))
    .returning({ id: repositories.id });
  await handle.db.execute(sql`CREATE TABLE bench_repos (n int PRIMARY KEY, id uuid NOT NULL)`);
  for (const [n, r] of repos.entries())
    await handle.db.execute(sql`INSERT INTO bench_repos VALUES (${n}, ${r.id})`);
  return { db: handle.db, orgId: org.id, actor: { kind: "system" } };
}

const load = () => loadavg().map((n) => Math.round(n * 100) / 100) as [number, number, number];

export async function benchMetrics(options: { sizes?: number[] } = {}): Promise<MetricsBenchResult> {
  const sizes = options.sizes ?? benchSizes();
  const name = `sentinel_bench_metrics_${process.pid}_${randomBytes(3).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), max: 4 });
  try {
    const ctx = await setUpOrganization(handle);
    const results: MetricsBenchSize[] = [];
    let generated = 0;
    for (const size of sizes) {
      const loadBefore = load();
      const started = performance.now();
      const previous = generated;
      const generateSteps = await generate(url.toString(), ctx.orgId, previous, size);
      generated = size;
      const generateSeconds = (performance.now() - started) / 1000;

      const rollUpStarted = performance.now();
      const rolledUp = await rebuildAll(ctx);
      const fullRollUpSeconds = (performance.now() - rollUpStarted) / 1000;
      // Measured against fresh statistics and a set visibility map, as autovacuum would leave them.
      const vacuumStarted = performance.now();
      await handle.db.execute(sql`VACUUM (ANALYZE) repo_metrics`);
      const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;

      const fast = await overview(ctx, WINDOW);
      const rawStarted = performance.now();
      const raw = await overviewFromRawRows(ctx, WINDOW);
      const firstRawMs = performance.now() - rawStarted;
      await timeRuns(3, () => overview(ctx, WINDOW)); // warm-up
      const fastSamples = await timeRuns(FAST_RUNS, () => overview(ctx, WINDOW));
      // The raw side repeats less when one run takes long (the repo_metrics side never does).
      const rawRuns = firstRawMs > 60_000 ? 3 : size >= 10_000_000 ? 5 : RAW_RUNS;
      const rawSamples = await timeRuns(rawRuns, () => overviewFromRawRows(ctx, WINDOW));
      const p50 = percentile(fastSamples, 50);
      const p95 = percentile(fastSamples, 95);
      const rawP50 = percentile(rawSamples, 50);
      const rawP95 = percentile(rawSamples, 95);
      results.push({
        codeEvents: await count(handle, "code_events"),
        addedEvents: size - previous,
        attributionRows: await count(handle, "code_attribution"),
        incidents: await count(handle, "incidents"),
        generateSeconds: Math.round(generateSeconds * 10) / 10,
        generateSteps,
        fullRollUpSeconds: Math.round(fullRollUpSeconds * 10) / 10,
        vacuumRepoMetricsSeconds: Math.round(vacuumSeconds * 10) / 10,
        repoMetricsRows: await count(handle, "repo_metrics"),
        rolledUpRows: rolledUp.rows,
        overview: { runs: fastSamples.length, p50Ms: p50, p95Ms: p95 },
        overviewFromRaw: {
          runs: rawSamples.length,
          p50Ms: rawP50,
          p95Ms: rawP95,
          ...(rawRuns < RAW_RUNS && {
            note: `raw side only: ${rawRuns} runs instead of ${RAW_RUNS} (one run took ${Math.round(firstRawMs / 100) / 10} s); the repo_metrics side ran ${FAST_RUNS}`,
          }),
        },
        speedupP50: Math.round(rawP50 / p50),
        speedupP95: Math.round(rawP95 / p95),
        sameAnswer: JSON.stringify(fast) === JSON.stringify(raw),
        loadAverage: { before: loadBefore, after: load() },
      });
      process.stderr.write(`bench metrics: ${JSON.stringify(results[results.length - 1])}\n`);
    }
    return {
      server: handle.location.replace(/\/[^/]*$/, ""),
      cpus: cpus().length,
      repositories: REPOSITORIES,
      window: WINDOW,
      sizes: results,
    };
  } finally {
    await handle.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
