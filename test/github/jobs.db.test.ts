import { generateKeyPairSync } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeEvents, githubInstallations, webhookDeliveries } from "../../src/server/db/schema/index.ts";
import { runBackfillPage } from "../../src/server/github/backfill.ts";
import { completePush } from "../../src/server/github/complete-push.ts";
import { linkInstallationToOrg } from "../../src/server/github/link-installation.ts";
import { reconcileDeliveries } from "../../src/server/github/reconciler.ts";
import { createGithubApp, type GithubApp } from "../../src/server/github-app/app-client.ts";
import { backfillJob } from "../../src/server/jobs/github-definitions.ts";
import { parseJobData, type Queue, startQueue } from "../../src/server/jobs/queue.ts";
import { fakeSha } from "../fake-github/fixtures.ts";
import { type FakeGithub, startFakeGithub } from "../fake-github/server.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { createOrg, createRepository } from "./helpers.ts";

// The jobs that call GitHub, against the fake GitHub: a real HTTP server Octokit reaches
// through the API URL, as it would reach GitHub Enterprise Server.

const database = useTestDatabase();
const db = () => database().db;
let fake: FakeGithub;
let app: GithubApp;
let queue: Queue;

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

beforeAll(async () => {
  fake = await startFakeGithub();
  app = createGithubApp({ appId: "12345", privateKey, apiUrl: fake.url, retries: 2 });
  queue = await startQueue(database(), { supervise: false });
});

afterAll(async () => {
  await queue?.stop();
  await fake?.close();
});

async function linkedDemoRepo() {
  const org = await createOrg(db());
  await linkInstallationToOrg(db(), queue, app, {
    orgId: org.id,
    installationId: 4242,
    actor: { kind: "cli" },
  }).catch(async () => {
    // Already linked by an earlier test: move it to this organization.
    await db()
      .update(githubInstallations)
      .set({ orgId: org.id })
      .where(eq(githubInstallations.installationId, 4242));
  });
  await db().execute(sql`DELETE FROM repositories WHERE github_id = 900001`);
  const repoId = await createRepository(db(), org.id, 4242, 900001, { fullName: "octo-org/sentinel-demo" });
  return { org, repoId };
}

async function drainBackfill(orgId: string, repoId: string, since: Date): Promise<number> {
  let payload = backfillJob.schema.parse({ orgId, repoId, since: since.toISOString() });
  let pages = 0;
  for (;;) {
    pages++;
    const outcome = await runBackfillPage({ db: db(), queue, app }, payload);
    if (outcome === "done") return pages;
    // The page enqueued its successor in its own transaction: take it from the queue.
    const rows = await db().execute<{ data: unknown }>(
      sql`SELECT data FROM pgboss.job WHERE name = 'github-backfill' AND data->>'repoId' = ${repoId} ORDER BY created_on DESC LIMIT 1`,
    );
    const parsed = parseJobData(backfillJob, rows.rows[0]?.data);
    if (!parsed.success) throw parsed.error;
    payload = parsed.data;
  }
}

describe("linking through the App's API", () => {
  it("fetches an installation it has not heard of, with the App's JWT", async () => {
    const org = await createOrg(db());
    const linked = await linkInstallationToOrg(db(), queue, app, {
      orgId: org.id,
      installationId: 4242,
      actor: { kind: "cli" },
    });
    expect(linked).toMatchObject({ installationId: 4242, accountLogin: "octo-org", pendingDeliveries: 0 });
    const asked = fake.requests.find((r) => r.path === "/app/installations/4242");
    expect(asked?.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/i);
  });
});

describe("backfill", () => {
  it("imports the window's commits, merged PRs and deploys page by page, and a re-run adds nothing", async () => {
    const { org, repoId } = await linkedDemoRepo();
    const since = new Date(Date.now() - 90 * 86_400_000);
    await drainBackfill(org.id, repoId, since);
    const events = await db().select().from(codeEvents).where(eq(codeEvents.repoId, repoId));
    const byType = (t: string) => events.filter((e) => e.eventType === t);
    // Five commits inside 90 days; the 200-day-old one is outside.
    expect(
      byType("commit")
        .map((e) => e.commitSha)
        .sort(),
    ).toEqual(["c1", "c2", "c3", "c4", "c5"].map(fakeSha).sort());
    expect(byType("commit").find((e) => e.commitSha === fakeSha("c5"))?.metadata).toMatchObject({
      source: "backfill",
      parents: [fakeSha("c4")],
      author: { login: "mona" },
    });
    expect(byType("pr_merged").map((e) => e.sourceKey)).toEqual(["pr:7"]);
    expect(
      byType("pr_opened")
        .map((e) => e.sourceKey)
        .sort(),
    ).toEqual(["pr:7", "pr:8"]);
    expect(
      byType("deploy")
        .map((e) => e.sourceKey)
        .sort(),
    ).toEqual(["deploy:5000:failure", "deploy:5001:in_progress", "deploy:5001:success"]);
    expect(byType("deploy").find((e) => e.sourceKey === "deploy:5001:success")?.metadata).toMatchObject({
      production: true,
    });
    const jobs = await db().execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'attribute-commit' AND data->>'repoId' = ${repoId}`,
    );
    // One per commit: merged PRs are imported first, so the merge commit of PR #7 is attributed
    // once, with its PR (and the PR's own commits' trailers) already known.
    expect(Number(jobs.rows[0]?.n)).toBe(5);

    // The commits list was asked for with the window and the default branch.
    const listCall = fake.requests.find((r) => r.path === "/repos/octo-org/sentinel-demo/commits");
    expect(listCall?.query).toMatchObject({ sha: "main", since: since.toISOString() });
    expect(listCall?.authorization).toMatch(/^token ghs_/);

    await drainBackfill(org.id, repoId, since);
    expect(await db().select().from(codeEvents).where(eq(codeEvents.repoId, repoId))).toHaveLength(
      events.length,
    );
  });

  it("reuses the installation token until it expires", async () => {
    const before = fake.tokensIssued;
    const one = await app.getInstallationOctokit(4242);
    const two = await app.getInstallationOctokit(4242);
    await one.request("GET /repos/{owner}/{repo}", { owner: "octo-org", repo: "sentinel-demo" });
    await two.request("GET /repos/{owner}/{repo}", { owner: "octo-org", repo: "sentinel-demo" });
    expect(fake.tokensIssued - before).toBeLessThanOrEqual(1);
  });

  it("retries a GitHub server error instead of failing the page", async () => {
    const { org, repoId } = await linkedDemoRepo();
    fake.failNext(/\/repos\/octo-org\/sentinel-demo\/commits$/, 502, 1);
    await drainBackfill(org.id, repoId, new Date(Date.now() - 30 * 86_400_000));
    const commits = await db().select().from(codeEvents).where(eq(codeEvents.repoId, repoId));
    expect(commits.filter((e) => e.eventType === "commit")).toHaveLength(5);
  });
});

describe("push completion through the compare API", () => {
  it("stores every commit between base and head", async () => {
    const { org, repoId } = await linkedDemoRepo();
    const added = await completePush(
      { db: db(), queue, app },
      { orgId: org.id, repoId, base: fakeSha("c1"), head: fakeSha("c5"), branch: "main" },
    );
    expect(added).toBe(4);
    const shas = (await db().select().from(codeEvents).where(eq(codeEvents.repoId, repoId)))
      .map((e) => e.commitSha)
      .sort();
    expect(shas).toEqual(["c2", "c3", "c4", "c5"].map(fakeSha).sort());
  });
});

describe("reconciler", () => {
  it("asks GitHub to redeliver failed deliveries inside the 3-day window that we never stored", async () => {
    const stored = await reconcileDeliveries(db(), app);
    expect(stored.redelivered).toBe(1);
    expect(fake.redeliveries).toEqual([1001]);

    // Once stored (the redelivery arrived), it is not asked for again.
    await db()
      .insert(webhookDeliveries)
      .values({ deliveryId: "guid-failed-recent", event: "push", outcome: "processed" });
    fake.redeliveries.length = 0;
    expect((await reconcileDeliveries(db(), app)).redelivered).toBe(0);
    expect(fake.redeliveries).toEqual([]);
  });
});
