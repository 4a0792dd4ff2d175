import { generateKeyPairSync, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { storeAnalysis } from "../../src/cli/analyze/store-analysis.ts";
import { inspectRepository } from "../../src/git/repository.ts";
import { codeAttribution } from "../../src/server/db/schema/index.ts";
import { loadEnv } from "../../src/server/env.ts";
import { signBody } from "../../src/server/github/verify.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { buildToolHistory, type ToolHistory } from "../cli/helpers/tool-history.ts";
import { type FakeGithub, startFakeGithub } from "../fake-github/server.ts";
import { createInstallation, createOrg, createRepository, SECRET } from "../github/helpers.ts";
import { useTestDatabase } from "../helpers/db.ts";

// The App as deployed: a push webhook reaches the server, the attribute-commit workers fetch the
// repository's mirror from the (fake) GitHub over git's smart HTTP with the installation token, and
// store the same verdicts as `sentinel analyze` — git-ai line ranges and Agent Trace records
// included — with one API call (the token), none per commit.

vi.setConfig({ hookTimeout: 120_000, testTimeout: 120_000 });

const database = useTestDatabase();
let history: ToolHistory;
let github: FakeGithub;
let server: RunningServer;
let dataDir = "";
const INSTALLATION = 5151;

beforeAll(async () => {
  history = buildToolHistory();
  // The Agent Trace file sits in the working tree, where the CLI reads it; GitHub has only commits.
  history.repo.commit("Commit the Agent Trace records", { date: "2024-04-20T10:00:00Z" });
  const served = history.repo.sibling("served.git");
  history.repo.git(["clone", "-q", "--mirror", history.repo.dir, served]);
  dataDir = history.repo.sibling("data");
  github = await startFakeGithub({
    data: {
      installations: [
        {
          id: INSTALLATION,
          account: { login: "acme", id: 51, type: "Organization" },
          repository_selection: "all",
        },
      ],
      hookDeliveries: [],
      repos: [
        {
          id: 515,
          owner: "acme",
          name: "tools",
          default_branch: "main",
          private: true,
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
  const env = loadEnv({
    PORT: "0",
    LOG_LEVEL: "silent",
    SENTINEL_SEED_ON_START: "false",
    SENTINEL_DATA_DIR: dataDir,
    GITHUB_WEBHOOK_SECRET: SECRET,
    GITHUB_APP_ID: "1",
    GITHUB_APP_PRIVATE_KEY: privateKey,
    GITHUB_API_URL: github.url,
  });
  server = await startServer(env, { handle: database() });
});

afterAll(async () => {
  await server?.stop();
  await github?.close();
  history?.repo.remove();
});

async function push(shas: string[]): Promise<number> {
  const body = JSON.stringify({
    ref: "refs/heads/main",
    before: "0".repeat(40),
    after: shas.at(-1),
    created: true,
    deleted: false,
    forced: false,
    compare: "",
    commits: shas.map((sha, i) => ({
      id: sha,
      tree_id: sha,
      distinct: true,
      message: `commit ${i}`,
      timestamp: new Date(Date.UTC(2024, 3, 1, 10, i)).toISOString(),
      url: `https://github.com/acme/tools/commit/${sha}`,
      author: { name: "Ada", email: "ada@example.com", username: "ada" },
      committer: { name: "Ada", email: "ada@example.com", username: "ada" },
      added: [],
      removed: [],
      modified: [],
    })),
    head_commit: null,
    repository: {
      id: 515,
      full_name: "acme/tools",
      name: "tools",
      private: true,
      default_branch: "main",
      owner: { login: "acme", id: 51 },
    },
    installation: { id: INSTALLATION },
    sender: { login: "ada", id: 1, type: "User" },
  });
  const response = await fetch(`${server.url}/api/webhooks/github`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": signBody(SECRET, body),
    },
    body,
  });
  return response.status;
}

async function jobsSettled(expected: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const jobs = await server.queue.boss.findJobs("attribute-commit");
    const done = jobs.filter((j) => j.state === "completed").length;
    if (done >= expected && jobs.every((j) => j.state === "completed" || j.state === "failed")) return;
    if (Date.now() > deadline) throw new Error(`attribute-commit jobs did not finish: ${done}/${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("a push attributed through the repository's mirror", () => {
  it("stores what sentinel analyze stores, with one API call and no REST call per commit", async () => {
    const { db } = database();
    const org = await createOrg(db);
    await createInstallation(db, INSTALLATION, org.id);
    const repoId = await createRepository(db, org.id, INSTALLATION, 515, { fullName: "acme/tools" });
    const shas = history.repo.git(["rev-list", "--reverse", "HEAD"]).trim().split("\n");

    expect(await push(shas)).toBeLessThan(300);
    await jobsSettled(shas.length);

    // Only installation tokens were asked for; the commits came through git.
    expect(github.requests.every((r) => r.path.endsWith("/access_tokens"))).toBe(true);
    expect(github.requests.length).toBeGreaterThanOrEqual(1);
    expect(github.gitRequests.length).toBeGreaterThan(0);

    const app = await db.select().from(codeAttribution).where(eq(codeAttribution.repoId, repoId));
    expect(app.every((r) => r.detectionSignals.source?.reader === "git")).toBe(true);

    const document = await storeAnalysis(db, {
      repo: await inspectRepository(history.repo.dir, { revGiven: false }),
      revisions: null,
      firstParent: false,
      full: true,
    });
    const cli = await db
      .select()
      .from(codeAttribution)
      .where(eq(codeAttribution.repoId, document.stored?.repositoryId ?? ""));
    const verdict = (r: (typeof app)[number]) => {
      const { id: _i, orgId: _o, repoId: _r, createdAt: _c, updatedAt: _u, ...rest } = r;
      return rest;
    };
    const order = (a: { commitSha: string; filePath: string }, b: { commitSha: string; filePath: string }) =>
      `${a.commitSha}/${a.filePath}`.localeCompare(`${b.commitSha}/${b.filePath}`);
    expect(app.sort(order).map(verdict)).toEqual(cli.sort(order).map(verdict));
    const noted = app.find((r) => r.commitSha === history.sha.gitAi && r.filePath === "src/notes.ts");
    expect(noted).toMatchObject({ tool: "cursor", aiLines: 4, unknownLines: 2 });
  });
});
