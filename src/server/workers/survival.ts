import { existsSync } from "node:fs";
import { lineSurvivalJob } from "../jobs/definitions.ts";
import { findRepository } from "../services/github/repositories.ts";
import { scheduleRollUp } from "../services/metrics/schedule-roll-up.ts";
import { lineHistoryFromGit } from "../services/survival/from-git.ts";
import { storeLineSurvival } from "../services/survival/store-line-survival.ts";
import type { WorkerRegistration } from "./registration.ts";

/**
 * The line-survival walk of a repository (issue #15): its mirror's default branch, whole history,
 * stored by difference; the roll-up of the periods that changed is enqueued in the same
 * transaction. A repository read only through REST has no mirror, hence no survival (logged).
 */
export const registerSurvivalWorkers: WorkerRegistration = async ({ queue, handle, mirrors, logger }) => {
  await queue.work(lineSurvivalJob, async ({ orgId, repoId }) => {
    const ctx = { db: handle.db, orgId, actor: { kind: "job" as const, name: lineSurvivalJob.name } };
    const repo = await findRepository(ctx, repoId);
    if (!repo) return;
    const gitDir = mirrors.gitDirFor(repoId);
    if (!existsSync(gitDir)) {
      logger.info({ repoId }, "line survival skipped: the repository has no mirror");
      return;
    }
    const started = performance.now();
    const result = await lineHistoryFromGit({
      root: gitDir,
      revision: `refs/heads/${repo.defaultBranch}`,
      source: "mirror",
    });
    if (result === null) return;
    const stored = await storeLineSurvival(ctx, {
      repoId,
      result,
      afterStore: (tx, target) => scheduleRollUp(tx, queue, target),
    });
    logger.info(
      {
        repoId,
        commits: result.commits,
        rows: result.fates.length,
        written: stored.written,
        deleted: stored.deleted,
        reverts: result.reverts.length,
        ms: Math.round(performance.now() - started),
      },
      "line survival stored",
    );
  });
};
