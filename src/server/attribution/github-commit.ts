import type {
  CommitInput,
  FileChange,
  FileStatus,
  PullRequestContext,
} from "../../core/attribution/types.ts";
import type { InstallationOctokit } from "../github-app/app-client.ts";

// Turns GitHub's REST answers into the engine's input. GitHub lists a commit's files 300 to a page
// (up to 3,000), omits `patch` for binaries and for diffs it finds too large: both are handled
// as files without a patch, never as failures.

interface RestPerson {
  name?: string | null;
  email?: string | null;
  date?: string | null;
}

interface RestCommit {
  sha: string;
  commit: { message: string; author: RestPerson | null; committer: RestPerson | null };
  author: { login: string } | null;
  committer: { login: string } | null;
  parents: Array<{ sha: string }>;
  files?: Array<{
    filename: string;
    previous_filename?: string;
    status: string;
    additions: number;
    deletions: number;
    patch?: string;
  }>;
}

const FILE_STATUSES = new Set<FileStatus>([
  "added",
  "modified",
  "removed",
  "renamed",
  "copied",
  "changed",
  "unchanged",
]);
const PER_PAGE = 300;
/** GitHub stops listing files at 3,000; more pages would repeat nothing. */
const MAX_PAGES = 10;

export function toFileChange(file: NonNullable<RestCommit["files"]>[number]): FileChange {
  const status = FILE_STATUSES.has(file.status as FileStatus) ? (file.status as FileStatus) : "changed";
  const change: FileChange = {
    path: file.filename,
    status,
    additions: file.additions,
    deletions: file.deletions,
  };
  if (file.previous_filename) change.previousPath = file.previous_filename;
  if (file.patch !== undefined) change.patch = file.patch;
  // No patch while lines changed means GitHub withheld it (too large); no patch and no lines is a binary.
  else if (file.additions === 0 && file.deletions === 0) change.binary = true;
  return change;
}

function person(value: RestPerson | null): { name: string; email: string } {
  return { name: value?.name ?? "", email: value?.email ?? "" };
}

export function toCommitInput(commit: RestCommit, files: FileChange[], branch: string | null): CommitInput {
  return {
    sha: commit.sha,
    message: commit.commit.message,
    author: person(commit.commit.author),
    committer: person(commit.commit.committer),
    authorLogin: commit.author?.login ?? null,
    committerLogin: commit.committer?.login ?? null,
    parents: commit.parents.map((p) => p.sha),
    branch,
    committedAt: commit.commit.committer?.date ?? commit.commit.author?.date ?? new Date(0).toISOString(),
    files,
  };
}

/** One commit with every file GitHub will list, across pages. */
export async function fetchCommit(
  octokit: InstallationOctokit,
  target: { owner: string; repo: string; sha: string; branch: string | null },
): Promise<CommitInput> {
  let first: RestCommit | undefined;
  const files: FileChange[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", {
      owner: target.owner,
      repo: target.repo,
      ref: target.sha,
      per_page: PER_PAGE,
      page,
    });
    const commit = data as unknown as RestCommit;
    first ??= commit;
    const pageFiles = commit.files ?? [];
    files.push(...pageFiles.map(toFileChange));
    if (pageFiles.length < PER_PAGE) break;
  }
  if (!first) throw new Error(`GitHub returned no commit ${target.sha}`);
  return toCommitInput(first, files, target.branch);
}

/** The PR a merge commit came from, with its own commits (their trailers survive a squash). */
export async function fetchPullRequestContext(
  octokit: InstallationOctokit,
  target: { owner: string; repo: string; number: number; mergeMethod: PullRequestContext["mergeMethod"] },
): Promise<PullRequestContext> {
  const { data: pr } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
    owner: target.owner,
    repo: target.repo,
    pull_number: target.number,
  });
  // GitHub lists at most 250 commits of a pull request, 100 to a page.
  const commits: RestCommit[] = [];
  for (let page = 1; page <= 3; page++) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", {
      owner: target.owner,
      repo: target.repo,
      pull_number: target.number,
      per_page: 100,
      page,
    });
    commits.push(...(data as unknown as RestCommit[]));
    if (data.length < 100) break;
  }
  return {
    number: pr.number,
    title: pr.title,
    body: pr.body ?? null,
    labels: pr.labels
      .map((label) => (typeof label === "string" ? label : (label.name ?? "")))
      .filter(Boolean),
    headBranch: pr.head.ref,
    authorLogin: pr.user?.login ?? null,
    mergeMethod: target.mergeMethod ?? "unknown",
    commits: commits.map((c) => {
      const input = toCommitInput(c, [], null);
      return {
        sha: input.sha,
        message: input.message,
        author: input.author,
        committer: input.committer,
        authorLogin: input.authorLogin ?? null,
        committerLogin: input.committerLogin ?? null,
      };
    }),
  };
}
