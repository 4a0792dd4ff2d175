import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, eq, gt } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../db/client.ts";
import { accounts, verifications } from "../../db/schema/auth.ts";

// The `state` of a GitHub App install link: a random token naming the organization and the admin
// who asked for it, kept server-side (only its hash, in Better Auth's verifications table) for an
// hour and deleted by its first use, so a state can link one installation, once, for that admin.

export const SETUP_STATE_TTL_MS = 60 * 60 * 1000;
const PREFIX = "github-setup:";

const boundSchema = z.object({ orgId: z.uuid(), userId: z.string().min(1) });
export type SetupStateBinding = z.infer<typeof boundSchema>;

const identifierOf = (state: string) => `${PREFIX}${createHash("sha256").update(state).digest("hex")}`;

export async function issueSetupState(
  db: Database,
  binding: SetupStateBinding,
  now = Date.now(),
): Promise<{ state: string; expiresAt: Date }> {
  const state = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now + SETUP_STATE_TTL_MS);
  await db.insert(verifications).values({
    id: randomUUID(),
    identifier: identifierOf(state),
    value: JSON.stringify(boundSchema.parse(binding)),
    expiresAt,
  });
  return { state, expiresAt };
}

/**
 * The binding of an unexpired, unused state and when it was issued; the state is used up by this
 * call. Null for an unknown, used or expired state.
 */
export async function consumeSetupState(
  db: Database,
  state: string,
): Promise<(SetupStateBinding & { issuedAt: Date }) | null> {
  const [row] = await db
    .delete(verifications)
    .where(and(eq(verifications.identifier, identifierOf(state)), gt(verifications.expiresAt, new Date())))
    .returning({ value: verifications.value, issuedAt: verifications.createdAt });
  if (!row) return null;
  const parsed = boundSchema.safeParse(JSON.parse(row.value));
  return parsed.success ? { ...parsed.data, issuedAt: row.issuedAt } : null;
}

/** The GitHub OAuth token of a person who signed in with GitHub, or null. */
export async function findGithubUserToken(db: Database, userId: string): Promise<string | null> {
  const [row] = await db
    .select({ token: accounts.accessToken })
    .from(accounts)
    .where(and(eq(accounts.userId, userId), eq(accounts.providerId, "github")))
    .limit(1);
  return row?.token ?? null;
}
