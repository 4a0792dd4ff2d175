import { randomUUID } from "node:crypto";
import { and, count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeEvents, githubInstallations, webhookDeliveries } from "../../src/server/db/schema/index.ts";
import { loadEnv } from "../../src/server/env.ts";
import { linkInstallationToOrg } from "../../src/server/github/link-installation.ts";
import { processPendingDeliveries } from "../../src/server/github/receive-delivery.ts";
import { signBody } from "../../src/server/github/verify.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { useTestDatabase } from "../helpers/db.ts";
import {
  createInstallation,
  createOrg,
  createRepository,
  postDelivery,
  prPayload,
  pushPayload,
  repoIdByGithubId,
  SECRET,
  uniqueId,
} from "./helpers.ts";

const database = useTestDatabase();
let server: RunningServer;
const db = () => database().db;

beforeAll(async () => {
  const env = loadEnv({
    PORT: "0",
    LOG_LEVEL: "silent",
    SENTINEL_SEED_ON_START: "false",
    SENTINEL_WORKERS: "false",
    GITHUB_WEBHOOK_SECRET: `rotated-out-secret,${SECRET}`,
  });
  server = await startServer(env, { handle: database() });
});

afterAll(async () => {
  await server?.stop();
});

async function eventsOf(repoId: string) {
  return db().select().from(codeEvents).where(eq(codeEvents.repoId, repoId)).orderBy(codeEvents.timestamp);
}

async function deliveryCount(): Promise<number> {
  const [row] = await db().select({ n: count() }).from(webhookDeliveries);
  return row?.n ?? 0;
}

async function jobsFor(name: string, repoId: string): Promise<number> {
  const result = await db().execute<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${name} AND data->>'repoId' = ${repoId}`,
  );
  return Number(result.rows[0]?.n ?? 0);
}

async function linkedRepo(opts: { trackedBranches?: string[]; orgSettings?: Record<string, unknown> } = {}) {
  const org = await createOrg(db(), opts.orgSettings);
  const installationId = uniqueId();
  const githubId = uniqueId();
  await createInstallation(db(), installationId, org.id);
  const repoId = await createRepository(db(), org.id, installationId, githubId, {
    trackedBranches: opts.trackedBranches ?? [],
  });
  return { org, installationId, githubId, repoId };
}

describe("POST /api/webhooks/github: pushes", () => {
  it("stores one commit event per commit of a default-branch push, with an attribution job each, and answers 202", async () => {
    const { installationId, githubId, repoId, org } = await linkedRepo();
    const payload = pushPayload({ installationId, repoGithubId: githubId, commits: 3 });
    const res = await postDelivery(server.url, "push", payload);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: "accepted", outcome: "processed", eventsCreated: 3 });

    const events = await eventsOf(repoId);
    expect(events.map((e) => e.commitSha)).toEqual(payload.commits.map((c) => c.id));
    expect(events.every((e) => e.eventType === "commit" && e.orgId === org.id && e.actor === "mona")).toBe(
      true,
    );
    expect(events[0]?.metadata).toMatchObject({ branch: "main", source: "push", filesChanged: 2 });
    expect(await jobsFor("attribute-commit", repoId)).toBe(3);

    const [delivery] = await db()
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.deliveryId, res.deliveryId));
    expect(delivery).toMatchObject({
      event: "push",
      outcome: "processed",
      orgId: org.id,
      eventsCreated: 3,
      payload: null,
    });

    // The same delivery again (GitHub's redeliver button): 200, nothing new.
    const again = await postDelivery(server.url, "push", payload, { deliveryId: res.deliveryId });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "duplicate" });
    expect(await eventsOf(repoId)).toHaveLength(3);
    expect(await jobsFor("attribute-commit", repoId)).toBe(3);

    // A new delivery carrying the same commits (a second push of the same range) adds nothing
    // either. (The same body byte for byte under a new id is a replay: test/github/replay.db.test.ts.)
    const replay = await postDelivery(server.url, "push", { ...payload, pusher: { name: "hubot" } });
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ eventsCreated: 0 });
    expect(await jobsFor("attribute-commit", repoId)).toBe(3);
  });

  it("accepts GitHub's form-encoded variant, signed over the form body", async () => {
    const { installationId, githubId, repoId } = await linkedRepo();
    const res = await postDelivery(
      server.url,
      "push",
      pushPayload({ installationId, repoGithubId: githubId, commits: 2 }),
      {
        form: true,
      },
    );
    expect(res.status).toBe(202);
    expect(await eventsOf(repoId)).toHaveLength(2);
  });

  it("analyses only tracked branches: the default one, plus those the repository's settings add", async () => {
    const { installationId, githubId, repoId } = await linkedRepo({ trackedBranches: ["release"] });
    const feature = await postDelivery(
      server.url,
      "push",
      pushPayload({ installationId, repoGithubId: githubId, commits: 2, branch: "feature/x" }),
    );
    expect(feature.body).toMatchObject({ outcome: "ignored", eventsCreated: 0 });
    const release = await postDelivery(
      server.url,
      "push",
      pushPayload({ installationId, repoGithubId: githubId, commits: 2, branch: "release" }),
    );
    expect(release.body).toMatchObject({ outcome: "processed", eventsCreated: 2 });
    expect(await eventsOf(repoId)).toHaveLength(2);
  });

  it("records tag pushes and branch deletions without analysing them", async () => {
    const { installationId, githubId, repoId } = await linkedRepo();
    const tag = await postDelivery(
      server.url,
      "push",
      pushPayload({ installationId, repoGithubId: githubId, commits: 1, ref: "refs/tags/v1.0.0" }),
    );
    const deletion = await postDelivery(
      server.url,
      "push",
      pushPayload({ installationId, repoGithubId: githubId, commits: 0, deleted: true }),
    );
    expect([tag.status, deletion.status]).toEqual([202, 202]);
    expect([tag.body.outcome, deletion.body.outcome]).toEqual(["recorded", "recorded"]);
    expect(await eventsOf(repoId)).toHaveLength(0);
    expect(await jobsFor("attribute-commit", repoId)).toBe(0);
  });

  it("completes a push at GitHub's 2,048-commit cap through the compare API, in a job", async () => {
    const { installationId, githubId, repoId } = await linkedRepo();
    const res = await postDelivery(
      server.url,
      "push",
      pushPayload({ installationId, repoGithubId: githubId, commits: 2048 }),
    );
    expect(res.status).toBe(202);
    expect(await eventsOf(repoId)).toHaveLength(2048);
    expect(await jobsFor("github-complete-push", repoId)).toBe(1);
  });
});

describe("POST /api/webhooks/github: pull requests, reviews, deploys", () => {
  const repository = (githubId: number) => ({
    id: githubId,
    full_name: `acct/repo-${githubId}`,
    default_branch: "main",
  });
  const pr = prPayload;

  it("maps opened, merged, closed-unmerged, reviews and deploy statuses to their events", async () => {
    const { installationId, githubId, repoId } = await linkedRepo({
      orgSettings: { productionEnvironments: ["live"] },
    });
    const installation = { id: installationId };
    const merged = pr(5, {
      merged: true,
      merged_at: "2026-11-03T10:00:00Z",
      merge_commit_sha: "a".repeat(40),
    });
    const posts: [string, Record<string, unknown>][] = [
      [
        "pull_request",
        { action: "opened", pull_request: pr(5), repository: repository(githubId), installation },
      ],
      [
        "pull_request",
        { action: "closed", pull_request: merged, repository: repository(githubId), installation },
      ],
      [
        "pull_request",
        { action: "closed", pull_request: pr(6), repository: repository(githubId), installation },
      ],
      [
        "pull_request",
        { action: "labeled", pull_request: pr(5), repository: repository(githubId), installation },
      ],
      [
        "pull_request_review",
        {
          action: "submitted",
          review: {
            id: 77,
            user: { login: "octocat" },
            state: "approved",
            submitted_at: "2026-11-02T12:00:00Z",
          },
          pull_request: { number: 5 },
          repository: repository(githubId),
          installation,
        },
      ],
      ...["live", "staging"].map((environment, i): [string, Record<string, unknown>] => [
        "deployment_status",
        {
          action: "created",
          deployment_status: {
            id: 900 + i,
            state: "success",
            environment,
            created_at: "2026-11-04T10:00:00Z",
          },
          deployment: { id: 800 + i, sha: "b".repeat(40), ref: "main", environment },
          repository: repository(githubId),
          installation,
        },
      ]),
    ];
    const outcomes = [];
    for (const [event, payload] of posts) {
      const res = await postDelivery(server.url, event, payload);
      expect(res.status).toBe(202);
      outcomes.push(res.body.outcome);
    }
    expect(outcomes).toEqual([
      "processed",
      "processed",
      "recorded",
      "ignored",
      "processed",
      "processed",
      "processed",
    ]);
    const events = await eventsOf(repoId);
    expect(events.map((e) => [e.eventType, e.sourceKey])).toEqual([
      ["pr_opened", "pr:5"],
      ["pr_reviewed", "review:77"],
      ["pr_merged", "pr:5"],
      ["deploy", "deploy:800:success"],
      ["deploy", "deploy:801:success"],
    ]);
    const mergedEvent = events.find((e) => e.eventType === "pr_merged");
    expect(mergedEvent?.commitSha).toBe("a".repeat(40));
    expect(mergedEvent?.metadata).toMatchObject({
      authorIsBot: true,
      headBranch: "renovate/x",
      labels: ["deps"],
      mergeCommitSha: "a".repeat(40),
      commits: 2,
    });
    const deploys = events.filter((e) => e.eventType === "deploy").map((e) => e.metadata);
    expect(deploys).toMatchObject([
      { environment: "live", production: true, state: "success" },
      { environment: "staging", production: false, state: "success" },
    ]);
  });
});

describe("installations", () => {
  it("keeps deliveries of an installation not yet linked, and processes them in order once linked", async () => {
    const org = await createOrg(db());
    const installationId = uniqueId();
    const githubId = uniqueId();
    const created = await postDelivery(server.url, "installation", {
      action: "created",
      installation: {
        id: installationId,
        account: { login: "acme", id: 5, type: "Organization" },
        repository_selection: "selected",
      },
      repositories: [{ id: githubId, full_name: "acme/api", private: true }],
    });
    expect(created.body).toMatchObject({ status: "accepted", outcome: "pending_link" });
    const push = await postDelivery(
      server.url,
      "push",
      pushPayload({ installationId, repoGithubId: githubId, commits: 2, fullName: "acme/api" }),
    );
    expect(push.body).toMatchObject({ outcome: "pending_link" });
    const star = await postDelivery(server.url, "star", {
      action: "created",
      installation: { id: installationId },
    });
    expect(star.body).toMatchObject({ outcome: "ignored" });
    const [kept] = await db()
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.deliveryId, push.deliveryId));
    expect(kept?.payload).toMatchObject({ ref: "refs/heads/main" });
    expect(await repoIdByGithubId(db(), githubId)).toBeUndefined();

    const linked = await linkInstallationToOrg(db(), server.queue, null, {
      orgId: org.id,
      installationId,
      actor: { kind: "cli" },
    });
    expect(linked.pendingDeliveries).toBe(2);
    const done = await processPendingDeliveries(db(), server.queue, installationId);
    expect(done).toEqual({ processed: 2, eventsCreated: 3 });
    const repoId = await repoIdByGithubId(db(), githubId);
    expect(repoId).toBeDefined();
    expect(await eventsOf(repoId ?? "")).toHaveLength(2);
    expect(await jobsFor("github-backfill", repoId ?? "")).toBe(1);
    const [after] = await db()
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.deliveryId, push.deliveryId));
    expect(after).toMatchObject({ outcome: "processed", payload: null, orgId: org.id });
  });

  it("stops producing events for suspended and deleted installations, and resumes on unsuspend", async () => {
    const { installationId, githubId, repoId } = await linkedRepo();
    const installation = { id: installationId, account: { login: "acme", id: 5, type: "Organization" } };
    const suspend = await postDelivery(server.url, "installation", { action: "suspend", installation });
    expect(suspend.status).toBe(202);
    const during = await postDelivery(
      server.url,
      "push",
      pushPayload({ installationId, repoGithubId: githubId, commits: 2 }),
    );
    expect(during.body).toMatchObject({ outcome: "ignored", eventsCreated: 0 });
    await postDelivery(server.url, "installation", { action: "unsuspend", installation });
    const after = await postDelivery(
      server.url,
      "push",
      pushPayload({ installationId, repoGithubId: githubId, commits: 1 }),
    );
    expect(after.body).toMatchObject({ outcome: "processed", eventsCreated: 1 });
    await postDelivery(server.url, "installation", { action: "deleted", installation });
    const [row] = await db()
      .select()
      .from(githubInstallations)
      .where(eq(githubInstallations.installationId, installationId));
    expect(row?.deletedAt).toBeInstanceOf(Date);
    const gone = await postDelivery(
      server.url,
      "push",
      pushPayload({ installationId, repoGithubId: githubId, commits: 2 }),
    );
    expect(gone.body).toMatchObject({ outcome: "ignored" });
    expect(await eventsOf(repoId)).toHaveLength(1);
  });

  it("tracks repositories added, removed and renamed", async () => {
    const { installationId, githubId, org } = await linkedRepo();
    const newId = uniqueId();
    const installation = { id: installationId, account: { login: "acme", id: 5, type: "Organization" } };
    await postDelivery(server.url, "installation_repositories", {
      action: "added",
      installation,
      repositories_added: [{ id: newId, full_name: "acme/new", private: false }],
      repositories_removed: [],
    });
    const newRepo = await repoIdByGithubId(db(), newId);
    expect(newRepo).toBeDefined();
    expect(await jobsFor("github-backfill", newRepo ?? "")).toBe(1);
    await postDelivery(server.url, "repository", {
      action: "renamed",
      repository: { id: newId, full_name: "acme/newer" },
      installation,
    });
    await postDelivery(server.url, "installation_repositories", {
      action: "removed",
      installation,
      repositories_added: [],
      repositories_removed: [{ id: githubId, full_name: "x/y" }],
    });
    const rows = await db().execute<{ github_id: number; full_name: string; tracked: boolean }>(
      sql`SELECT github_id::int, full_name, tracked FROM repositories WHERE org_id = ${org.id} ORDER BY full_name`,
    );
    expect(rows.rows.map((r) => [Number(r.github_id), r.full_name, r.tracked])).toEqual([
      [githubId, `acct/repo-${githubId}`, false],
      [newId, "acme/newer", true],
    ]);
    const push = await postDelivery(
      server.url,
      "push",
      pushPayload({ installationId, repoGithubId: githubId, commits: 1 }),
    );
    expect(push.body).toMatchObject({ outcome: "ignored", eventsCreated: 0 });
  });
});

describe("hostile input: each gets its status and writes nothing", () => {
  const url = () => `${server.url}/api/webhooks/github`;
  const json = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
  const headers = (extra: Record<string, string> = {}) => ({
    "content-type": "application/json",
    "x-github-event": "ping",
    "x-github-delivery": randomUUID(),
    ...extra,
  });

  const cases: [string, () => Promise<Response>, number][] = [
    [
      "wrong secret",
      () =>
        fetch(url(), {
          method: "POST",
          headers: headers({ "x-hub-signature-256": signBody("nope", json) }),
          body: json,
        }),
      401,
    ],
    ["missing signature", () => fetch(url(), { method: "POST", headers: headers(), body: json }), 401],
    [
      "truncated signature",
      () =>
        fetch(url(), {
          method: "POST",
          headers: headers({ "x-hub-signature-256": signBody(SECRET, json).slice(0, 40) }),
          body: json,
        }),
      401,
    ],
    [
      "SHA-1 signature only",
      () =>
        fetch(url(), {
          method: "POST",
          headers: headers({ "x-hub-signature": "sha1=0123456789abcdef0123456789abcdef01234567" }),
          body: json,
        }),
      401,
    ],
    [
      "signature of a different body",
      () =>
        fetch(url(), {
          method: "POST",
          headers: headers({ "x-hub-signature-256": signBody(SECRET, `${json} `) }),
          body: json,
        }),
      401,
    ],
    [
      "invalid JSON, correctly signed",
      () =>
        fetch(url(), {
          method: "POST",
          headers: headers({ "x-hub-signature-256": signBody(SECRET, "{nope") }),
          body: "{nope",
        }),
      400,
    ],
    [
      "a JSON array, correctly signed",
      () =>
        fetch(url(), {
          method: "POST",
          headers: headers({ "x-hub-signature-256": signBody(SECRET, "[1]") }),
          body: "[1]",
        }),
      400,
    ],
    [
      "wrong content type",
      () =>
        fetch(url(), {
          method: "POST",
          headers: headers({ "content-type": "text/plain", "x-hub-signature-256": signBody(SECRET, json) }),
          body: json,
        }),
      415,
    ],
    [
      "headers without a body, signed",
      () =>
        fetch(url(), { method: "POST", headers: headers({ "x-hub-signature-256": signBody(SECRET, "") }) }),
      400,
    ],
    ["headers without a body, unsigned", () => fetch(url(), { method: "POST", headers: headers() }), 401],
    [
      "missing X-GitHub-Event",
      () =>
        fetch(url(), {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-github-delivery": randomUUID(),
            "x-hub-signature-256": signBody(SECRET, json),
          },
          body: json,
        }),
      400,
    ],
    [
      "missing X-GitHub-Delivery",
      () =>
        fetch(url(), {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-github-event": "ping",
            "x-hub-signature-256": signBody(SECRET, json),
          },
          body: json,
        }),
      400,
    ],
    [
      "form body without payload=",
      () =>
        fetch(url(), {
          method: "POST",
          headers: headers({
            "content-type": "application/x-www-form-urlencoded",
            "x-hub-signature-256": signBody(SECRET, "x=1"),
          }),
          body: "x=1",
        }),
      400,
    ],
  ];

  for (const [name, send, status] of cases) {
    it(`${name} → ${status}`, async () => {
      const before = await deliveryCount();
      const res = await send();
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ code: expect.any(String) });
      expect(await deliveryCount()).toBe(before);
    });
  }

  it("a body over 25 MB → 413, declared or streamed", async () => {
    const before = await deliveryCount();
    const big = new Uint8Array(25 * 1024 * 1024 + 10).fill(0x20);
    const declared = await fetch(url(), {
      method: "POST",
      headers: headers({ "x-hub-signature-256": signBody(SECRET, big) }),
      body: big,
    });
    expect(declared.status).toBe(413);
    // Chunked, with no Content-Length: counted while read.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 26; i++) controller.enqueue(new Uint8Array(1024 * 1024).fill(0x20));
        controller.close();
      },
    });
    const streamed = await fetch(url(), {
      method: "POST",
      headers: headers({ "x-hub-signature-256": signBody(SECRET, "x") }),
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await deliveryCount()).toBe(before);
  });

  it("50 concurrent posts of the same delivery: exactly one stored, one 202, the rest 200", async () => {
    const { installationId, githubId, repoId } = await linkedRepo();
    const payload = pushPayload({ installationId, repoGithubId: githubId, commits: 3 });
    const deliveryId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => postDelivery(server.url, "push", payload, { deliveryId })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const [stored] = await db()
      .select({ n: count() })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.deliveryId, deliveryId)));
    expect(stored?.n).toBe(1);
    expect(await eventsOf(repoId)).toHaveLength(3);
    expect(await jobsFor("attribute-commit", repoId)).toBe(3);
  });
});

describe("issues labelled as incidents", () => {
  it("turn into an incident of the repository; other issues are only recorded", async () => {
    const { installationId, githubId, repoId, org } = await linkedRepo();
    const issue = (n: number, labels: string[]) => ({
      number: n,
      title: `Checkout is down ${n}`,
      body: "500s on /checkout",
      html_url: `https://github.com/acct/repo/issues/${n}`,
      labels: labels.map((name) => ({ name })),
      created_at: "2026-11-20T10:00:00Z",
      updated_at: "2026-11-20T10:00:00Z",
    });
    const repository = { id: githubId, full_name: `acct/repo-${githubId}`, default_branch: "main" };
    const installation = { id: installationId };
    const labelled = await postDelivery(server.url, "issues", {
      action: "opened",
      issue: issue(1, ["incident", "sev2"]),
      repository,
      installation,
    });
    const plain = await postDelivery(server.url, "issues", {
      action: "opened",
      issue: issue(2, ["bug"]),
      repository,
      installation,
    });
    expect([labelled.body.outcome, plain.body.outcome]).toEqual(["processed", "recorded"]);
    const rows = await db().execute<{ title: string; severity: string; repo_id: string }>(
      sql`SELECT title, severity, repo_id FROM incidents WHERE org_id = ${org.id}`,
    );
    expect(rows.rows).toEqual([{ title: "Checkout is down 1", severity: "sev2", repo_id: repoId }]);
  });

  it("keeps an issue it cannot read as a failed delivery, with its payload, instead of dropping it", async () => {
    const { installationId, githubId, org } = await linkedRepo();
    const payload = {
      action: "opened",
      // No title: the intake cannot open an incident from it.
      issue: { number: 7, labels: [{ name: "incident" }], created_at: "2026-11-20T10:00:00Z" },
      repository: { id: githubId, full_name: `acct/repo-${githubId}`, default_branch: "main" },
      installation: { id: installationId },
    };
    const res = await postDelivery(server.url, "issues", payload);
    expect(res).toMatchObject({ status: 202, body: { outcome: "failed" } });
    const [delivery] = await db()
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.deliveryId, res.deliveryId));
    expect(delivery).toMatchObject({ event: "issues", outcome: "failed", payload });
    const incidents = await db().execute(sql`SELECT id FROM incidents WHERE org_id = ${org.id}`);
    expect(incidents.rows).toEqual([]);
  });
});
