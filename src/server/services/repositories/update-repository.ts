import { and, eq } from "drizzle-orm";
import type { RepoSettings } from "../../../core/settings.ts";
import { repositories } from "../../db/schema/github.ts";
import { validateRow } from "../../db/validate.ts";
import type { WriteContext } from "../after-commit.ts";
import { recordAudit } from "../audit.ts";
import { requestPolicyReevaluation } from "../checks/reevaluate-checks.ts";
import type { ServiceContext } from "../context.ts";
import { getRepository, type RepositoryView } from "./repository-views.ts";
import { assertRoomToTrack } from "./tracking-room.ts";

/**
 * Merges the given settings into the repository's; the result is validated as a whole. New pull
 * request policies judge the repository's open PRs again.
 */
export async function updateRepositorySettings(
  ctx: WriteContext,
  repositoryId: string,
  patch: Partial<RepoSettings>,
): Promise<RepositoryView> {
  const current = await getRepository(ctx, repositoryId);
  const row = validateRow(repositories, { settings: { ...current.settings, ...patch } });
  await ctx.db
    .update(repositories)
    .set(row)
    .where(and(eq(repositories.id, repositoryId), eq(repositories.orgId, ctx.orgId)));
  if (
    "pullRequestPolicies" in patch &&
    JSON.stringify(current.settings.pullRequestPolicies ?? null) !==
      JSON.stringify(row.settings?.pullRequestPolicies ?? null)
  )
    await requestPolicyReevaluation(ctx, { repoId: repositoryId });
  await recordAudit(ctx, "repository.settings_changed", `repository:${repositoryId}`, {
    changed: Object.keys(patch),
  });
  return getRepository(ctx, repositoryId);
}

/**
 * Starts or stops tracking a repository. Starting counts against the plan's repository limit
 * (402 naming it); stopping keeps the history and stops new analysis.
 */
export async function setRepositoryTracked(
  ctx: ServiceContext,
  repositoryId: string,
  tracked: boolean,
): Promise<RepositoryView> {
  const current = await getRepository(ctx, repositoryId);
  if (current.tracked === tracked) return current;
  if (tracked) await assertRoomToTrack(ctx);
  await ctx.db
    .update(repositories)
    .set({ tracked })
    .where(and(eq(repositories.id, repositoryId), eq(repositories.orgId, ctx.orgId)));
  await recordAudit(
    ctx,
    tracked ? "repository.tracked" : "repository.untracked",
    `repository:${repositoryId}`,
  );
  return getRepository(ctx, repositoryId);
}
