import { asc, eq } from "drizzle-orm";
import type { MemberRole } from "../../../core/enums.ts";
import { users } from "../../db/schema/auth.ts";
import { organizationMembers } from "../../db/schema/organizations.ts";
import type { ServiceContext } from "../context.ts";

export interface MemberView {
  userId: string;
  name: string;
  email: string;
  role: MemberRole;
  createdAt: Date;
}

export async function listMembers(ctx: ServiceContext): Promise<MemberView[]> {
  return ctx.db
    .select({
      userId: organizationMembers.userId,
      name: users.name,
      email: users.email,
      role: organizationMembers.role,
      createdAt: organizationMembers.createdAt,
    })
    .from(organizationMembers)
    .innerJoin(users, eq(users.id, organizationMembers.userId))
    .where(eq(organizationMembers.orgId, ctx.orgId))
    .orderBy(asc(users.name), asc(users.email));
}
