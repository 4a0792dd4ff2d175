import { attributeCommit } from "../../core/attribution/engine.ts";
import type { FileScorer } from "../../core/attribution/scorer.ts";
import type { CommitInput, PullRequestContext } from "../../core/attribution/types.ts";
import {
  type CheckCommit,
  type CheckResult,
  checkCommitFromAttribution,
  evaluateCheck,
  type ReviewState,
} from "../../core/policies/evaluate.ts";
import { renderCheckMarkdown } from "../../core/policies/markdown.ts";
import {
  type GitContext,
  type OpenedRepository,
  openRepositoryAt,
  readCommitsFromGit,
} from "../../git/commit-input.ts";
import { runGit } from "../../git/run-git.ts";
import { fetchCommit } from "../attribution/github-commit.ts";
import type { MirrorAnswer, MirrorRequest } from "../attribution/mirror-source.ts";
import type { Database } from "../db/client.ts";
import type { GithubApp, InstallationOctokit } from "../github-app/app-client.ts";
import { logger } from "../logger.ts";
import {
  type CheckTarget,
  claimCheckRunCreation,
  claimPullRequestCheck,
  findCheckTarget,
  markPullRequestClosed,
  type PullRequestCheckRow,
  recordCheckCompleted,
  recordCheckRunCreated,
} from "../services/checks/pull-request-checks.ts";
import type { ServiceContext } from "../services/context.ts";

// The check run on a pull request's head (docs/checks.md): created in progress as soon as the job
// runs (once per head: the row in pull_request_checks says whether it exists), then completed once
// the PR's commits are read from the mirror (REST when there is none), attributed by the engine and
// judged by the policies that apply to the repository.

export const CHECK_NAME = "Sentinel";
/** GitHub takes at most 50 annotations per request; more go in further updates. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** A PR with more files to flag than this shows the first ones; the summary says how many. */
const MAX_ANNOTATIONS = 500;
/** GitHub lists at most 250 commits of a pull request. */
const MAX_REST_COMMITS = 250;

export interface PullRequestCheckDeps {
  db: Database;
  github: GithubApp;
  /** The repository's mirror holding the PR's head (fetched when missing). */
  mirrorFor?: (request: MirrorRequest & { commitShas: string[] }) => Promise<MirrorAnswer>;
  scorerFor?: (orgId: string) => Promise<FileScorer | null>;
  /** SENTINEL_PUBLIC_URL: the check's "Details" link goes to the dashboard when set. */
  publicUrl: string | null;
  /** GitHub's web address, for links to the PR's commits. */
  webUrl: string;
}

export interface PullRequestCheckJob {
  orgId: string;
  repoId: string;
  number: number;
  headSha: string;
  baseRef: string;
  reevaluate: boolean;
}

export type PullRequestCheckOutcome =
  | { status: "completed"; checkRunId: number; conclusion: CheckResult["conclusion"] }
  | { status: "skipped"; reason: string };

interface PullRequestInfo {
  state: string;
  context: PullRequestContext;
}

export async function runPullRequestCheck(
  deps: PullRequestCheckDeps,
  job: PullRequestCheckJob,
): Promise<PullRequestCheckOutcome> {
  const ctx: ServiceContext = {
    db: deps.db,
    orgId: job.orgId,
    actor: { kind: "job", name: "pull-request-check" },
  };
  const target = await findCheckTarget(ctx, job.repoId);
  if (!target) return { status: "skipped", reason: "repository not tracked" };
  if (!target.installationId) return { status: "skipped", reason: "repository has no GitHub installation" };
  const [owner, repo] = target.fullName.split("/");
  if (!owner || !repo) return { status: "skipped", reason: `unexpected repository name ${target.fullName}` };

  const claimed = await claimPullRequestCheck(ctx, job);
  // A re-delivered webhook for a head already judged: the check stands as it is.
  if (claimed.status === "completed" && !job.reevaluate)
    return { status: "skipped", reason: "check already completed for this head" };
  const octokit = await deps.github.getInstallationOctokit(target.installationId);
  const detailsUrl = deps.publicUrl
    ? `${deps.publicUrl.replace(/\/+$/, "")}/o/${encodeURIComponent(target.orgSlug)}/repositories/${job.repoId}`
    : null;
  const checkRunId = await ensureCheckRun(ctx, octokit, { owner, repo }, claimed, job, detailsUrl);

  const pr = await fetchPullRequest(octokit, { owner, repo, number: job.number });
  if (pr.state !== "open") await markPullRequestClosed(ctx, job.repoId, job.number);
  const commits = await readPullRequestCommits(deps, target, octokit, { owner, repo }, job, pr.context);
  const review = needsReviews(target)
    ? await fetchReviewState(octokit, { owner, repo, number: job.number }, teamOwners(commits.codeowners))
    : null;
  const result = evaluateCheck({
    commits: commits.commits,
    policies: target.policies,
    codeowners: commits.codeowners,
    review,
  });
  let summary = renderCheckMarkdown(result, {
    commitUrl: (sha) => `${deps.webUrl}/${target.fullName}/commit/${sha}`,
    maxLength: 60_000,
  });
  if (target.policySource)
    summary += `\n_Policies: the ${target.policySource}'s, set in Sentinel's settings._\n`;
  if (commits.source !== "git") summary += `\n_Read through GitHub's API: ${commits.source}._\n`;

  const annotations = result.annotations.slice(0, MAX_ANNOTATIONS).map((a) => ({
    path: a.path,
    start_line: 1,
    end_line: 1,
    annotation_level: a.level,
    title: a.title.slice(0, 255),
    message: a.message.slice(0, 64_000),
  }));
  const output = { title: result.title.slice(0, 255), summary };
  // Annotations beyond the first 50 are added by further updates: GitHub appends them.
  for (let i = ANNOTATIONS_PER_REQUEST; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      owner,
      repo,
      check_run_id: checkRunId,
      output: { ...output, annotations: annotations.slice(i, i + ANNOTATIONS_PER_REQUEST) },
    });
  }
  // The completing update goes last, so the check shows as done only once everything is on it.
  await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
    owner,
    repo,
    check_run_id: checkRunId,
    status: "completed",
    conclusion: result.conclusion,
    completed_at: new Date().toISOString(),
    ...(detailsUrl ? { details_url: detailsUrl } : {}),
    output: { ...output, annotations: annotations.slice(0, ANNOTATIONS_PER_REQUEST) },
  });
  await recordCheckCompleted(ctx, claimed.id, { conclusion: result.conclusion, title: result.title });
  return { status: "completed", checkRunId, conclusion: result.conclusion };
}

/** Another job is creating this head's check run: the job is retried shortly, and finds it. */
export class CheckRunBusyError extends Error {
  override name = "CheckRunBusyError";
}

/**
 * The check run of this head, created by one job only (claimCheckRunCreation decides which), so a
 * webhook and its redelivery cannot both create one. A re-evaluation creates a new run, as GitHub's
 * "Re-run" does: a run's annotations can only be added to, not replaced.
 */
async function ensureCheckRun(
  ctx: ServiceContext,
  octokit: InstallationOctokit,
  where: { owner: string; repo: string },
  claimed: PullRequestCheckRow,
  job: PullRequestCheckJob,
  detailsUrl: string | null,
): Promise<number> {
  const claim = await claimCheckRunCreation(ctx, claimed.id, { reevaluate: job.reevaluate });
  if (claim.kind === "exists") return claim.checkRunId;
  if (claim.kind === "busy")
    throw new CheckRunBusyError(`another job is creating the check run of ${job.headSha}`);
  const { data } = await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
    ...where,
    name: CHECK_NAME,
    head_sha: job.headSha,
    status: "in_progress",
    started_at: new Date().toISOString(),
    external_id: claimed.id,
    ...(detailsUrl ? { details_url: detailsUrl } : {}),
    output: {
      title: "Attributing the pull request's commits",
      summary: "Sentinel is reading this pull request's commits; the result follows in a few seconds.",
    },
  });
  const id = Number(data.id);
  await recordCheckRunCreated(ctx, claimed.id, id);
  return id;
}

interface RestPull {
  number: number;
  state: string;
  title: string;
  body?: string | null;
  labels: Array<{ name?: string } | string>;
  head: { ref: string };
  user: { login: string } | null;
}

async function fetchPullRequest(
  octokit: InstallationOctokit,
  where: { owner: string; repo: string; number: number },
): Promise<PullRequestInfo> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
    owner: where.owner,
    repo: where.repo,
    pull_number: where.number,
  });
  const pr = data as unknown as RestPull;
  return {
    state: pr.state,
    context: {
      number: pr.number,
      title: pr.title,
      body: pr.body ?? null,
      labels: pr.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter(Boolean),
      headBranch: pr.head.ref,
      authorLogin: pr.user?.login ?? null,
      mergeMethod: "unknown",
      // The PR's own commits are attributed themselves; nothing carries over between them.
      commits: [],
    },
  };
}

interface ReadCommits {
  commits: CheckCommit[];
  codeowners: string | null;
  /** "git", or why the commits came through REST. */
  source: string;
}

/**
 * The PR's commits (base..head) read from the mirror with the reader `sentinel analyze` uses, with
 * CODEOWNERS and .gitattributes as the head has them; through REST when the mirror cannot answer.
 */
async function readPullRequestCommits(
  deps: PullRequestCheckDeps,
  target: CheckTarget,
  octokit: InstallationOctokit,
  where: { owner: string; repo: string },
  job: PullRequestCheckJob,
  pullRequest: PullRequestContext,
): Promise<ReadCommits> {
  const scorer = deps.scorerFor ? await deps.scorerFor(job.orgId) : null;
  const context = (git: GitContext) => ({ ...git, pullRequest, tierRules: target.tierRules, model: scorer });
  let reason = "no repository mirror configured";
  if (deps.mirrorFor && target.installationId) {
    const mirror = await deps.mirrorFor({
      orgId: job.orgId,
      repoId: job.repoId,
      fullName: target.fullName,
      installationId: target.installationId,
      defaultBranch: target.defaultBranch,
      commitShas: [job.headSha],
    });
    if ("gitDir" in mirror) {
      try {
        return await readFromMirror(mirror.gitDir, job, context);
      } catch (err) {
        logger.warn({ err, repoId: job.repoId, pr: job.number }, "could not read the PR from the mirror");
        reason = "git could not read the pull request from the mirror";
      }
    } else reason = `mirror unavailable: ${mirror.unavailable}`;
  }
  // REST: the PR's commits (at most 250), each with its files; no notes, traces or CODEOWNERS.
  const shas: string[] = [];
  for (let page = 1; page <= 3 && shas.length < MAX_REST_COMMITS; page++) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", {
      ...where,
      pull_number: job.number,
      per_page: 100,
      page,
    });
    shas.push(...data.map((c) => c.sha));
    if (data.length < 100) break;
  }
  const commits: CheckCommit[] = [];
  for (const sha of shas) {
    const input = await fetchCommit(octokit, { ...where, sha, branch: pullRequest.headBranch });
    commits.push(attributed(input, context({})));
  }
  return { commits, codeowners: null, source: reason };
}

async function readFromMirror(
  gitDir: string,
  job: PullRequestCheckJob,
  context: (git: GitContext) => Parameters<typeof attributeCommit>[1],
): Promise<ReadCommits> {
  const warn = (message: string) => logger.warn({ repoId: job.repoId, pr: job.number }, message);
  const base = await runGit(gitDir, ["rev-parse", "-q", "--verify", `refs/heads/${job.baseRef}^{commit}`]);
  if (base.code !== 0) throw new Error(`base branch ${job.baseRef} is not in the mirror`);
  const baseSha = base.stdout.toString("utf8").trim();
  const opened = await openAtBase(gitDir, baseSha, warn);
  const commits: CheckCommit[] = [];
  const range = { revisions: [`${baseSha}..${job.headSha}`], firstParent: false };
  for await (const commit of readCommitsFromGit(opened.repo, range, opened.evidence, warn)) {
    commits.push(attributed(commit.input, context(commit.context)));
  }
  return { commits, codeowners: opened.evidence.codeowners, source: "git" };
}

/**
 * The mirror opened with its evidence (CODEOWNERS, .gitattributes, Agent Trace records) read at the
 * base branch's tip, as GitHub reads CODEOWNERS for a PR: the same for every PR on that base, so
 * fifty PRs read it once, not fifty times.
 */
const openedAtBase = new Map<string, Promise<OpenedRepository>>();
const MAX_OPENED = 64;

function openAtBase(gitDir: string, baseSha: string, warn: (m: string) => void): Promise<OpenedRepository> {
  const key = `${gitDir}\0${baseSha}`;
  let opened = openedAtBase.get(key);
  if (!opened) {
    opened = openRepositoryAt(gitDir, baseSha, warn);
    opened.catch(() => openedAtBase.delete(key));
    if (openedAtBase.size >= MAX_OPENED) {
      const oldest = openedAtBase.keys().next().value;
      if (oldest !== undefined) openedAtBase.delete(oldest);
    }
    openedAtBase.set(key, opened);
  }
  return opened;
}

function attributed(input: CommitInput, context: Parameters<typeof attributeCommit>[1]): CheckCommit {
  return checkCommitFromAttribution(attributeCommit(input, context), input.message.split("\n", 1)[0] ?? "");
}

function needsReviews(target: CheckTarget): boolean {
  return target.policies?.policies.some((p) => p.kind === "codeowner-review") ?? false;
}

/** The `@org/team` owners CODEOWNERS names: an approval from one of their members counts. */
function teamOwners(codeowners: string | null): string[] {
  if (!codeowners) return [];
  const teams = new Set<string>();
  for (const match of codeowners.matchAll(/(?:^|\s)@([A-Za-z0-9-]+\/[A-Za-z0-9._-]+)/g)) {
    if (match[1]) teams.add(match[1].toLowerCase());
    if (teams.size >= 20) break;
  }
  return [...teams];
}

interface RestReview {
  user: { login: string } | null;
  state: string;
}

/** Who approves the PR now: each reviewer's latest decisive review, and the owning teams they are in. */
async function fetchReviewState(
  octokit: InstallationOctokit,
  where: { owner: string; repo: string; number: number },
  teams: string[],
): Promise<ReviewState> {
  const latest = new Map<string, string>();
  for (let page = 1; page <= 10; page++) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", {
      owner: where.owner,
      repo: where.repo,
      pull_number: where.number,
      per_page: 100,
      page,
    });
    for (const review of data as unknown as RestReview[]) {
      const state = review.state.toUpperCase();
      // Comments do not change a reviewer's decision; approvals, change requests and dismissals do.
      if (review.user && state !== "COMMENTED" && state !== "PENDING") latest.set(review.user.login, state);
    }
    if (data.length < 100) break;
  }
  const approvers = [...latest].filter(([, state]) => state === "APPROVED").map(([login]) => login);
  const approvals: ReviewState["approvals"] = [];
  for (const login of approvers) {
    const memberOf: string[] = [];
    for (const team of teams) {
      if (await isTeamMember(octokit, team, login)) memberOf.push(team);
    }
    approvals.push({ login, teams: memberOf });
  }
  return { approvals };
}

async function isTeamMember(octokit: InstallationOctokit, team: string, login: string): Promise<boolean> {
  const [org, slug] = team.split("/");
  if (!org || !slug) return false;
  try {
    const { data } = await octokit.request("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", {
      org,
      team_slug: slug,
      username: login,
    });
    return data.state === "active";
  } catch (error) {
    // 404: not a member (or the App may not read the team): the approval does not count for it.
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}
