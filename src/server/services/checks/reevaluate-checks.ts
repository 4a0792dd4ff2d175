import { and, eq, sql } from "drizzle-orm";
import { repositories } from "../../db/schema/index.ts";
import { pullRequestCheckJob } from "../../jobs/github-definitions.ts";
import type { WriteContext } from "../after-commit.ts";
import { openPullRequestHeads } from "./pull-request-checks.ts";

// A policy change judges the open pull requests again: their heads' checks are re-run once the
// change has committed (a job sent earlier could read the old policies).

/**
 * Asks for a new check run on the head of every open PR the change applies to: those of one
 * repository, or those of every repository that has no policies of its own. Returns how many.
 */
export async function requestPolicyReevaluation(
  ctx: WriteContext,
  scope: { repoId: string } | "organization",
): Promise<number> {
  let heads = await openPullRequestHeads(ctx, scope === "organization" ? {} : { repoId: scope.repoId });
  if (scope === "organization" && heads.length > 0) {
    // A repository with its own policies is not affected by the organization's.
    const overriding = await ctx.db
      .select({ id: repositories.id })
      .from(repositories)
      .where(
        and(
          eq(repositories.orgId, ctx.orgId),
          sql`jsonb_typeof(${repositories.settings}->'pullRequestPolicies') = 'object'`,
        ),
      );
    const own = new Set(overriding.map((r) => r.id));
    heads = heads.filter((h) => !own.has(h.repoId));
  }
  if (heads.length === 0) return 0;
  const { orgId } = ctx;
  const key = `${pullRequestCheckJob.name}:reevaluate:${orgId}:${scope === "organization" ? "*" : scope.repoId}`;
  ctx.afterCommit.add(key, async (queue) => {
    for (const head of heads)
      await queue.send(pullRequestCheckJob, {
        orgId,
        repoId: head.repoId,
        number: head.prNumber,
        headSha: head.headSha,
        baseRef: head.baseRef,
        reevaluate: true,
      });
  });
  return heads.length;
}
