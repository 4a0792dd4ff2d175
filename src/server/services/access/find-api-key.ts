import { eq } from "drizzle-orm";
import type { OrgPlan } from "../../../core/enums.ts";
import type { Database } from "../../db/client.ts";
import { apiKeys, organizations } from "../../db/schema/organizations.ts";

export interface StoredApiKey {
  id: string;
  orgId: string;
  scopes: string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  org: { id: string; slug: string; plan: OrgPlan };
}

/**
 * The key with this hash and its organization. Runs before the tenant is known, so on the
 * connection's own role (outside row-level security); the hash is the only input.
 */
export async function findApiKeyByHash(db: Database, keyHash: string): Promise<StoredApiKey | null> {
  const rows = await db
    .select({
      id: apiKeys.id,
      orgId: apiKeys.orgId,
      scopes: apiKeys.scopes,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
      lastUsedAt: apiKeys.lastUsedAt,
      slug: organizations.slug,
      plan: organizations.plan,
    })
    .from(apiKeys)
    .innerJoin(organizations, eq(organizations.id, apiKeys.orgId))
    .where(eq(apiKeys.keyHash, keyHash))
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    orgId: row.orgId,
    scopes: row.scopes,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
    org: { id: row.orgId, slug: row.slug, plan: row.plan },
  };
}
