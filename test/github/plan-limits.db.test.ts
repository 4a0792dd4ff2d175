import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, codeEvents, repositories } from "../../src/server/db/schema/index.ts";
import { linkInstallationToOrg } from "../../src/server/github/link-installation.ts";
import { processPendingDeliveries } from "../../src/server/github/receive-delivery.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { makeKey } from "../api/helpers.ts";
import { useTestDatabase } from "../helpers/db.ts";
import {
  createInstallation,
  createOrg,
  createRepository,
  postDelivery,
  pushPayload,
  uniqueId,
  webhookServerEnv,
} from "./helpers.ts";

// The free plan tracks 3 repositories. Whatever adds them — an installation's repository list,
// repositories added to it later, a push from an "all repositories" installation — tracking
// starts only while there is room; the rest are recorded, not tracked, and say why.

const database = useTestDatabase();
let server: RunningServer;
const db = () => database().db;

beforeAll(async () => {
  const env = webhookServerEnv();
  server = await startServer(env, { handle: database() });
});

afterAll(async () => {
  await server?.stop();
});

async function reposOf(orgId: string) {
  const rows = await db()
    .select({
      id: repositories.id,
      githubId: repositories.githubId,
      fullName: repositories.fullName,
      tracked: repositories.tracked,
    })
    .from(repositories)
    .where(eq(repositories.orgId, orgId))
    .orderBy(repositories.fullName);
  return rows;
}

async function backfillJobs(repoId: string): Promise<number> {
  const result = await db().execute<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'github-backfill' AND data->>'repoId' = ${repoId}`,
  );
  return Number(result.rows[0]?.n ?? 0);
}

const installationOf = (id: number) => ({ id, account: { login: "acme", id: 5, type: "Organization" } });
const repoPayloads = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({ id: uniqueId(), full_name: `acme/${prefix}-${i}`, private: true }));

describe("the plan's repository limit when GitHub adds repositories", () => {
  it("tracks repositories added to an installation up to the free plan's 3; the others are recorded, untracked, with the reason", async () => {
    const org = await createOrg(db());
    const installationId = uniqueId();
    await createInstallation(db(), installationId, org.id);
    const added = repoPayloads(5, "added");
    const res = await postDelivery(server.url, "installation_repositories", {
      action: "added",
      installation: installationOf(installationId),
      repositories_added: added,
      repositories_removed: [],
    });
    expect(res.status).toBe(202);

    const rows = await reposOf(org.id);
    expect(rows.map((r) => [r.fullName, r.tracked])).toEqual([
      ["acme/added-0", true],
      ["acme/added-1", true],
      ["acme/added-2", true],
      ["acme/added-3", false],
      ["acme/added-4", false],
    ]);
    for (const r of rows) expect(await backfillJobs(r.id), r.fullName).toBe(r.tracked ? 1 : 0);

    // No events for a repository beyond the limit.
    const beyond = added[4];
    const push = await postDelivery(
      server.url,
      "push",
      pushPayload({ installationId, repoGithubId: beyond?.id ?? 0, fullName: beyond?.full_name, commits: 2 }),
    );
    expect(push.body).toMatchObject({ outcome: "ignored", eventsCreated: 0 });
    const untrackedIds = rows.filter((r) => !r.tracked).map((r) => r.id);
    for (const id of untrackedIds)
      expect(await db().select().from(codeEvents).where(eq(codeEvents.repoId, id))).toEqual([]);

    // Why: in the audit log, and on the repository itself.
    const audit = await db()
      .select({ target: auditLog.target, actor: auditLog.actor, details: auditLog.details })
      .from(auditLog)
      .where(and(eq(auditLog.orgId, org.id), eq(auditLog.action, "repository.not_tracked")));
    expect(audit.map((a) => a.target).sort()).toEqual(untrackedIds.map((id) => `repository:${id}`).sort());
    expect(audit[0]).toMatchObject({
      actor: "webhook:github",
      details: { reason: "plan_limit", plan: "free", allowed: 3 },
    });
    const { key } = await makeKey(db(), org.id, ["admin"]);
    const listed = (await (
      await fetch(`${server.url}/api/v1/repositories`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as { items: Array<{ fullName: string; tracked: boolean; untrackedReason: string | null }> };
    expect(listed.items.map((r) => [r.fullName, r.tracked, r.untrackedReason])).toEqual([
      ["acme/added-0", true, null],
      ["acme/added-1", true, null],
      ["acme/added-2", true, null],
      ["acme/added-3", false, "plan_limit"],
      ["acme/added-4", false, "plan_limit"],
    ]);

    // A place freed by a removal is taken by the next repository GitHub adds again.
    await postDelivery(server.url, "installation_repositories", {
      action: "removed",
      installation: installationOf(installationId),
      repositories_added: [],
      repositories_removed: [{ id: added[0]?.id, full_name: added[0]?.full_name }],
    });
    await postDelivery(server.url, "installation_repositories", {
      action: "added",
      installation: installationOf(installationId),
      repositories_added: [added[3], added[4]],
      repositories_removed: [],
    });
    expect((await reposOf(org.id)).map((r) => [r.fullName, r.tracked])).toEqual([
      ["acme/added-0", false],
      ["acme/added-1", true],
      ["acme/added-2", true],
      ["acme/added-3", true],
      ["acme/added-4", false],
    ]);
  });

  it("counts repositories already tracked when a new installation's list arrives, and when an unlisted repository pushes", async () => {
    const org = await createOrg(db());
    const first = uniqueId();
    await createInstallation(db(), first, org.id);
    await createRepository(db(), org.id, first, uniqueId(), { fullName: "acme/old-0" });
    await createRepository(db(), org.id, first, uniqueId(), { fullName: "acme/old-1" });

    // A second installation, created before anyone linked it: its list waits for the link.
    const installationId = uniqueId();
    const listed = repoPayloads(3, "new");
    const created = await postDelivery(server.url, "installation", {
      action: "created",
      installation: { ...installationOf(installationId), repository_selection: "all" },
      repositories: listed,
    });
    expect(created.body).toMatchObject({ outcome: "pending_link" });
    await linkInstallationToOrg(db(), server.queue, null, {
      orgId: org.id,
      installationId,
      actor: { kind: "cli" },
    });
    await processPendingDeliveries(db(), server.queue, installationId);
    expect((await reposOf(org.id)).map((r) => [r.fullName, r.tracked])).toEqual([
      ["acme/new-0", true],
      ["acme/new-1", false],
      ["acme/new-2", false],
      ["acme/old-0", true],
      ["acme/old-1", true],
    ]);

    // An "all repositories" installation pushes from a repository we have not met: recorded, not tracked.
    const unseen = uniqueId();
    const push = await postDelivery(
      server.url,
      "push",
      pushPayload({ installationId, repoGithubId: unseen, fullName: "acme/unseen", commits: 1 }),
    );
    expect(push.body).toMatchObject({ outcome: "ignored", eventsCreated: 0 });
    const row = (await reposOf(org.id)).find((r) => r.githubId === unseen);
    expect(row).toMatchObject({ fullName: "acme/unseen", tracked: false });
    expect(await backfillJobs(row?.id ?? "")).toBe(0);
  });
});
