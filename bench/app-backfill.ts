// The GitHub App's backfill as deployed: a real server with its job workers on PostgreSQL, a fake
// GitHub on loopback serving the largest corpus repository (goreleaser: 8,031 commits, merges,
// big files) over git's smart HTTP, and a backfill of its whole history enqueued as a new
// repository's would be. Measures enqueue → import done (mirror clone, one streaming read, bulk
// store), the GitHub API calls it took, and `git log -p` of the same history in the same run.
//   npm run bench -- app-backfill   → JSON {commits, seconds, ratioToGitLog, apiCallsPer1000Commits, …}
// Reads ../shared/corpus/goreleaser__goreleaser.bundle (never copied); PostgreSQL from TEST_DATABASE_URL.
import { execFileSync, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { count, eq } from "drizzle-orm";
import { gitLogArgs } from "../src/git/log-stream.ts";
import { codeAttribution, codeEvents } from "../src/server/db/schema/index.ts";
import { loadEnv } from "../src/server/env.ts";
import { enqueueMany } from "../src/server/github/enqueue-many.ts";
import { backfillJob } from "../src/server/jobs/github-definitions.ts";
import { startServer } from "../src/server/server.ts";
import { listRepositorySync, markBackfillsQueued } from "../src/server/services/github/repository-sync.ts";
import { startFakeGithub } from "../test/fake-github/server.ts";
import { createInstallation, createOrg, createRepository, SECRET } from "../test/github/helpers.ts";
import { openScratchDatabase } from "./lib/scratch-database.ts";

const BUNDLE = resolve(import.meta.dirname, "../../shared/corpus/goreleaser__goreleaser.bundle");
const SINCE = "2000-01-01T00:00:00.000Z";

function timeGitLog(gitDir: string): Promise<number> {
  const args = gitLogArgs(
    "0123456789abcdef",
    { revisions: ["main"], firstParent: false },
    { gitAiNotes: false },
  );
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn("git", args, { cwd: gitDir, stdio: ["ignore", "pipe", "ignore"] });
    child.stdout.resume();
    child.once("error", fail);
    child.once("close", () => done((performance.now() - started) / 1000));
  });
}

export async function benchAppBackfill() {
  if (!existsSync(BUNDLE)) throw new Error(`the corpus bundle is missing: ${BUNDLE}`);
  const work = mkdtempSync(join(tmpdir(), "sentinel-bench-app-backfill-"));
  const served = join(work, "goreleaser.git");
  execFileSync("git", ["clone", "--quiet", "--mirror", BUNDLE, served]);
  const installationId = 9;
  const github = await startFakeGithub({
    data: {
      installations: [
        {
          id: installationId,
          account: { login: "goreleaser", id: 9, type: "Organization" },
          repository_selection: "all",
        },
      ],
      hookDeliveries: [],
      repos: [
        {
          id: 9,
          owner: "goreleaser",
          name: "goreleaser",
          default_branch: "main",
          private: false,
          commits: [],
          pulls: [],
          deployments: [],
          gitDir: served,
        },
      ],
    },
  });
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const scratch = await openScratchDatabase("sentinel_bench_backfill");
  const { handle } = scratch;
  try {
    // The floor, measured in the same run: warm the pack once, then the best of three.
    await timeGitLog(served);
    const gitLog = Math.min(await timeGitLog(served), await timeGitLog(served), await timeGitLog(served));

    const org = await createOrg(handle.db);
    await createInstallation(handle.db, installationId, org.id);
    const repoId = await createRepository(handle.db, org.id, installationId, 9, {
      fullName: "goreleaser/goreleaser",
    });
    const env = loadEnv({
      PORT: "0",
      LOG_LEVEL: "silent",
      SENTINEL_SEED_ON_START: "false",
      SENTINEL_DATA_DIR: join(work, "data"),
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_APP_ID: "1",
      GITHUB_APP_PRIVATE_KEY: privateKey,
      GITHUB_API_URL: github.url,
    });
    const server = await startServer(env, { handle });
    try {
      const ctx = { db: handle.db, orgId: org.id, actor: { kind: "cli" as const } };
      const apiBefore = github.requests.length;
      const started = performance.now();
      // What a new repository's installation event does (route-delivery's enqueueBackfills).
      await handle.db.transaction(async (tx) => {
        await markBackfillsQueued({ ...ctx, db: tx }, [repoId], new Date(SINCE));
        await enqueueMany(server.queue, tx, backfillJob, [{ orgId: org.id, repoId, since: SINCE }]);
      });
      const deadline = Date.now() + 30 * 60_000;
      let progress: { at: number; done: number }[] = [];
      for (;;) {
        if (Date.now() > deadline) throw new Error("the backfill did not finish in 30 minutes");
        await new Promise((r) => setTimeout(r, 100));
        const [sync] = await listRepositorySync(ctx, { repoId });
        if (sync?.backfill.phase === "commits" && sync.backfill.commitsTotal !== null)
          progress = [...progress, { at: performance.now() - started, done: sync.backfill.commitsDone }];
        if (sync?.backfill.status === "done") break;
        if (sync?.backfill.status === "failed") throw new Error(`backfill failed: ${sync.backfill.error}`);
      }
      const seconds = (performance.now() - started) / 1000;
      const apiCalls = github.requests.length - apiBefore;
      const [sync] = await listRepositorySync(ctx, { repoId });
      const [events] = await handle.db
        .select({ n: count() })
        .from(codeEvents)
        .where(eq(codeEvents.repoId, repoId));
      const [files] = await handle.db
        .select({ n: count() })
        .from(codeAttribution)
        .where(eq(codeAttribution.repoId, repoId));
      const commits = sync?.backfill.commitsDone ?? 0;
      return {
        name: "app-backfill",
        repository: "goreleaser/goreleaser (corpus)",
        commits,
        commitEvents: events?.n ?? 0,
        filesStored: files?.n ?? 0,
        source: sync?.backfill.source,
        mirrorBytes: sync?.mirror.bytes,
        seconds: Number(seconds.toFixed(2)),
        gitLogSeconds: Number(gitLog.toFixed(2)),
        ratioToGitLog: Number((seconds / gitLog).toFixed(2)),
        goalRatio: 2,
        commitsPerSecond: Math.round(commits / seconds),
        // When the commit phase began reading (the mirror cloned and the window counted), and the
        // reading rate after that: where the time goes.
        mirrorReadySeconds: Number(((progress[0]?.at ?? 0) / 1000).toFixed(2)),
        readingSeconds: Number((seconds - (progress[0]?.at ?? 0) / 1000).toFixed(2)),
        apiCalls,
        apiPaths: [...new Set(github.requests.slice(apiBefore).map((r) => r.path))],
        apiCallsPer1000Commits: Number(((apiCalls / Math.max(1, commits)) * 1000).toFixed(2)),
        goalApiCallsPer1000Commits: 10,
      };
    } finally {
      await server.stop();
    }
  } finally {
    await scratch.dispose();
    await github.close();
    rmSync(work, { recursive: true, force: true });
  }
}
