import { and, count, eq } from "drizzle-orm";
import type { MemberRole } from "../../../core/enums.ts";
import { AppError } from "../../../core/errors.ts";
import { PLAN_LIMITS } from "../../auth/plans.ts";
import type { Database } from "../../db/client.ts";
import { users } from "../../db/schema/auth.ts";
import { invitations, organizationMembers, organizations } from "../../db/schema/organizations.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";
import { mayInvite } from "../members/grant-rule.ts";
import { hashInvitationToken } from "./create-invitation.ts";

export interface PendingInvitation {
  id: string;
  orgId: string;
  email: string;
  role: MemberRole;
  /** Null when an API key or the CLI sent it (their grant was checked when it was made). */
  invitedBy: string | null;
}

/**
 * The open invitation a token stands for, checked against the signed-in person's address. Runs
 * before the tenant is known (the token names it), on the connection's own role. Unknown, used
 * and expired tokens all answer 404 alike.
 */
export async function findInvitationForUser(
  db: Database,
  token: string,
  userId: string,
): Promise<PendingInvitation> {
  const rows = await db
    .select({
      id: invitations.id,
      orgId: invitations.orgId,
      email: invitations.email,
      role: invitations.role,
      invitedBy: invitations.invitedBy,
      expiresAt: invitations.expiresAt,
      acceptedAt: invitations.acceptedAt,
    })
    .from(invitations)
    .where(eq(invitations.tokenHash, hashInvitationToken(token)))
    .limit(1);
  const row = rows[0];
  if (!row || row.acceptedAt || row.expiresAt.getTime() <= Date.now()) {
    throw new AppError("not_found", "invitation not found, already used or expired");
  }
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  // The link alone is not enough: it must reach the person it was meant for. Answered like an
  // unknown token, so a leaked link tells a stranger nothing.
  if (!user || user.email.toLowerCase() !== row.email) {
    throw new AppError(
      "not_found",
      "no open invitation for your address with this token; sign in as the invited address",
    );
  }
  return { id: row.id, orgId: row.orgId, email: row.email, role: row.role, invitedBy: row.invitedBy };
}

export type AcceptOutcome =
  | { accepted: true; orgId: string; slug: string; role: MemberRole }
  /** The inviter left or can no longer grant the role: the invitation was dropped. */
  | { accepted: false; reason: string };

/**
 * Makes the invitee a member (inside the invited organization's tenant transaction). The inviter's
 * right is checked again: an invitation whose sender has left or lost the right to grant its role
 * is dropped instead, and the caller answers after the transaction commits the drop.
 */
export async function acceptInvitation(
  ctx: ServiceContext,
  invitation: PendingInvitation,
  userId: string,
): Promise<AcceptOutcome> {
  if (invitation.invitedBy) {
    const [inviter] = await ctx.db
      .select({ role: organizationMembers.role })
      .from(organizationMembers)
      .where(
        and(eq(organizationMembers.orgId, ctx.orgId), eq(organizationMembers.userId, invitation.invitedBy)),
      );
    if (!mayInvite(inviter?.role ?? null, invitation.role)) {
      await ctx.db
        .delete(invitations)
        .where(and(eq(invitations.id, invitation.id), eq(invitations.orgId, ctx.orgId)));
      await recordAudit(ctx, "invitation.dropped", `invitation:${invitation.id}`, {
        email: invitation.email,
        role: invitation.role,
        reason: "inviter can no longer grant this role",
      });
      return {
        accepted: false,
        reason: `the person who invited you can no longer grant the ${invitation.role} role; ask for a new invitation`,
      };
    }
  }
  const [org] = await ctx.db
    .select({ slug: organizations.slug, plan: organizations.plan })
    .from(organizations)
    .where(eq(organizations.id, ctx.orgId));
  if (!org) throw new AppError("not_found", "organization not found");
  const existing = await ctx.db
    .select({ role: organizationMembers.role })
    .from(organizationMembers)
    .where(and(eq(organizationMembers.orgId, ctx.orgId), eq(organizationMembers.userId, userId)));
  if (!existing[0]) {
    // The invitation held a seat; still refuse if members alone have filled the plan since.
    const [members] = await ctx.db
      .select({ n: count() })
      .from(organizationMembers)
      .where(eq(organizationMembers.orgId, ctx.orgId));
    const allowed = PLAN_LIMITS[org.plan].members;
    if (allowed !== null && (members?.n ?? 0) >= allowed) {
      throw new AppError("payment_required", `the ${org.plan} plan allows ${allowed} members`, {
        limit: "members",
        allowed,
        plan: org.plan,
      });
    }
    await ctx.db.insert(organizationMembers).values({ orgId: ctx.orgId, userId, role: invitation.role });
  }
  await ctx.db
    .update(invitations)
    .set({ acceptedAt: new Date() })
    .where(and(eq(invitations.id, invitation.id), eq(invitations.orgId, ctx.orgId)));
  await recordAudit(ctx, "member.added", `user:${userId}`, {
    role: invitation.role,
    invitation: invitation.id,
  });
  return { accepted: true, orgId: ctx.orgId, slug: org.slug, role: existing[0]?.role ?? invitation.role };
}
