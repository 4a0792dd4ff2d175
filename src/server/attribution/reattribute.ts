import { and, isNotNull, ne, sql } from "drizzle-orm";
import { ENGINE_VERSION } from "../../core/attribution/engine.ts";
import type { Database } from "../db/client.ts";
import { codeAttribution, repositories } from "../db/schema/index.ts";
import { attributeCommitJob } from "../jobs/definitions.ts";
import type { Queue } from "../jobs/queue.ts";

/** Commits re-queued per pass; each pass is its own transaction, so progress survives a crash. */
const BATCH = 500;

/**
 * Brings rows made by an older engine up to date: queues `attribute-commit` for every commit whose
 * rows carry another engine version. Resumable by construction — a re-analysed commit's rows carry
 * the new version and drop out of the next pass; pg-boss's singleton key keeps a commit queued once.
 * Repositories analysed by the CLI (no installation) are brought up to date by `sentinel analyze`.
 */
export async function queueReattribution(db: Database, queue: Queue): Promise<number> {
  let queued = 0;
  let afterKey = "";
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const commits = await tx
        .selectDistinct({
          orgId: codeAttribution.orgId,
          repoId: codeAttribution.repoId,
          commitSha: codeAttribution.commitSha,
        })
        .from(codeAttribution)
        .innerJoin(repositories, sql`${repositories.id} = ${codeAttribution.repoId}`)
        .where(
          and(
            ne(codeAttribution.engineVersion, ENGINE_VERSION),
            isNotNull(repositories.installationId),
            sql`${codeAttribution.repoId}::text || ${codeAttribution.commitSha} > ${afterKey}`,
          ),
        )
        .orderBy(sql`${codeAttribution.repoId}::text || ${codeAttribution.commitSha}`)
        .limit(BATCH);
      for (const commit of commits) {
        await queue.enqueue(tx, attributeCommitJob, commit, {
          singletonKey: `${commit.repoId}:${commit.commitSha}`,
        });
      }
      return commits;
    });
    queued += batch.length;
    const last = batch.at(-1);
    if (!last || batch.length < BATCH) break;
    afterKey = `${last.repoId}${last.commitSha}`;
  }
  return queued;
}
