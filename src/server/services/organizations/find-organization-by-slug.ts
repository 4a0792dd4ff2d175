import { eq } from "drizzle-orm";
import { AppError } from "../../../core/errors.ts";
import type { Database } from "../../db/client.ts";
import { organizations } from "../../db/schema/index.ts";

/** The organization with this slug, for the CLI (`--org <slug>`); not_found when there is none. */
export async function findOrganizationBySlug(
  db: Database,
  slug: string,
): Promise<{ id: string; slug: string }> {
  const [org] = await db
    .select({ id: organizations.id, slug: organizations.slug })
    .from(organizations)
    .where(eq(organizations.slug, slug));
  if (!org) throw new AppError("not_found", `organization '${slug}' not found`);
  return org;
}
