import { generateKeyPairSync } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE_VERSION } from "../../src/core/attribution/engine.ts";
import { attributeStoredCommit } from "../../src/server/attribution/attribute-commit.ts";
import { queueReattribution } from "../../src/server/attribution/reattribute.ts";
import {
  attributionOverrides,
  codeAttribution,
  codeEvents,
  githubInstallations,
  organizations,
  repoMetricsPending,
  repositories,
} from "../../src/server/db/schema/index.ts";
import { createGithubApp, type GithubApp } from "../../src/server/github-app/app-client.ts";
import { startQueue } from "../../src/server/jobs/queue.ts";
import { overrideAttribution } from "../../src/server/services/attribution/override.ts";
import { markMetricsStale } from "../../src/server/services/metrics/pending.ts";
import type { FakeCommit, FakeGithubData } from "../fake-github/fixtures.ts";
import { fakeSha } from "../fake-github/fixtures.ts";
import { type FakeGithub, startFakeGithub } from "../fake-github/server.ts";
import { useTestDatabase } from "../helpers/db.ts";

// The attribution job end to end against a real (fake) GitHub server: fetch → engine → rows.
const database = useTestDatabase();
let github: FakeGithub;
let app: GithubApp;
let orgId = "";
let repoId = "";

const when = "2026-11-20T10:00:00Z";
const author = { name: "Mona Lisa", email: "mona@example.com", date: when, login: "mona" };
const patch = (lines: number) =>
  `@@ -0,0 +1,${lines} @@\n${Array.from({ length: lines }, (_, i) => `+const v${i} = ${i};`).join("\n")}`;

const commits: Record<string, FakeCommit> = {
  claude: {
    sha: fakeSha("claude"),
    message: "Fix retry in payment client\n\nCo-authored-by: Claude <noreply@anthropic.com>",
    author,
    parents: [],
    files: [
      {
        filename: "src/payments/retry.ts",
        status: "modified",
        additions: 4,
        deletions: 1,
        changes: 5,
        patch: patch(4),
      },
      {
        filename: "package-lock.json",
        status: "modified",
        additions: 2,
        deletions: 0,
        changes: 2,
        patch: patch(2),
      },
    ],
  },
  human: {
    sha: fakeSha("human"),
    message: "Tidy the README",
    author,
    parents: [],
    files: [
      { filename: "README.md", status: "modified", additions: 3, deletions: 0, changes: 3, patch: patch(3) },
    ],
  },
  huge: {
    sha: fakeSha("huge"),
    message: "Generate the API client",
    author,
    parents: [],
    files: [
      ...Array.from({ length: 349 }, (_, i) => ({
        filename: `src/generated/file-${String(i).padStart(3, "0")}.ts`,
        status: "added" as const,
        additions: 1,
        deletions: 0,
        changes: 1,
        patch: patch(1),
      })),
      // A binary: GitHub gives no patch and no line counts.
      { filename: "assets/logo.png", status: "added", additions: 0, deletions: 0, changes: 0 },
    ],
  },
  cursorWork: {
    sha: fakeSha("cursor-work"),
    message: "Add coupon codes\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>",
    author,
    parents: [],
    files: [
      {
        filename: "src/checkout/coupons.ts",
        status: "added",
        additions: 5,
        deletions: 0,
        changes: 5,
        patch: patch(5),
      },
    ],
  },
  squash: {
    sha: fakeSha("squash"),
    message: "Add coupon codes (#12)",
    author,
    parents: [fakeSha("main-before-squash")],
    files: [
      {
        filename: "src/checkout/coupons.ts",
        status: "added",
        additions: 5,
        deletions: 0,
        changes: 5,
        patch: patch(5),
      },
    ],
  },
};

const data: FakeGithubData = {
  installations: [
    { id: 4242, account: { login: "acme", id: 99, type: "Organization" }, repository_selection: "selected" },
  ],
  hookDeliveries: [],
  repos: [
    {
      id: 777,
      owner: "acme",
      name: "shop",
      default_branch: "main",
      private: true,
      commits: Object.values(commits),
      deployments: [],
      pulls: [
        {
          number: 12,
          title: "Add coupon codes",
          body: "Adds coupons.",
          user: { login: "mona", type: "User" },
          head: { ref: "feature/coupons", sha: commits.cursorWork?.sha ?? "" },
          base: { ref: "main" },
          labels: [],
          state: "closed",
          created_at: "2026-11-19T10:00:00Z",
          updated_at: when,
          merged_at: when,
          merge_commit_sha: commits.squash?.sha ?? null,
          commits: [commits.cursorWork?.sha ?? ""],
        },
      ],
    },
  ],
};

beforeAll(async () => {
  github = await startFakeGithub({ data });
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  app = createGithubApp({ appId: "1", privateKey, apiUrl: github.url, retries: 0 });
  const { db } = database();
  const [org] = await db.insert(organizations).values({ name: "Acme", slug: "acme-pipeline" }).returning();
  orgId = org?.id ?? "";
  await db.insert(githubInstallations).values({
    orgId,
    installationId: 4242,
    accountLogin: "acme",
    accountId: 99,
    accountType: "organization",
  });
  const [repo] = await db
    .insert(repositories)
    .values({ orgId, installationId: 4242, githubId: 777, fullName: "acme/shop", defaultBranch: "main" })
    .returning();
  repoId = repo?.id ?? "";
  // The squash merge's PR, as ingestion stores it.
  await db.insert(codeEvents).values({
    orgId,
    repoId,
    eventType: "pr_merged",
    timestamp: new Date(when),
    sourceKey: "pr:12",
    metadata: {
      number: 12,
      title: "Add coupon codes",
      author: "mona",
      authorIsBot: false,
      headBranch: "feature/coupons",
      baseBranch: "main",
      labels: [],
      url: null,
      // GitHub's webhook does not say; attributing the merge commit finds out.
      mergeMethod: "unknown",
      mergeCommitSha: commits.squash?.sha ?? null,
      openedAt: "2026-11-19T10:00:00Z",
      commits: 1,
    },
  });
});

afterAll(async () => {
  await github?.close();
});

const deps = () => ({
  db: database().db,
  github: app,
  afterStore: (
    tx: ReturnType<typeof database>["db"],
    t: { orgId: string; repoId: string; timestamps: Date[] },
  ) => markMetricsStale(tx, t).then(() => undefined),
});

async function rowsFor(sha: string) {
  return database()
    .db.select()
    .from(codeAttribution)
    .where(and(eq(codeAttribution.repoId, repoId), eq(codeAttribution.commitSha, sha)))
    .orderBy(codeAttribution.filePath);
}

describe("attribute-commit job", () => {
  it("attributes a Claude co-authored commit per file, with tiers and the engine version", async () => {
    const sha = commits.claude?.sha ?? "";
    const outcome = await attributeStoredCommit(deps(), { orgId, repoId, commitSha: sha });
    expect(outcome).toEqual({ status: "stored", files: 2 });
    const rows = await rowsFor(sha);
    expect(
      rows.map((r) => [r.filePath, r.riskTier, r.detectionMethod, r.tool, r.aiLines, r.linesAdded]),
    ).toEqual([
      ["package-lock.json", "T1_boilerplate", "heuristic", "claude-code", 2, 2],
      ["src/payments/retry.ts", "T3_core", "heuristic", "claude-code", 4, 4],
    ]);
    expect(rows.every((r) => r.engineVersion === ENGINE_VERSION && (r.aiConfidence ?? 0) >= 0.9)).toBe(true);
    // The roll-up of the commit's periods is scheduled in the same transaction.
    const pending = await database()
      .db.select()
      .from(repoMetricsPending)
      .where(eq(repoMetricsPending.repoId, repoId));
    expect(pending.map((p) => p.period).sort()).toEqual(["day", "month", "week"]);
  });

  it("stores a commit with no evidence as unknown, not human", async () => {
    const sha = commits.human?.sha ?? "";
    await attributeStoredCommit(deps(), { orgId, repoId, commitSha: sha });
    const [row] = await rowsFor(sha);
    expect(row).toMatchObject({
      aiConfidence: null,
      detectionMethod: null,
      aiLines: 0,
      humanLines: 0,
      unknownLines: 3,
    });
  });

  it("carries the PR's commit trailers over to its squash merge", async () => {
    const sha = commits.squash?.sha ?? "";
    await attributeStoredCommit(deps(), { orgId, repoId, commitSha: sha });
    const [row] = await rowsFor(sha);
    expect(row?.tool).toBe("cursor");
    expect(row?.aiLines).toBe(5);
    expect(JSON.stringify(row?.detectionSignals.signals)).toContain(commits.cursorWork?.sha.slice(0, 7));
    const [merged] = await database()
      .db.select({ metadata: codeEvents.metadata })
      .from(codeEvents)
      .where(and(eq(codeEvents.repoId, repoId), eq(codeEvents.eventType, "pr_merged")));
    expect(merged?.metadata).toMatchObject({ number: 12, mergeMethod: "squash" });
  });

  it("reads every page of a 350-file commit, keeps the binary, and survives a crash mid-way", async () => {
    const sha = commits.huge?.sha ?? "";
    // GitHub fails: the job fails before writing anything…
    github.failNext(new RegExp(`/commits/${sha}$`), 502, 1);
    await expect(attributeStoredCommit(deps(), { orgId, repoId, commitSha: sha })).rejects.toThrow();
    expect(await rowsFor(sha)).toHaveLength(0);
    // …the process dies after the rows are written but before the transaction commits…
    const crashing = {
      ...deps(),
      afterStore: async () => {
        throw new Error("killed");
      },
    };
    await expect(attributeStoredCommit(crashing, { orgId, repoId, commitSha: sha })).rejects.toThrow(
      "killed",
    );
    expect(await rowsFor(sha)).toHaveLength(0);
    const pages = github.requests.filter((r) => r.path.endsWith(sha)).map((r) => r.query.page);
    expect(pages).toEqual(["1", "1", "2"]);
    // …and its retry stores every file exactly once; a second run changes nothing.
    await attributeStoredCommit(deps(), { orgId, repoId, commitSha: sha });
    await attributeStoredCommit(deps(), { orgId, repoId, commitSha: sha });
    const rows = await rowsFor(sha);
    expect(rows).toHaveLength(350);
    expect(new Set(rows.map((r) => r.filePath)).size).toBe(350);
    const binary = rows.find((r) => r.filePath === "assets/logo.png");
    expect(binary).toMatchObject({ linesAdded: 0, aiLines: 0, unknownLines: 0 });
  });

  it("keeps a manual override through re-analysis", async () => {
    const sha = commits.human?.sha ?? "";
    const ctx = {
      db: database().db,
      orgId,
      actor: { kind: "user" as const, userId: "u1", role: "member" as const },
    };
    const updated = await overrideAttribution(ctx, {
      repositoryId: repoId,
      commitSha: sha,
      filePath: "README.md",
      verdict: "ai",
      riskTier: null,
      reason: "Written with ChatGPT in the browser; pasted in.",
    });
    expect(updated[0]).toMatchObject({ detectionMethod: "manual_override", aiConfidence: 1, aiLines: 3 });
    await attributeStoredCommit(deps(), { orgId, repoId, commitSha: sha });
    const [row] = await rowsFor(sha);
    expect(row).toMatchObject({
      detectionMethod: "manual_override",
      aiConfidence: 1,
      aiLines: 3,
      unknownLines: 0,
    });
    expect(row?.detectionSignals.override?.reason).toMatch(/ChatGPT/);
    const overrides = await database()
      .db.select()
      .from(attributionOverrides)
      .where(eq(attributionOverrides.repoId, repoId));
    expect(overrides).toHaveLength(1);
  });

  it("refuses an override for another organization's repository as not found", async () => {
    const [other] = await database()
      .db.insert(organizations)
      .values({ name: "Other", slug: "other-pipeline" })
      .returning();
    const ctx = { db: database().db, orgId: other?.id ?? "", actor: { kind: "system" as const } };
    await expect(
      overrideAttribution(ctx, {
        repositoryId: repoId,
        commitSha: commits.human?.sha ?? "",
        filePath: null,
        verdict: "human",
        reason: "not mine",
      }),
    ).rejects.toThrow(/repository not found/);
  });

  it("skips, without failing, a repository that has no installation", async () => {
    const [local] = await database()
      .db.insert(repositories)
      .values({ orgId, fullName: "local/thing", installationId: null })
      .returning();
    const outcome = await attributeStoredCommit(deps(), {
      orgId,
      repoId: local?.id ?? "",
      commitSha: fakeSha("x"),
    });
    expect(outcome).toEqual({ status: "skipped", reason: "repository has no GitHub installation" });
  });

  it("re-queues commits analysed by an older engine once, and never the demo data", async () => {
    const { db } = database();
    await db
      .update(codeAttribution)
      .set({ engineVersion: "2020.1.0" })
      .where(eq(codeAttribution.commitSha, commits.claude?.sha ?? ""));
    // A demo commit: older rows too, but its commit event says the seed made it.
    const demo = commits.squash?.sha ?? "";
    await db
      .update(codeAttribution)
      .set({ engineVersion: "2020.1.0" })
      .where(eq(codeAttribution.commitSha, demo));
    await db.insert(codeEvents).values({
      orgId,
      repoId,
      eventType: "commit",
      commitSha: demo,
      timestamp: new Date("2024-01-01T00:00:00Z"),
      actor: null,
      sourceKey: `seed:${demo}`,
      metadata: {
        message: "demo",
        author: { name: "A", email: "a@example.com", login: null },
        committer: { name: "A", email: "a@example.com", login: null },
        parents: [],
        branch: "main",
        additions: 0,
        deletions: 0,
        filesChanged: 0,
        url: null,
        source: "seed",
      },
    });
    const queue = await startQueue(database(), { supervise: false });
    try {
      expect(await queueReattribution(db, queue)).toBe(1);
      await queueReattribution(db, queue);
      const jobs = await db.execute<{ data: { commitSha: string } }>(
        sql`SELECT data FROM pgboss.job WHERE name = 'reattribute-commit'`,
      );
      expect(jobs.rows.map((j) => j.data.commitSha)).toEqual([commits.claude?.sha]);
    } finally {
      await queue.stop();
    }
  });
});
