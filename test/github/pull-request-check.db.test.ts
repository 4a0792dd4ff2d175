import { generateKeyPairSync } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { pullRequestChecks } from "../../src/server/db/schema/index.ts";
import { loadEnv } from "../../src/server/env.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { GitFixture, lines } from "../cli/helpers/git-fixture.ts";
import type { FakePull } from "../fake-github/fixtures.ts";
import { type FakeCheckRun, type FakeGithub, startFakeGithub } from "../fake-github/server.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { createInstallation, createOrg, createRepository, postDelivery, SECRET } from "./helpers.ts";

// A pull request through the App as deployed: webhooks reach the server, the check job fetches the
// PR's head into the mirror from the (fake) GitHub over git's smart HTTP, attributes its commits and
// completes the check run. The fake GitHub records every check-run request, so the test asserts
// what a reviewer would see on the PR.

vi.setConfig({ hookTimeout: 120_000, testTimeout: 120_000 });

const database = useTestDatabase();
const INSTALLATION = 6161;
const REPO_GITHUB_ID = 616;
const CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>";
let repo: GitFixture;
let served = "";
let github: FakeGithub;
let server: RunningServer;
let pull: FakePull;
const sha: Record<string, string> = {};

beforeAll(async () => {
  repo = GitFixture.create("sentinel-pr-check-");
  repo.write(".github/CODEOWNERS", "*.ts @dana\n/src/auth/ @acme/security\n");
  repo.write("src/app.ts", lines(5, "const app"));
  sha.base = repo.commit("Initial app", { date: "2024-05-01T10:00:00Z" });
  repo.git(["checkout", "-q", "-b", "feature"]);
  repo.write("src/auth/session.ts", lines(12, "export const session"));
  sha.claude = repo.commit(`Add session tokens\n\n${CLAUDE}\n`, { date: "2024-05-02T10:00:00Z" });
  repo.write("src/util.ts", lines(7, "export const util"));
  sha.human = repo.commit("Add util", { date: "2024-05-03T10:00:00Z" });
  served = repo.sibling("served.git");
  repo.git(["clone", "-q", "--mirror", repo.dir, served]);
  repo.git(["update-ref", "refs/pull/7/head", sha.human], { cwd: served });

  pull = {
    number: 7,
    title: "Session tokens",
    body: null,
    user: { login: "dana", type: "User" },
    head: { ref: "feature", sha: sha.human },
    base: { ref: "main" },
    labels: [],
    state: "open",
    created_at: "2024-05-03T11:00:00Z",
    updated_at: "2024-05-03T11:00:00Z",
    merged_at: null,
    merge_commit_sha: null,
    commits: [sha.claude, sha.human],
    reviews: [],
  };
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
      teams: { "acme/security": ["sam"] },
      repos: [
        {
          id: REPO_GITHUB_ID,
          owner: "acme",
          name: "web",
          default_branch: "main",
          private: true,
          commits: [],
          pulls: [pull],
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
  server = await startServer(
    loadEnv({
      PORT: "0",
      LOG_LEVEL: "silent",
      SENTINEL_SEED_ON_START: "false",
      SENTINEL_DATA_DIR: repo.sibling("data"),
      SENTINEL_PUBLIC_URL: "https://sentinel.example",
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_APP_ID: "1",
      GITHUB_APP_PRIVATE_KEY: privateKey,
      GITHUB_API_URL: github.url,
    }),
    { handle: database() },
  );
});

afterAll(async () => {
  await server?.stop();
  await github?.close();
  repo?.remove();
});

const repository = {
  id: REPO_GITHUB_ID,
  name: "web",
  full_name: "acme/web",
  private: true,
  default_branch: "main",
  owner: { login: "acme", id: 61 },
};

function pullRequestEvent(action: string) {
  return {
    action,
    number: pull.number,
    pull_request: {
      ...pull,
      commits: pull.commits.length,
      html_url: "https://github.com/acme/web/pull/7",
      merged: false,
    },
    repository,
    installation: { id: INSTALLATION },
    sender: { login: "dana", id: 1, type: "User" },
  };
}

/** Waits until `count` check runs exist and all of them are completed. */
async function completedRuns(count: number): Promise<FakeCheckRun[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const runs = github.checkRuns;
    if (runs.length >= count && runs.every((r) => r.status === "completed")) return runs;
    if (Date.now() > deadline)
      throw new Error(`check runs: ${JSON.stringify(runs.map((r) => [r.head_sha, r.status]))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Lets queued jobs run, for asserting that nothing more happens. */
async function jobsIdle(): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const jobs = await server.queue.boss.findJobs("github-pull-request-check");
    if (jobs.every((j) => j.state === "completed" || j.state === "failed")) return;
    if (Date.now() > deadline) throw new Error("pull request check jobs did not finish");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the check run on a pull request", () => {
  it("is created in progress, completed as the policy decides, kept once per head, updated for new commits and approvals", async () => {
    const { db } = database();
    const org = await createOrg(db, {
      pullRequestPolicies: {
        sensitivePaths: ["src/auth/**"],
        policies: [{ id: "t4-needs-owner", kind: "codeowner-review", tiers: ["T4"] }],
      },
    });
    await createInstallation(db, INSTALLATION, org.id);
    const repoId = await createRepository(db, org.id, INSTALLATION, REPO_GITHUB_ID, { fullName: "acme/web" });

    const opened = await postDelivery(server.url, "pull_request", pullRequestEvent("opened"));
    expect(opened.status).toBe(202);
    const [run] = await completedRuns(1);
    if (!run) throw new Error("no check run");

    // Created in progress on the head, then completed by one update.
    expect(run.writes.map((w) => [w.method, w.status])).toEqual([
      ["POST", "in_progress"],
      ["PATCH", "completed"],
    ]);
    expect(run).toMatchObject({
      repo: "acme/web",
      name: "Sentinel",
      head_sha: sha.human,
      conclusion: "failure",
      details_url: `https://sentinel.example/o/${org.slug}/repositories/${repoId}`,
    });
    expect(run.output.title).toBe("AI wrote 12 of 19 added lines (63%) · 1 policy not met");
    expect(run.output.summary).toContain("| `t4-needs-owner` | ❌ not met | failure |");
    expect(run.output.summary).toContain(
      `| \`src/auth/session.ts\` | T4 novel · sensitive | 12 / 12 | \`claude-code\` | \`${CLAUDE}\` | [${sha.claude?.slice(0, 7)}](${github.url}/acme/web/commit/${sha.claude}) |`,
    );
    expect(run.annotations).toEqual([
      {
        path: "src/auth/session.ts",
        start_line: 1,
        end_line: 1,
        annotation_level: "failure",
        title: "12 AI-written lines in T4 novel, sensitive path",
        message: [
          "12 of 12 added lines written by AI by claude-code, confidence 0.9.",
          `Evidence (co-author-trailer, ${sha.claude?.slice(0, 7)}): ${CLAUDE}`,
          "Policy t4-needs-owner: 12 AI-written lines in T4 novel (1 file) need an approving review from a CODEOWNER; missing for 1 file",
        ].join("\n"),
      },
    ]);

    // The same delivery again, and another event for the same head: no second check.
    expect(
      (
        await postDelivery(server.url, "pull_request", pullRequestEvent("opened"), {
          deliveryId: opened.deliveryId,
        })
      ).status,
    ).toBe(200);
    expect((await postDelivery(server.url, "pull_request", pullRequestEvent("reopened"))).status).toBe(202);
    await jobsIdle();
    expect(github.checkRuns).toHaveLength(1);

    // A CODEOWNER (a member of the owning team) approves: the head is judged again, and passes.
    pull.reviews = [
      {
        id: 1,
        user: { login: "sam" },
        state: "APPROVED",
        commit_id: sha.human as string,
        submitted_at: "2024-05-03T12:00:00Z",
      },
    ];
    const review = {
      action: "submitted",
      review: {
        id: 1,
        user: { login: "sam", id: 2, type: "User" },
        state: "approved",
        submitted_at: "2024-05-03T12:00:00Z",
      },
      pull_request: { number: 7, head: { sha: sha.human }, base: { ref: "main" } },
      repository,
      installation: { id: INSTALLATION },
    };
    expect((await postDelivery(server.url, "pull_request_review", review)).status).toBe(202);
    const afterReview = await completedRuns(2);
    expect(afterReview[1]).toMatchObject({ head_sha: sha.human, conclusion: "success" });
    expect(afterReview[1]?.output.title).toBe("AI wrote 12 of 19 added lines (63%) · all policies met");
    expect(afterReview[1]?.annotations.map((a) => a.annotation_level)).toEqual(["warning"]);

    // New commits: a new check on the new head; the approval was for code that has since changed
    // for GitHub too, but Sentinel counts the reviewer's latest decision as GitHub's CODEOWNERS do.
    repo.write("src/auth/reset.ts", lines(4, "export const reset"));
    sha.more = repo.commit(`Password reset\n\n${CLAUDE}\n`, { date: "2024-05-04T10:00:00Z" });
    repo.git(["fetch", "-q", repo.dir, "+refs/heads/*:refs/heads/*"], { cwd: served });
    repo.git(["update-ref", "refs/pull/7/head", sha.more], { cwd: served });
    pull.head = { ref: "feature", sha: sha.more };
    pull.commits.push(sha.more);
    pull.reviews = [];
    expect((await postDelivery(server.url, "pull_request", pullRequestEvent("synchronize"))).status).toBe(
      202,
    );
    const afterPush = await completedRuns(3);
    expect(afterPush[2]).toMatchObject({ head_sha: sha.more, conclusion: "failure" });
    expect(afterPush[2]?.output.title).toBe("AI wrote 16 of 23 added lines (70%) · 1 policy not met");
    expect(afterPush[2]?.annotations.map((a) => a.path)).toEqual([
      "src/auth/reset.ts",
      "src/auth/session.ts",
    ]);

    // The row is written just after GitHub's last update.
    await vi.waitFor(
      async () => {
        const rows = await db.select().from(pullRequestChecks).where(eq(pullRequestChecks.repoId, repoId));
        expect(rows.map((r) => [r.headSha, r.status, r.conclusion, r.checkRunId]).sort()).toEqual(
          [
            [sha.human, "completed", "success", afterReview[1]?.id],
            [sha.more, "completed", "failure", afterPush[2]?.id],
          ].sort(),
        );
      },
      { timeout: 10_000 },
    );
  });
});
