import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { pullRequestChecks } from "../../src/server/db/schema/index.ts";
import { createApp } from "../../src/server/http/app.ts";
import { type Queue, startQueue } from "../../src/server/jobs/queue.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { bearer, call, session, TEST_ENV, type TestApp } from "./helpers.ts";
import { makeTenant, type Tenant } from "./tenants.ts";

// Pull request policies through the settings API: who may set them, what is refused (malformed,
// oversized, hostile globs), the per-repository override, and the re-run of open PRs' checks that
// a change asks for, once it has committed.

vi.setConfig({ hookTimeout: 240_000, testTimeout: 120_000 });

const db = useTestDatabase();
let app: TestApp;
let queue: Queue;
let A: Tenant;
let B: Tenant;

const POLICIES = {
  sensitivePaths: ["src/payments/**"],
  policies: [{ kind: "codeowner-review", tiers: ["T4"] }],
};

beforeAll(async () => {
  queue = await startQueue(db(), { supervise: false });
  app = createApp({ handle: db(), env: TEST_ENV, queue, github: null });
  A = await makeTenant(app, db().db, ["admin", "member", "viewer"]);
  B = await makeTenant(app, db().db, ["admin"]);
});

afterAll(async () => {
  await queue?.stop();
});

const asRole = (t: Tenant, role: "admin" | "member" | "viewer") => session(t.people[role].cookie, t.org.slug);

async function openCheck(t: Tenant, repoId: string, number: number): Promise<string> {
  const headSha = randomUUID().replaceAll("-", "").padEnd(40, "b").slice(0, 40);
  await db().db.insert(pullRequestChecks).values({
    orgId: t.org.id,
    repoId,
    prNumber: number,
    headSha,
    baseRef: "main",
    status: "completed",
    conclusion: "neutral",
  });
  return headSha;
}

async function reevaluations(
  orgId: string,
): Promise<Array<{ repoId: string; number: number; headSha: string }>> {
  const { rows } = await db().db.execute<{
    data: { repoId: string; number: number; headSha: string; reevaluate: boolean };
  }>(sql`SELECT data FROM pgboss.job WHERE name = 'github-pull-request-check' AND data->>'orgId' = ${orgId}`);
  return rows
    .filter((r) => r.data.reevaluate)
    .map(({ data }) => ({ repoId: data.repoId, number: data.number, headSha: data.headSha }))
    .sort((a, b) => a.number - b.number);
}

describe("pull request policies in the settings API", () => {
  it("an admin sets them; the open PRs' checks are run again, after the commit", async () => {
    const head = await openCheck(A, A.repoId, 41);
    const res = await call(app, "PATCH", "/api/v1/organization/settings", {
      headers: asRole(A, "admin"),
      body: { pullRequestPolicies: POLICIES },
    });
    expect(res.status).toBe(200);
    expect((res.body as { settings: { pullRequestPolicies: unknown } }).settings.pullRequestPolicies).toEqual(
      {
        sensitivePaths: ["src/payments/**"],
        policies: [{ kind: "codeowner-review", tiers: ["T4_novel"], conclusion: "failure" }],
      },
    );
    expect(await reevaluations(A.org.id)).toEqual([{ repoId: A.repoId, number: 41, headSha: head }]);
    // The same policies again change nothing and re-run nothing.
    await call(app, "PATCH", "/api/v1/organization/settings", {
      headers: asRole(A, "admin"),
      body: { pullRequestPolicies: POLICIES },
    });
    expect(await reevaluations(A.org.id)).toHaveLength(1);
    // Another organization's policies and PRs are untouched.
    const other = await call(app, "GET", "/api/v1/organization", { headers: asRole(B, "admin") });
    expect(
      (other.body as { settings: { pullRequestPolicies?: unknown } }).settings.pullRequestPolicies ?? null,
    ).toBeNull();
    expect(await reevaluations(B.org.id)).toEqual([]);
  });

  it("members, viewers and narrow API keys cannot change them", async () => {
    for (const headers of [
      asRole(A, "member"),
      asRole(A, "viewer"),
      bearer(A.scopeKeys["attributions:read"]),
    ]) {
      const res = await call(app, "PATCH", "/api/v1/organization/settings", {
        headers,
        body: { pullRequestPolicies: null },
      });
      expect(res.status).toBe(403);
    }
    const after = await call(app, "GET", "/api/v1/organization", { headers: asRole(A, "viewer") });
    expect(
      (after.body as { settings: { pullRequestPolicies: unknown } }).settings.pullRequestPolicies,
    ).not.toBeNull();
  });

  it("refuses malformed, oversized and hostile documents, naming the field, changing nothing", async () => {
    const bad: unknown[] = [
      { policies: [{ kind: "no-such-policy" }] },
      { policies: [{ kind: "ai-lines-in-paths", paths: ["[z-a]"], maxAiLines: 1 }] },
      { policies: [{ kind: "ai-lines-in-paths", paths: ["x".repeat(501)], maxAiLines: 1 }] },
      { policies: [{ kind: "evidence-required", minLines: -5 }] },
      { policies: Array.from({ length: 51 }, () => ({ kind: "evidence-required", minLines: 1 })) },
      { sensitivePaths: "src/**" },
      { policies: [], extra: true },
    ];
    for (const pullRequestPolicies of bad) {
      const res = await call(app, "PATCH", "/api/v1/organization/settings", {
        headers: asRole(A, "admin"),
        body: { pullRequestPolicies },
      });
      expect(res.status, JSON.stringify(pullRequestPolicies).slice(0, 80)).toBe(400);
      expect(JSON.stringify(res.body)).toContain("pullRequestPolicies");
    }
    const huge = await call(app, "PATCH", "/api/v1/organization/settings", {
      headers: asRole(A, "admin"),
      rawBody: JSON.stringify({
        pullRequestPolicies: { sensitivePaths: [], policies: [], pad: "x".repeat(2_000_000) },
      }),
    });
    expect([400, 413]).toContain(huge.status);
    const after = await call(app, "GET", "/api/v1/organization", { headers: asRole(A, "admin") });
    expect(
      (after.body as { settings: { pullRequestPolicies: { policies: unknown[] } } }).settings
        .pullRequestPolicies.policies,
    ).toHaveLength(1);
  });

  it("a repository's own policies override the organization's and re-run only its PRs", async () => {
    const otherRepo = randomUUID();
    await db().db.execute(sql`INSERT INTO repositories (id, org_id, installation_id, full_name)
      VALUES (${otherRepo}, ${A.org.id}, ${A.installationId}, ${`acme-${otherRepo.slice(0, 8)}/web`})`);
    const otherHead = await openCheck(A, otherRepo, 42);
    const before = (await reevaluations(A.org.id)).length;
    const res = await call(app, "PATCH", `/api/v1/repositories/${otherRepo}/settings`, {
      headers: asRole(A, "admin"),
      body: { pullRequestPolicies: { policies: [{ kind: "evidence-required", minLines: 10 }] } },
    });
    expect(res.status).toBe(200);
    const after = await reevaluations(A.org.id);
    expect(after).toHaveLength(before + 1);
    expect(after).toContainEqual({ repoId: otherRepo, number: 42, headSha: otherHead });
    // An organization change now re-runs the other repository's PR only, not the overriding one's.
    await call(app, "PATCH", "/api/v1/organization/settings", {
      headers: asRole(A, "admin"),
      body: { pullRequestPolicies: { policies: [{ kind: "evidence-required", minLines: 99 }] } },
    });
    const count = (jobs: Array<{ repoId: string }>, repoId: string) =>
      jobs.filter((j) => j.repoId === repoId).length;
    const last = await reevaluations(A.org.id);
    expect(count(last, A.repoId)).toBe(count(after, A.repoId) + 1);
    expect(count(last, otherRepo)).toBe(count(after, otherRepo));
    // Another organization's admin cannot touch this repository.
    const cross = await call(app, "PATCH", `/api/v1/repositories/${otherRepo}/settings`, {
      headers: asRole(B, "admin"),
      body: { pullRequestPolicies: null },
    });
    expect(cross.status).toBe(404);
  });
});
