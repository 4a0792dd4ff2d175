import { randomBytes } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { notFound } from "../../../core/errors.ts";
import type { Database } from "../../db/client.ts";
import { integrationSecrets, organizations } from "../../db/schema/index.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";

/** Inbound integrations that sign their webhooks with a per-organization secret. */
export const INTEGRATION_KINDS = ["pagerduty"] as const;

export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

export function isIntegrationKind(value: string): value is IntegrationKind {
  return (INTEGRATION_KINDS as readonly string[]).includes(value);
}

/** Where the integration posts an organization's webhooks (after the server's public origin). */
export function integrationWebhookPath(kind: IntegrationKind, orgSlug: string): string {
  return `/api/webhooks/${kind}/${encodeURIComponent(orgSlug)}`;
}

export interface RotatedSecret {
  kind: IntegrationKind;
  /** The new secret: returned here only, never readable again. */
  secret: string;
  /** False when the organization had no secret for this integration before. */
  replaced: boolean;
  createdAt: Date;
  /** Where the integration must post this organization's webhooks (after the public origin). */
  webhookPath: string;
}

/**
 * Creates or replaces the organization's secret for an integration and records it in the audit
 * log (never the secret itself). The old secret stops verifying at once: there is no grace
 * period, so the integration must be given the new one straight away (docs/operations.md).
 */
export async function rotateIntegrationSecret(
  ctx: ServiceContext,
  kind: IntegrationKind,
): Promise<RotatedSecret> {
  const secret = randomBytes(32).toString("base64url");
  return ctx.db.transaction(async (tx) => {
    const [org] = await tx
      .select({ slug: organizations.slug })
      .from(organizations)
      .where(eq(organizations.id, ctx.orgId));
    if (!org) throw notFound("organization");
    const [previous] = await tx
      .select({ id: integrationSecrets.id })
      .from(integrationSecrets)
      .where(and(eq(integrationSecrets.orgId, ctx.orgId), eq(integrationSecrets.kind, kind)));
    const [row] = await tx
      .insert(integrationSecrets)
      .values({ orgId: ctx.orgId, kind, secret })
      .onConflictDoUpdate({
        target: [integrationSecrets.orgId, integrationSecrets.kind],
        // created_at is when the current secret was made.
        set: { secret, createdAt: sql`now()` },
      })
      .returning({ createdAt: integrationSecrets.createdAt });
    const replaced = previous !== undefined;
    await recordAudit({ ...ctx, db: tx }, "integration_secret.rotated", kind, { replaced });
    return {
      kind,
      secret,
      replaced,
      createdAt: row?.createdAt ?? new Date(),
      webhookPath: integrationWebhookPath(kind, org.slug),
    };
  });
}

/** The organization named by a webhook URL and its secret for that integration, if both exist. */
export async function findIntegrationSecret(
  db: Database,
  orgSlug: string,
  kind: IntegrationKind,
): Promise<{ orgId: string; secret: string } | null> {
  const [found] = await db
    .select({ orgId: organizations.id, secret: integrationSecrets.secret })
    .from(organizations)
    .innerJoin(
      integrationSecrets,
      and(eq(integrationSecrets.orgId, organizations.id), eq(integrationSecrets.kind, kind)),
    )
    .where(eq(organizations.slug, orgSlug));
  return found ?? null;
}
