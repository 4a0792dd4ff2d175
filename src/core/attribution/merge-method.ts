import type { PullRequestContext } from "./types.ts";

type MergeMethod = NonNullable<PullRequestContext["mergeMethod"]>;

const subjectOf = (message: string) => message.split("\n", 1)[0]?.trim() ?? "";

/**
 * How a pull request was merged, read from the commit it landed as and the PR's own commits:
 * GitHub's webhook does not say. Two parents: a merge commit. One parent: a rebase merge replays
 * the PR's commits, so the landed commit is one of them or keeps the last one's subject; anything
 * else is a squash (GitHub titles it "<PR title> (#n)"). For a one-commit PR a squash that kept
 * the subject reads as a rebase: both carry the same single commit over, so the verdict is the same.
 */
export function inferMergeMethod(
  landed: { sha: string; parents: readonly string[]; message: string },
  prCommits: ReadonlyArray<{ sha: string; message: string }>,
): MergeMethod {
  if (landed.parents.length >= 2) return "merge";
  if (landed.parents.length === 0 || prCommits.length === 0) return "unknown";
  if (prCommits.some((c) => c.sha === landed.sha)) return "rebase";
  const last = prCommits.at(-1);
  if (last && subjectOf(last.message) === subjectOf(landed.message)) return "rebase";
  return "squash";
}
