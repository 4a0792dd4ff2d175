import { desc, eq } from "drizzle-orm";
import type { MemberRole } from "../../../core/enums.ts";
import { invitations } from "../../db/schema/organizations.ts";
import type { ServiceContext } from "../context.ts";

export interface InvitationView {
  id: string;
  email: string;
  role: MemberRole;
  expiresAt: Date;
  acceptedAt: Date | null;
  createdAt: Date;
}

export async function listInvitations(ctx: ServiceContext): Promise<InvitationView[]> {
  return ctx.db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      expiresAt: invitations.expiresAt,
      acceptedAt: invitations.acceptedAt,
      createdAt: invitations.createdAt,
    })
    .from(invitations)
    .where(eq(invitations.orgId, ctx.orgId))
    .orderBy(desc(invitations.createdAt));
}
