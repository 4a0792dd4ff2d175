import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { integrationSecrets, organizations } from "../../db/schema/index.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";

export type IntegrationKind = "pagerduty";

/** Creates or replaces the organization's secret for an integration; the secret is returned once. */
export async function rotateIntegrationSecret(
  ctx: ServiceContext,
  kind: IntegrationKind,
): Promise<{ secret: string }> {
  const secret = randomBytes(32).toString("base64url");
  await ctx.db.transaction(async (tx) => {
    await tx
      .insert(integrationSecrets)
      .values({ orgId: ctx.orgId, kind, secret })
      .onConflictDoUpdate({ target: [integrationSecrets.orgId, integrationSecrets.kind], set: { secret } });
    await recordAudit({ ...ctx, db: tx }, "integration_secret.rotated", kind);
  });
  return { secret };
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
