import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { AppError, notFound } from "../../../core/errors.ts";
import type { Database } from "../../db/client.ts";
import { githubInstallations, webhookDeliveries } from "../../db/schema/index.ts";
import type { ServiceContext } from "../context.ts";

export type InstallationRow = typeof githubInstallations.$inferSelect;

/** What is read of an installation as GitHub describes it (webhook payload or REST). */
export interface GithubInstallationInput {
  id: number;
  account: { login: string; id: number; type?: string | undefined } | null;
  repository_selection?: string | undefined;
}

/**
 * The installation a delivery names. `forShare` waits for a concurrent link to commit, so a
 * delivery that arrives while an admin links the installation is not stranded as pending.
 */
export async function findInstallation(
  db: Database,
  installationId: number,
  opts: { forShare?: boolean } = {},
): Promise<InstallationRow | undefined> {
  const query = db
    .select()
    .from(githubInstallations)
    .where(eq(githubInstallations.installationId, installationId));
  const rows = opts.forShare ? await query.for("share") : await query;
  return rows[0];
}

/** The installations several deliveries name, by installation id. */
export async function findInstallations(
  db: Database,
  installationIds: readonly number[],
): Promise<Map<number, InstallationRow>> {
  if (installationIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(githubInstallations)
    .where(inArray(githubInstallations.installationId, [...new Set(installationIds)]));
  return new Map(rows.map((r) => [r.installationId, r]));
}

/** Records what GitHub says about an installation (created, permissions, suspension, deletion). */
export async function upsertInstallation(
  db: Database,
  installation: GithubInstallationInput,
  state: { suspended?: boolean; deleted?: boolean } = {},
): Promise<InstallationRow> {
  const now = new Date();
  const account = installation.account;
  const values = {
    installationId: installation.id,
    accountLogin: account?.login ?? `installation-${installation.id}`,
    accountId: account?.id ?? 0,
    accountType: account?.type === "Organization" ? ("organization" as const) : ("user" as const),
    repositorySelection: installation.repository_selection ?? "selected",
  };
  const lifecycle = {
    ...(state.suspended === undefined ? {} : { suspendedAt: state.suspended ? now : null }),
    ...(state.deleted === undefined ? {} : { deletedAt: state.deleted ? now : null }),
  };
  const [row] = await db
    .insert(githubInstallations)
    .values({ ...values, ...lifecycle })
    .onConflictDoUpdate({
      target: githubInstallations.installationId,
      set: { ...(account ? values : {}), ...lifecycle, updatedAt: now },
    })
    .returning();
  if (!row) throw new Error("installation upsert returned no row");
  return row;
}

/**
 * Links an installation to the context's organization. Its waiting deliveries are returned so
 * the caller can process them (they stay `pending_link` until then, so nothing is lost).
 */
export async function linkInstallation(
  ctx: ServiceContext,
  input: { installationId: number },
): Promise<{ installation: InstallationRow; pendingDeliveries: number }> {
  const existing = await findInstallation(ctx.db, input.installationId);
  if (!existing) throw notFound(`GitHub installation ${input.installationId}`);
  if (existing.deletedAt)
    throw new AppError("conflict", `GitHub installation ${input.installationId} was uninstalled`);
  if (existing.orgId && existing.orgId !== ctx.orgId) {
    throw new AppError(
      "conflict",
      `GitHub installation ${input.installationId} is linked to another organization`,
    );
  }
  const [installation] = await ctx.db
    .update(githubInstallations)
    .set({ orgId: ctx.orgId, updatedAt: new Date() })
    .where(eq(githubInstallations.installationId, input.installationId))
    .returning();
  if (!installation) throw notFound(`GitHub installation ${input.installationId}`);
  const pending = await pendingDeliveryIds(ctx.db, input.installationId);
  return { installation, pendingDeliveries: pending.length };
}

/** Deliveries waiting for their installation to be linked, oldest first. */
export async function pendingDeliveryIds(db: Database, installationId: number): Promise<string[]> {
  const rows = await db
    .select({ deliveryId: webhookDeliveries.deliveryId })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.installationId, installationId),
        eq(webhookDeliveries.outcome, "pending_link"),
      ),
    )
    .orderBy(asc(webhookDeliveries.receivedAt), asc(webhookDeliveries.id));
  return rows.map((r) => r.deliveryId);
}

/** Installations no organization has claimed yet (setup page, CLI hints). */
export async function unlinkedInstallations(db: Database): Promise<InstallationRow[]> {
  return db
    .select()
    .from(githubInstallations)
    .where(and(isNull(githubInstallations.orgId), isNull(githubInstallations.deletedAt)));
}
