import { eq } from "drizzle-orm";
import { notFound } from "../../../core/errors.ts";
import type { Database } from "../../db/client.ts";
import { users } from "../../db/schema/auth.ts";

/** A signed-in person's own profile; runs before any tenant is chosen. */
export async function getUser(
  db: Database,
  userId: string,
): Promise<{ id: string; name: string; email: string }> {
  const rows = await db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  const row = rows[0];
  if (!row) throw notFound("user");
  return row;
}
