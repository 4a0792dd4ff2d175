import { and, eq, isNotNull, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { codeAttribution, codeEvents, repositories } from "../../db/schema/index.ts";

export interface CommitRef {
  orgId: string;
  repoId: string;
  commitSha: string;
}

export interface CommitPage {
  after: { repoId: string; commitSha: string } | null;
  limit: number;
}

/**
 * Commits of App repositories with an attribution row matching `which`, in (repository, commit)
 * order after `page.after`: what re-attribution re-queues, a page at a time. Demo commits (the
 * seed's, `source: "seed"`) exist nowhere on GitHub to fetch again, and CLI repositories (no
 * installation) are brought up to date by `sentinel analyze`.
 */
async function commitsWhere(db: Database, which: SQL | undefined, page: CommitPage): Promise<CommitRef[]> {
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
        which,
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

/** Commits whose rows another engine version made. */
export function commitsOfOlderEngines(
  db: Database,
  page: CommitPage & { engineVersion: string },
): Promise<CommitRef[]> {
  return commitsWhere(db, ne(codeAttribution.engineVersion, page.engineVersion), page);
}

/**
 * Commits of one organization that a newly active model (`modelVersion`) would attribute
 * differently: those with a file the previous model decided, and those with a file no evidence
 * decided (the model speaks only there). Heuristic and overridden files stay as they are.
 */
export function commitsOfOtherModels(
  db: Database,
  page: CommitPage & { orgId: string; modelVersion: string },
): Promise<CommitRef[]> {
  const which = and(
    eq(codeAttribution.orgId, page.orgId),
    or(
      isNull(codeAttribution.detectionMethod),
      and(
        eq(codeAttribution.detectionMethod, "ml_model"),
        sql`${codeAttribution.detectionSignals}->'model'->>'version' IS DISTINCT FROM ${page.modelVersion}`,
      ),
    ),
  );
  return commitsWhere(db, which, page);
}
