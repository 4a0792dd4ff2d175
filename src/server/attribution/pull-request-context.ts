import type { CommitInput, PullRequestContext } from "../../core/attribution/types.ts";
import { readPullRequestCommits } from "../../git/commit-input.ts";
import type { RepositoryInfo } from "../../git/repository.ts";
import { logger } from "../logger.ts";
import type { StoredPullRequest } from "../services/github/pull-requests.ts";

// The pull request a landed commit came from, as ingestion stored it (its `pr_merged` event, its
// body from the `pr_opened` one), with the PR's own commits read from the mirror's
// `refs/pull/<n>/head`: squash and rebase merges lose them, and their trailers with them. No API call.

/** The engine's PR context for a landed commit, its PR's commits read from the mirror. */
export async function pullRequestFromGit(
  repo: RepositoryInfo,
  pr: StoredPullRequest,
  commit: Pick<CommitInput, "sha" | "parents">,
): Promise<PullRequestContext> {
  const { merged } = pr;
  const commits = await readPullRequestCommits(repo, {
    number: merged.number,
    mergeCommitSha: commit.sha,
    firstParent: commit.parents[0] ?? null,
  }).catch((err: unknown) => {
    logger.warn({ err, pr: merged.number }, "could not read the pull request's commits from the mirror");
    return null;
  });
  return {
    number: merged.number,
    title: merged.title ?? "",
    body: pr.body,
    labels: merged.labels ?? [],
    headBranch: merged.headBranch ?? null,
    authorLogin: merged.author ?? null,
    mergeMethod: merged.mergeMethod ?? "unknown",
    commits: commits ?? [],
  };
}
