import { eq } from "drizzle-orm";
import { z } from "zod";
import { AppError } from "../../../core/errors.ts";
import { orgSettingsSchema } from "../../../core/settings.ts";
import type { Database } from "../../db/client.ts";
import { users } from "../../db/schema/auth.ts";
import { organizationMembers, organizations } from "../../db/schema/organizations.ts";
import { validateRow } from "../../db/validate.ts";
import { recordAudit } from "../audit.ts";
import type { Actor } from "../context.ts";
import { type CreatedInvitation, createInvitation } from "../invitations/create-invitation.ts";

export const slugSchema = z
  .string()
  .min(2)
  .max(48)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "lowercase letters, digits and single hyphens");

export const createOrganizationInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  slug: slugSchema,
  ownerEmail: z.email().optional(),
  plan: z.enum(["free", "team", "enterprise"]).optional(),
});

export interface CreatedOrganization {
  id: string;
  slug: string;
  name: string;
  /** Set when the owner already had an account: they are the owner now. */
  ownerUserId: string | null;
  /** Set when they did not: an owner invitation to accept after signing up. */
  invitation: CreatedInvitation | null;
}

/**
 * Creates an organization (operators and the CLI, not a tenant request: there is no tenant yet).
 * The owner becomes a member at once if they have an account, otherwise gets an owner invitation.
 */
export async function createOrganization(
  db: Database,
  actor: Actor,
  raw: z.input<typeof createOrganizationInputSchema>,
  publicOrigin: string,
): Promise<CreatedOrganization> {
  const input = createOrganizationInputSchema.parse(raw);
  return db.transaction(async (tx) => {
    const taken = await tx
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.slug, input.slug));
    if (taken.length > 0)
      throw new AppError("conflict", `an organization with slug '${input.slug}' already exists`);
    const [org] = await tx
      .insert(organizations)
      .values(
        validateRow(organizations, {
          name: input.name,
          slug: input.slug,
          plan: input.plan ?? "free",
          settings: orgSettingsSchema.parse({}),
        }),
      )
      .returning({ id: organizations.id, slug: organizations.slug, name: organizations.name });
    if (!org) throw new Error("organization insert returned nothing");
    const ctx = { db: tx, orgId: org.id, actor };
    await recordAudit(ctx, "organization.created", `organization:${org.id}`, { slug: org.slug });
    if (!input.ownerEmail) return { ...org, ownerUserId: null, invitation: null };
    const email = input.ownerEmail.toLowerCase();
    const [owner] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
    if (owner) {
      await tx.insert(organizationMembers).values({ orgId: org.id, userId: owner.id, role: "owner" });
      await recordAudit(ctx, "member.added", `user:${owner.id}`, { role: "owner" });
      return { ...org, ownerUserId: owner.id, invitation: null };
    }
    const invitation = await createInvitation(ctx, { email, role: "owner" }, publicOrigin, {
      skipSeatCheck: true,
    });
    return { ...org, ownerUserId: null, invitation };
  });
}
