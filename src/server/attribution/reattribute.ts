import { ENGINE_VERSION } from "../../core/attribution/engine.ts";
import type { Database } from "../db/client.ts";
import { reattributeCommitJob, reattributionScanJob } from "../jobs/definitions.ts";
import type { Queue } from "../jobs/queue.ts";
import {
  type CommitRef,
  commitsOfOlderEngines,
  commitsOfOtherModels,
} from "../services/attribution/older-engine-commits.ts";
import { claimReattributionScan } from "../services/attribution/reattribution-scans.ts";

/** Commits re-queued per pass; each pass is its own transaction, so progress survives a crash. */
const BATCH = 500;

type CommitRefPage = (
  db: Database,
  after: { repoId: string; commitSha: string } | null,
) => Promise<CommitRef[]>;

/**
 * Queues `reattribute-commit` for every commit `pageOf` finds, a page per transaction, so progress
 * survives a crash. Resumable by construction: a re-attributed commit drops out of the next pass,
 * and the singleton key keeps a commit queued once.
 */
async function queueEach(db: Database, queue: Queue, pageOf: CommitRefPage): Promise<number> {
  let queued = 0;
  let after: { repoId: string; commitSha: string } | null = null;
  for (;;) {
    const cursor: { repoId: string; commitSha: string } | null = after;
    const batch: CommitRef[] = await db.transaction(async (tx) => {
      const commits = await pageOf(tx, cursor);
      for (const commit of commits) {
        await queue.enqueue(tx, reattributeCommitJob, commit, {
          singletonKey: `${commit.repoId}:${commit.commitSha}`,
        });
      }
      return commits;
    });
    queued += batch.length;
    const last = batch.at(-1);
    if (!last || batch.length < BATCH) break;
    after = { repoId: last.repoId, commitSha: last.commitSha };
  }
  return queued;
}

/**
 * Brings rows made by an older engine up to date: queues every commit whose rows carry another
 * engine version. Repositories analysed by the CLI (no installation) are brought up to date by
 * `sentinel analyze`.
 */
export function queueReattribution(db: Database, queue: Queue): Promise<number> {
  return queueEach(db, queue, (tx, after) =>
    commitsOfOlderEngines(tx, { engineVersion: ENGINE_VERSION, after, limit: BATCH }),
  );
}

/**
 * Asks for this engine version's scan once for the whole cluster: the claim row and the job are
 * written in one transaction, so exactly one worker start (of however many, on however many
 * machines) queues it, and the job, not the process that queued it, carries it to the end.
 */
export async function requestReattributionScan(db: Database, queue: Queue): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await claimReattributionScan(tx, ENGINE_VERSION))) return false;
    await queue.enqueue(tx, reattributionScanJob, { engineVersion: ENGINE_VERSION });
    return true;
  });
}

/**
 * After an organization's active model changes to `modelVersion`: queues each of its commits the
 * new model would attribute differently (commitsOfOtherModels).
 */
export function queueModelReattribution(
  db: Database,
  queue: Queue,
  input: { orgId: string; modelVersion: string },
): Promise<number> {
  return queueEach(db, queue, (tx, after) => commitsOfOtherModels(tx, { ...input, after, limit: BATCH }));
}
