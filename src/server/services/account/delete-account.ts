import { and, count, eq, isNotNull, isNull, ne } from "drizzle-orm";
import { AppError, badRequest, notFound } from "../../../core/errors.ts";
import type { Database } from "../../db/client.ts";
import { accounts, sessions, users, verifications } from "../../db/schema/auth.ts";
import { apiKeys, invitations, organizationMembers } from "../../db/schema/organizations.ts";
import { logger } from "../../logger.ts";
import { recordAudit } from "../audit.ts";
import type { Actor } from "../context.ts";
import {
  type ErasedOrganization,
  eraseOrganization,
  lockOrganizations,
  logOrganizationErased,
} from "../organizations/delete-organization.ts";

export interface DeletedAccount {
  userId: string;
  /** Organizations the person was the only member of: erased with the account. */
  deletedOrganizations: ErasedOrganization[];
  /** Organizations that go on without them. */
  leftOrganizations: Array<{ id: string; slug: string }>;
}

const REASON = "account deleted";

/**
 * A signed-in person deletes their own account (sessions only, checked by the route); `confirm`
 * must be their e-mail address. In one transaction, on the connection's own role (people are
 * global, and sessions and accounts are outside any tenant):
 *
 * - refused with 409 while they are the last owner of an organization that has other members;
 * - an organization they are the only member of is erased with them;
 * - in every other organization: their membership, the API keys they created and the
 *   invitations they sent that are still open are deleted, each recorded in that organization's
 *   audit log with reason "account deleted";
 * - then their sessions (signed out everywhere at once), sign-in accounts, password-reset tokens
 *   and the user row.
 *
 * What they did stays in the organizations' records (audit log actors, override authors).
 */
export async function deleteAccount(
  db: Database,
  userId: string,
  input: { confirm: string },
): Promise<DeletedAccount> {
  const actor: Actor = { kind: "user", userId, role: "viewer" };
  const result = await db.transaction(async (tx) => {
    const [user] = await tx
      .select({ email: users.email })
      .from(users)
      .where(eq(users.id, userId))
      .for("update");
    if (!user) throw notFound("user");
    if (input.confirm.trim().toLowerCase() !== user.email.toLowerCase()) {
      throw badRequest("confirm: type your account's e-mail address exactly to delete it", {
        field: "confirm",
      });
    }

    const memberships = await tx
      .select({ orgId: organizationMembers.orgId, role: organizationMembers.role })
      .from(organizationMembers)
      .where(eq(organizationMembers.userId, userId));
    // Locked before counting, so two people leaving the same organization cannot both pass the
    // last-owner check.
    const orgs = await lockOrganizations(
      tx,
      memberships.map((m) => m.orgId),
    );

    const erase: Array<{ id: string; slug: string }> = [];
    const leave: Array<{ id: string; slug: string; role: (typeof memberships)[number]["role"] }> = [];
    const blocking: string[] = [];
    for (const org of orgs) {
      const role = memberships.find((m) => m.orgId === org.id)?.role ?? "viewer";
      const others = await countMembers(tx, org.id, userId);
      if (others.all === 0) erase.push(org);
      else if (role === "owner" && others.owners === 0) blocking.push(org.slug);
      else leave.push({ ...org, role });
    }
    if (blocking.length > 0) {
      throw new AppError(
        "conflict",
        `you are the last owner of ${blocking.join(", ")}: make someone else owner, or delete the organization, first`,
        { organizations: blocking },
      );
    }

    const deletedOrganizations: ErasedOrganization[] = [];
    for (const org of erase) deletedOrganizations.push(await eraseOrganization(tx, org));

    for (const org of leave) {
      const ctx = { db: tx, orgId: org.id, actor: { ...actor, role: org.role } };
      await tx
        .delete(organizationMembers)
        .where(and(eq(organizationMembers.orgId, org.id), eq(organizationMembers.userId, userId)));
      await recordAudit(ctx, "member.removed", `user:${userId}`, { role: org.role, reason: REASON });
    }

    // Keys they created, in any organization (also one they left earlier): they know those keys.
    const keys = await tx
      .delete(apiKeys)
      .where(eq(apiKeys.createdBy, userId))
      .returning({ id: apiKeys.id, orgId: apiKeys.orgId, name: apiKeys.name });
    for (const key of keys) {
      await recordAudit({ db: tx, orgId: key.orgId, actor }, "api_key.deleted", `api_key:${key.id}`, {
        name: key.name,
        reason: REASON,
      });
    }

    // Open invitations they sent go: with the sender gone, nobody vouches for them any more (and
    // an invitation without a sender would be accepted as an operator's). Accepted ones are
    // history and only lose the sender's id.
    const dropped = await tx
      .delete(invitations)
      .where(and(eq(invitations.invitedBy, userId), isNull(invitations.acceptedAt)))
      .returning({
        id: invitations.id,
        orgId: invitations.orgId,
        email: invitations.email,
        role: invitations.role,
      });
    for (const invitation of dropped) {
      await recordAudit(
        { db: tx, orgId: invitation.orgId, actor },
        "invitation.dropped",
        `invitation:${invitation.id}`,
        { email: invitation.email, role: invitation.role, reason: REASON },
      );
    }
    await tx
      .update(invitations)
      .set({ invitedBy: null })
      .where(and(eq(invitations.invitedBy, userId), isNotNull(invitations.acceptedAt)));

    await tx.delete(sessions).where(eq(sessions.userId, userId));
    await tx.delete(accounts).where(eq(accounts.userId, userId));
    // Password-reset tokens name the user in `value`.
    await tx.delete(verifications).where(eq(verifications.value, userId));
    await tx.delete(users).where(eq(users.id, userId));

    return {
      userId,
      deletedOrganizations,
      leftOrganizations: leave.map(({ id, slug }) => ({ id, slug })),
    };
  });

  for (const org of result.deletedOrganizations) logOrganizationErased(org, actor, REASON);
  // No address or name: the log outlives the account.
  logger.warn(
    {
      event: "account.deleted",
      userId,
      deletedOrganizations: result.deletedOrganizations.map((o) => o.id),
      leftOrganizations: result.leftOrganizations.map((o) => o.id),
    },
    "account deleted",
  );
  return result;
}

async function countMembers(
  tx: Database,
  orgId: string,
  userId: string,
): Promise<{ all: number; owners: number }> {
  const rows = await tx
    .select({ role: organizationMembers.role, n: count() })
    .from(organizationMembers)
    .where(and(eq(organizationMembers.orgId, orgId), ne(organizationMembers.userId, userId)))
    .groupBy(organizationMembers.role);
  return {
    all: rows.reduce((sum, r) => sum + r.n, 0),
    owners: rows.find((r) => r.role === "owner")?.n ?? 0,
  };
}
