import { eq } from "drizzle-orm";
import { notFound } from "../../../core/errors.ts";
import { type OrgSettings, orgSettingsSchema } from "../../../core/settings.ts";
import type { Database } from "../../db/client.ts";
import { organizations } from "../../db/schema/index.ts";

/** The organization's settings with defaults filled in (aiHeavyThreshold 0.5 when unset). */
export async function orgSettings(db: Database, orgId: string): Promise<OrgSettings> {
  const [org] = await db
    .select({ settings: organizations.settings })
    .from(organizations)
    .where(eq(organizations.id, orgId));
  if (!org) throw notFound("organization");
  const parsed = orgSettingsSchema.safeParse(org.settings);
  return parsed.success ? parsed.data : orgSettingsSchema.parse({});
}
