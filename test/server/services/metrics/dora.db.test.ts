import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { type DeploySummary, summarizeDeploys } from "../../../../src/core/metrics/deploys.ts";
import { computeDora } from "../../../../src/core/metrics/dora.ts";
import type { IncidentFact } from "../../../../src/core/metrics/facts.ts";
import { organizations, repositories } from "../../../../src/server/db/schema/index.ts";
import { withTenantTransaction } from "../../../../src/server/http/middleware/tenant.ts";
import { seedDatabase } from "../../../../src/server/seed/index.ts";
import type { ServiceContext } from "../../../../src/server/services/context.ts";
import { dora } from "../../../../src/server/services/metrics/dora.ts";
import {
  loadRepoFacts,
  loadUnassignedIncidents,
} from "../../../../src/server/services/metrics/load-facts.ts";
import { orgSettings } from "../../../../src/server/services/metrics/settings.ts";
import { useTestDatabase } from "../../../helpers/db.ts";
import { addCommit, addDeploy, addIncidentRow, makeOrg, makeRepo, sha } from "../fixtures.ts";

// dora() reads what it needs for every repository in a few set-based queries. Its answers must be
// those of the definition: each repository's facts as loadRepoFacts gives them for the window,
// summarized deploy by deploy, with the organization's unassigned incidents on top.

vi.setConfig({ hookTimeout: 240_000, testTimeout: 120_000 });

const database = useTestDatabase();
const DAY_MS = 86_400_000;

/** DORA the way it is defined: repository by repository, from loadRepoFacts. */
async function referenceDora(ctx: ServiceContext, from: string, to: string, repoId?: string) {
  const start = new Date(`${from}T00:00:00Z`);
  const end = new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS);
  const { aiHeavyThreshold } = await orgSettings(ctx.db, ctx.orgId);
  const repoIds = repoId
    ? [repoId]
    : (
        await ctx.db
          .select({ id: repositories.id })
          .from(repositories)
          .where(eq(repositories.orgId, ctx.orgId))
      ).map((r) => r.id);
  const deploys: DeploySummary[] = [];
  const incidents: IncidentFact[] = [];
  for (const id of repoIds) {
    const facts = await loadRepoFacts(ctx.db, ctx.orgId, id, { start, end });
    deploys.push(
      ...summarizeDeploys(
        facts.deploys,
        facts.commits,
        facts.attributions,
        facts.incidents,
        aiHeavyThreshold,
      ),
    );
    incidents.push(...facts.incidents);
  }
  if (!repoId) incidents.push(...(await loadUnassignedIncidents(ctx.db, ctx.orgId, { start, end })));
  const unique = [...new Map(incidents.map((i) => [i.id, i])).values()];
  return {
    window: { from: start.toISOString(), to: end.toISOString() },
    aiHeavyThreshold,
    ...computeDora(deploys, unique, { from: start.getTime(), to: end.getTime() }, aiHeavyThreshold),
  };
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe("dora", () => {
  beforeAll(async () => {
    await seedDatabase(database().db, { anchor: new Date("2026-11-23T00:00:00Z") });
    // The definition over every window: no plan's history in the way (history-window.db.test.ts).
    await database().db.update(organizations).set({ plan: "enterprise" });
  });

  it("answers as the per-repository definition on the demo data, for every window and scope", async () => {
    const db = database().db;
    const orgs = await db.select({ id: organizations.id }).from(organizations);
    const anchor = Date.parse("2026-11-23T00:00:00Z");
    const windows: Array<[string, string]> = [];
    for (const back of [0, 6, 29, 89, 179, 364, 900])
      windows.push([day(anchor - back * DAY_MS), day(anchor)]);
    for (let k = 0; k < 6; k++) {
      const to = anchor - ((k * 53) % 300) * DAY_MS;
      windows.push([day(to - (3 + k * 17) * DAY_MS), day(to)]);
    }
    let withDeploys = 0;
    for (const org of orgs) {
      const repos = await db
        .select({ id: repositories.id })
        .from(repositories)
        .where(eq(repositories.orgId, org.id));
      for (const [from, to] of windows) {
        for (const repoId of [undefined, ...repos.map((r) => r.id)]) {
          // As the API runs it: inside the tenant transaction, under row-level security.
          const [actual, expected] = await withTenantTransaction(db, org.id, async (tx) => {
            const ctx = { db: tx, orgId: org.id, actor: { kind: "system" as const } };
            return [await dora(ctx, { from, to, repoId }), await referenceDora(ctx, from, to, repoId)];
          });
          expect(actual, JSON.stringify({ org: org.id, repoId, from, to })).toEqual(expected);
          if (actual.all.deploys > 0) withDeploys++;
        }
      }
    }
    // The comparison means something only if the demo data has deploys in most windows.
    expect(withDeploys).toBeGreaterThan(20);
  });

  it("answers as the definition on the edge cases: a SHA seen twice, old links, unassigned incidents", async () => {
    const ctx = await makeOrg(database().db);
    const api = await makeRepo(ctx, "edge/api");
    const quiet = await makeRepo(ctx, "edge/quiet");
    // Before the window: a deploy bounds what the first deploy inside it shipped.
    await addCommit(ctx, api, sha("old"), "2026-03-01T09:00:00Z", [{ tier: "T3_core", added: 10, ai: 10 }]);
    const before = await addDeploy(ctx, api, sha("old"), "2026-03-02T09:00:00Z");
    // A commit seen twice (a re-push): once before that deploy, once after.
    await addCommit(ctx, api, sha("twice"), "2026-03-01T12:00:00Z", [
      { tier: "T4_novel", added: 40, ai: 30, tool: "claude" },
    ]);
    await addCommit(ctx, api, sha("twice"), "2026-04-03T12:00:00Z", [], {});
    await addCommit(ctx, api, sha("new"), "2026-04-04T08:00:00Z", [
      { tier: "T2_glue", added: 20, human: 20 },
      { tier: "T3_core", added: 5, ai: 5, tool: null },
    ]);
    const inside = await addDeploy(ctx, api, sha("new"), "2026-04-05T10:00:00Z");
    await addDeploy(ctx, api, sha("new"), "2026-04-05T11:00:00Z", { production: false });
    await addDeploy(ctx, api, sha("new"), "2026-04-05T12:00:00Z", { state: "failure" });
    // Incidents: one on the deploy inside (started after the window), one on the deploy before
    // (started inside), one without a repository, one in a repository without deploys.
    await addIncidentRow(ctx, api, {
      severity: "sev2",
      startedAt: "2026-04-20T10:00:00Z",
      resolvedAt: "2026-04-20T12:00:00Z",
      deployEventId: inside,
      suspectAiShare: 0.7,
    });
    await addIncidentRow(ctx, api, {
      severity: "sev3",
      startedAt: "2026-04-06T10:00:00Z",
      resolvedAt: "2026-04-06T10:30:00Z",
      deployEventId: before,
      suspectAiShare: 1,
    });
    await ctx.db.execute(sql`
      INSERT INTO incidents (org_id, repo_id, title, severity, status, source, started_at, resolved_at, metadata)
      VALUES (${ctx.orgId}, NULL, 'status page', 'sev1', 'resolved', 'seed', '2026-04-07T10:00:00Z',
              '2026-04-07T11:00:00Z', ${JSON.stringify({ source: "seed", externalUrl: null, service: null, history: [] })}::jsonb)`);
    await addIncidentRow(ctx, quiet, { severity: "sev4", startedAt: "2026-04-08T10:00:00Z" });

    for (const [from, to] of [
      ["2026-04-01", "2026-04-10"],
      ["2026-04-05", "2026-04-05"],
      ["2026-03-01", "2026-04-30"],
      ["2026-04-06", "2026-04-30"],
      ["2026-01-01", "2026-02-01"],
    ] as const) {
      for (const repoId of [undefined, api, quiet]) {
        const actual = await dora(ctx, { from, to, repoId });
        expect(actual, JSON.stringify({ repoId, from, to })).toEqual(
          await referenceDora(ctx, from, to, repoId),
        );
      }
    }
    const april = await dora(ctx, { from: "2026-04-01", to: "2026-04-10" });
    // The deploy inside shipped "twice" (as seen after the deploy before it) and "new": 35 of 65
    // lines by AI, so AI-heavy; its incident makes it failed though it started after the window.
    expect(april.aiHeavy).toMatchObject({ deploys: 1, failedDeploys: 1, leadTimeSamples: 2 });
    expect(april.all).toMatchObject({ deploys: 1, restoreSamples: 2 });
  });
});
