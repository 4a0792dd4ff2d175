import { eq, sql } from "drizzle-orm";
import type { AnyPgColumn, PgTable } from "drizzle-orm/pg-core";
import { badRequest, notFound } from "../../../core/errors.ts";
import type { Database } from "../../db/client.ts";
import {
  apiKeys,
  attributionOverrides,
  auditLog,
  codeAttribution,
  codeEvents,
  commitReverts,
  githubInstallations,
  incidents,
  integrationEvents,
  integrationSecrets,
  invitations,
  lineSurvival,
  lineSurvivalState,
  mlModels,
  organizationMembers,
  organizations,
  pullRequestChecks,
  repoMetrics,
  repoMetricsPending,
  repositories,
  repositorySync,
  webhookDeliveries,
} from "../../db/schema/index.ts";
import { TENANT_ROLE } from "../../db/tenant-role.ts";
import { logger } from "../../logger.ts";
import { type Actor, actorLabel, type ServiceContext } from "../context.ts";

// Deleting an organization erases its data from every table that holds it, table by table and
// child tables first, in one transaction (docs/security.md).
// The foreign keys' ON DELETE CASCADE would do most of it, but an explicit list is what the test
// checks against the schema: a table added later with `org_id` fails that test until it is here.

/** Every table whose rows belong to one organization through `org_id`, in deletion order. */
export const ORGANIZATION_TABLES = [
  { name: "repo_metrics_pending", table: repoMetricsPending, orgId: repoMetricsPending.orgId },
  { name: "repo_metrics", table: repoMetrics, orgId: repoMetrics.orgId },
  { name: "attribution_overrides", table: attributionOverrides, orgId: attributionOverrides.orgId },
  { name: "code_attribution", table: codeAttribution, orgId: codeAttribution.orgId },
  { name: "code_events", table: codeEvents, orgId: codeEvents.orgId },
  { name: "incidents", table: incidents, orgId: incidents.orgId },
  { name: "webhook_deliveries", table: webhookDeliveries, orgId: webhookDeliveries.orgId },
  { name: "line_survival", table: lineSurvival, orgId: lineSurvival.orgId },
  { name: "line_survival_state", table: lineSurvivalState, orgId: lineSurvivalState.orgId },
  { name: "commit_reverts", table: commitReverts, orgId: commitReverts.orgId },
  { name: "pull_request_checks", table: pullRequestChecks, orgId: pullRequestChecks.orgId },
  { name: "repository_sync", table: repositorySync, orgId: repositorySync.orgId },
  { name: "repositories", table: repositories, orgId: repositories.orgId },
  { name: "integration_events", table: integrationEvents, orgId: integrationEvents.orgId },
  { name: "integration_secrets", table: integrationSecrets, orgId: integrationSecrets.orgId },
  { name: "ml_models", table: mlModels, orgId: mlModels.orgId },
  { name: "api_keys", table: apiKeys, orgId: apiKeys.orgId },
  { name: "invitations", table: invitations, orgId: invitations.orgId },
  { name: "organization_members", table: organizationMembers, orgId: organizationMembers.orgId },
  { name: "audit_log", table: auditLog, orgId: auditLog.orgId },
] as const satisfies ReadonlyArray<{ name: string; table: PgTable; orgId: AnyPgColumn }>;

/**
 * Tables with `org_id` whose rows are not the organization's to erase: a GitHub installation
 * belongs to the GitHub account that installed the App; it is unlinked (org_id set to null), which
 * stops ingestion for it, and can be linked again later.
 */
export const UNLINKED_TABLES = ["github_installations"] as const;

export interface ErasedOrganization {
  id: string;
  slug: string;
  /** Rows deleted, by table (`organizations` included). */
  rows: Record<string, number>;
  /** GitHub installation ids that were linked to it. */
  unlinkedInstallations: number[];
  /** Waiting or retrying pg-boss jobs whose payload named it. */
  jobs: number;
}

/**
 * Owner only (`organization:delete`, checked by the route). `confirm` must be the organization's
 * slug. Runs on the connection's own role, not inside `withTenant`: unlinking an installation
 * and clearing the job queue are outside what the tenant role may touch. The organization's own
 * rows are still deleted as the tenant role, so row-level security confines them to it.
 */
export async function deleteOrganization(
  ctx: ServiceContext,
  input: { confirm: string },
): Promise<ErasedOrganization> {
  const erased = await ctx.db.transaction(async (tx) => {
    const [org] = await lockOrganizations(tx, [ctx.orgId]);
    if (!org) throw notFound("organization");
    if (input.confirm !== org.slug) {
      throw badRequest("confirm: type the organization's slug exactly to delete it", { field: "confirm" });
    }
    return eraseOrganization(tx, org);
  });
  logOrganizationErased(erased, ctx.actor, "deleted by an owner");
  return erased;
}

/**
 * Locks the organizations' rows (in id order, so two deletions never wait on each other in a
 * cycle) for the rest of the transaction: membership changes that check the last owner, and
 * deletions, then run one after the other.
 */
export async function lockOrganizations(
  tx: Database,
  orgIds: readonly string[],
): Promise<Array<{ id: string; slug: string }>> {
  const locked: Array<{ id: string; slug: string }> = [];
  for (const id of [...orgIds].sort()) {
    const [row] = await tx
      .select({ id: organizations.id, slug: organizations.slug })
      .from(organizations)
      .where(eq(organizations.id, id))
      .for("update");
    if (row) locked.push(row);
  }
  return locked;
}

/**
 * Erases one organization inside the caller's transaction, which must run on the connection's own
 * role. Callers check who may do it and what confirms it, then log the result after commit
 * (`logOrganizationErased`): the organization's audit log is among what is erased.
 */
export async function eraseOrganization(
  tx: Database,
  org: { id: string; slug: string },
): Promise<ErasedOrganization> {
  const role = await tx.execute<{ role: string }>(sql`SELECT current_user AS role`);
  if (role.rows[0]?.role === TENANT_ROLE) {
    throw new Error("eraseOrganization must run on the connection's own role, not inside withTenant");
  }

  // Outside the tenant: the installation stays (it is GitHub's), only its link goes.
  const unlinked = await tx
    .update(githubInstallations)
    .set({ orgId: null })
    .where(eq(githubInstallations.orgId, org.id))
    .returning({ installationId: githubInstallations.installationId });
  const jobs = await deleteQueuedJobs(tx, org.id);

  // The organization's own rows, as the tenant role: even a wrong filter here could not reach
  // another organization's rows.
  await tx.execute(sql.raw(`SET LOCAL ROLE ${TENANT_ROLE}`));
  await tx.execute(sql`SELECT set_config('app.org_id', ${org.id}, true)`);
  const rows: Record<string, number> = {};
  for (const { name, table, orgId } of ORGANIZATION_TABLES) {
    rows[name] = affected(await tx.delete(table).where(eq(orgId, org.id)));
  }
  rows.organizations = affected(await tx.delete(organizations).where(eq(organizations.id, org.id)));
  // Back to the connection's role: the caller's transaction may go on (another organization,
  // the person's own rows).
  await tx.execute(sql`SELECT set_config('app.org_id', '', true)`);
  await tx.execute(sql`RESET ROLE`);
  if (rows.organizations !== 1) throw new Error(`organization ${org.id} was not deleted`);

  return {
    id: org.id,
    slug: org.slug,
    rows,
    unlinkedInstallations: unlinked.map((i) => i.installationId),
    jobs,
  };
}

/**
 * Jobs not yet running whose payload names the organization (attribution, backfill, roll-ups,
 * training). A job already running fails on its own: the rows it needs are gone and the foreign
 * keys refuse anything it tries to write for the organization. Nothing to do when the queue was
 * never started on this database.
 */
async function deleteQueuedJobs(tx: Database, orgId: string): Promise<number> {
  const present = await tx.execute<{ present: boolean }>(
    sql`SELECT to_regclass('pgboss.job') IS NOT NULL AS present`,
  );
  if (!present.rows[0]?.present) return 0;
  return affected(
    await tx.execute(sql`DELETE FROM pgboss.job WHERE data->>'orgId' = ${orgId} AND state <> 'active'`),
  );
}

function affected(result: { rowCount?: number | null; affectedRows?: number }): number {
  return result.rowCount ?? result.affectedRows ?? 0;
}

/**
 * The record of a deletion that outlives it: the audit log is per organization and is erased with
 * it (and `audit_log.org_id` cannot be null), so the deletion goes to the server log at warn level.
 */
export function logOrganizationErased(erased: ErasedOrganization, actor: Actor, reason: string): void {
  logger.warn(
    {
      event: "organization.deleted",
      orgId: erased.id,
      slug: erased.slug,
      actor: actorLabel(actor),
      reason,
      rows: erased.rows,
      unlinkedInstallations: erased.unlinkedInstallations,
      jobs: erased.jobs,
    },
    "organization deleted",
  );
}
