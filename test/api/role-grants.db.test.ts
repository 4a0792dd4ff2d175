import { and, count, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { MEMBER_ROLES, type MemberRole } from "../../src/core/enums.ts";
import { roleAtMost } from "../../src/core/permissions.ts";
import { invitations, organizationMembers } from "../../src/server/db/schema/organizations.ts";
import { removeMember } from "../../src/server/services/members/manage-members.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { addMember, bearer, buildApp, call, signUp, type TestApp, unique } from "./helpers.ts";
import { makeMember, makeTenant, type Tenant } from "./tenants.ts";

// Granting a role follows one rule everywhere: an actor grants, changes or removes only roles at
// or below its own; API keys act as an admin at most. Every pair of acting role and granted role
// is tried through invitations and member updates, then the rule is checked again at acceptance.

vi.setConfig({ hookTimeout: 240_000, testTimeout: 120_000 });

const db = useTestDatabase();
let app: TestApp;
let T: Tenant;

type Acting = MemberRole | "admin key";
const ACTING: Acting[] = [...MEMBER_ROLES, "admin key"];

beforeAll(async () => {
  app = buildApp(db());
  T = await makeTenant(app, db().db);
});

function headersFor(acting: Acting): Record<string, string> {
  if (acting === "admin key") return bearer(T.adminKey);
  const person = T.people[acting];
  return { cookie: person.cookie, "x-sentinel-org": T.org.slug, origin: "http://localhost" };
}

/** What the rule allows: members:manage first (admins and owners), then rank. */
function allowed(acting: Acting, ...roles: MemberRole[]): boolean {
  const role: MemberRole = acting === "admin key" ? "admin" : acting;
  if (role !== "admin" && role !== "owner") return false;
  return roles.every((r) => roleAtMost(r, role));
}

async function ownerCount(orgId: string): Promise<number> {
  const [row] = await db()
    .db.select({ n: count() })
    .from(organizationMembers)
    .where(and(eq(organizationMembers.orgId, orgId), eq(organizationMembers.role, "owner")));
  return row?.n ?? 0;
}

describe("granting roles", () => {
  it("invitations: every acting role × every granted role", async () => {
    const seen: string[] = [];
    for (const acting of ACTING) {
      for (const role of MEMBER_ROLES) {
        const res = await call(app, "POST", "/api/v1/invitations", {
          headers: headersFor(acting),
          body: { email: `${unique("inv")}@example.com`, role },
        });
        seen.push(`${acting} invites ${role}: ${res.status}`);
        expect(res.status, `${acting} invites ${role}`).toBe(allowed(acting, role) ? 201 : 403);
      }
    }
    // An admin (session or key) can never mint an owner.
    expect(seen).toContain("admin invites owner: 403");
    expect(seen).toContain("admin key invites owner: 403");
  });

  it("member updates: every acting role × every current role × every new role", async () => {
    for (const acting of ACTING) {
      for (const from of MEMBER_ROLES) {
        for (const to of MEMBER_ROLES) {
          if (from === to) continue;
          const target = await makeMember(db().db, T.org.id, from);
          const res = await call(app, "PATCH", `/api/v1/members/${target}`, {
            headers: headersFor(acting),
            body: { role: to },
          });
          expect(res.status, `${acting} changes ${from} → ${to}`).toBe(allowed(acting, from, to) ? 200 : 403);
        }
      }
    }
  });

  it("removals: only roles at or below the actor's", async () => {
    for (const acting of ACTING) {
      for (const role of MEMBER_ROLES) {
        const target = await makeMember(db().db, T.org.id, role);
        const res = await call(app, "DELETE", `/api/v1/members/${target}`, { headers: headersFor(acting) });
        expect(res.status, `${acting} removes ${role}`).toBe(allowed(acting, role) ? 204 : 403);
      }
    }
  });

  it("API keys: an admin key cannot create a key with permissions it lacks, and no key is an owner", async () => {
    const res = await call(app, "POST", "/api/v1/api-keys", {
      headers: headersFor("admin key"),
      body: { name: "from a key", scopes: ["admin"] },
    });
    expect(res.status).toBe(201);
    const owner = await call(app, "PATCH", "/api/v1/organization/settings", {
      headers: bearer((res.body as { key: string }).key),
      body: { aiHeavyThreshold: 0.5 },
    });
    expect(owner.status).toBe(200);
  });
});

describe("the inviter's right at acceptance", () => {
  async function inviteAs(admin: { cookie: string }, slug: string, role: MemberRole, email: string) {
    const res = await call(app, "POST", "/api/v1/invitations", {
      headers: { cookie: admin.cookie, "x-sentinel-org": slug, origin: "http://localhost" },
      body: { email, role },
    });
    expect(res.status).toBe(201);
    return new URL((res.body as { acceptUrl: string }).acceptUrl).searchParams.get("token") ?? "";
  }

  async function accept(cookie: string, token: string) {
    return call(app, "POST", "/api/v1/invitations/accept", {
      headers: { cookie, origin: "http://localhost" },
      body: { token },
    });
  }

  async function pendingBy(userId: string): Promise<MemberRole[]> {
    const rows = await db()
      .db.select({ role: invitations.role })
      .from(invitations)
      .where(eq(invitations.invitedBy, userId));
    return rows.map((r) => r.role).sort();
  }

  it("drops an admin's pending invitations when the admin is demoted, and refuses them at acceptance", async () => {
    const t = await makeTenant(app, db().db, ["owner", "admin"]);
    const email = `${unique("invitee")}@example.com`;
    const token = await inviteAs(t.people.admin, t.org.slug, "admin", email);
    await inviteAs(t.people.admin, t.org.slug, "member", `${unique("other")}@example.com`);

    const demote = await call(app, "PATCH", `/api/v1/members/${t.people.admin.userId}`, {
      headers: { cookie: t.people.owner.cookie, "x-sentinel-org": t.org.slug, origin: "http://localhost" },
      body: { role: "member" },
    });
    expect(demote.status).toBe(200);
    // A member invites nobody: both invitations are gone.
    expect(await pendingBy(t.people.admin.userId)).toEqual([]);

    const invitee = await signUp(app, email);
    const res = await accept(invitee.cookie, token);
    expect(res.status).toBe(404);
  });

  it("refuses an invitation whose inviter lost the right after the drop (checked again at acceptance)", async () => {
    const t = await makeTenant(app, db().db, ["owner", "admin"]);
    const email = `${unique("invitee")}@example.com`;
    const token = await inviteAs(t.people.admin, t.org.slug, "admin", email);
    // Demoted behind the service's back: only acceptance can notice.
    await db()
      .db.update(organizationMembers)
      .set({ role: "viewer" })
      .where(eq(organizationMembers.userId, t.people.admin.userId));
    const invitee = await signUp(app, email);
    const res = await accept(invitee.cookie, token);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ message: expect.stringContaining("can no longer grant") });
    expect(await pendingBy(t.people.admin.userId)).toEqual([]);
    const [membership] = await db()
      .db.select()
      .from(organizationMembers)
      .where(and(eq(organizationMembers.orgId, t.org.id), eq(organizationMembers.userId, invitee.userId)));
    expect(membership).toBeUndefined();
  });

  it("drops every pending invitation of a member who is removed", async () => {
    const t = await makeTenant(app, db().db, ["owner", "admin"]);
    await inviteAs(t.people.admin, t.org.slug, "viewer", `${unique("a")}@example.com`);
    await inviteAs(t.people.admin, t.org.slug, "admin", `${unique("b")}@example.com`);
    const removed = await call(app, "DELETE", `/api/v1/members/${t.people.admin.userId}`, {
      headers: { cookie: t.people.owner.cookie, "x-sentinel-org": t.org.slug, origin: "http://localhost" },
    });
    expect(removed.status).toBe(204);
    expect(await pendingBy(t.people.admin.userId)).toEqual([]);
  });

  it("still lets an owner's owner invitation through", async () => {
    const t = await makeTenant(app, db().db, ["owner"]);
    const email = `${unique("new-owner")}@example.com`;
    const token = await inviteAs(t.people.owner, t.org.slug, "owner", email);
    const invitee = await signUp(app, email);
    const res = await accept(invitee.cookie, token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: "owner" });
  });
});

describe("owners removing each other at once", () => {
  it("leaves the organization with an owner", async () => {
    const t = await makeTenant(app, db().db, ["owner"]);
    const second = await signUp(app, `${unique("owner2")}@example.com`);
    await addMember(db().db, t.org.id, second.userId, "owner");
    const first = t.people.owner.userId;

    // The first removal holds its transaction open while the second starts; without a lock the
    // second counts two owners (the first's delete is not committed) and removes the other.
    let holding!: () => void;
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const a = db().db.transaction(async (tx) => {
      await removeMember(
        { db: tx, orgId: t.org.id, actor: { kind: "user", userId: first, role: "owner" } },
        second.userId,
      );
      holding();
      await gate;
    });
    await held;
    const b = db()
      .db.transaction((tx) =>
        removeMember(
          { db: tx, orgId: t.org.id, actor: { kind: "user", userId: second.userId, role: "owner" } },
          first,
        ),
      )
      .then(
        () => "removed",
        (error: unknown) => (error as { code?: string }).code ?? String(error),
      );
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await a;
    // The second actor was removed by the first: it no longer acts for the organization.
    expect(await b).toBe("forbidden");
    expect(await ownerCount(t.org.id)).toBe(1);
  });
});
