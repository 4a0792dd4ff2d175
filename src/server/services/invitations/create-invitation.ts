import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import { MEMBER_ROLES, type MemberRole } from "../../../core/enums.ts";
import { AppError } from "../../../core/errors.ts";
import { assertWithinLimit } from "../../auth/plans.ts";
import { users } from "../../db/schema/auth.ts";
import { invitations, organizationMembers } from "../../db/schema/organizations.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";
import { assertMayGrant } from "../members/grant-rule.ts";
import { countSeats } from "../organizations/change-plan.ts";
import { getOrganizationPlan } from "../organizations/get-organization.ts";

const INVITATION_DAYS = 7;

export const createInvitationInputSchema = z.strictObject({
  email: z.email().max(320),
  role: z.enum(MEMBER_ROLES),
});

export interface CreatedInvitation {
  id: string;
  email: string;
  role: MemberRole;
  expiresAt: Date;
  createdAt: Date;
  acceptedAt: Date | null;
  /** The link to hand to the invitee (no mail server is assumed); shown once. */
  acceptUrl: string;
}

export function hashInvitationToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Invites an address into the organization. The token is random and only its hash is stored; the
 * accept link is returned once to the inviting admin. Counts against the plan's member limit. The
 * inviter grants the role, so the grant rule applies here and again at acceptance.
 */
export async function createInvitation(
  ctx: ServiceContext,
  raw: z.input<typeof createInvitationInputSchema>,
  publicOrigin: string,
  options: { skipSeatCheck?: boolean } = {},
): Promise<CreatedInvitation> {
  const input = createInvitationInputSchema.parse(raw);
  assertMayGrant(ctx.actor, input.role);
  const email = input.email.toLowerCase();
  if (!options.skipSeatCheck)
    assertWithinLimit(await getOrganizationPlan(ctx), "members", await countSeats(ctx));
  const already = await ctx.db
    .select({ id: organizationMembers.id })
    .from(organizationMembers)
    .innerJoin(users, eq(users.id, organizationMembers.userId))
    .where(and(eq(organizationMembers.orgId, ctx.orgId), eq(users.email, email)));
  if (already.length > 0) throw new AppError("conflict", `${email} is already a member`);
  const open = await ctx.db
    .select({ id: invitations.id })
    .from(invitations)
    .where(
      and(
        eq(invitations.orgId, ctx.orgId),
        eq(invitations.email, email),
        isNull(invitations.acceptedAt),
        gt(invitations.expiresAt, new Date()),
      ),
    );
  if (open.length > 0)
    throw new AppError("conflict", `${email} already has an open invitation; revoke it to send a new one`);

  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
  const [row] = await ctx.db
    .insert(invitations)
    .values({
      orgId: ctx.orgId,
      email,
      role: input.role,
      tokenHash: hashInvitationToken(token),
      invitedBy: ctx.actor.kind === "user" ? ctx.actor.userId : null,
      expiresAt,
    })
    .returning();
  if (!row) throw new Error("invitation insert returned nothing");
  await recordAudit(ctx, "invitation.created", `invitation:${row.id}`, { email, role: input.role });
  const acceptUrl = `${publicOrigin}/invitations/accept?token=${encodeURIComponent(token)}`;
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    acceptedAt: row.acceptedAt,
    acceptUrl,
  };
}
