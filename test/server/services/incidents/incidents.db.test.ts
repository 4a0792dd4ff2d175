import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { codeEvents, repoMetricsPending } from "../../../../src/server/db/schema/index.ts";
import { AfterCommit, type WriteContext } from "../../../../src/server/services/after-commit.ts";
import type { ServiceContext } from "../../../../src/server/services/context.ts";
import { incidentFromGithubIssue } from "../../../../src/server/services/incidents/github-issue.ts";
import { getIncidentDetail, listIncidents } from "../../../../src/server/services/incidents/read.ts";
import {
  createIncident,
  relinkIncident,
  updateIncident,
} from "../../../../src/server/services/incidents/write.ts";
import { rebuildAll } from "../../../../src/server/services/metrics/roll-up.ts";
import { useTestDatabase } from "../../../helpers/db.ts";
import { addCommit, addDeploy, makeOrg, makeRepo, metricRows, sha } from "../fixtures.ts";

const database = useTestDatabase();
const user = (ctx: ServiceContext): WriteContext => ({
  ...ctx,
  actor: { kind: "user", userId: "u1", role: "member" },
  afterCommit: new AfterCommit(),
});

/** Two production deploys: d1 ships c1 (all AI, core code), d2 ships c2+c3 (a quarter AI). */
async function deployedRepo() {
  const ctx = user(await makeOrg(database().db));
  const repoId = await makeRepo(ctx, "acme/shop");
  await addCommit(ctx, repoId, sha("c1"), "2026-07-01T09:00:00Z", [
    { path: "src/pay.ts", tier: "T4_novel", added: 40, ai: 40, tool: "claude" },
  ]);
  const d1 = await addDeploy(ctx, repoId, sha("c1"), "2026-07-01T12:00:00Z");
  await addCommit(ctx, repoId, sha("c2"), "2026-07-02T09:00:00Z", [
    { path: "src/cart.ts", tier: "T3_core", added: 60, ai: 20, human: 40, tool: "copilot" },
    { path: "README.md", tier: "T1_boilerplate", added: 20, human: 20 },
  ]);
  await addCommit(ctx, repoId, sha("c3"), "2026-07-02T10:00:00Z", [
    { path: "src/ui.ts", tier: "T2_glue", added: 0, deleted: 5 },
  ]);
  const d2 = await addDeploy(ctx, repoId, sha("c3"), "2026-07-02T12:00:00Z");
  return { ctx, repoId, d1, d2 };
}

async function incidentEvents(ctx: ServiceContext, incidentId: string) {
  const rows = await ctx.db
    .select({ sourceKey: codeEvents.sourceKey, metadata: codeEvents.metadata })
    .from(codeEvents)
    .where(
      and(
        eq(codeEvents.orgId, ctx.orgId),
        eq(codeEvents.eventType, "incident"),
        sql`${codeEvents.metadata}->>'incidentId' = ${incidentId}`,
      ),
    )
    .orderBy(codeEvents.timestamp, codeEvents.sourceKey);
  return rows;
}

describe("incident linking", () => {
  it("infers the last successful production deploy before the incident and records its AI share", async () => {
    const { ctx, repoId, d2 } = await deployedRepo();
    const { incident } = await createIncident(ctx, {
      title: "Checkout 500s",
      severity: "sev1",
      repositoryId: repoId,
      startedAt: "2026-07-02T13:00:00Z",
    });
    expect(incident).toMatchObject({
      status: "investigating",
      source: "api",
      deployEventId: d2,
      deploySha: sha("c3"),
      commitSha: null,
      linkMethod: "inferred",
      suspectLinesAdded: 80,
      suspectAiShare: 0.25,
      suspectAiLinesT3T4: 20,
    });
  });

  it("uses the deploy or commit the reporter names", async () => {
    const { ctx, repoId, d1, d2 } = await deployedRepo();
    const byDeploy = await createIncident(ctx, {
      title: "a",
      severity: "sev2",
      repositoryId: repoId,
      startedAt: "2026-07-03T00:00:00Z",
      deploySha: sha("c1"),
    });
    expect(byDeploy.incident).toMatchObject({
      deployEventId: d1,
      linkMethod: "explicit",
      suspectAiShare: 1,
      suspectAiLinesT3T4: 40,
    });
    const byCommit = await createIncident(ctx, {
      title: "b",
      severity: "sev2",
      repositoryId: repoId,
      startedAt: "2026-07-03T00:00:00Z",
      commitSha: sha("c2"),
    });
    expect(byCommit.incident).toMatchObject({
      deployEventId: d2,
      commitSha: sha("c2"),
      linkMethod: "explicit",
      suspectLinesAdded: 80,
      suspectAiShare: 0.25,
    });
    await expect(
      createIncident(ctx, { title: "c", severity: "sev2", repositoryId: repoId, deploySha: sha("nope") }),
    ).rejects.toMatchObject({
      code: "bad_request",
      details: { field: "deploySha" },
    });
  });

  it("leaves an incident before any deploy, or without a repository, unlinked", async () => {
    const { ctx, repoId } = await deployedRepo();
    const early = await createIncident(ctx, {
      title: "early",
      severity: "sev4",
      repositoryId: repoId,
      startedAt: "2026-06-01T00:00:00Z",
    });
    expect(early.incident).toMatchObject({ deployEventId: null, linkMethod: null, suspectAiShare: null });
    const orphan = await createIncident(ctx, { title: "orphan", severity: "sev4" });
    expect(orphan.incident).toMatchObject({ repositoryId: null, linkMethod: null });
  });

  it("re-links idempotently, and picks up a deploy recorded late", async () => {
    const { ctx, repoId } = await deployedRepo();
    const { incident } = await createIncident(ctx, {
      title: "x",
      severity: "sev2",
      repositoryId: repoId,
      startedAt: "2026-07-05T00:00:00Z",
    });
    expect((await relinkIncident(ctx, incident.id)).changed).toBe(false);
    expect(await incidentEvents(ctx, incident.id)).toHaveLength(1);
    const late = await addDeploy(ctx, repoId, sha("c3"), "2026-07-04T00:00:00Z");
    const relinked = await relinkIncident(ctx, incident.id);
    expect(relinked).toMatchObject({
      changed: true,
      incident: { deployEventId: late, suspectLinesAdded: 0, suspectAiShare: null },
    });
    expect((await relinkIncident(ctx, incident.id)).changed).toBe(false);
    expect(
      (await incidentEvents(ctx, incident.id)).map((e) => (e.metadata as { change: string }).change),
    ).toEqual(["opened", "linked"]);
  });
});

describe("incident lifecycle", () => {
  it("moves investigating → identified → resolved, reopens, and writes one incident event per change", async () => {
    const { ctx, repoId } = await deployedRepo();
    const { incident } = await createIncident(ctx, {
      title: "Slow",
      severity: "sev3",
      repositoryId: repoId,
      startedAt: "2026-07-02T13:00:00Z",
    });
    await updateIncident(
      ctx,
      incident.id,
      { status: "identified" },
      { at: new Date("2026-07-02T13:30:00Z") },
    );
    await updateIncident(ctx, incident.id, { status: "resolved" }, { at: new Date("2026-07-02T14:00:00Z") });
    // The same update again changes nothing and writes nothing.
    expect((await updateIncident(ctx, incident.id, { status: "resolved" })).changed).toBe(false);
    const reopened = await updateIncident(
      ctx,
      incident.id,
      { status: "investigating" },
      { at: new Date("2026-07-02T15:00:00Z") },
    );
    expect(reopened.incident).toMatchObject({
      status: "investigating",
      resolvedAt: null,
      identifiedAt: "2026-07-02T13:30:00.000Z",
    });
    await updateIncident(
      ctx,
      incident.id,
      { status: "resolved", severity: "sev2" },
      { at: new Date("2026-07-02T16:00:00Z") },
    );

    const events = await incidentEvents(ctx, incident.id);
    expect(
      events.map((e) => [
        e.sourceKey,
        (e.metadata as { change: string }).change,
        (e.metadata as { status: string }).status,
      ]),
    ).toEqual([
      [`incident:${incident.id}:1`, "opened", "investigating"],
      [`incident:${incident.id}:2`, "status_changed", "identified"],
      [`incident:${incident.id}:3`, "status_changed", "resolved"],
      [`incident:${incident.id}:4`, "reopened", "investigating"],
      [`incident:${incident.id}:5`, "status_changed", "resolved"],
    ]);
    const detail = await getIncidentDetail(ctx, incident.id);
    expect(detail.timeline.map((h) => h.status)).toEqual([
      "investigating",
      "identified",
      "resolved",
      "investigating",
      "resolved",
    ]);
    expect(detail).toMatchObject({ severity: "sev2", resolvedAt: "2026-07-02T16:00:00.000Z" });
    // Time to restore runs from the start to the final resolution: 3 hours.
    await rebuildAll(ctx);
    const day = (await metricRows(ctx, repoId)).find((r) => r.period === "day" && r.date === "2026-07-02");
    expect(day).toMatchObject({
      incidentsOpened: 1,
      medianTimeToRestoreSeconds: 10_800,
      failedDeploys: 1,
      changeFailureRate: 1,
    });
  });

  it("refuses bad transitions, naming them, and changes nothing", async () => {
    const { ctx, repoId } = await deployedRepo();
    const { incident } = await createIncident(ctx, {
      title: "t",
      severity: "sev3",
      repositoryId: repoId,
      startedAt: "2026-07-02T13:00:00Z",
    });
    await updateIncident(ctx, incident.id, { status: "identified" });
    await expect(
      updateIncident(ctx, incident.id, { status: "investigating", title: "changed" }),
    ).rejects.toMatchObject({
      code: "bad_request",
      message: expect.stringMatching(/from identified to investigating/),
    });
    const detail = await getIncidentDetail(ctx, incident.id);
    expect(detail).toMatchObject({ title: "t", status: "identified", severity: "sev3" });
    expect(await incidentEvents(ctx, incident.id)).toHaveLength(2);
  });

  it("marks the incident's and its deploy's metrics stale in the same transaction", async () => {
    const { ctx, repoId } = await deployedRepo();
    await createIncident(ctx, {
      title: "t",
      severity: "sev3",
      repositoryId: repoId,
      startedAt: "2026-07-09T13:00:00Z",
    });
    const pending = await ctx.db
      .select()
      .from(repoMetricsPending)
      .where(eq(repoMetricsPending.repoId, repoId));
    expect(
      pending
        .filter((p) => p.period === "day")
        .map((p) => p.date)
        .sort(),
    ).toEqual(["2026-07-02", "2026-07-09"]);
    // And asks for the repository's roll-up once the caller commits.
    expect(ctx.afterCommit.keys).toEqual([`metrics-roll-up:${repoId}`]);
  });

  it("shows the path from incident to deploy, commits and AI-written files", async () => {
    const { ctx, repoId, d2 } = await deployedRepo();
    const { incident } = await createIncident(ctx, {
      title: "x",
      severity: "sev1",
      repositoryId: repoId,
      startedAt: "2026-07-02T13:00:00Z",
    });
    const detail = await getIncidentDetail(ctx, incident.id);
    expect(detail.deploy).toEqual({
      id: d2,
      sha: sha("c3"),
      timestamp: "2026-07-02T12:00:00.000Z",
      environment: "production",
    });
    expect(detail.commits.map((c) => [c.sha, c.linesAdded, c.aiLines])).toEqual([
      [sha("c2"), 80, 20],
      [sha("c3"), 0, 0],
    ]);
    expect(detail.commits[0]?.files[0]).toEqual({
      filePath: "src/cart.ts",
      riskTier: "T3_core",
      aiConfidence: expect.any(Number),
      aiLines: 20,
    });
    const other = await makeOrg(database().db);
    await expect(getIncidentDetail(other, incident.id)).rejects.toMatchObject({ code: "not_found" });
  });

  it("lists incidents newest first, filtered, page by page", async () => {
    const { ctx, repoId } = await deployedRepo();
    for (const day of ["01", "02", "03"]) {
      await createIncident(ctx, {
        title: day,
        severity: "sev4",
        repositoryId: repoId,
        startedAt: `2026-08-${day}T00:00:00Z`,
      });
    }
    const first = await listIncidents(ctx, { limit: 2 });
    expect(first.items.map((i) => i.title)).toEqual(["03", "02"]);
    const second = await listIncidents(ctx, { limit: 2, cursor: first.nextCursor ?? "" });
    expect(second).toMatchObject({ items: [{ title: "01" }], nextCursor: null });
    expect((await listIncidents(ctx, { status: "resolved" })).items).toEqual([]);
    await expect(listIncidents(ctx, { cursor: "garbage" })).rejects.toMatchObject({ code: "bad_request" });
  });
});

describe("incidents from GitHub issues", () => {
  const issue = (action: string, labels: string[], extra: Record<string, unknown> = {}) => ({
    action,
    issue: {
      number: 42,
      title: "Payments down",
      body: "help",
      htmlUrl: "https://github.com/acme/shop/issues/42",
      labels,
      createdAt: "2026-07-02T13:00:00Z",
      ...extra,
    },
  });

  it("opens on the configured label, resolves on close, reopens, and ignores redeliveries", async () => {
    const { ctx, repoId } = await deployedRepo();
    await ctx.db.execute(
      sql`UPDATE organizations SET settings = '{"incidentLabel":"prod-incident"}' WHERE id = ${ctx.orgId}`,
    );
    expect((await incidentFromGithubIssue(ctx, { repoId, ...issue("opened", ["incident"]) })).outcome).toBe(
      "ignored",
    );
    const opened = await incidentFromGithubIssue(ctx, {
      repoId,
      ...issue("labeled", ["Prod-Incident", "sev2"]),
    });
    expect(opened).toMatchObject({
      outcome: "created",
      incident: { source: "github_issue", severity: "sev2", linkMethod: "inferred" },
    });
    expect(
      (await incidentFromGithubIssue(ctx, { repoId, ...issue("labeled", ["prod-incident", "sev2"]) }))
        .outcome,
    ).toBe("unchanged");
    const closed = await incidentFromGithubIssue(ctx, {
      repoId,
      ...issue("closed", ["prod-incident"], { closedAt: "2026-07-02T15:00:00Z" }),
    });
    expect(closed).toMatchObject({
      outcome: "updated",
      incident: { status: "resolved", resolvedAt: "2026-07-02T15:00:00.000Z" },
    });
    expect(
      (await incidentFromGithubIssue(ctx, { repoId, ...issue("closed", ["prod-incident"]) })).outcome,
    ).toBe("unchanged");
    const reopened = await incidentFromGithubIssue(ctx, { repoId, ...issue("reopened", ["prod-incident"]) });
    expect(reopened).toMatchObject({ outcome: "updated", incident: { status: "investigating" } });
    expect((await listIncidents(ctx, {})).items).toHaveLength(1);
  });
});
