import { z } from "zod";
import { AppError, badRequest } from "../../../core/errors.ts";
import type { Database } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import {
  type CreatedOrganization,
  createOrganization,
  createOrganizationInputSchema,
  slugSchema,
} from "./create-organization.ts";

export const createOwnOrganizationInputSchema = z.strictObject({
  name: createOrganizationInputSchema.shape.name,
  slug: slugSchema.optional(),
});

/** A slug made from a display name ("Acme Robotics, Inc." → "acme-robotics-inc"); may be too short to use. */
export function slugFromName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{Mark}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 48)
    .replace(/^-+|-+$/g, "");
}

/**
 * A signed-in person creates an organization and becomes its owner: the same creation as
 * `sentinel orgs create` (slug rules, settings, audit log), with the person as the owner and
 * actor. The slug is made from the name when none is given.
 */
export async function createOwnOrganization(
  db: Database,
  person: { userId: string; email: string },
  raw: z.input<typeof createOwnOrganizationInputSchema>,
  publicOrigin: string,
): Promise<CreatedOrganization> {
  const input = createOwnOrganizationInputSchema.parse(raw);
  const slug = input.slug ?? slugFromName(input.name);
  if (!slugSchema.safeParse(slug).success) {
    throw badRequest(
      "slug: cannot make one from this name; choose a slug (lowercase letters, digits and single hyphens)",
      { field: "slug" },
    );
  }
  const actor = { kind: "user" as const, userId: person.userId, role: "owner" as const };
  try {
    return await db.transaction(async (tx) => {
      const org = await createOrganization(
        tx,
        actor,
        { name: input.name, slug, ownerEmail: person.email },
        publicOrigin,
      );
      // The owner is found by address; anything but the caller would be someone else's organization.
      if (org.ownerUserId !== person.userId)
        throw new Error("the new organization's owner is not the caller");
      return org;
    });
  } catch (error) {
    // Another request took the slug between the check and the insert.
    if (isUniqueViolation(error))
      throw new AppError("conflict", `an organization with slug '${slug}' already exists`, { field: "slug" });
    if (error instanceof AppError && error.code === "conflict")
      throw new AppError("conflict", error.message, { field: "slug" });
    throw error;
  }
}
