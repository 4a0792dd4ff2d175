import { eq } from "drizzle-orm";
import type { OrgSettings } from "../../../core/settings.ts";
import { organizations } from "../../db/schema/organizations.ts";
import { validateRow } from "../../db/validate.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";
import { getOrganization, type OrganizationView } from "./get-organization.ts";

/** Merges the given settings into the current ones; the result is validated as a whole. */
export async function updateOrganizationSettings(
  ctx: ServiceContext,
  patch: Partial<OrgSettings>,
): Promise<OrganizationView> {
  const current = await getOrganization(ctx);
  const row = validateRow(organizations, { settings: { ...current.settings, ...patch } });
  await ctx.db.update(organizations).set(row).where(eq(organizations.id, ctx.orgId));
  await recordAudit(ctx, "organization.settings_changed", `organization:${ctx.orgId}`, {
    changed: Object.keys(patch),
  });
  return getOrganization(ctx);
}
