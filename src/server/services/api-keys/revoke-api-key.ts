import { and, eq, isNull } from "drizzle-orm";
import { notFound } from "../../../core/errors.ts";
import { apiKeys } from "../../db/schema/organizations.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";

/** Revokes a key at once (the next request with it is refused). Revoking twice is harmless. */
export async function revokeApiKey(ctx: ServiceContext, keyId: string): Promise<void> {
  const [key] = await ctx.db
    .select({ id: apiKeys.id, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.orgId, ctx.orgId)));
  if (!key) throw notFound("API key");
  if (key.revokedAt) return;
  await ctx.db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.orgId, ctx.orgId), isNull(apiKeys.revokedAt)));
  await recordAudit(ctx, "api_key.revoked", `api_key:${keyId}`);
}
