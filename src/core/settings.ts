import { z } from "zod";
import { globError, MAX_GLOB_LENGTH } from "./attribution/glob.ts";
import { RISK_TIERS } from "./enums.ts";
import { policySetSchema } from "./policies/schema.ts";

/**
 * A path pattern (glob, `**` allowed) that forces a risk tier; the first match wins. A pattern the
 * glob matcher refuses is refused here, naming the rule, so it never reaches attribution.
 */
export const tierRuleSchema = z.strictObject({
  pattern: z
    .string()
    .min(1)
    .max(MAX_GLOB_LENGTH, `a tier rule's pattern is at most ${MAX_GLOB_LENGTH} characters`)
    .superRefine((pattern, ctx) => {
      const error = pattern.length > MAX_GLOB_LENGTH ? null : globError(pattern);
      if (error !== null) ctx.addIssue({ code: "custom", message: `tier rule "${pattern}": ${error}` });
    }),
  tier: z.enum(RISK_TIERS),
});

export const orgSettingsSchema = z.strictObject({
  /** Share of AI-written added lines at or above which a change counts as AI-heavy. */
  aiHeavyThreshold: z.number().min(0).max(1).default(0.5),
  tierRules: z.array(tierRuleSchema).max(200).default([]),
  /** GitHub issues carrying this label become incidents. */
  incidentLabel: z.string().min(1).max(100).default("incident"),
  /** Environments whose successful deploys count as production deploys. */
  productionEnvironments: z.array(z.string().min(1).max(100)).max(20).default(["production", "prod"]),
  /** Pull request policies (docs/checks.md); absent or null: none set, the check informs only. */
  pullRequestPolicies: policySetSchema.nullish(),
});

export const repoSettingsSchema = z.strictObject({
  /** Branches whose pushes are analysed; empty means the default branch only. */
  trackedBranches: z.array(z.string().min(1).max(255)).max(50).default([]),
  tierRules: z.array(tierRuleSchema).max(200).default([]),
  /** Paths never analysed (vendored trees, fixtures). */
  ignoredPaths: z.array(z.string().min(1).max(500)).max(200).default([]),
  /** Replaces the organization's pull request policies for this repository; absent or null: the organization's apply. */
  pullRequestPolicies: policySetSchema.nullish(),
});

export type TierRule = z.infer<typeof tierRuleSchema>;
export type OrgSettings = z.infer<typeof orgSettingsSchema>;
export type RepoSettings = z.infer<typeof repoSettingsSchema>;

/**
 * Stored settings as the engine reads them: a tier rule saved before globs were validated, and now
 * refused, is dropped (it matched nothing useful and threw on every commit) instead of making the
 * whole document invalid and every other setting fall back to its default.
 */
export function readStoredSettings<S extends typeof orgSettingsSchema | typeof repoSettingsSchema>(
  schema: S,
  stored: unknown,
): z.infer<S> | null {
  const raw = stored && typeof stored === "object" ? { ...(stored as Record<string, unknown>) } : {};
  if (Array.isArray(raw.tierRules))
    raw.tierRules = raw.tierRules.filter((r) => tierRuleSchema.safeParse(r).success);
  const parsed = schema.safeParse(raw);
  return parsed.success ? (parsed.data as z.infer<S>) : null;
}
