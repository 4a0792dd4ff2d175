import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { TENANT_ROLE, withTenantTransaction } from "../../src/server/http/middleware/tenant.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { addMember, makeKey, makeOrg, unique } from "./helpers.ts";
import { makeMember, seedTelemetry } from "./tenants.ts";

// The second layer on its own: queries with NO org_id filter, run as the restricted role with
// app.org_id naming organization A, must see nothing of organization B. (The connection's own
// role here is a superuser, which bypasses row-level security: hence SET ROLE.)

// Sign-ups hash passwords (scrypt) and a fresh database is migrated: slow on a busy machine.
vi.setConfig({ hookTimeout: 240_000, testTimeout: 120_000 });

const db = useTestDatabase();

/** The database's own message for a failed statement (Drizzle wraps it as the cause). */
async function failureOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "succeeded";
  } catch (error) {
    const e = error as { message?: string; cause?: { message?: string } };
    return `${e.message ?? ""} ${e.cause?.message ?? ""}`;
  }
}
let A: { id: string };
let B: { id: string };
let tenantTables: string[];

beforeAll(async () => {
  const handle = db().db;
  A = await makeOrg(handle);
  B = await makeOrg(handle);
  for (const org of [A, B]) {
    const telemetry = await seedTelemetry(handle, org.id);
    await makeKey(handle, org.id, ["admin"]);
    const userId = await makeMember(handle, org.id, "admin");
    await handle.execute(sql`INSERT INTO invitations (org_id, email, token_hash, expires_at)
      VALUES (${org.id}, ${`${unique("i")}@example.com`}, ${unique("hash")}, now() + interval '1 day')`);
    await handle.execute(
      sql`INSERT INTO audit_log (org_id, actor, action) VALUES (${org.id}, ${`user:${userId}`}, 'test')`,
    );
    await handle.execute(sql`INSERT INTO attribution_overrides (org_id, repo_id, commit_sha, verdict, actor, reason)
      VALUES (${org.id}, ${telemetry.repoId}, ${telemetry.sha}, 'ai', 'test', 'test')`);
    await handle.execute(
      sql`INSERT INTO repo_metrics (org_id, repo_id, period, date) VALUES (${org.id}, ${telemetry.repoId}, 'day', '2026-01-01')`,
    );
    await handle.execute(sql`INSERT INTO incidents (org_id, repo_id, title, severity, source, started_at)
      VALUES (${org.id}, ${telemetry.repoId}, 'down', 'sev2', 'api', now())`);
  }
  // Partitions (code_events' months) are reached through their parent, whose policy applies to
  // them; they are checked apart below.
  const rows = await handle.execute<{ table_name: string }>(sql`
    SELECT c.table_name FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = 'public' AND c.column_name = 'org_id' AND t.table_type = 'BASE TABLE'
      AND NOT (SELECT relispartition FROM pg_class WHERE oid = to_regclass(quote_ident(c.table_name)))
    ORDER BY 1`);
  tenantTables = rows.rows.map((r) => r.table_name);
});

describe("row-level security", () => {
  it("is enabled, forced and has a tenant policy for the restricted role on every table with org_id", async () => {
    expect(tenantTables).toEqual(
      expect.arrayContaining([
        "organization_members",
        "repositories",
        "api_keys",
        "code_events",
        "incidents",
      ]),
    );
    const rows = await db().db.execute<{
      relname: string;
      relrowsecurity: boolean;
      relforcerowsecurity: boolean;
      policies: number;
    }>(sql`
      SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
        (SELECT count(*)::int FROM pg_policies p
          WHERE p.schemaname = 'public' AND p.tablename = c.relname AND ${TENANT_ROLE}::name = ANY (p.roles)) AS policies
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
        AND c.relname IN (${sql.join(
          [...tenantTables, "organizations"].map((t) => sql`${t}`),
          sql`, `,
        )})`);
    const unprotected = rows.rows
      .filter((r) => !r.relrowsecurity || !r.relforcerowsecurity || r.policies < 1)
      .map((r) => r.relname);
    expect(unprotected, "tables with org_id but no forced tenant policy").toEqual([]);
    expect(rows.rows).toHaveLength(tenantTables.length + 1);
  });

  it("gives the restricted role no way into a partition of code_events except through the parent", async () => {
    const partitions = await db().db.execute<{ name: string }>(sql`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'code_events'::regclass AND c.relkind IN ('r', 'p')`);
    const names = partitions.rows.map((r) => r.name);
    // The default partition, and the month partitions migration created (now and ahead).
    expect(names).toContain("code_events_default");
    expect(names.length).toBeGreaterThan(1);
    // Both organizations' events sit in these partitions; named directly, each refuses.
    const holding = await db().db.execute<{ name: string }>(
      sql`SELECT DISTINCT tableoid::regclass::text AS name FROM code_events WHERE org_id IN (${A.id}, ${B.id})`,
    );
    expect(holding.rows.length).toBeGreaterThan(0);
    for (const name of names) {
      const refused = await failureOf(
        withTenantTransaction(db().db, A.id, (tx) =>
          tx.execute(sql`SELECT count(*) FROM ${sql.identifier(name)}`),
        ),
      );
      expect(refused, name).toMatch(/permission denied/);
    }
  });

  it("shows the restricted role only its tenant's rows, even with no org_id filter, on every tenant table", async () => {
    const seen = await withTenantTransaction(db().db, A.id, async (tx) => {
      const role = await tx.execute<{ current_user: string }>(sql`SELECT current_user`);
      expect(role.rows[0]?.current_user).toBe(TENANT_ROLE);
      const out: Record<string, { total: number; foreign: number }> = {};
      for (const table of tenantTables) {
        const r = await tx.execute<{ total: number; foreign: number }>(
          sql`SELECT count(*)::int AS total, count(*) FILTER (WHERE org_id <> ${A.id})::int AS foreign FROM ${sql.identifier(table)}`,
        );
        out[table] = r.rows[0] ?? { total: -1, foreign: -1 };
      }
      const orgs = await tx.execute<{ id: string }>(sql`SELECT id FROM organizations`);
      expect(orgs.rows.map((r) => r.id)).toEqual([A.id]);
      return out;
    });
    for (const [table, counts] of Object.entries(seen)) expect(counts.foreign, table).toBe(0);
    // And it does see its own data: the policy filters, it does not just deny everything.
    for (const table of [
      "repositories",
      "code_events",
      "code_attribution",
      "api_keys",
      "organization_members",
      "incidents",
    ]) {
      expect(seen[table]?.total, table).toBeGreaterThan(0);
    }
  });

  it("the same unfiltered query as the connection's own role sees both tenants (so the test above can fail)", async () => {
    const r = await db().db.execute<{ n: number }>(
      sql`SELECT count(DISTINCT org_id)::int AS n FROM repositories WHERE org_id IN (${A.id}, ${B.id})`,
    );
    expect(r.rows[0]?.n).toBe(2);
  });

  it("shows nothing at all when no tenant is set", async () => {
    const n = await db().db.transaction(async (tx) => {
      await tx.execute(sql.raw(`SET LOCAL ROLE ${TENANT_ROLE}`));
      const r = await tx.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM repositories`);
      return r.rows[0]?.n;
    });
    expect(n).toBe(0);
  });

  it("refuses to write a row into another tenant, and to change or delete one", async () => {
    const victimRepo = await db().db.execute<{ id: string }>(
      sql`SELECT id FROM repositories WHERE org_id = ${B.id} LIMIT 1`,
    );
    const victimId = victimRepo.rows[0]?.id ?? "";
    const refused = await failureOf(
      withTenantTransaction(db().db, A.id, (tx) =>
        tx.execute(sql`INSERT INTO repositories (org_id, full_name) VALUES (${B.id}, 'evil/repo')`),
      ),
    );
    expect(refused).toMatch(/row-level security/);
    const changed = await withTenantTransaction(db().db, A.id, async (tx) => {
      const u = await tx.execute(
        sql`UPDATE repositories SET full_name = 'stolen/repo' WHERE id = ${victimId} RETURNING id`,
      );
      const d = await tx.execute(sql`DELETE FROM api_keys WHERE org_id = ${B.id} RETURNING id`);
      return u.rows.length + d.rows.length;
    });
    expect(changed).toBe(0);
    const after = await db().db.execute<{ full_name: string }>(
      sql`SELECT full_name FROM repositories WHERE id = ${victimId}`,
    );
    expect(after.rows[0]?.full_name).not.toBe("stolen/repo");
  });

  it("shows members' names and e-mails only for the tenant's own people, and no sessions at all", async () => {
    const foreignUser = await makeMember(db().db, B.id, "viewer");
    const own = await makeMember(db().db, A.id, "viewer");
    await addMember(db().db, B.id, own, "viewer");
    const visible = await withTenantTransaction(db().db, A.id, async (tx) => {
      const r = await tx.execute<{ id: string }>(sql`SELECT id FROM users`);
      return r.rows.map((row) => row.id);
    });
    expect(visible).toContain(own);
    expect(visible).not.toContain(foreignUser);
    const denied = await failureOf(
      withTenantTransaction(db().db, A.id, (tx) => tx.execute(sql`SELECT count(*) FROM sessions`)),
    );
    expect(denied).toMatch(/permission denied/);
  });
});
