import { eq } from "drizzle-orm";
import type { OrgPlan } from "../../../core/enums.ts";
import { notFound } from "../../../core/errors.ts";
import type { OrgSettings } from "../../../core/settings.ts";
import { organizations } from "../../db/schema/organizations.ts";
import type { ServiceContext } from "../context.ts";

export interface OrganizationView {
  id: string;
  slug: string;
  name: string;
  plan: OrgPlan;
  settings: OrgSettings;
  createdAt: Date;
}

export async function getOrganization(ctx: ServiceContext): Promise<OrganizationView> {
  const rows = await ctx.db
    .select({
      id: organizations.id,
      slug: organizations.slug,
      name: organizations.name,
      plan: organizations.plan,
      settings: organizations.settings,
      createdAt: organizations.createdAt,
    })
    .from(organizations)
    .where(eq(organizations.id, ctx.orgId))
    .limit(1);
  const row = rows[0];
  if (!row) throw notFound("organization");
  return row;
}

/** The organization's plan, for the limits that depend on it. */
export async function getOrganizationPlan(ctx: ServiceContext): Promise<OrgPlan> {
  return (await getOrganization(ctx)).plan;
}
