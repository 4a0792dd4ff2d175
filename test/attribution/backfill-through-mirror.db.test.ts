import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { storeAnalysis } from "../../src/cli/analyze/store-analysis.ts";
import { inspectRepository } from "../../src/git/repository.ts";
import { mirrorSource } from "../../src/server/attribution/mirror-source.ts";
import { codeAttribution, codeEvents, repositorySync } from "../../src/server/db/schema/index.ts";
import { runBackfillPage } from "../../src/server/github/backfill.ts";
import { importCommitsFromMirror } from "../../src/server/github/import-history.ts";
import { createGithubApp, type GithubApp, githubWebUrl } from "../../src/server/github-app/app-client.ts";
import { backfillJob } from "../../src/server/jobs/github-definitions.ts";
import { parseJobData, type Queue, startQueue } from "../../src/server/jobs/queue.ts";
import { RepositoryMirrors } from "../../src/server/mirror/repository-mirrors.ts";
import { listRepositorySync, markBackfillsQueued } from "../../src/server/services/github/repository-sync.ts";
import { buildToolHistory, type ToolHistory } from "../cli/helpers/tool-history.ts";
import { type FakeGithub, startFakeGithub } from "../fake-github/server.ts";
import { createInstallation, createOrg, createRepository } from "../github/helpers.ts";
import { useTestDatabase } from "../helpers/db.ts";

// A new repository's history imported through its mirror, as the backfill job runs it: merged PRs
// from REST (one page), then the whole window from one fetch and one streaming `git log -p`,
// stored in bulk, then deployments (one page). The stored verdicts are the CLI's, file by file.

vi.setConfig({ hookTimeout: 120_000, testTimeout: 120_000 });

const database = useTestDatabase();
let history: ToolHistory;
let github: FakeGithub;
let app: GithubApp;
let queue: Queue;
let served = "";
let prCommit = "";
const INSTALLATION = 6161;
const SINCE = new Date("2023-01-01T00:00:00Z");

beforeAll(async () => {
  history = buildToolHistory();
  history.repo.commit("Commit the Agent Trace records", { date: "2024-04-20T10:00:00Z" });
  // The branch of the squash-merged PR #12, which GitHub keeps as refs/pull/12/head: its own
  // commit carries a trailer the squash lost.
  const { repo } = history;
  repo.git(["checkout", "-q", "-b", "pr-12", `${history.sha.squash}^`]);
  repo.write("src/search.ts", "export const search = 1;\n");
  prCommit = repo.commit("wip search\n\nCo-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>\n", {
    date: "2024-03-19T10:00:00Z",
  });
  repo.git(["checkout", "-q", "-"]);
  repo.git(["branch", "-q", "-D", "pr-12"]);
  served = repo.sibling("served.git");
  repo.git(["clone", "-q", "--mirror", repo.dir, served]);
  repo.git(["update-ref", "refs/pull/12/head", prCommit], { cwd: served });
  github = await startFakeGithub({
    data: {
      installations: [
        {
          id: INSTALLATION,
          account: { login: "acme", id: 61, type: "Organization" },
          repository_selection: "all",
        },
      ],
      hookDeliveries: [],
      repos: [
        {
          id: 616,
          owner: "acme",
          name: "history",
          default_branch: "main",
          private: true,
          commits: [],
          pulls: [
            {
              number: 12,
              title: "Add search",
              body: "Adds search.",
              user: { login: "mona", type: "User" },
              head: { ref: "feature/search", sha: prCommit },
              base: { ref: "main" },
              labels: [],
              state: "closed",
              created_at: "2024-03-18T10:00:00Z",
              updated_at: "2024-03-20T10:00:00Z",
              merged_at: "2024-03-20T10:00:00Z",
              merge_commit_sha: history.sha.squash ?? "",
              commits: [],
            },
          ],
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
  app = createGithubApp({ appId: "1", privateKey, apiUrl: github.url, retries: 0 });
  queue = await startQueue(database(), { supervise: false });
});

afterAll(async () => {
  await queue?.stop();
  await github?.close();
  history?.repo.remove();
});

function mirrorsAt(root: string, maxRepoBytes = 1 << 30) {
  return mirrorSource(
    database().db,
    app,
    new RepositoryMirrors({ root, maxBytes: 1 << 30, maxRepoBytes }),
    githubWebUrl(github.url),
  );
}

async function newRepository() {
  const { db } = database();
  const org = await createOrg(db);
  await createInstallation(db, INSTALLATION, org.id).catch(() => {});
  // The installation row is shared by the tests: point it at this organization.
  await db.execute(
    sql`UPDATE github_installations SET org_id = ${org.id} WHERE installation_id = ${INSTALLATION}`,
  );
  await db.execute(sql`DELETE FROM repositories WHERE github_id = 616`);
  const repoId = await createRepository(db, org.id, INSTALLATION, 616, { fullName: "acme/history" });
  await markBackfillsQueued({ db, orgId: org.id, actor: { kind: "cli" } }, [repoId], SINCE);
  return { orgId: org.id, repoId };
}

/** Runs the backfill's steps in order, as the queue would, taking each successor from the queue. */
async function drain(deps: Parameters<typeof runBackfillPage>[0], orgId: string, repoId: string) {
  let payload = backfillJob.schema.parse({ orgId, repoId, since: SINCE.toISOString() });
  const phases: string[] = [];
  for (;;) {
    phases.push(`${payload.phase}:${payload.page}`);
    if ((await runBackfillPage(deps, payload)) === "done") return phases;
    const jobs = await queue.boss.findJobs(backfillJob.name, { data: { repoId } });
    const newest = jobs.sort((a, b) => +b.createdOn - +a.createdOn)[0];
    const parsed = parseJobData(backfillJob, newest?.data);
    if (!parsed.success) throw parsed.error;
    payload = parsed.data;
    await queue.boss.deleteJob(backfillJob.name, newest?.id ?? "");
  }
}

function verdict(row: typeof codeAttribution.$inferSelect) {
  const { id: _i, orgId: _o, repoId: _r, createdAt: _c, updatedAt: _u, ...rest } = row;
  return rest;
}
const order = (a: { commitSha: string; filePath: string }, b: { commitSha: string; filePath: string }) =>
  `${a.commitSha}/${a.filePath}`.localeCompare(`${b.commitSha}/${b.filePath}`);

describe("a backfill through the repository's mirror", () => {
  it("imports the window from git in bulk: the CLI's verdicts, PR carry-over, progress, two API calls", async () => {
    const { db } = database();
    const { orgId, repoId } = await newRepository();
    const root = history.repo.sibling("mirrors");
    const before = github.requests.length;
    const phases = await drain({ db, queue, app, mirrors: mirrorsAt(root) }, orgId, repoId);
    expect(phases).toEqual(["pulls:1", "commits:1", "deployments:1"]);

    // REST only for the PR and deployment lists and the token; the commits came through git.
    const paths = github.requests.slice(before).map((r) => r.path);
    expect(paths.filter((p) => !p.endsWith("/access_tokens")).sort()).toEqual([
      "/repos/acme/history/deployments",
      "/repos/acme/history/pulls",
    ]);

    const commits = history.repo.git(["rev-list", "--count", "HEAD"]).trim();
    const [sync] = await listRepositorySync({ db, orgId, actor: { kind: "cli" } }, { repoId });
    expect(sync?.backfill).toMatchObject({
      status: "done",
      source: "git",
      commitsDone: Number(commits),
      commitsTotal: Number(commits),
      secondsLeft: null,
    });
    expect(sync?.mirror.status).toBe("ready");
    expect(sync?.mirror.bytes).toBeGreaterThan(0);

    const events = await db
      .select()
      .from(codeEvents)
      .where(and(eq(codeEvents.repoId, repoId), eq(codeEvents.eventType, "commit")));
    expect(events).toHaveLength(Number(commits));
    expect(events.every((e) => (e.metadata as { source: string }).source === "backfill")).toBe(true);
    // Stamped with the author date, as push webhooks and the commits API stamp them (deduplication).
    const squashEvent = events.find((e) => e.commitSha === history.sha.squash);
    expect(squashEvent?.timestamp.toISOString()).toBe("2024-03-20T10:00:00.000Z");

    // No attribute-commit job: the import attributed every commit itself.
    expect(await queue.boss.findJobs("attribute-commit", { data: { repoId } })).toEqual([]);

    const appRows = await db.select().from(codeAttribution).where(eq(codeAttribution.repoId, repoId));
    expect(appRows.every((r) => r.detectionSignals.source?.reader === "git")).toBe(true);
    const document = await storeAnalysis(db, {
      repo: await inspectRepository(history.repo.dir, { revGiven: false }),
      revisions: null,
      firstParent: false,
      full: true,
      organization: null,
    });
    const cliRows = await db
      .select()
      .from(codeAttribution)
      .where(eq(codeAttribution.repoId, document.stored?.repositoryId ?? ""));
    const cliBySha = new Map(cliRows.map((r) => [`${r.commitSha}/${r.filePath}`, verdict(r)]));
    // Every file the CLI stored, the backfill stored the same, except the squash merge: the App
    // knows its PR (#12) and carries the branch's trailers over, which the CLI cannot.
    for (const row of appRows.sort(order)) {
      if (row.commitSha === history.sha.squash) continue;
      expect(verdict(row)).toEqual(cliBySha.get(`${row.commitSha}/${row.filePath}`));
    }
    expect(appRows.length).toBe(cliRows.length);
    const squash = appRows.find((r) => r.commitSha === history.sha.squash);
    expect(JSON.stringify(squash?.detectionSignals)).toContain(prCommit);
  });

  it("resumes an interrupted import where its last batch ended, and a re-run adds nothing", async () => {
    const { db } = database();
    const { orgId, repoId } = await newRepository();
    const ctx = { db, orgId, actor: { kind: "job" as const, name: "test" } };
    const gitDir = served;
    const repo = { id: repoId, fullName: "acme/history", defaultBranch: "main" };
    const total = Number(history.repo.git(["rev-list", "--count", "HEAD"]).trim());

    // A first attempt that dies after its first batch of 4 commits is stored.
    let calls = 0;
    const failing = {
      ...ctx,
      db: new Proxy(db, {
        get(target, key, receiver) {
          if (key !== "transaction") return Reflect.get(target, key, receiver);
          return (fn: Parameters<typeof db.transaction>[0]) => {
            calls++;
            if (calls > 1) throw new Error("worker lost");
            return target.transaction(fn);
          };
        },
      }),
    };
    await expect(
      importCommitsFromMirror({ ctx: failing, repo, since: SINCE, gitDir, tierRules: [], model: null }, 4),
    ).rejects.toThrow("worker lost");
    const [after] = await db.select().from(repositorySync).where(eq(repositorySync.repoId, repoId));
    expect(after).toMatchObject({ backfillStatus: "running", commitsDone: 4, commitsTotal: total });

    const resumed = await importCommitsFromMirror(
      { ctx, repo, since: SINCE, gitDir, tierRules: [], model: null },
      4,
    );
    expect(resumed).toMatchObject({ skipped: 4, commits: total - 4 });
    const rows = await db.select().from(codeEvents).where(eq(codeEvents.repoId, repoId));
    expect(rows).toHaveLength(total);

    // A later backfill (e.g. after re-adding the repository) starts again and adds nothing.
    await markBackfillsQueued(ctx, [repoId], SINCE);
    const again = await importCommitsFromMirror({
      ctx,
      repo,
      since: SINCE,
      gitDir,
      tierRules: [],
      model: null,
    });
    expect(again).toMatchObject({ skipped: 0, commits: total });
    expect(await db.select().from(codeEvents).where(eq(codeEvents.repoId, repoId))).toHaveLength(total);
  });

  it("falls back to REST pages when the mirror directory is unusable, and records why", async () => {
    const { db } = database();
    const { orgId, repoId } = await newRepository();
    const notADirectory = join(history.repo.sibling("blocked"), "a-file");
    writeFileSync(notADirectory, "not a directory");
    await drain({ db, queue, app, mirrors: mirrorsAt(notADirectory) }, orgId, repoId);
    const [sync] = await listRepositorySync({ db, orgId, actor: { kind: "cli" } }, { repoId });
    expect(sync?.backfill).toMatchObject({ status: "done", source: "rest" });
    expect(sync?.backfill.reason).toMatch(/mirror unavailable: unwritable/);
    expect(sync?.mirror).toMatchObject({ status: "unavailable" });
    expect(JSON.stringify(sync)).not.toMatch(/ghs_|x-access-token/);
  });

  it("reads a repository over the mirror size cap through REST, says so, and does not clone it again", async () => {
    const { db } = database();
    const { orgId, repoId } = await newRepository();
    const root = history.repo.sibling("small-mirrors");
    const mirrors = mirrorsAt(root, 1024);
    await drain({ db, queue, app, mirrors }, orgId, repoId);
    const [sync] = await listRepositorySync({ db, orgId, actor: { kind: "cli" } }, { repoId });
    expect(sync?.mirror).toMatchObject({ status: "too_large", bytes: null });
    expect(sync?.mirror.reason).toMatch(/over the mirror limit of 1 KiB/);
    expect(sync?.backfill).toMatchObject({ status: "done", source: "rest" });
    expect(sync?.backfill.reason).toMatch(/over the mirror limit/);

    // The clone was measured and deleted; asking again within the day fetches nothing.
    const fetches = github.gitRequests.length;
    const again = await mirrors.sync({
      orgId,
      repoId,
      fullName: "acme/history",
      installationId: INSTALLATION,
      defaultBranch: "main",
    });
    expect(again).toEqual({ unavailable: expect.stringMatching(/over the mirror limit/) });
    expect(github.gitRequests.length).toBe(fetches);
  });
});
