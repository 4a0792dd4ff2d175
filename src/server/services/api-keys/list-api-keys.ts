import { desc, eq } from "drizzle-orm";
import { apiKeys } from "../../db/schema/organizations.ts";
import type { ServiceContext } from "../context.ts";

export interface ApiKeyView {
  id: string;
  name: string;
  displayPrefix: string;
  scopes: string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

/** Every key of the organization, newest first, revoked ones included (never their secrets). */
export async function listApiKeys(ctx: ServiceContext): Promise<ApiKeyView[]> {
  return ctx.db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      displayPrefix: apiKeys.displayPrefix,
      scopes: apiKeys.scopes,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
      lastUsedAt: apiKeys.lastUsedAt,
      createdAt: apiKeys.createdAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.orgId, ctx.orgId))
    .orderBy(desc(apiKeys.createdAt));
}
