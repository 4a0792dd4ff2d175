import { z } from "zod";
import { RISK_TIERS } from "./enums.ts";

/** A path pattern (glob, `**` allowed) that forces a risk tier; the first match wins. */
export const tierRuleSchema = z.strictObject({
  pattern: z.string().min(1).max(500),
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
});

export const repoSettingsSchema = z.strictObject({
  /** Branches whose pushes are analysed; empty means the default branch only. */
  trackedBranches: z.array(z.string().min(1).max(255)).max(50).default([]),
  tierRules: z.array(tierRuleSchema).max(200).default([]),
  /** Paths never analysed (vendored trees, fixtures). */
  ignoredPaths: z.array(z.string().min(1).max(500)).max(200).default([]),
});

export type TierRule = z.infer<typeof tierRuleSchema>;
export type OrgSettings = z.infer<typeof orgSettingsSchema>;
export type RepoSettings = z.infer<typeof repoSettingsSchema>;
