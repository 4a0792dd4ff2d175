import { z } from "zod";
import { API_KEY_SCOPES } from "../../../core/permissions.ts";
import { generateApiKey } from "../../auth/api-keys.ts";
import { apiKeys } from "../../db/schema/organizations.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";
import { assertMayGrantScopes } from "../members/grant-rule.ts";
import type { ApiKeyView } from "./list-api-keys.ts";

/** Validated here and published by the route; `expiresAt` is ISO 8601 with an offset, or a Date in-process. */
export const createApiKeyInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(API_KEY_SCOPES.length),
  expiresAt: z
    .preprocess(
      // An invalid Date stays a Date, which the string check then refuses.
      (value: Date | string) =>
        value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : value,
      z.iso.datetime({ offset: true }),
    )
    .pipe(z.coerce.date())
    .refine((d) => d.getTime() > Date.now(), "must be in the future")
    .nullable()
    .optional(),
});

export type CreateApiKeyInput = z.input<typeof createApiKeyInputSchema>;

/** Creates a key and returns it with the secret: the only time the secret exists outside the caller. */
export async function createApiKey(
  ctx: ServiceContext,
  raw: CreateApiKeyInput,
): Promise<ApiKeyView & { key: string }> {
  const input = createApiKeyInputSchema.parse(raw);
  const scopes = [...new Set(input.scopes)];
  assertMayGrantScopes(ctx.actor, scopes);
  const generated = generateApiKey();
  const [row] = await ctx.db
    .insert(apiKeys)
    .values({
      orgId: ctx.orgId,
      name: input.name,
      displayPrefix: generated.displayPrefix,
      keyHash: generated.keyHash,
      scopes,
      createdBy: ctx.actor.kind === "user" ? ctx.actor.userId : null,
      expiresAt: input.expiresAt ?? null,
    })
    .returning();
  if (!row) throw new Error("api key insert returned nothing");
  await recordAudit(ctx, "api_key.created", `api_key:${row.id}`, { name: row.name, scopes });
  return {
    id: row.id,
    name: row.name,
    displayPrefix: row.displayPrefix,
    scopes: row.scopes,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
    createdAt: row.createdAt,
    key: generated.key,
  };
}
