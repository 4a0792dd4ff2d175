import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { logger } from "../../src/server/logger.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { bearer, buildApp, call, session, type TestApp } from "./helpers.ts";
import { makeTenant, type Tenant } from "./tenants.ts";

// DELETE /api/v1/organization over HTTP: who may, what confirms it, and what is left afterwards.
// (Every table with org_id is checked in test/server/services/delete-organization.db.test.ts.)

vi.setConfig({ hookTimeout: 240_000, testTimeout: 120_000 });

const db = useTestDatabase();
let app: TestApp;

beforeAll(() => {
  app = buildApp(db());
  vi.spyOn(logger, "warn").mockImplementation(() => undefined);
});

async function orgExists(t: Tenant): Promise<boolean> {
  const rows = await db().db.execute<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM organizations WHERE id = ${t.org.id}`,
  );
  return rows.rows[0]?.n === 1;
}

async function rowCount(table: string, orgId: string): Promise<number> {
  const rows = await db().db.execute<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)} WHERE org_id = ${orgId}`,
  );
  return rows.rows[0]?.n ?? 0;
}

const del = (headers: Record<string, string>, body: unknown) =>
  call(app, "DELETE", "/api/v1/organization", { headers, body });

describe("DELETE /api/v1/organization", () => {
  it("lets the owner delete it with the slug: 204, then its data, members and keys are gone", async () => {
    const t = await makeTenant(app, db().db);
    const other = await makeTenant(app, db().db, ["owner"]);
    const otherEvents = await rowCount("code_events", other.org.id);

    const res = await del(session(t.people.owner.cookie, t.org.slug), { confirm: t.org.slug });
    expect(res.status, JSON.stringify(res.body)).toBe(204);

    expect(await orgExists(t)).toBe(false);
    for (const table of [
      "code_events",
      "code_attribution",
      "repositories",
      "organization_members",
      "api_keys",
    ])
      expect(await rowCount(table, t.org.id), table).toBe(0);
    // The people stay (they are global); they just belong to nothing now.
    const me = await call(app, "GET", "/api/v1/me", { headers: { cookie: t.people.admin.cookie } });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ organizations: [] });
    // Its keys and the slug answer nothing any more.
    expect((await call(app, "GET", "/api/v1/organization", { headers: bearer(t.adminKey) })).status).toBe(
      401,
    );
    const gone = await call(app, "GET", "/api/v1/organization", {
      headers: session(t.people.owner.cookie, t.org.slug),
    });
    expect(gone.status).toBe(404);
    // The other tenant is untouched.
    expect(await orgExists(other)).toBe(true);
    expect(await rowCount("code_events", other.org.id)).toBe(otherEvents);
    const theirs = await call(app, "GET", "/api/v1/organization", {
      headers: session(other.people.owner.cookie, other.org.slug),
    });
    expect(theirs.status).toBe(200);
  });

  it("refuses an admin (403), an admin-scope API key (403), and a wrong or missing slug (400)", async () => {
    const t = await makeTenant(app, db().db, ["owner", "admin"]);
    const admin = await del(session(t.people.admin.cookie, t.org.slug), { confirm: t.org.slug });
    expect(admin.status).toBe(403);
    expect(admin.body).toMatchObject({ code: "forbidden" });
    const key = await del(bearer(t.adminKey), { confirm: t.org.slug });
    expect(key.status).toBe(403);

    const owner = session(t.people.owner.cookie, t.org.slug);
    for (const body of [{ confirm: "not-the-slug" }, { confirm: t.org.slug.toUpperCase() }, {}]) {
      const res = await del(owner, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.body as { message: string }).message).toContain("confirm");
    }
    expect(await orgExists(t)).toBe(true);
    expect(await rowCount("code_events", t.org.id)).toBeGreaterThan(0);
  });

  it("gives another organization's owner nothing: 404 naming it, 400 confirming it from their own", async () => {
    const t = await makeTenant(app, db().db, ["owner"]);
    const other = await makeTenant(app, db().db, ["owner"]);
    // Naming the organization they do not belong to: the same 404 as a slug that does not exist.
    const named = await del(session(other.people.owner.cookie, t.org.slug), { confirm: t.org.slug });
    expect(named.status).toBe(404);
    // Acting for their own organization with the other's slug as confirmation: not their slug.
    const confirmed = await del(session(other.people.owner.cookie, other.org.slug), { confirm: t.org.slug });
    expect(confirmed.status).toBe(400);
    expect(JSON.stringify(confirmed.body)).not.toContain(t.org.slug);
    expect(await orgExists(t)).toBe(true);
    expect(await orgExists(other)).toBe(true);
  });
});
