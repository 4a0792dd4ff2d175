import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { auditLog, organizations } from "../../../../../src/server/db/schema/index.ts";
import { slugFromName } from "../../../../../src/server/services/organizations/create-own-organization.ts";
import {
  addMember,
  bearer,
  buildApp,
  call,
  makeKey,
  makeOrg,
  ORIGIN,
  signUp,
  type TestApp,
  unique,
} from "../../../../api/helpers.ts";
import { useTestDatabase } from "../../../../helpers/db.ts";

// POST /api/v1/organizations: someone who signed up without an invitation creates their own
// organization and becomes its owner.

// Sign-ups hash passwords (scrypt): slow on a busy machine.
vi.setConfig({ hookTimeout: 120_000, testTimeout: 60_000 });

const database = useTestDatabase();
let app: TestApp;
beforeAll(() => {
  app = buildApp(database());
});

/** A signed-in person's session headers, without an organization header (they have none yet). */
const signedIn = (cookie: string, extra: Record<string, string> = {}) => ({
  cookie,
  origin: ORIGIN,
  ...extra,
});

async function newPerson(email = `${unique("founder")}@example.com`) {
  const person = await signUp(app, email, "Founder");
  return { ...person, email, headers: signedIn(person.cookie) };
}

describe("POST /api/v1/organizations", () => {
  it("creates the organization with the caller as owner, records it, and shows it in /me", async () => {
    const person = await newPerson();
    const before = await call(app, "GET", "/api/v1/me", { headers: person.headers });
    expect(before).toMatchObject({ status: 200, body: { organizations: [] } });

    const slug = unique("acme").toLowerCase();
    const created = await call(app, "POST", "/api/v1/organizations", {
      headers: person.headers,
      body: { name: "  Acme Robotics  ", slug },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), slug, name: "Acme Robotics", role: "owner" });
    const orgId = (created.body as { id: string }).id;

    const me = await call(app, "GET", "/api/v1/me", { headers: person.headers });
    expect((me.body as { organizations: unknown[] }).organizations).toEqual([
      { id: orgId, slug, name: "Acme Robotics", plan: "free", role: "owner" },
    ]);
    // The new organization answers as any other, with the owner's permissions.
    const org = await call(app, "GET", "/api/v1/organization", {
      headers: signedIn(person.cookie, { "x-sentinel-org": slug }),
    });
    expect(org).toMatchObject({ status: 200, body: { id: orgId, slug, plan: "free" } });

    const log = await database()
      .db.select({ actor: auditLog.actor, action: auditLog.action, target: auditLog.target })
      .from(auditLog)
      .where(eq(auditLog.orgId, orgId));
    expect(log).toEqual(
      expect.arrayContaining([
        { actor: `user:${person.userId}`, action: "organization.created", target: `organization:${orgId}` },
        { actor: `user:${person.userId}`, action: "member.added", target: `user:${person.userId}` },
      ]),
    );
  });

  it("makes the slug from the name when none is given", async () => {
    const person = await newPerson();
    const name = `Zürich Déjà Vu ${unique("co")}`;
    const created = await call(app, "POST", "/api/v1/organizations", {
      headers: person.headers,
      body: { name },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((created.body as { slug: string }).slug).toBe(slugFromName(name));
    expect((created.body as { slug: string }).slug).toMatch(/^zurich-deja-vu-co-/);
  });

  it("refuses a taken slug with 409, whether given or made from the name, and creates nothing", async () => {
    const db = database().db;
    const existing = await makeOrg(db);
    const person = await newPerson();

    const given = await call(app, "POST", "/api/v1/organizations", {
      headers: person.headers,
      body: { name: "Copycat", slug: existing.slug },
    });
    expect(given.status).toBe(409);
    expect(given.body).toMatchObject({
      code: "conflict",
      message: expect.stringContaining(existing.slug),
      details: { field: "slug" },
      requestId: expect.any(String),
    });

    const derived = await call(app, "POST", "/api/v1/organizations", {
      headers: person.headers,
      body: { name: existing.slug.toUpperCase() },
    });
    expect(derived).toMatchObject({ status: 409, body: { code: "conflict", details: { field: "slug" } } });

    const me = await call(app, "GET", "/api/v1/me", { headers: person.headers });
    expect(me.body).toMatchObject({ organizations: [] });
    const copies = await db.select().from(organizations).where(eq(organizations.name, "Copycat"));
    expect(copies).toEqual([]);
  });

  it("answers bad input with 400 naming the field", async () => {
    const person = await newPerson();
    const cases: Array<[unknown, string]> = [
      [{ slug: "no-name" }, "name"],
      [{ name: "   " }, "name"],
      [{ name: "x".repeat(201) }, "name"],
      [{ name: "Bad slug", slug: "Not A Slug" }, "slug"],
      [{ name: "Bad slug", slug: "double--hyphen" }, "slug"],
      [{ name: "Bad slug", slug: "a" }, "slug"],
      // Nothing in the name to make a slug from.
      [{ name: "!!!" }, "slug"],
      [{ name: "東京" }, "slug"],
      [{ name: "Extra", plan: "enterprise" }, "plan"],
    ];
    for (const [body, field] of cases) {
      const res = await call(app, "POST", "/api/v1/organizations", { headers: person.headers, body });
      expect(res.status, JSON.stringify({ body, res: res.body })).toBe(400);
      expect(res.body).toMatchObject({ code: "bad_request", message: expect.stringContaining(field) });
    }
    const me = await call(app, "GET", "/api/v1/me", { headers: person.headers });
    expect(me.body).toMatchObject({ organizations: [] });
  });

  it("lets a member of another organization create one too, keeping their membership", async () => {
    const db = database().db;
    const other = await makeOrg(db);
    const person = await newPerson();
    await addMember(db, other.id, person.userId, "viewer");

    const slug = unique("side").toLowerCase();
    const created = await call(app, "POST", "/api/v1/organizations", {
      headers: signedIn(person.cookie, { "x-sentinel-org": other.slug }),
      body: { name: "Side project", slug },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const me = await call(app, "GET", "/api/v1/me", { headers: person.headers });
    const roles = (me.body as { organizations: Array<{ slug: string; role: string }> }).organizations.map(
      (o) => [o.slug, o.role],
    );
    expect(roles).toEqual(
      expect.arrayContaining([
        [other.slug, "viewer"],
        [slug, "owner"],
      ]),
    );
  });

  it("resolves the owner whatever the case of the address they signed up with", async () => {
    const person = await newPerson(`${unique("Mixed.Case")}@Example.COM`);
    const created = await call(app, "POST", "/api/v1/organizations", {
      headers: person.headers,
      body: { name: "Case study", slug: unique("case").toLowerCase() },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ role: "owner" });
  });

  it("is for signed-in people: 401 without a session, 403 for an API key or a cross-site write", async () => {
    const db = database().db;
    const body = { name: "Nope", slug: unique("nope").toLowerCase() };

    const anonymous = await call(app, "POST", "/api/v1/organizations", { body });
    expect(anonymous).toMatchObject({ status: 401, body: { code: "unauthorized" } });

    const org = await makeOrg(db);
    const key = await makeKey(db, org.id, ["admin"]);
    const withKey = await call(app, "POST", "/api/v1/organizations", { headers: bearer(key.key), body });
    expect(withKey).toMatchObject({ status: 403, body: { code: "forbidden" } });

    const person = await newPerson();
    const crossSite = await call(app, "POST", "/api/v1/organizations", {
      headers: { cookie: person.cookie, origin: "https://evil.example" },
      body,
    });
    expect(crossSite).toMatchObject({ status: 403, body: { code: "forbidden" } });

    const none = await db.select().from(organizations).where(eq(organizations.slug, body.slug));
    expect(none).toEqual([]);
  });
});

describe("slugFromName", () => {
  it("keeps letters and digits, drops accents, joins the rest with single hyphens", () => {
    expect(slugFromName("Acme Robotics, Inc.")).toBe("acme-robotics-inc");
    expect(slugFromName("  --Ça va? 2026--  ")).toBe("ca-va-2026");
    expect(slugFromName("!!!")).toBe("");
    const long = slugFromName("word ".repeat(30));
    expect(long.length).toBeLessThanOrEqual(48);
    expect(long).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});
