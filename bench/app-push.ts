// The GitHub App path as deployed: a real server with its job workers on PostgreSQL, a fake GitHub
// on loopback serving real history, and a signed push webhook of the newest 50 commits of a corpus
// repository. Measures webhook → last verdict stored, and the GitHub API calls it took.
//   npm run bench -- app-push   → JSON {commits, seconds, apiCalls, apiCallsPer1000Commits, …}
// Reads ../shared/corpus/simonw__datasette.bundle (never copied); PostgreSQL from TEST_DATABASE_URL.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { and, count, eq, inArray } from "drizzle-orm";
import pg from "pg";
import { readGitLog } from "../src/git/log-stream.ts";
import { codeAttribution } from "../src/server/db/schema/index.ts";
import { loadEnv } from "../src/server/env.ts";
import { signBody } from "../src/server/github/verify.ts";
import { startServer } from "../src/server/server.ts";
import type { FakeCommit } from "../test/fake-github/fixtures.ts";
import { startFakeGithub } from "../test/fake-github/server.ts";
import { createInstallation, createOrg, createRepository, SECRET } from "../test/github/helpers.ts";
import { openScratchDatabase } from "./lib/scratch-database.ts";

const BUNDLE = resolve(import.meta.dirname, "../../shared/corpus/simonw__datasette.bundle");
const PUSHED = 50;
const WARM_UP = 10;
const FAKE_STATUSES = new Set(["added", "modified", "removed", "renamed"]);

/** The newest `n` first-parent commits of main, oldest first, as git and as the fake's REST data. */
async function history(gitDir: string, n: number) {
  const commits: FakeCommit[] = [];
  for await (const { input } of readGitLog(
    gitDir,
    { revisions: [`main~${n}..main`], firstParent: true },
    {
      gitAiNotes: false,
    },
  )) {
    commits.push({
      sha: input.sha,
      message: input.message,
      author: { name: input.author.name, email: input.author.email, date: input.committedAt, login: null },
      parents: input.parents,
      files: input.files.map((f) => ({
        filename: f.path,
        status: (FAKE_STATUSES.has(f.status)
          ? f.status
          : "modified") as FakeCommit["files"][number]["status"],
        additions: f.additions,
        deletions: f.deletions,
        changes: f.additions + f.deletions,
        ...(f.patch === undefined ? {} : { patch: f.patch }),
      })),
    });
  }
  return commits.reverse();
}

/** The push webhook GitHub sends for `pushed` (oldest first) onto main. */
function pushPayload(pushed: FakeCommit[], githubUrl: string, installationId: number) {
  return {
    ref: "refs/heads/main",
    before: pushed[0]?.parents[0] ?? "0".repeat(40),
    after: pushed.at(-1)?.sha,
    created: false,
    deleted: false,
    forced: false,
    compare: "",
    commits: pushed.map((c) => ({
      id: c.sha,
      tree_id: c.sha,
      distinct: true,
      message: c.message,
      timestamp: c.author.date,
      url: `https://github.com/simonw/datasette/commit/${c.sha}`,
      author: { name: c.author.name, email: c.author.email, username: "simonw" },
      committer: { name: c.author.name, email: c.author.email, username: "simonw" },
      added: [],
      removed: [],
      modified: c.files.map((f) => f.filename),
    })),
    head_commit: null,
    repository: {
      id: 7,
      full_name: "simonw/datasette",
      name: "datasette",
      private: false,
      default_branch: "main",
      owner: { login: "simonw", id: 7 },
      clone_url: `${githubUrl}/simonw/datasette.git`,
    },
    installation: { id: installationId },
    sender: { login: "simonw", id: 7, type: "User" },
  };
}

export async function benchAppPush() {
  if (!existsSync(BUNDLE)) throw new Error(`the corpus bundle is missing: ${BUNDLE}`);
  const work = mkdtempSync(join(tmpdir(), "sentinel-bench-app-push-"));
  const gitDir = join(work, "datasette.git");
  execFileSync("git", ["clone", "--quiet", "--mirror", BUNDLE, gitDir]);
  const commits = await history(gitDir, WARM_UP + PUSHED);
  const installationId = 7;
  const github = await startFakeGithub({
    data: {
      installations: [
        {
          id: installationId,
          account: { login: "simonw", id: 7, type: "User" },
          repository_selection: "all",
        },
      ],
      hookDeliveries: [],
      repos: [
        {
          id: 7,
          owner: "simonw",
          name: "datasette",
          default_branch: "main",
          private: false,
          commits,
          pulls: [],
          deployments: [],
          gitDir,
        },
      ],
    },
  });
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });

  const scratch = await openScratchDatabase("sentinel_bench_push");
  const { handle } = scratch;
  const pgPool = new pg.Pool({ connectionString: scratch.url, max: 1 });
  try {
    const org = await createOrg(handle.db);
    await createInstallation(handle.db, installationId, org.id);
    const repoId = await createRepository(handle.db, org.id, installationId, 7, {
      fullName: "simonw/datasette",
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
      /** Posts one signed push of `pushed` and waits for every attribute-commit job to finish. */
      const pushAndWait = async (pushed: FakeCommit[], jobsBefore: number) => {
        const body = JSON.stringify(pushPayload(pushed, github.url, installationId));
        const apiBefore = github.requests.length;
        const started = performance.now();
        const response = await fetch(`${server.url}/api/webhooks/github`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-github-event": "push",
            "x-github-delivery": randomBytes(8).toString("hex"),
            "x-hub-signature-256": signBody(SECRET, body),
          },
          body,
        });
        if (response.status >= 300)
          throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
        // Done when every attribute-commit job of the push has finished (a merge read from git has
        // no files of its own, so not every commit leaves rows).
        const deadline = Date.now() + 10 * 60_000;
        for (;;) {
          if (Date.now() > deadline) throw new Error("the push was not attributed in 10 minutes");
          await new Promise((r) => setTimeout(r, 20));
          const { rows } = await pgPool.query<{ open: string; done: string }>(
            `SELECT count(*) FILTER (WHERE state IN ('created', 'retry', 'active')) AS open,
                    count(*) FILTER (WHERE state = 'completed') AS done
               FROM pgboss.job WHERE name = 'attribute-commit'`,
          );
          if (Number(rows[0]?.done) >= jobsBefore + pushed.length && Number(rows[0]?.open) === 0) break;
        }
        const seconds = Number(((performance.now() - started) / 1000).toFixed(2));
        return { commits: pushed.length, seconds, apiCalls: github.requests.length - apiBefore };
      };

      // The repository is connected before the measured push: its mirror exists (first push).
      const warmUp = commits.slice(0, WARM_UP);
      const measured = commits.slice(WARM_UP);
      const first = await pushAndWait(warmUp, 0);
      const push = await pushAndWait(measured, warmUp.length);
      const shas = measured.map((c) => c.sha);
      const attributedCommits = await handle.db
        .selectDistinct({ sha: codeAttribution.commitSha })
        .from(codeAttribution)
        .where(and(eq(codeAttribution.repoId, repoId), inArray(codeAttribution.commitSha, shas)));
      const [files] = await handle.db
        .select({ n: count() })
        .from(codeAttribution)
        .where(and(eq(codeAttribution.repoId, repoId), inArray(codeAttribution.commitSha, shas)));
      return {
        repository: "simonw/datasette (corpus)",
        firstPushWithClone: first,
        commits: push.commits,
        commitsWithRows: attributedCommits.length,
        files: files?.n ?? 0,
        seconds: push.seconds,
        goalSeconds: 2,
        apiCalls: push.apiCalls,
        apiCallsPer1000Commits: Math.round((push.apiCalls / push.commits) * 1000),
      };
    } finally {
      await server.stop();
    }
  } finally {
    await pgPool.end();
    await scratch.dispose();
    await github.close();
    rmSync(work, { recursive: true, force: true });
  }
}
