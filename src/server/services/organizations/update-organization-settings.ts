import { eq } from "drizzle-orm";
import type { OrgSettings } from "../../../core/settings.ts";
import { organizations } from "../../db/schema/organizations.ts";
import { validateRow } from "../../db/validate.ts";
import type { WriteContext } from "../after-commit.ts";
import { recordAudit } from "../audit.ts";
import { requestPolicyReevaluation } from "../checks/reevaluate-checks.ts";
import { markOrganizationStaleAndRequestRollUps } from "../metrics/schedule-roll-up.ts";
import { orgSettings } from "../metrics/settings.ts";
import { getOrganization, type OrganizationView } from "./get-organization.ts";

/**
 * Merges the given settings into the current ones; the result is validated as a whole. A new
 * AI-heavy threshold marks every stored metrics period stale, and the roll-up recomputes them.
 */
export async function updateOrganizationSettings(
  ctx: WriteContext,
  patch: Partial<OrgSettings>,
): Promise<OrganizationView> {
  const current = await getOrganization(ctx);
  const before = await orgSettings(ctx.db, ctx.orgId);
  const row = validateRow(organizations, { settings: { ...current.settings, ...patch } });
  await ctx.db.update(organizations).set(row).where(eq(organizations.id, ctx.orgId));
  const after = await orgSettings(ctx.db, ctx.orgId);
  // repo_metrics counts AI-heavy changes with the threshold in force when it was rolled up.
  if (after.aiHeavyThreshold !== before.aiHeavyThreshold) await markOrganizationStaleAndRequestRollUps(ctx);
  // New pull request policies judge the open PRs again (those of repositories without their own).
  if (
    JSON.stringify(after.pullRequestPolicies ?? null) !== JSON.stringify(before.pullRequestPolicies ?? null)
  )
    await requestPolicyReevaluation(ctx, "organization");
  await recordAudit(ctx, "organization.settings_changed", `organization:${ctx.orgId}`, {
    changed: Object.keys(patch),
  });
  return getOrganization(ctx);
}
