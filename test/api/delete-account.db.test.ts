import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { logger } from "../../src/server/logger.ts";
import { createInvitation } from "../../src/server/services/invitations/create-invitation.ts";
import { useTestDatabase } from "../helpers/db.ts";
import {
  addMember,
  bearer,
  buildApp,
  call,
  makeOrg,
  ORIGIN,
  session,
  signIn,
  signUp,
  type TestApp,
  unique,
} from "./helpers.ts";
import { makeTenant } from "./tenants.ts";

// DELETE /api/v1/me: a person deletes their own account.

vi.setConfig({ hookTimeout: 240_000, testTimeout: 120_000 });

const db = useTestDatabase();
let app: TestApp;

beforeAll(() => {
  app = buildApp(db());
  vi.spyOn(logger, "warn").mockImplementation(() => undefined);
});

async function count(query: ReturnType<typeof sql>): Promise<number> {
  const rows = await db().db.execute<{ n: number }>(query);
  return rows.rows[0]?.n ?? 0;
}

async function person(): Promise<{ cookie: string; userId: string; email: string }> {
  const email = `${unique("person")}@example.com`;
  return { ...(await signUp(app, email)), email };
}

const del = (headers: Record<string, string>, body: unknown) =>
  call(app, "DELETE", "/api/v1/me", { headers, body });

describe("DELETE /api/v1/me", () => {
  it("removes the person, every session, memberships, keys and open invitations they made; the org goes on", async () => {
    const t = await makeTenant(app, db().db, ["owner", "admin"]);
    const leaving = await person();
    await addMember(db().db, t.org.id, leaving.userId, "owner");
    // A second session (another browser), a key and an invitation they made.
    const second = await signIn(app, leaving.email);
    expect(second.status).toBe(200);
    const secondCookie = (
      second.headers.getSetCookie().find((c) => c.includes("session_token=")) ?? ""
    ).split(";")[0];
    const created = await call(app, "POST", "/api/v1/api-keys", {
      headers: session(leaving.cookie, t.org.slug),
      body: { name: "ci", scopes: ["events:read"] },
    });
    expect(created.status).toBe(201);
    const key = (created.body as { key: string }).key;
    const invitation = await createInvitation(
      { db: db().db, orgId: t.org.id, actor: { kind: "user", userId: leaving.userId, role: "owner" } },
      { email: `${unique("invitee")}@example.com`, role: "admin" },
      ORIGIN,
    );

    const res = await del(session(leaving.cookie, t.org.slug), { confirm: leaving.email.toUpperCase() });
    expect(res.status, JSON.stringify(res.body)).toBe(204);

    // Signed out everywhere, and cannot sign in again.
    for (const cookie of [leaving.cookie, secondCookie ?? ""]) {
      expect((await call(app, "GET", "/api/v1/me", { headers: { cookie } })).status).toBe(401);
    }
    expect((await signIn(app, leaving.email)).status).toBe(401);
    expect((await call(app, "GET", "/api/v1/organization", { headers: bearer(key) })).status).toBe(401);
    for (const table of ["users", "sessions", "accounts", "organization_members", "api_keys"]) {
      const column = table === "users" ? "id" : table === "api_keys" ? "created_by" : "user_id";
      expect(
        await count(
          sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)} WHERE ${sql.identifier(column)} = ${leaving.userId}`,
        ),
        table,
      ).toBe(0);
    }
    expect(await count(sql`SELECT count(*)::int AS n FROM invitations WHERE id = ${invitation.id}`)).toBe(0);

    // The organization and its other people carry on, and its audit log says what happened.
    const org = await call(app, "GET", "/api/v1/organization", {
      headers: session(t.people.owner.cookie, t.org.slug),
    });
    expect(org.status).toBe(200);
    const audit = await db().db.execute<{ action: string; details: Record<string, unknown> }>(
      sql`SELECT action, details FROM audit_log WHERE org_id = ${t.org.id} AND actor = ${`user:${leaving.userId}`}`,
    );
    expect(audit.rows).toEqual(
      expect.arrayContaining([
        { action: "member.removed", details: { role: "owner", reason: "account deleted" } },
        expect.objectContaining({
          action: "api_key.deleted",
          details: { name: "ci", reason: "account deleted" },
        }),
        expect.objectContaining({
          action: "invitation.dropped",
          details: expect.objectContaining({ reason: "account deleted" }),
        }),
      ]),
    );
  });

  it("refuses the last owner of an organization with other members (409) and changes nothing", async () => {
    const t = await makeTenant(app, db().db, ["owner", "viewer"]);
    const res = await del(session(t.people.owner.cookie, t.org.slug), { confirm: t.people.owner.email });
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body).toMatchObject({ code: "conflict", details: { organizations: [t.org.slug] } });
    expect(
      (await call(app, "GET", "/api/v1/me", { headers: { cookie: t.people.owner.cookie } })).status,
    ).toBe(200);
    expect(
      await count(sql`SELECT count(*)::int AS n FROM organization_members WHERE org_id = ${t.org.id}`),
    ).toBe(2);
  });

  it("deletes an organization the person is the only member of, with the account", async () => {
    const solo = await person();
    const mine = await makeOrg(db().db);
    await addMember(db().db, mine.id, solo.userId, "owner");
    // And a membership elsewhere, as a viewer, which simply ends.
    const elsewhere = await makeTenant(app, db().db, ["owner"]);
    await addMember(db().db, elsewhere.org.id, solo.userId, "viewer");

    const res = await del(session(solo.cookie, mine.slug), { confirm: solo.email });
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    expect(await count(sql`SELECT count(*)::int AS n FROM organizations WHERE id = ${mine.id}`)).toBe(0);
    expect(await count(sql`SELECT count(*)::int AS n FROM audit_log WHERE org_id = ${mine.id}`)).toBe(0);
    expect(
      await count(sql`SELECT count(*)::int AS n FROM organizations WHERE id = ${elsewhere.org.id}`),
    ).toBe(1);
    expect(
      await count(
        sql`SELECT count(*)::int AS n FROM organization_members WHERE org_id = ${elsewhere.org.id}`,
      ),
    ).toBe(1);
  });

  it("needs the person's own address (400 naming confirm) and a session, not an API key (403)", async () => {
    const t = await makeTenant(app, db().db, ["owner"]);
    const other = await person();
    for (const confirm of ["", other.email, "nobody@example.com"]) {
      const res = await del(session(t.people.owner.cookie, t.org.slug), { confirm });
      expect(res.status).toBe(400);
      expect((res.body as { message: string }).message).toContain("confirm");
      expect(JSON.stringify(res.body)).not.toContain(t.people.owner.email);
    }
    const key = await del(bearer(t.adminKey), { confirm: t.people.owner.email });
    expect(key.status).toBe(403);
    expect(
      (await call(app, "GET", "/api/v1/me", { headers: { cookie: t.people.owner.cookie } })).status,
    ).toBe(200);
  });
});
