import { eq } from "drizzle-orm";
import { notFound } from "../../../core/errors.ts";
import { type OrgSettings, orgSettingsSchema, readStoredSettings } from "../../../core/settings.ts";
import type { Database } from "../../db/client.ts";
import { organizations } from "../../db/schema/index.ts";
import type { ServiceContext } from "../context.ts";

async function storedOrgSettings(db: Database, orgId: string): Promise<OrgSettings | null> {
  const [org] = await db
    .select({ settings: organizations.settings })
    .from(organizations)
    .where(eq(organizations.id, orgId));
  if (!org) return null;
  return readStoredSettings(orgSettingsSchema, org.settings) ?? orgSettingsSchema.parse({});
}

/** The organization's settings with defaults filled in (aiHeavyThreshold 0.5 when unset). */
export async function orgSettings(db: Database, orgId: string): Promise<OrgSettings> {
  const settings = await storedOrgSettings(db, orgId);
  if (!settings) throw notFound("organization");
  return settings;
}

/** Environments whose deploys the organization counts as production (settings, with defaults). */
export async function orgProductionEnvironments(ctx: ServiceContext): Promise<string[]> {
  const settings = (await storedOrgSettings(ctx.db, ctx.orgId)) ?? orgSettingsSchema.parse({});
  return settings.productionEnvironments;
}
