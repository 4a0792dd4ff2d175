import { and, count, eq, inArray, isNull } from "drizzle-orm";
import type { MemberRole } from "../../../core/enums.ts";
import { AppError, notFound } from "../../../core/errors.ts";
import { rolesAbove } from "../../../core/permissions.ts";
import { invitations, organizationMembers, organizations } from "../../db/schema/organizations.ts";
import { recordAudit } from "../audit.ts";
import type { Actor, ServiceContext } from "../context.ts";
import { assertMayGrant, mayInvite } from "./grant-rule.ts";
import { listMembers, type MemberView } from "./list-members.ts";

// Owner rules: the grant rule (grant-rule.ts) says who may change whom; the last owner can be
// neither demoted nor removed, so an organization always has one. Every change first locks the
// organization's row, so two owners demoting or removing each other at once run one after the
// other and the second sees the first's result.

async function lockOrganization(ctx: ServiceContext): Promise<void> {
  await ctx.db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.id, ctx.orgId))
    .for("update");
}

async function findMember(ctx: ServiceContext, userId: string): Promise<{ role: MemberRole } | undefined> {
  const [row] = await ctx.db
    .select({ role: organizationMembers.role })
    .from(organizationMembers)
    .where(and(eq(organizationMembers.orgId, ctx.orgId), eq(organizationMembers.userId, userId)));
  return row;
}

/**
 * The actor as it stands now, under the lock: a person's role is read again, since the request's
 * copy was taken before the lock and may have been changed (or removed) by the transaction that
 * held it.
 */
async function currentActor(ctx: ServiceContext): Promise<Actor> {
  if (ctx.actor.kind !== "user") return ctx.actor;
  const self = await findMember(ctx, ctx.actor.userId);
  if (!self) throw new AppError("forbidden", "you are no longer a member of this organization");
  return { ...ctx.actor, role: self.role };
}

async function assertNotLastOwner(ctx: ServiceContext): Promise<void> {
  const [owners] = await ctx.db
    .select({ n: count() })
    .from(organizationMembers)
    .where(and(eq(organizationMembers.orgId, ctx.orgId), eq(organizationMembers.role, "owner")));
  if ((owners?.n ?? 0) <= 1) {
    throw new AppError("conflict", "an organization needs at least one owner; make someone else owner first");
  }
}

/**
 * Pending invitations sent by `userId` that they could no longer send: all of them when they left
 * or can no longer invite, those above their new role otherwise. Acceptance checks the same again.
 */
async function dropInvitationsBeyond(ctx: ServiceContext, userId: string, role: MemberRole | null) {
  const beyond = role === null || !mayInvite(role, "viewer") ? null : rolesAbove(role);
  if (beyond?.length === 0) return;
  await ctx.db
    .delete(invitations)
    .where(
      and(
        eq(invitations.orgId, ctx.orgId),
        eq(invitations.invitedBy, userId),
        isNull(invitations.acceptedAt),
        beyond ? inArray(invitations.role, beyond) : undefined,
      ),
    );
}

export async function changeMemberRole(
  ctx: ServiceContext,
  userId: string,
  role: MemberRole,
): Promise<MemberView> {
  await lockOrganization(ctx);
  const actor = await currentActor(ctx);
  const member = await findMember(ctx, userId);
  if (!member) throw notFound("member");
  assertMayGrant(actor, member.role);
  assertMayGrant(actor, role);
  if (member.role !== role) {
    if (member.role === "owner") await assertNotLastOwner(ctx);
    await ctx.db
      .update(organizationMembers)
      .set({ role })
      .where(and(eq(organizationMembers.orgId, ctx.orgId), eq(organizationMembers.userId, userId)));
    await dropInvitationsBeyond(ctx, userId, role);
    await recordAudit(
      ctx,
      role === "owner" ? "member.ownership_granted" : "member.role_changed",
      `user:${userId}`,
      { from: member.role, to: role },
    );
  }
  const updated = (await listMembers(ctx)).find((m) => m.userId === userId);
  if (!updated) throw notFound("member");
  return updated;
}

export async function removeMember(ctx: ServiceContext, userId: string): Promise<void> {
  await lockOrganization(ctx);
  const actor = await currentActor(ctx);
  const member = await findMember(ctx, userId);
  if (!member) throw notFound("member");
  assertMayGrant(actor, member.role);
  if (member.role === "owner") await assertNotLastOwner(ctx);
  await ctx.db
    .delete(organizationMembers)
    .where(and(eq(organizationMembers.orgId, ctx.orgId), eq(organizationMembers.userId, userId)));
  await dropInvitationsBeyond(ctx, userId, null);
  await recordAudit(ctx, "member.removed", `user:${userId}`, { role: member.role });
}
