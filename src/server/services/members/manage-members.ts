import { and, count, eq } from "drizzle-orm";
import type { MemberRole } from "../../../core/enums.ts";
import { AppError, notFound } from "../../../core/errors.ts";
import { organizationMembers } from "../../db/schema/organizations.ts";
import { recordAudit } from "../audit.ts";
import type { Actor, ServiceContext } from "../context.ts";
import { listMembers, type MemberView } from "./list-members.ts";

// Owner rules: admins manage admins, members and viewers; only an owner may make someone an
// owner (that is how ownership is transferred) or change or remove an owner; the last owner can be
// neither demoted nor removed, so an organization always has one.

/** The role the actor acts with: an API key with the admin scope acts as an admin, never an owner. */
function actingRole(actor: Actor): MemberRole {
  return actor.kind === "user" ? actor.role : "admin";
}

async function findMember(ctx: ServiceContext, userId: string): Promise<{ role: MemberRole }> {
  const [row] = await ctx.db
    .select({ role: organizationMembers.role })
    .from(organizationMembers)
    .where(and(eq(organizationMembers.orgId, ctx.orgId), eq(organizationMembers.userId, userId)));
  if (!row) throw notFound("member");
  return row;
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

function assertMayManage(actor: Actor, currentRole: MemberRole, newRole?: MemberRole): void {
  if (actingRole(actor) === "owner") return;
  if (currentRole === "owner" || newRole === "owner") {
    throw new AppError("forbidden", "only an owner can grant, change or remove the owner role", {
      permission: "ownership:transfer",
    });
  }
}

export async function changeMemberRole(
  ctx: ServiceContext,
  userId: string,
  role: MemberRole,
): Promise<MemberView> {
  const member = await findMember(ctx, userId);
  assertMayManage(ctx.actor, member.role, role);
  if (member.role !== role) {
    if (member.role === "owner") await assertNotLastOwner(ctx);
    await ctx.db
      .update(organizationMembers)
      .set({ role })
      .where(and(eq(organizationMembers.orgId, ctx.orgId), eq(organizationMembers.userId, userId)));
    await recordAudit(
      ctx,
      role === "owner" ? "member.ownership_granted" : "member.role_changed",
      `user:${userId}`,
      {
        from: member.role,
        to: role,
      },
    );
  }
  const updated = (await listMembers(ctx)).find((m) => m.userId === userId);
  if (!updated) throw notFound("member");
  return updated;
}

export async function removeMember(ctx: ServiceContext, userId: string): Promise<void> {
  const member = await findMember(ctx, userId);
  assertMayManage(ctx.actor, member.role);
  if (member.role === "owner") await assertNotLastOwner(ctx);
  await ctx.db
    .delete(organizationMembers)
    .where(and(eq(organizationMembers.orgId, ctx.orgId), eq(organizationMembers.userId, userId)));
  await recordAudit(ctx, "member.removed", `user:${userId}`, { role: member.role });
}
