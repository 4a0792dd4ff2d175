import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { noQueue } from "../../src/server/jobs/queue.ts";
import { handleTrainModel } from "../../src/server/workers/train-model.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { bearer, buildApp, call, session, type TestApp } from "./helpers.ts";
import { makeTenant, type Tenant } from "./tenants.ts";

// "Train model" from the product: only admins (and owners, and admin keys) may queue a training;
// anyone who reads attributions may see the model's status; the request and the worker's outcome
// show in that status, and never in another organization's.

vi.setConfig({ hookTimeout: 240_000, testTimeout: 120_000 });

const db = useTestDatabase();
let app: TestApp;
let A: Tenant;
let B: Tenant;

beforeAll(async () => {
  app = buildApp(db());
  A = await makeTenant(app, db().db);
  B = await makeTenant(app, db().db, ["owner"]);
});

const as = (t: Tenant, role: "owner" | "admin" | "member" | "viewer") =>
  session(t.people[role].cookie, t.org.slug);

describe("POST /api/v1/model/train", () => {
  it("is refused to members, viewers and keys without the admin scope, with nothing queued", async () => {
    for (const headers of [as(A, "viewer"), as(A, "member"), bearer(A.scopeKeys["attributions:read"])]) {
      const res = await call(app, "POST", "/api/v1/model/train", { headers });
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body).toMatchObject({ code: "forbidden", details: { permission: "model:train" } });
    }
    const status = await call(app, "GET", "/api/v1/model", { headers: as(A, "viewer") });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ state: "never", requestedAt: null, active: null, latest: null });
  });

  it("queues a training for an admin, shown as queued, then as the worker's outcome; other organizations see none of it", async () => {
    const res = await call(app, "POST", "/api/v1/model/train", { headers: as(A, "admin") });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ state: "queued", requestedAt: expect.any(String) });
    expect((await call(app, "POST", "/api/v1/model/train", { headers: bearer(A.adminKey) })).status).toBe(
      202,
    );

    const other = await call(app, "GET", "/api/v1/model", { headers: as(B, "owner") });
    expect(other.body).toMatchObject({ state: "never", requestedAt: null });

    // The worker finds no history of A on this machine: it says so instead of failing.
    await handleTrainModel(
      {
        handle: db(),
        queue: noQueue,
        mirrors: { gitDirFor: (id) => join(tmpdir(), "sentinel-no-mirrors", id) },
      },
      { orgId: A.org.id },
    );
    const after = await call(app, "GET", "/api/v1/model", { headers: as(A, "member") });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({
      state: "skipped",
      finishedAt: expect.any(String),
      details: { reason: expect.stringContaining("no repository history") },
      active: null,
    });
  });
});
