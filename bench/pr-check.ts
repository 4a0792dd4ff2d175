// Pull request checks under load: a real server with its workers on PostgreSQL, a fake GitHub on
// loopback serving a real repository over git's smart HTTP, and 50 signed `pull_request opened`
// webhooks posted at once. Measures, per PR, the time from its webhook to its completed check run
// as the fake GitHub recorded it (the last PATCH), and the API calls the checks took.
//   npm run bench -- pr-check   → JSON {prs, p50Seconds, p95Seconds, maxSeconds, goalP95Seconds, …}
// PostgreSQL from TEST_DATABASE_URL (a scratch database, dropped at the end).
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadEnv } from "../src/server/env.ts";
import { signBody } from "../src/server/github/verify.ts";
import { startServer } from "../src/server/server.ts";
import type { FakePull } from "../test/fake-github/fixtures.ts";
import { startFakeGithub } from "../test/fake-github/server.ts";
import { createInstallation, createOrg, createRepository, SECRET } from "../test/github/helpers.ts";
import { openScratchDatabase } from "./lib/scratch-database.ts";

const PRS = 50;
const COMMITS_PER_PR = 3;
const GOAL_P95_SECONDS = 10;
const CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>";

/**
 * A repository with a main branch of 40 files and PRS branches of COMMITS_PER_PR commits each
 * (one in three by Claude, some in security-owned code), written by one `git fast-import`.
 */
function buildRepository(gitDir: string): Array<{ number: number; branch: string }> {
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", gitDir]);
  const out: string[] = [];
  let mark = 0;
  const blob = (text: string) => {
    mark++;
    out.push("blob", `mark :${mark}`, `data ${Buffer.byteLength(text)}`, text);
    return mark;
  };
  const body = (n: number, prefix: string) =>
    `${Array.from({ length: n }, (_, i) => `export const ${prefix}${i} = ${i};`).join("\n")}\n`;
  const commit = (
    ref: string,
    message: string,
    time: number,
    files: Array<[string, number]>,
    from: number | null,
  ) => {
    mark++;
    const id = mark;
    out.push(
      `commit ${ref}`,
      `mark :${id}`,
      `author Dana <dana@example.com> ${time} +0000`,
      `committer Dana <dana@example.com> ${time} +0000`,
      `data ${Buffer.byteLength(message)}`,
      message,
    );
    if (from !== null) out.push(`from :${from}`);
    for (const [path, blobMark] of files) out.push(`M 100644 :${blobMark} ${path}`);
    out.push("");
    return id;
  };
  const base: Array<[string, number]> = [
    [".github/CODEOWNERS", blob("*.ts @acme/dev\n/src/auth/ @acme/security\n")],
  ];
  for (let f = 0; f < 40; f++) base.push([`src/module${f}.ts`, blob(body(60, `m${f}_`))]);
  const root = commit("refs/heads/main", "Initial import", 1_714_000_000, base, null);
  const prs: Array<{ number: number; branch: string }> = [];
  for (let p = 1; p <= PRS; p++) {
    let parent = root;
    for (let c = 0; c < COMMITS_PER_PR; c++) {
      const ai = (p + c) % 3 === 0;
      const path = c === 0 && p % 4 === 0 ? `src/auth/token${p}.ts` : `src/feature${p}/part${c}.ts`;
      const files: Array<[string, number]> = [[path, blob(body(20 + c * 5, `p${p}c${c}_`))]];
      const message = `PR ${p} change ${c}\n${ai ? `\n${CLAUDE}\n` : ""}`;
      parent = commit(`refs/heads/pr-${p}`, message, 1_714_000_000 + p * 100 + c, files, parent);
    }
    prs.push({ number: p, branch: `pr-${p}` });
  }
  execFileSync("git", ["--git-dir", gitDir, "fast-import", "--quiet"], { input: `${out.join("\n")}\n` });
  for (const { number, branch } of prs)
    execFileSync("git", [
      "--git-dir",
      gitDir,
      "update-ref",
      `refs/pull/${number}/head`,
      `refs/heads/${branch}`,
    ]);
  return prs;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

export async function benchPrCheck() {
  const work = mkdtempSync(join(tmpdir(), "sentinel-bench-pr-check-"));
  const gitDir = join(work, "web.git");
  const prs = buildRepository(gitDir);
  const headOf = (branch: string) =>
    execFileSync("git", ["--git-dir", gitDir, "rev-parse", `refs/heads/${branch}`])
      .toString()
      .trim();
  const pulls: FakePull[] = [0, ...prs.map((p) => p.number)].map((number) => {
    const branch = number === 0 ? "main" : `pr-${number}`;
    return {
      number: number === 0 ? 1000 : number,
      title: `PR ${number}`,
      body: null,
      user: { login: "dana", type: "User" },
      head: { ref: branch, sha: headOf(branch) },
      base: { ref: "main" },
      labels: [],
      state: "open",
      created_at: "2024-05-01T10:00:00Z",
      updated_at: "2024-05-01T10:00:00Z",
      merged_at: null,
      merge_commit_sha: null,
      commits: [],
      reviews: [],
    };
  });
  const installationId = 8;
  const github = await startFakeGithub({
    data: {
      installations: [
        {
          id: installationId,
          account: { login: "acme", id: 8, type: "Organization" },
          repository_selection: "all",
        },
      ],
      hookDeliveries: [],
      repos: [
        {
          id: 8,
          owner: "acme",
          name: "web",
          default_branch: "main",
          private: true,
          commits: [],
          pulls,
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
  const scratch = await openScratchDatabase("sentinel_bench_pr_check");
  const { handle } = scratch;
  try {
    const org = await createOrg(handle.db, {
      pullRequestPolicies: {
        sensitivePaths: ["src/auth/**"],
        policies: [
          { kind: "codeowner-review", tiers: ["T4"] },
          { kind: "ai-lines-in-paths", paths: ["src/**"], maxAiLines: 40 },
          { kind: "evidence-required", minLines: 50 },
        ],
      },
    });
    await createInstallation(handle.db, installationId, org.id);
    await createRepository(handle.db, org.id, installationId, 8, { fullName: "acme/web" });
    const server = await startServer(
      loadEnv({
        PORT: "0",
        LOG_LEVEL: "silent",
        SENTINEL_SEED_ON_START: "false",
        SENTINEL_DATA_DIR: join(work, "data"),
        GITHUB_WEBHOOK_SECRET: SECRET,
        GITHUB_APP_ID: "1",
        GITHUB_APP_PRIVATE_KEY: privateKey,
        GITHUB_API_URL: github.url,
      }),
      { handle },
    );
    try {
      const post = async (pull: FakePull) => {
        const body = JSON.stringify({
          action: "opened",
          number: pull.number,
          pull_request: { ...pull, commits: COMMITS_PER_PR, merged: false },
          repository: {
            id: 8,
            name: "web",
            full_name: "acme/web",
            private: true,
            default_branch: "main",
            owner: { login: "acme", id: 8 },
          },
          installation: { id: installationId },
          sender: { login: "dana", id: 1, type: "User" },
        });
        const started = Date.now();
        const response = await fetch(`${server.url}/api/webhooks/github`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-github-event": "pull_request",
            "x-github-delivery": randomBytes(8).toString("hex"),
            "x-hub-signature-256": signBody(SECRET, body),
          },
          body,
        });
        if (response.status >= 300)
          throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
        return started;
      };
      const completedAt = async (headSha: string, deadlineMs: number) => {
        for (;;) {
          const run = github.checkRuns.find((r) => r.head_sha === headSha && r.status === "completed");
          const last = run?.writes.at(-1);
          if (last) return last.at;
          if (Date.now() > deadlineMs) throw new Error(`no completed check on ${headSha} in time`);
          await new Promise((r) => setTimeout(r, 10));
        }
      };

      // A connected repository has its mirror: the warm-up PR clones it, as the first webhook would.
      const [warmUp, ...measured] = pulls;
      if (!warmUp) throw new Error("no pull requests");
      const warmStarted = await post(warmUp);
      const warmSeconds = ((await completedAt(warmUp.head.sha, Date.now() + 120_000)) - warmStarted) / 1000;

      const apiBefore = github.requests.length;
      const started = await Promise.all(measured.map(post));
      const deadline = Date.now() + 5 * 60_000;
      const done = await Promise.all(measured.map((p) => completedAt(p.head.sha, deadline)));
      const seconds = done.map((at, i) => (at - (started[i] ?? at)) / 1000).sort((a, b) => a - b);
      const runs = github.checkRuns.filter((r) => measured.some((p) => p.head.sha === r.head_sha));
      const conclusions: Record<string, number> = {};
      for (const r of runs)
        conclusions[r.conclusion ?? "none"] = (conclusions[r.conclusion ?? "none"] ?? 0) + 1;
      const apiCalls = github.requests.length - apiBefore;
      return {
        prs: measured.length,
        commitsPerPr: COMMITS_PER_PR,
        warmUpSecondsWithClone: Number(warmSeconds.toFixed(2)),
        p50Seconds: Number(percentile(seconds, 50).toFixed(2)),
        p95Seconds: Number(percentile(seconds, 95).toFixed(2)),
        maxSeconds: Number((seconds.at(-1) ?? 0).toFixed(2)),
        goalP95Seconds: GOAL_P95_SECONDS,
        checkRuns: runs.length,
        conclusions,
        apiCalls,
        apiCallsPerPr: Number((apiCalls / measured.length).toFixed(1)),
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
