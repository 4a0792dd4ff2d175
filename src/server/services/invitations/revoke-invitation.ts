import { and, eq } from "drizzle-orm";
import { notFound } from "../../../core/errors.ts";
import { invitations } from "../../db/schema/organizations.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";

/** Deletes an invitation so its link stops working. */
export async function revokeInvitation(ctx: ServiceContext, invitationId: string): Promise<void> {
  const deleted = await ctx.db
    .delete(invitations)
    .where(and(eq(invitations.id, invitationId), eq(invitations.orgId, ctx.orgId)))
    .returning({ email: invitations.email });
  if (!deleted[0]) throw notFound("invitation");
  await recordAudit(ctx, "invitation.revoked", `invitation:${invitationId}`, { email: deleted[0].email });
}
