import { and, asc, eq } from "drizzle-orm";
import type { MemberRole, OrgPlan } from "../../../core/enums.ts";
import type { Database } from "../../db/client.ts";
import { organizationMembers, organizations } from "../../db/schema/organizations.ts";

export interface Membership {
  org: { id: string; slug: string; name: string; plan: OrgPlan };
  role: MemberRole;
}

/**
 * The organizations a signed-in person belongs to, by name. Runs before the tenant is known
 * (it is how the tenant is chosen), on the connection's own role.
 */
export async function listMemberships(db: Database, userId: string): Promise<Membership[]> {
  const rows = await db
    .select({
      id: organizations.id,
      slug: organizations.slug,
      name: organizations.name,
      plan: organizations.plan,
      role: organizationMembers.role,
    })
    .from(organizationMembers)
    .innerJoin(organizations, eq(organizations.id, organizationMembers.orgId))
    .where(eq(organizationMembers.userId, userId))
    .orderBy(asc(organizations.name), asc(organizations.slug));
  return rows.map(({ role, ...org }) => ({ org, role }));
}

/** The person's membership in the organization with this slug, or null (unknown or not a member). */
export async function findMembershipBySlug(
  db: Database,
  userId: string,
  slug: string,
): Promise<Membership | null> {
  const rows = await db
    .select({
      id: organizations.id,
      slug: organizations.slug,
      name: organizations.name,
      plan: organizations.plan,
      role: organizationMembers.role,
    })
    .from(organizationMembers)
    .innerJoin(organizations, eq(organizations.id, organizationMembers.orgId))
    .where(and(eq(organizationMembers.userId, userId), eq(organizations.slug, slug)))
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  const { role, ...org } = row;
  return { org, role };
}
