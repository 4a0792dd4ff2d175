// The whole attribution job path, measured end to end: fetch the commit and its files from a
// (fake) GitHub over real HTTP, run the engine, upsert code_attribution and mark the roll-up, for
// each commit — the work one `attribute-commit` job does.
//   node bench/attribution-job.ts   → JSON {commitsPerSecond, filesPerSecond, …}
// Runs against the PostgreSQL server named by TEST_DATABASE_URL (a scratch database it drops).
import { generateKeyPairSync } from "node:crypto";
import pg from "pg";
import { attributeStoredCommit } from "../src/server/attribution/attribute-commit.ts";
import { openDatabase } from "../src/server/db/client.ts";
import { migrateDatabase } from "../src/server/db/migrate.ts";
import { githubInstallations, organizations, repositories } from "../src/server/db/schema/index.ts";
import { testDatabaseUrl } from "../src/server/env.ts";
import { createGithubApp } from "../src/server/github-app/app-client.ts";
import { markMetricsStale } from "../src/server/services/metrics/pending.ts";
import type { FakeCommit } from "../test/fake-github/fixtures.ts";
import { startFakeGithub } from "../test/fake-github/server.ts";
import { generateCommits } from "./attribution.ts";

const FAKE_STATUSES = new Set(["added", "modified", "removed", "renamed"]);

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export async function benchAttributionJob(count = 500, concurrency = 4) {
  const work = generateCommits(count);
  const fakeCommits: FakeCommit[] = work.map(({ input }) => ({
    sha: input.sha,
    message: input.message,
    author: { name: input.author.name, email: input.author.email, date: input.committedAt, login: null },
    parents: input.parents,
    files: input.files.map((f) => ({
      filename: f.path,
      status: (FAKE_STATUSES.has(f.status) ? f.status : "modified") as FakeCommit["files"][number]["status"],
      additions: f.additions,
      deletions: f.deletions,
      changes: f.additions + f.deletions,
      ...(f.patch === undefined ? {} : { patch: f.patch }),
    })),
  }));
  const github = await startFakeGithub({
    data: {
      installations: [
        { id: 1, account: { login: "bench", id: 1, type: "Organization" }, repository_selection: "all" },
      ],
      hookDeliveries: [],
      repos: [
        {
          id: 1,
          owner: "bench",
          name: "repo",
          default_branch: "main",
          private: true,
          commits: fakeCommits,
          pulls: [],
          deployments: [],
        },
      ],
    },
  });
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const app = createGithubApp({ appId: "1", privateKey, apiUrl: github.url, retries: 0 });

  const name = `sentinel_bench_job_${process.pid}`;
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), max: concurrency + 2 });
  try {
    await migrateDatabase(handle);
    const { db } = handle;
    const [org] = await db.insert(organizations).values({ name: "Bench", slug: "bench" }).returning();
    const orgId = org?.id ?? "";
    await db
      .insert(githubInstallations)
      .values({ orgId, installationId: 1, accountLogin: "bench", accountId: 1, accountType: "organization" });
    const [repo] = await db
      .insert(repositories)
      .values({ orgId, installationId: 1, githubId: 1, fullName: "bench/repo" })
      .returning();
    const repoId = repo?.id ?? "";
    const deps = {
      db,
      github: app,
      afterStore: async (tx: typeof db, t: { orgId: string; repoId: string; timestamps: Date[] }) => {
        await markMetricsStale(tx, t);
      },
    };

    const started = performance.now();
    let next = 0;
    let files = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < work.length) {
          const item = work[next++];
          if (!item) break;
          const outcome = await attributeStoredCommit(deps, { orgId, repoId, commitSha: item.input.sha });
          if (outcome.status === "stored") files += outcome.files;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      commits: work.length,
      files,
      concurrency,
      seconds: Math.round(seconds * 100) / 100,
      commitsPerSecond: Math.round(work.length / seconds),
      filesPerSecond: Math.round(files / seconds),
      githubRequests: github.requests.length,
    };
  } finally {
    await handle.close();
    await github.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

if (import.meta.main) {
  console.log(JSON.stringify(await benchAttributionJob()));
}
