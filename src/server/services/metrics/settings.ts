import { eq } from "drizzle-orm";
import { notFound } from "../../../core/errors.ts";
import { type OrgSettings, orgSettingsSchema, readStoredSettings } from "../../../core/settings.ts";
import type { Database } from "../../db/client.ts";
import { organizations } from "../../db/schema/index.ts";

/** The organization's settings with defaults filled in (aiHeavyThreshold 0.5 when unset). */
export async function orgSettings(db: Database, orgId: string): Promise<OrgSettings> {
  const [org] = await db
    .select({ settings: organizations.settings })
    .from(organizations)
    .where(eq(organizations.id, orgId));
  if (!org) throw notFound("organization");
  return readStoredSettings(orgSettingsSchema, org.settings) ?? orgSettingsSchema.parse({});
}
