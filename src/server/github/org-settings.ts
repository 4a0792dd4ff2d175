import { eq } from "drizzle-orm";
import { orgSettingsSchema, readStoredSettings } from "../../core/settings.ts";
import { organizations } from "../db/schema/index.ts";
import type { ServiceContext } from "../services/context.ts";

/** Environments whose deploys the organization counts as production (settings, with defaults). */
export async function orgProductionEnvironments(ctx: ServiceContext): Promise<string[]> {
  const [org] = await ctx.db
    .select({ settings: organizations.settings })
    .from(organizations)
    .where(eq(organizations.id, ctx.orgId));
  const settings = readStoredSettings(orgSettingsSchema, org?.settings) ?? orgSettingsSchema.parse({});
  return settings.productionEnvironments;
}
