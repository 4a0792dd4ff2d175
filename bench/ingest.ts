// `npm run bench -- ingest`: webhook ingestion on the PostgreSQL server (TEST_DATABASE_URL's
// server, a fresh database). A realistic mix of signed deliveries (pushes of 1–20 commits, PRs,
// reviews, deploys) at 16 concurrent connections through the real HTTP server (posted from a worker
// thread, as GitHub would from another machine), then, in the same
// run, single-row INSERTs of equivalent rows into an equivalent table at the same concurrency
// (the database's own floor). Reports deliveries/s, commit events/s, p50/p99 and the ratio.
import { cpus, loadavg } from "node:os";
import { Worker } from "node:worker_threads";
import pg from "pg";
import { openDatabase } from "../src/server/db/client.ts";
import { migrateDatabase } from "../src/server/db/migrate.ts";
import { githubInstallations, organizations, repositories } from "../src/server/db/schema/index.ts";
import { loadEnv, testDatabaseUrl } from "../src/server/env.ts";
import { signBody } from "../src/server/github/verify.ts";
import { startServer } from "../src/server/server.ts";
import type { PostJob, PostResult, PreparedDelivery } from "./workers/post-deliveries.ts";

const CONCURRENCY = 16;
const DELIVERIES = 4000;
const WARMUP = 200;
const REPOS = 20;
const INSTALLATION = 31_337;
const SECRET = "bench-secret";

export interface IngestBenchResult {
  name: "ingest";
  concurrency: number;
  deliveries: number;
  commitEvents: number;
  seconds: number;
  deliveriesPerSecond: number;
  commitEventsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  statuses: Record<string, number>;
  /** Single-row INSERT … (autocommit) of code_events-like rows into a copy of code_events. */
  singleRowInsertsPerSecond: number;
  /** deliveriesPerSecond / singleRowInsertsPerSecond. Aim: ≥ 1.0. */
  ratio: number;
  /**
   * commitEventsPerSecond / singleRowInsertsPerSecond: the same comparison per code_events row
   * (a delivery of the mix carries 5.4 commits on average, each one row like the floor's).
   */
  eventRowRatio: number;
  machine: { cpus: number; loadAverage1m: number };
}

/** Mulberry32, so every run posts the same mix. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex40 = (rand: () => number) =>
  Array.from({ length: 5 }, () =>
    Math.floor(rand() * 0xffffffff)
      .toString(16)
      .padStart(8, "0"),
  ).join("");

type Prepared = PreparedDelivery;

/** Posts from a worker thread (bench/workers/post-deliveries.ts), as GitHub would from elsewhere. */
function postFromWorker(job: PostJob): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./workers/post-deliveries.ts", import.meta.url), { workerData: job });
    worker.once("message", (result: PostResult) => resolve(result));
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`load worker exited with ${code}`));
    });
  });
}

function buildMix(count: number, rand: () => number): Prepared[] {
  const out: Prepared[] = [];
  for (let i = 0; i < count; i++) {
    const repoIndex = Math.floor(rand() * REPOS);
    const repository = {
      id: 500_000 + repoIndex,
      full_name: `bench/repo-${repoIndex}`,
      default_branch: "main",
      private: true,
    };
    const installation = { id: INSTALLATION };
    const at = new Date(Date.now() - Math.floor(rand() * 30 * 86_400_000)).toISOString();
    const roll = rand();
    let event: string;
    let payload: Record<string, unknown>;
    let commits = 0;
    if (roll < 0.5) {
      commits = 1 + Math.floor(rand() * 20);
      const list = Array.from({ length: commits }, (_, k) => {
        const id = hex40(rand);
        return {
          id,
          message: `Change ${i}.${k}\n\nSome explanation of the change that a person wrote.`,
          timestamp: at,
          url: `https://github.com/bench/repo-${repoIndex}/commit/${id}`,
          author: { name: "Dana Developer", email: "dana@example.com", username: "dana" },
          committer: { name: "GitHub", email: "noreply@github.com", username: "web-flow" },
          added: [`src/feature-${k}.ts`],
          removed: [],
          modified: ["src/index.ts", "README.md"],
        };
      });
      event = "push";
      payload = {
        ref: "refs/heads/main",
        before: hex40(rand),
        after: list.at(-1)?.id,
        commits: list,
        repository,
        installation,
      };
    } else if (roll < 0.7) {
      const merged = rand() < 0.5;
      event = "pull_request";
      payload = {
        action: merged ? "closed" : "opened",
        pull_request: {
          number: i + 1,
          title: `Feature ${i}`,
          body: "Adds a feature.",
          html_url: `https://github.com/bench/repo-${repoIndex}/pull/${i + 1}`,
          user: { login: "dana", type: "User" },
          labels: [{ name: "feature" }],
          head: { ref: `feature/${i}` },
          base: { ref: "main" },
          created_at: at,
          updated_at: at,
          merged,
          merged_at: merged ? at : null,
          merge_commit_sha: merged ? hex40(rand) : null,
          commits: 3,
        },
        repository,
        installation,
      };
    } else if (roll < 0.85) {
      event = "pull_request_review";
      payload = {
        action: "submitted",
        review: { id: 9_000_000 + i, user: { login: "sam" }, state: "approved", submitted_at: at },
        pull_request: { number: i + 1 },
        repository,
        installation,
      };
    } else {
      event = "deployment_status";
      payload = {
        action: "created",
        deployment_status: {
          id: 7_000_000 + i,
          state: rand() < 0.9 ? "success" : "failure",
          environment: "production",
          created_at: at,
        },
        deployment: { id: 6_000_000 + i, sha: hex40(rand), ref: "main", environment: "production" },
        repository,
        installation,
      };
    }
    const body = JSON.stringify(payload);
    out.push({ event, body, signature: signBody(SECRET, body), commits });
  }
  return out;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

export async function benchIngest(): Promise<IngestBenchResult> {
  const name = `sentinel_bench_ingest_${process.pid}`;
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString() });
  try {
    await migrateDatabase(handle);
    const [org] = await handle.db.insert(organizations).values({ name: "Bench", slug: "bench" }).returning();
    if (!org) throw new Error("no org");
    await handle.db.insert(githubInstallations).values({
      installationId: INSTALLATION,
      orgId: org.id,
      accountLogin: "bench",
      accountId: 1,
      accountType: "organization",
    });
    await handle.db.insert(repositories).values(
      Array.from({ length: REPOS }, (_, i) => ({
        orgId: org.id,
        installationId: INSTALLATION,
        githubId: 500_000 + i,
        fullName: `bench/repo-${i}`,
      })),
    );
    const env = loadEnv({
      PORT: "0",
      LOG_LEVEL: "warn",
      SENTINEL_WORKERS: "false",
      SENTINEL_SEED_ON_START: "false",
      GITHUB_WEBHOOK_SECRET: SECRET,
    });
    const server = await startServer(env, { handle });
    const mix = buildMix(DELIVERIES + WARMUP, prng(42));
    const hook = `${server.url}/api/webhooks/github`;
    await postFromWorker({ url: hook, concurrency: CONCURRENCY, items: mix.slice(0, WARMUP) });
    const run = await postFromWorker({ url: hook, concurrency: CONCURRENCY, items: mix.slice(WARMUP) });
    await server.stop();
    const { seconds, statuses, commitEvents } = run;
    const latencies = run.latenciesMs.sort((a, b) => a - b);

    const singleRowInsertsPerSecond = await singleRowFloor(url.toString(), org.id, DELIVERIES);
    const deliveriesPerSecond = DELIVERIES / seconds;
    const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
    return {
      name: "ingest",
      concurrency: CONCURRENCY,
      deliveries: DELIVERIES,
      commitEvents,
      seconds: round(seconds, 2),
      deliveriesPerSecond: round(deliveriesPerSecond),
      commitEventsPerSecond: round(commitEvents / seconds),
      latencyMs: {
        p50: round(quantile(latencies, 0.5)),
        p99: round(quantile(latencies, 0.99)),
        max: round(latencies.at(-1) ?? 0),
      },
      statuses,
      singleRowInsertsPerSecond: round(singleRowInsertsPerSecond),
      ratio: round(deliveriesPerSecond / singleRowInsertsPerSecond, 3),
      eventRowRatio: round(commitEvents / seconds / singleRowInsertsPerSecond, 3),
      machine: { cpus: cpus().length, loadAverage1m: round(loadavg()[0] ?? 0, 2) },
    };
  } finally {
    await handle.close().catch(() => {});
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** The floor: `count` single-row autocommit INSERTs of commit-like rows into a copy of code_events. */
async function singleRowFloor(url: string, orgId: string, count: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: CONCURRENCY });
  try {
    await pool.query("CREATE TABLE bench_floor (LIKE code_events INCLUDING ALL)");
    const [repo] = (await pool.query<{ id: string }>("SELECT id FROM repositories LIMIT 1")).rows;
    const rand = prng(7);
    const metadata = JSON.stringify({
      message: "Change\n\nSome explanation of the change that a person wrote.",
      author: { name: "Dana Developer", email: "dana@example.com", login: "dana" },
      committer: { name: "GitHub", email: "noreply@github.com", login: "web-flow" },
      parents: [],
      branch: "main",
      additions: null,
      deletions: null,
      filesChanged: 3,
      url: "https://github.com/bench/repo-1/commit/x",
      source: "push",
    });
    const insert = (sha: string) =>
      pool.query(
        `INSERT INTO bench_floor (org_id, repo_id, event_type, commit_sha, timestamp, actor, source_key, metadata)
         VALUES ($1, $2, 'commit', $3, now(), 'dana', $3, $4) ON CONFLICT DO NOTHING`,
        [orgId, repo?.id, sha, metadata],
      );
    const shas = Array.from({ length: count + WARMUP }, () => hex40(rand));
    let next = 0;
    const run = async (end: number) =>
      Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = next++; i < end; i = next++) await insert(shas[i] ?? "");
        }),
      );
    await run(WARMUP);
    const t0 = performance.now();
    await run(WARMUP + count);
    return count / ((performance.now() - t0) / 1000);
  } finally {
    await pool.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchIngest(), null, 2)}\n`);
}
