import { and, eq, isNotNull, ne, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { codeAttribution, codeEvents, repositories } from "../../db/schema/index.ts";

export interface CommitRef {
  orgId: string;
  repoId: string;
  commitSha: string;
}

/**
 * Commits of App repositories whose rows another engine version made, in (repository, commit)
 * order after `after`: what re-attribution re-queues, a page at a time. Demo commits (the seed's,
 * `source: "seed"`) exist nowhere on GitHub to fetch again, and CLI repositories (no installation)
 * are brought up to date by `sentinel analyze`.
 */
export async function commitsOfOlderEngines(
  db: Database,
  page: { engineVersion: string; after: { repoId: string; commitSha: string } | null; limit: number },
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
        ne(codeAttribution.engineVersion, page.engineVersion),
        sql`NOT EXISTS (SELECT 1 FROM ${codeEvents} e WHERE e.commit_sha = ${codeAttribution.commitSha}
          AND e.repo_id = ${codeAttribution.repoId} AND e.event_type = 'commit'
          AND e.metadata->>'source' = 'seed')`,
        isNotNull(repositories.installationId),
        after
          ? sql`(${codeAttribution.repoId}, ${codeAttribution.commitSha}) > (${after.repoId}, ${after.commitSha})`
          : undefined,
      ),
    )
    .orderBy(codeAttribution.repoId, codeAttribution.commitSha, codeAttribution.orgId)
    .limit(page.limit);
}
