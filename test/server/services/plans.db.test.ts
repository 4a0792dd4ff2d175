import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { setPlanOfOrganization } from "../../../src/cli/commands/orgs.ts";
import { organizations } from "../../../src/server/db/schema/index.ts";
import { listAuditLog } from "../../../src/server/services/list-audit-log.ts";
import { buildApp, call, makeOrg, ORIGIN, session, signUp, type TestApp, unique } from "../../api/helpers.ts";
import { makeMember } from "../../api/tenants.ts";
import { runCli } from "../../cli/helpers/git-fixture.ts";
import { TEST_ENGINE, useTestDatabase } from "../../helpers/db.ts";

// Plans are not the customer's to choose: no route changes one; the operator does, from the
// command line, and each change is in the organization's audit log.

// Sign-ups hash passwords (scrypt) and a fresh database is migrated: slow on a busy machine.
vi.setConfig({ hookTimeout: 240_000, testTimeout: 120_000 });

const database = useTestDatabase();
let app: TestApp;

beforeAll(() => {
  app = buildApp(database());
});

const planOf = async (orgId: string) =>
  (
    await database()
      .db.select({ plan: organizations.plan })
      .from(organizations)
      .where(eq(organizations.id, orgId))
  )[0]?.plan;

describe("plans over HTTP", () => {
  it("refuses the owner of a self-created organization who asks for enterprise; the plan stays free", async () => {
    const owner = await signUp(app, `${unique("owner")}@example.com`);
    const created = await call(app, "POST", "/api/v1/organizations", {
      headers: { cookie: owner.cookie, origin: ORIGIN },
      body: { name: "Free riders", slug: unique("free-riders").toLowerCase() },
    });
    expect(created.status).toBe(201);
    const org = created.body as { id: string; slug: string; role: string };
    expect(org.role).toBe("owner");

    const asked = await call(app, "PATCH", "/api/v1/organization/plan", {
      headers: session(owner.cookie, org.slug),
      body: { plan: "enterprise" },
    });
    expect([403, 404]).toContain(asked.status);
    const read = await call(app, "GET", "/api/v1/organization", { headers: session(owner.cookie, org.slug) });
    expect(read.body).toMatchObject({ plan: "free" });
    expect(await planOf(org.id)).toBe("free");
    // Nor does the document offer a way.
    const spec = await call(app, "GET", "/api/v1/openapi.json");
    expect(Object.keys((spec.body as { paths: Record<string, unknown> }).paths)).not.toContain(
      "/api/v1/organization/plan",
    );
  });
});

describe("sentinel orgs set-plan", () => {
  it("changes the plan as the operator and records it in the audit log", async () => {
    const db = database().db;
    const org = await makeOrg(db, "free");
    const changed = await setPlanOfOrganization(db, { org: org.slug, plan: "team" });
    expect(changed).toMatchObject({ id: org.id, plan: "team" });
    expect(await planOf(org.id)).toBe("team");
    const log = await listAuditLog({ db, orgId: org.id, actor: { kind: "cli" } }, { limit: 10 });
    expect(log.items.filter((e) => e.action === "organization.plan_changed")).toEqual([
      expect.objectContaining({ actor: "cli", details: { from: "free", to: "team" } }),
    ]);
  });

  it("refuses a downgrade the organization does not fit in (402 naming the limit), and an unknown slug", async () => {
    const db = database().db;
    const org = await makeOrg(db, "team");
    for (let i = 0; i < 6; i++) await makeMember(db, org.id);
    await expect(setPlanOfOrganization(db, { org: org.slug, plan: "free" })).rejects.toMatchObject({
      code: "payment_required",
      details: { limit: "members", allowed: 5 },
    });
    expect(await planOf(org.id)).toBe("team");
    await expect(setPlanOfOrganization(db, { org: "no-such-org", plan: "team" })).rejects.toMatchObject({
      code: "not_found",
    });
  });

  // The command itself, as an operator runs it, against the server database (PGlite serves one process).
  it.skipIf(TEST_ENGINE !== "postgres")(
    "runs from the command line; an unknown plan is a usage error",
    async () => {
      const handle = database();
      const org = await makeOrg(handle.db, "free");
      const env = { DATABASE_URL: handle.url, SENTINEL_PUBLIC_URL: "https://sentinel.example.com" };
      const run = runCli(["orgs", "set-plan", org.slug, "enterprise"], { env });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`${org.slug}: free → enterprise`);
      expect(await planOf(org.id)).toBe("enterprise");
      const bad = runCli(["orgs", "set-plan", org.slug, "gold"], { env });
      expect(bad.code).toBe(2);
      expect(await planOf(org.id)).toBe("enterprise");
    },
  );
});
