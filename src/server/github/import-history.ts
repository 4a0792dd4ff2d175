import { attributeCommit } from "../../core/attribution/engine.ts";
import { inferMergeMethod } from "../../core/attribution/merge-method.ts";
import type { FileScorer } from "../../core/attribution/scorer.ts";
import type { TierRule } from "../../core/settings.ts";
import { openRepositoryAt, readCommitsFromGit } from "../../git/commit-input.ts";
import { countCommits, type LogRange } from "../../git/log-stream.ts";
import { pullRequestFromGit } from "../attribution/pull-request-context.ts";
import { logger } from "../logger.ts";
import { overridesByCommit } from "../services/attribution/override.ts";
import { PipelinedSink } from "../services/attribution/pipelined-sink.ts";
import { type AnalysedCommit, storeAnalysedCommits } from "../services/attribution/store-history.ts";
import type { ServiceContext } from "../services/context.ts";
import { recordMergeMethod } from "../services/github/code-events.ts";
import { storedPullRequests } from "../services/github/pull-requests.ts";
import { recordCommitsDone, startCommitImport } from "../services/github/repository-sync.ts";

// A backfill's commit phase through the repository's mirror: the plan's history window in one
// streaming `git log -p` (the reader `sentinel analyze` uses), attributed by the engine with the
// PR context ingestion stored, written through the one bulk-store path in batches, progress
// recorded in each batch's transaction. A retry of the same branch tip skips what is stored.

/** Commits per transaction: a few statements each, and at most two batches in memory. */
export const IMPORT_BATCH = 1000;

export interface ImportTarget {
  ctx: ServiceContext;
  repo: { id: string; fullName: string; defaultBranch: string };
  since: Date;
  gitDir: string;
  tierRules: TierRule[];
  model: FileScorer | null;
}

interface Pending {
  commits: AnalysedCommit[];
  mergeMethods: { sha: string; method: "merge" | "squash" | "rebase" }[];
}

export async function importCommitsFromMirror(
  target: ImportTarget,
  batchSize = IMPORT_BATCH,
): Promise<{ commits: number; files: number; skipped: number }> {
  const { ctx, repo } = target;
  const warn = (message: string) => logger.warn({ repo: repo.fullName }, message);
  const opened = await openRepositoryAt(target.gitDir, `refs/heads/${repo.defaultBranch}`, warn);
  const tip = opened.repo.head;
  const range: LogRange = {
    revisions: tip ? [tip] : [],
    since: target.since.toISOString(),
    firstParent: false,
  };
  const total = tip ? await countCommits(opened.repo.root, range) : 0;
  const { alreadyDone } = await startCommitImport(ctx, repo.id, { tip, total, source: { reader: "git" } });
  if (!tip || alreadyDone >= total) return { commits: 0, files: 0, skipped: alreadyDone };

  const scope = { orgId: ctx.orgId, repoId: repo.id };
  const [pullRequests, overrides] = await Promise.all([
    storedPullRequests(ctx.db, scope),
    overridesByCommit(ctx.db, scope),
  ]);

  let done = alreadyDone;
  let files = 0;
  const sink = new PipelinedSink<Pending>(async (batch) => {
    const doneAfter = done + batch.commits.length;
    const stored = await storeAnalysedCommits(ctx, {
      repoId: repo.id,
      branch: repo.defaultBranch,
      source: "backfill",
      commits: batch.commits,
      alsoInTransaction: async (tx) => {
        for (const m of batch.mergeMethods)
          await recordMergeMethod(tx, { ...scope, mergeCommitSha: m.sha, method: m.method });
        await recordCommitsDone({ ...ctx, db: tx }, repo.id, doneAfter);
      },
    });
    done = doneAfter;
    files += stored.files;
    logger.info({ repo: repo.fullName, done, total }, "backfill progress");
  });

  let pending: Pending = { commits: [], mergeMethods: [] };
  let read = 0;
  try {
    for await (const commit of readCommitsFromGit(
      opened.repo,
      { ...range, skip: alreadyDone },
      opened.evidence,
      warn,
    )) {
      const { input } = commit;
      read++;
      const stored = pullRequests.get(input.sha);
      const pullRequest = stored ? await pullRequestFromGit(opened.repo, stored, input) : null;
      // The webhook never says how a PR was merged: read it off the landed commit.
      if (pullRequest?.mergeMethod === "unknown") {
        pullRequest.mergeMethod = inferMergeMethod(input, pullRequest.commits);
        if (pullRequest.mergeMethod !== "unknown")
          pending.mergeMethods.push({ sha: input.sha, method: pullRequest.mergeMethod });
      }
      const commitOverrides = overrides.get(input.sha);
      let attribution: AnalysedCommit["attribution"];
      try {
        attribution = attributeCommit(input, {
          ...commit.context,
          pullRequest,
          tierRules: target.tierRules,
          model: target.model,
          ...(commitOverrides ? { overrides: commitOverrides } : {}),
        });
      } catch (error) {
        // One commit the engine cannot read must not cost the whole history; it is logged instead.
        warn(
          `commit ${input.sha.slice(0, 7)} skipped: ${error instanceof Error ? error.message : String(error)}`,
        );
        continue;
      }
      pending.commits.push({
        // Patches are not stored; dropping them keeps memory flat while a batch waits.
        input: { ...input, files: input.files.map(({ patch: _p, ...f }) => f) },
        attribution,
        filesKnown: !commit.boundary,
        authoredAt: commit.log.authoredAt,
      });
      if (pending.commits.length >= batchSize) {
        await sink.send(pending);
        pending = { commits: [], mergeMethods: [] };
      }
    }
    if (pending.commits.length > 0) await sink.send(pending);
  } finally {
    await sink.drain(false);
  }
  await sink.drain(true);
  return { commits: read, files, skipped: alreadyDone };
}
