import { and, eq, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { codeAttribution, codeEvents, repositories } from "../../db/schema/index.ts";
import type { CommitRef } from "./older-engine-commits.ts";

/**
 * Commits of the organization's App repositories that a newly active model (`modelVersion`) would
 * attribute differently: those with a file the previous model decided, and those with a file no
 * evidence decided (the model speaks only there). Heuristic and overridden files stay as they are,
 * whatever the model. Paged like `commitsOfOlderEngines`; demo and CLI commits are left out for the
 * same reasons.
 */
export async function commitsOfOtherModels(
  db: Database,
  page: {
    orgId: string;
    modelVersion: string;
    after: { repoId: string; commitSha: string } | null;
    limit: number;
  },
): Promise<CommitRef[]> {
  const { after } = page;
  return db
    .selectDistinct({
      orgId: codeAttribution.orgId,
      repoId: codeAttribution.repoId,
      commitSha: codeAttribution.commitSha,
    })
    .from(codeAttribution)
    .innerJoin(repositories, eq(repositories.id, codeAttribution.repoId))
    .where(
      and(
        eq(codeAttribution.orgId, page.orgId),
        or(
          isNull(codeAttribution.detectionMethod),
          and(
            eq(codeAttribution.detectionMethod, "ml_model"),
            sql`${codeAttribution.detectionSignals}->'model'->>'version' IS DISTINCT FROM ${page.modelVersion}`,
          ),
        ),
        sql`NOT EXISTS (SELECT 1 FROM ${codeEvents} e WHERE e.commit_sha = ${codeAttribution.commitSha}
          AND e.repo_id = ${codeAttribution.repoId} AND e.event_type = 'commit'
          AND e.metadata->>'source' = 'seed')`,
        isNotNull(repositories.installationId),
        after
          ? sql`(${codeAttribution.repoId}, ${codeAttribution.commitSha}) > (${after.repoId}, ${after.commitSha})`
          : undefined,
      ),
    )
    .orderBy(codeAttribution.repoId, codeAttribution.commitSha)
    .limit(page.limit);
}
