import { beforeAll, describe, expect, it } from "vitest";
import { rebuildAll } from "../../../../../src/server/services/metrics/roll-up.ts";
import { bearer, buildApp, call, makeKey, makeOrg, type TestApp } from "../../../../api/helpers.ts";
import { useTestDatabase } from "../../../../helpers/db.ts";
import { addCommit, addDeploy, makeRepo, sha } from "../../../services/fixtures.ts";

const database = useTestDatabase();
let app: TestApp;
beforeAll(() => {
  app = buildApp(database());
});

async function setup() {
  const db = database().db;
  const org = await makeOrg(db);
  const ctx = { db, orgId: org.id, actor: { kind: "system" as const } };
  const repoId = await makeRepo(ctx, "acme/shop");
  await addCommit(ctx, repoId, sha("r1"), "2026-09-01T09:00:00Z", [
    { tier: "T3_core", added: 10, ai: 8, human: 2, tool: "claude" },
  ]);
  await addDeploy(ctx, repoId, sha("r1"), "2026-09-01T12:00:00Z");
  const writer = bearer((await makeKey(db, org.id, ["incidents:write"])).key);
  const reader = bearer((await makeKey(db, org.id, ["metrics:read"])).key);
  return { ctx, repoId, writer, reader };
}

describe("/api/v1/incidents", () => {
  it("opens, lists, shows and updates an incident", async () => {
    const { repoId, writer, reader } = await setup();
    const created = await call(app, "POST", "/api/v1/incidents", {
      headers: writer,
      body: {
        title: "Checkout down",
        severity: "sev1",
        repositoryId: repoId,
        startedAt: "2026-09-01T13:00:00Z",
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: "investigating",
      linkMethod: "inferred",
      suspectAiShare: 0.8,
      deploySha: sha("r1"),
    });
    const id = (created.body as { id: string }).id;

    const listed = await call(app, "GET", `/api/v1/incidents?repositoryId=${repoId}`, { headers: reader });
    expect(listed).toMatchObject({ status: 200, body: { items: [{ id }], nextCursor: null } });

    const bad = await call(app, "PATCH", `/api/v1/incidents/${id}`, {
      headers: writer,
      body: { status: "resolved", severity: "sev7" },
    });
    expect(bad).toMatchObject({ status: 400, body: { code: "bad_request", details: { field: "severity" } } });
    const unknownStatus = await call(app, "PATCH", `/api/v1/incidents/${id}`, {
      headers: writer,
      body: { status: "closed" },
    });
    expect(unknownStatus).toMatchObject({ status: 400, body: { details: { field: "status" } } });

    const resolved = await call(app, "PATCH", `/api/v1/incidents/${id}`, {
      headers: writer,
      body: { status: "resolved" },
    });
    expect(resolved).toMatchObject({ status: 200, body: { status: "resolved" } });
    const backwards = await call(app, "PATCH", `/api/v1/incidents/${id}`, {
      headers: writer,
      body: { status: "identified" },
    });
    expect(backwards.status).toBe(400);
    expect((backwards.body as { message: string }).message).toMatch(/from resolved to identified/);

    const detail = await call(app, "GET", `/api/v1/incidents/${id}`, { headers: reader });
    expect(detail).toMatchObject({
      status: 200,
      body: {
        timeline: [{ status: "investigating" }, { status: "resolved" }],
        deploy: { sha: sha("r1") },
        commits: [{ sha: sha("r1"), aiLines: 8 }],
      },
    });
  });

  it("refuses writes to a key without incidents:write", async () => {
    const { reader } = await setup();
    const response = await call(app, "POST", "/api/v1/incidents", {
      headers: reader,
      body: { title: "x", severity: "sev1" },
    });
    expect(response.status).toBe(403);
  });
});

describe("/api/v1/metrics", () => {
  it("serves the series, DORA and the repository ranking", async () => {
    const { ctx, reader } = await setup();
    await rebuildAll(ctx);
    const series = await call(app, "GET", "/api/v1/metrics?period=week&from=2026-08-31&to=2026-09-06", {
      headers: reader,
    });
    expect(series).toMatchObject({
      status: 200,
      body: { period: "week", series: [{ date: "2026-08-31", linesAdded: 10, aiLinesAdded: 8, deploys: 1 }] },
    });
    const dora = await call(app, "GET", "/api/v1/metrics/dora?from=2026-09-01&to=2026-09-07", {
      headers: reader,
    });
    expect(dora).toMatchObject({
      status: 200,
      body: {
        aiHeavyThreshold: 0.5,
        aiHeavy: { deploys: 1, leadTimeSamples: 1, leadTimeMedianSeconds: 10_800 },
        other: { deploys: 0 },
      },
    });
    const ranking = await call(app, "GET", "/api/v1/metrics/repositories?from=2026-09-01&to=2026-09-30", {
      headers: reader,
    });
    expect(ranking).toMatchObject({
      status: 200,
      body: { items: [{ fullName: "acme/shop", t3t4AiShare: 0.8 }] },
    });
    const malformed = await call(app, "GET", "/api/v1/metrics?period=week&from=2026-9-1&to=2026-09-06", {
      headers: reader,
    });
    expect(malformed.status).toBe(400);
  });
});
