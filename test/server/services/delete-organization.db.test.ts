import { randomUUID } from "node:crypto";
import { is, sql } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "../../../src/server/db/client.ts";
import * as schema from "../../../src/server/db/schema/index.ts";
import { withTenantTransaction } from "../../../src/server/http/middleware/tenant.ts";
import { attributeCommitJob } from "../../../src/server/jobs/definitions.ts";
import { type Queue, startQueue } from "../../../src/server/jobs/queue.ts";
import { logger } from "../../../src/server/logger.ts";
import {
  deleteOrganization,
  ORGANIZATION_TABLES,
  UNLINKED_TABLES,
} from "../../../src/server/services/organizations/delete-organization.ts";
import { makeKey, makeOrg, unique } from "../../api/helpers.ts";
import { makeMember, seedTelemetry } from "../../api/tenants.ts";
import { useTestDatabase } from "../../helpers/db.ts";

// Deleting an organization erases its rows from every table the schema gives an `org_id`, and
// nothing of any other organization. The tables are read from the Drizzle schema, and each must
// hold a row of the doomed organization before the deletion: a table added later fails here until
// it is both seeded below and erased by the service.

vi.setConfig({ hookTimeout: 240_000, testTimeout: 120_000 });

const database = useTestDatabase();
const db = () => database().db;
let queue: Queue;

/** Every table of the schema with an `org_id` column, by SQL name. */
const TENANT_TABLES = (Object.values(schema) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => getTableConfig(table))
  .filter((config) => config.columns.some((column) => column.name === "org_id"))
  .map((config) => config.name)
  .sort();

interface Seeded {
  id: string;
  slug: string;
  repoId: string;
  installationId: number;
}

/** One row (at least) of the organization in every table with `org_id`, and two queued jobs. */
async function seedEverything(handle: Database): Promise<Seeded> {
  const org = await makeOrg(handle); // organizations, audit_log
  const t = await seedTelemetry(handle, org.id); // installation, repository, code_events, code_attribution
  await makeMember(handle, org.id, "owner"); // organization_members
  await makeKey(handle, org.id, ["admin"]); // api_keys
  await handle.execute(sql`INSERT INTO invitations (org_id, email, token_hash, expires_at)
    VALUES (${org.id}, ${`${unique("i")}@example.com`}, ${unique("hash")}, now() + interval '1 day')`);
  await handle.execute(sql`INSERT INTO attribution_overrides (org_id, repo_id, commit_sha, verdict, actor, reason)
    VALUES (${org.id}, ${t.repoId}, ${t.sha}, 'ai', 'test', 'test')`);
  await handle.execute(sql`INSERT INTO repo_metrics (org_id, repo_id, period, date)
    VALUES (${org.id}, ${t.repoId}, 'day', '2026-01-01')`);
  await handle.execute(sql`INSERT INTO repo_metrics_pending (org_id, repo_id, period, date)
    VALUES (${org.id}, ${t.repoId}, 'day', '2026-01-02')`);
  await handle.execute(sql`INSERT INTO incidents (org_id, repo_id, title, severity, source, started_at)
    VALUES (${org.id}, ${t.repoId}, 'down', 'sev2', 'api', now())`);
  await handle.execute(sql`INSERT INTO webhook_deliveries (delivery_id, event, installation_id, org_id, outcome)
    VALUES (${randomUUID()}, 'push', ${t.installationId}, ${org.id}, 'processed')`);
  await handle.execute(sql`INSERT INTO integration_secrets (org_id, kind, secret)
    VALUES (${org.id}, 'pagerduty', 'shh')`);
  await handle.execute(sql`INSERT INTO integration_events (org_id, kind, event_id, occurred_at)
    VALUES (${org.id}, 'pagerduty', ${randomUUID()}, now())`);
  await handle.execute(sql`INSERT INTO ml_models (org_id, version, trained_on, metrics, weights, threshold)
    VALUES (${org.id}, ${unique("lr")}, '{}'::jsonb, '{}'::jsonb, '{}'::jsonb, 0.5)`);
  await handle.execute(sql`INSERT INTO repository_sync (repo_id, org_id, mirror_status, mirror_bytes, backfill_status)
    VALUES (${t.repoId}, ${org.id}, 'ready', 1024, 'done')`);
  await handle.execute(sql`INSERT INTO line_survival (org_id, repo_id, commit_sha, file_path, committed_at,
      lines_added, lines_present, churned_14d, churned_30d, churned_90d)
    VALUES (${org.id}, ${t.repoId}, ${"c".repeat(40)}, 'a.ts', now(), 3, 1, 1, 1, 2)`);
  await handle.execute(sql`INSERT INTO line_survival_state (repo_id, org_id, source, tip_sha, history_end, commits,
      lines_at_tip, older_lines)
    VALUES (${t.repoId}, ${org.id}, 'mirror', ${"c".repeat(40)}, now(), 1, 1, 0)`);
  await handle.execute(sql`INSERT INTO commit_reverts (org_id, repo_id, commit_sha, reverted_sha, method, in_history,
      committed_at)
    VALUES (${org.id}, ${t.repoId}, ${"d".repeat(40)}, ${"c".repeat(40)}, 'message', true, now())`);
  await handle.execute(sql`INSERT INTO pull_request_checks (org_id, repo_id, pr_number, head_sha, base_ref)
    VALUES (${org.id}, ${t.repoId}, 7, ${"e".repeat(40)}, 'main')`);
  for (const commitSha of ["a".repeat(40), "b".repeat(40)]) {
    await queue.enqueue(handle, attributeCommitJob, { orgId: org.id, repoId: t.repoId, commitSha });
  }
  return { ...org, repoId: t.repoId, installationId: t.installationId };
}

async function rowsOf(orgId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of [...TENANT_TABLES, "organizations"]) {
    const column = table === "organizations" ? "id" : "org_id";
    const result = await db().execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)} WHERE ${sql.identifier(column)} = ${orgId}`,
    );
    out[table] = result.rows[0]?.n ?? 0;
  }
  const jobs = await db().execute<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM pgboss.job WHERE data->>'orgId' = ${orgId}`,
  );
  out["pgboss.job"] = jobs.rows[0]?.n ?? 0;
  return out;
}

const ctxOf = (org: { id: string }) => ({
  db: db(),
  orgId: org.id,
  actor: { kind: "user" as const, userId: "owner-1", role: "owner" as const },
});

beforeAll(async () => {
  queue = await startQueue(database(), { supervise: false });
});

afterAll(async () => {
  await queue?.stop();
});

describe("deleteOrganization", () => {
  it("knows every table of the schema with org_id: erased, or (installations) unlinked", () => {
    expect(TENANT_TABLES.length).toBeGreaterThan(10);
    const handled = [...ORGANIZATION_TABLES.map((t) => t.name), ...UNLINKED_TABLES].sort();
    expect(handled, "add the new table to ORGANIZATION_TABLES in delete-organization.ts").toEqual(
      TENANT_TABLES,
    );
  });

  it("erases the organization from every table with org_id and leaves the other tenant's rows alone", async () => {
    const doomed = await seedEverything(db());
    const other = await seedEverything(db());
    await db().execute(sql`INSERT INTO ml_models (org_id, version, trained_on, metrics, weights, threshold)
      VALUES (NULL, ${unique("global")}, '{}'::jsonb, '{}'::jsonb, '{}'::jsonb, 0.5)`);
    const globalModels = async () =>
      (await db().execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM ml_models WHERE org_id IS NULL`))
        .rows[0]?.n;
    const globalBefore = await globalModels();

    const before = await rowsOf(doomed.id);
    for (const [table, n] of Object.entries(before))
      expect(n, `seed a row of ${table} in seedEverything`).toBeGreaterThan(0);
    const otherBefore = await rowsOf(other.id);

    const warn = vi.spyOn(logger, "warn").mockImplementation(() => undefined);
    const erased = await deleteOrganization(ctxOf(doomed), { confirm: doomed.slug });

    const after = await rowsOf(doomed.id);
    for (const [table, n] of Object.entries(after)) expect(n, table).toBe(0);
    expect(await rowsOf(other.id)).toEqual(otherBefore);
    expect(await globalModels()).toBe(globalBefore);

    // The installation is GitHub's: it stays, unlinked, and can be linked again.
    const installation = await db().execute<{ org_id: string | null }>(
      sql`SELECT org_id FROM github_installations WHERE installation_id = ${doomed.installationId}`,
    );
    expect(installation.rows).toEqual([{ org_id: null }]);

    expect(erased).toMatchObject({
      id: doomed.id,
      slug: doomed.slug,
      unlinkedInstallations: [doomed.installationId],
      jobs: 2,
    });
    expect(erased.rows).toMatchObject({ organizations: 1, code_events: 1, audit_log: expect.any(Number) });
    // The record that outlives the organization's own audit log.
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({
        event: "organization.deleted",
        orgId: doomed.id,
        slug: doomed.slug,
        actor: "user:owner-1",
      }),
      "organization deleted",
    );
    warn.mockRestore();
  });

  it("answers a wrong slug with a 400 naming confirm and deletes nothing", async () => {
    const org = await seedEverything(db());
    const other = await makeOrg(db());
    const before = await rowsOf(org.id);
    for (const confirm of ["", other.slug, org.slug.toUpperCase(), ` ${org.slug}`]) {
      await expect(deleteOrganization(ctxOf(org), { confirm })).rejects.toMatchObject({
        code: "bad_request",
        details: { field: "confirm" },
      });
    }
    expect(await rowsOf(org.id)).toEqual(before);
  });

  it("answers an organization that does not exist with 404", async () => {
    await expect(
      deleteOrganization(ctxOf({ id: randomUUID() }), { confirm: "anything" }),
    ).rejects.toMatchObject({ code: "not_found" });
  });

  it("refuses to run inside a tenant transaction, where it could not unlink or clear jobs", async () => {
    const org = await seedEverything(db());
    const before = await rowsOf(org.id);
    await expect(
      withTenantTransaction(db(), org.id, (tx) =>
        deleteOrganization({ ...ctxOf(org), db: tx }, { confirm: org.slug }),
      ),
    ).rejects.toThrow(/connection's own role/);
    expect(await rowsOf(org.id)).toEqual(before);
  });
});
