import { generateKeyPairSync } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeAnalysis } from "../../src/cli/analyze/store-analysis.ts";
import { inspectRepository } from "../../src/git/repository.ts";
import {
  type AttributeCommitDeps,
  attributeStoredCommit,
} from "../../src/server/attribution/attribute-commit.ts";
import {
  codeAttribution,
  codeEvents,
  githubInstallations,
  organizations,
  repositories,
} from "../../src/server/db/schema/index.ts";
import { createGithubApp, type GithubApp } from "../../src/server/github-app/app-client.ts";
import { GitFixture, HUMAN, lines } from "../cli/helpers/git-fixture.ts";
import { buildToolHistory, type ToolHistory } from "../cli/helpers/tool-history.ts";
import { type FakeGithub, startFakeGithub } from "../fake-github/server.ts";
import { useTestDatabase } from "../helpers/db.ts";

// The App's attribute-commit job reading commits from a bare mirror with the reader `sentinel
// analyze` uses: the same rows as the CLI, file by file; PR carry-over from refs/pull/N/head with no
// API call; REST only when the mirror is unavailable, and the rows say why.

const database = useTestDatabase();
let history: ToolHistory;
let mirror = "";
let github: FakeGithub;
let app: GithubApp;
let orgId = "";
let repoId = "";

const INSTALLATION = 4343;
const when = "2024-05-01T10:00:00Z";

beforeAll(async () => {
  history = buildToolHistory();
  const { repo } = history;
  // Commit the evidence the CLI reads from the working tree, so the mirror has it too.
  repo.write(".github/CODEOWNERS", "* @acme/devs\nsrc/auth/ @acme/security-team\n");
  repo.write(".gitattributes", "src/gen/** linguist-generated=true\n");
  repo.commit("Add CODEOWNERS, attributes and Agent Trace records", { date: "2024-04-20T10:00:00Z" });
  repo.write("src/auth/session.ts", lines(4, "session"));
  repo.write("src/gen/client.ts", lines(7, "generated"));
  repo.commit("Add session and generated client\n\nCo-authored-by: Claude <noreply@anthropic.com>\n", {
    date: "2024-04-22T10:00:00Z",
  });
  mirror = repo.sibling("mirror.git");
  repo.git(["clone", "-q", "--mirror", repo.dir, mirror]);

  github = await startFakeGithub({
    data: {
      installations: [
        {
          id: INSTALLATION,
          account: { login: "acme", id: 99, type: "Organization" },
          repository_selection: "selected",
        },
      ],
      hookDeliveries: [],
      repos: [
        {
          id: 888,
          owner: "acme",
          name: "demo",
          default_branch: "main",
          private: true,
          commits: [],
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
  app = createGithubApp({ appId: "1", privateKey, apiUrl: github.url, retries: 0 });

  const { db } = database();
  const [org] = await db.insert(organizations).values({ name: "Acme", slug: "acme-git" }).returning();
  orgId = org?.id ?? "";
  await db.insert(githubInstallations).values({
    orgId,
    installationId: INSTALLATION,
    accountLogin: "acme",
    accountId: 99,
    accountType: "organization",
  });
  const [row] = await db
    .insert(repositories)
    .values({
      orgId,
      installationId: INSTALLATION,
      githubId: 888,
      fullName: "acme/demo",
      defaultBranch: "main",
    })
    .returning();
  repoId = row?.id ?? "";
});

afterAll(async () => {
  await github?.close();
  history?.repo.remove();
});

const deps = (mirrorFor: AttributeCommitDeps["mirrorFor"]): AttributeCommitDeps => ({
  db: database().db,
  github: app,
  mirrorFor,
});
const fromMirror = (gitDir: string) => deps(async () => ({ gitDir }));

async function rowsOf(repository: string, sha?: string) {
  const rows = await database()
    .db.select()
    .from(codeAttribution)
    .where(and(eq(codeAttribution.repoId, repository), ...(sha ? [eq(codeAttribution.commitSha, sha)] : [])));
  return rows.sort((a, b) => `${a.commitSha}/${a.filePath}`.localeCompare(`${b.commitSha}/${b.filePath}`));
}

/** Every field but the row's identity and bookkeeping. */
function verdict(row: Awaited<ReturnType<typeof rowsOf>>[number]) {
  const { id: _id, orgId: _o, repoId: _r, createdAt: _c, updatedAt: _u, ...rest } = row;
  return rest;
}

describe("attribute-commit reading the mirror", () => {
  it("stores the same rows as sentinel analyze, file by file, every field", async () => {
    const { db } = database();
    const document = await storeAnalysis(db, {
      repo: await inspectRepository(history.repo.dir, { revGiven: false }),
      revisions: null,
      firstParent: false,
      full: true,
    });
    const cliRepoId = document.stored?.repositoryId ?? "";

    const shas = history.repo.git(["rev-list", "HEAD"], { cwd: mirror }).trim().split("\n");
    for (const commitSha of shas) {
      await attributeStoredCommit(fromMirror(mirror), { orgId, repoId, commitSha });
    }
    // No REST call at all: not even an installation token.
    expect(github.requests).toEqual([]);

    const cli = (await rowsOf(cliRepoId)).map(verdict);
    const appRows = (await rowsOf(repoId)).map(verdict);
    expect(appRows.length).toBeGreaterThanOrEqual(18);
    expect(appRows).toEqual(cli);

    // The line-level evidence only git has made it through: git-ai ranges, Agent Trace records.
    const byPath = new Map(appRows.map((r) => [`${r.commitSha}:${r.filePath}`, r]));
    const noted = byPath.get(`${history.sha.gitAi}:src/notes.ts`);
    expect(noted).toMatchObject({ tool: "cursor", model: "gpt-5", aiLines: 4, unknownLines: 2 });
    const traced = byPath.get(`${history.sha.agentTrace}:src/trace.ts`);
    expect(traced).toMatchObject({ tool: "claude-code", model: "anthropic/claude-sonnet-4", aiLines: 3 });
    expect(appRows.every((r) => r.detectionSignals.source?.reader === "git")).toBe(true);
  });

  it("takes tiers from CODEOWNERS (T4) and .gitattributes (T1)", async () => {
    const head = history.repo.head();
    await attributeStoredCommit(fromMirror(mirror), { orgId, repoId, commitSha: head });
    const rows = await rowsOf(repoId, head);
    const tiers = Object.fromEntries(
      rows.map((r) => [r.filePath, [r.riskTier, r.detectionSignals.tierReason] as const]),
    );
    expect(tiers["src/auth/session.ts"]?.[0]).toBe("T4_novel");
    expect(tiers["src/auth/session.ts"]?.[1]).toMatch(/CODEOWNERS/);
    expect(tiers["src/gen/client.ts"]?.[0]).toBe("T1_boilerplate");
    expect(tiers["src/gen/client.ts"]?.[1]).toMatch(/gitattributes|generated/i);
  });

  it("carries a squash-merged PR's trailers over from refs/pull/N/head, with no API call", async () => {
    const repo = GitFixture.create("sentinel-squash-");
    try {
      repo.write("README.md", "# Shop\n");
      const base = repo.commit("Initial", { date: "2024-06-01T10:00:00Z" });
      repo.git(["checkout", "-q", "-b", "feature/coupons"]);
      repo.write("src/coupons.ts", lines(3, "coupon"));
      const first = repo.commit("Add coupons\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\n", {
        date: "2024-06-02T10:00:00Z",
      });
      repo.write("src/coupons.ts", lines(5, "coupon"));
      repo.commit("Fix coupons", { date: "2024-06-03T10:00:00Z" });
      const head = repo.head();
      repo.git(["checkout", "-q", "main"]);
      repo.write("src/coupons.ts", lines(5, "coupon"));
      const squash = repo.commit("Add coupon codes (#12)", {
        committer: { name: "GitHub", email: "noreply@github.com" },
        author: HUMAN,
        date: "2024-06-04T10:00:00Z",
      });
      expect(repo.git(["rev-parse", `${squash}^`]).trim()).toBe(base);
      // What GitHub keeps for every PR; a mirror fetches it.
      repo.git(["update-ref", "refs/pull/12/head", head]);
      const bare = repo.sibling("squash.git");
      repo.git(["clone", "-q", "--mirror", repo.dir, bare]);
      repo.git(["branch", "-q", "-D", "feature/coupons"], { cwd: bare });

      const { db } = database();
      await db.insert(codeEvents).values({
        orgId,
        repoId,
        eventType: "pr_merged",
        timestamp: new Date(when),
        sourceKey: "pr:12:merged",
        metadata: {
          number: 12,
          title: "Add coupon codes",
          author: "mona",
          authorIsBot: false,
          headBranch: "feature/coupons",
          baseBranch: "main",
          labels: [],
          url: null,
          mergeMethod: "unknown",
          mergeCommitSha: squash,
          openedAt: null,
          commits: 2,
        },
      });
      const before = github.requests.length;
      await attributeStoredCommit(fromMirror(bare), { orgId, repoId, commitSha: squash });
      expect(github.requests.slice(before)).toEqual([]);

      const [row] = await rowsOf(repoId, squash);
      expect(row).toMatchObject({ filePath: "src/coupons.ts", tool: "cursor", aiLines: 5 });
      expect(JSON.stringify(row?.detectionSignals.signals)).toContain(first);
      const [merged] = await db
        .select({ metadata: codeEvents.metadata })
        .from(codeEvents)
        .where(and(eq(codeEvents.repoId, repoId), eq(codeEvents.sourceKey, "pr:12:merged")));
      expect(merged?.metadata).toMatchObject({ mergeMethod: "squash" });
    } finally {
      repo.remove();
    }
  });

  it("falls back to REST when the mirror is unavailable, and says why in detection_signals", async () => {
    const sha = "ab".repeat(20);
    const fake = github.data.repos[0];
    fake?.commits.push({
      sha,
      message: "Fix retry\n\nCo-authored-by: Claude <noreply@anthropic.com>",
      author: { name: "Mona", email: "mona@example.com", date: when, login: "mona" },
      parents: [],
      files: [
        {
          filename: "src/retry.ts",
          status: "added",
          additions: 2,
          deletions: 0,
          changes: 2,
          patch: "@@ -0,0 +1,2 @@\n+a\n+b",
        },
      ],
    });
    const before = github.requests.length;
    await attributeStoredCommit(
      deps(async () => ({ unavailable: "network unreachable" })),
      { orgId, repoId, commitSha: sha },
    );
    expect(github.requests.slice(before).some((r) => r.path.endsWith(`/commits/${sha}`))).toBe(true);
    const [row] = await rowsOf(repoId, sha);
    expect(row).toMatchObject({ filePath: "src/retry.ts", tool: "claude-code", aiLines: 2 });
    expect(row?.detectionSignals.source).toEqual({
      reader: "rest",
      reason: "mirror unavailable: network unreachable",
    });

    // A mirror git cannot read, or no mirror at all, is the same fallback with its own reason.
    const broken = history.repo.sibling("not-a-repository");
    await attributeStoredCommit(
      deps(async () => ({ gitDir: broken })),
      { orgId, repoId, commitSha: sha },
    );
    expect((await rowsOf(repoId, sha))[0]?.detectionSignals.source).toMatchObject({
      reader: "rest",
      reason: expect.stringMatching(/^mirror unavailable: /),
    });
    await attributeStoredCommit(deps(undefined), { orgId, repoId, commitSha: sha });
    expect((await rowsOf(repoId, sha))[0]?.detectionSignals.source).toEqual({
      reader: "rest",
      reason: "no repository mirror configured",
    });
  });
});
