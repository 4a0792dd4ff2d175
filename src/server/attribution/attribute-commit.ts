import { attributeCommit } from "../../core/attribution/engine.ts";
import { inferMergeMethod } from "../../core/attribution/merge-method.ts";
import type { FileScorer } from "../../core/attribution/scorer.ts";
import type { CommitSource } from "../../core/attribution/signals.ts";
import type { AttributionContext, CommitInput, PullRequestContext } from "../../core/attribution/types.ts";
import {
  type CommitFromGit,
  type GitContext,
  type OpenedRepository,
  openRepositoryAt,
  readCommitsBySha,
} from "../../git/commit-input.ts";
import { GitError, runGit } from "../../git/run-git.ts";
import type { Database } from "../db/client.ts";
import type { GithubApp } from "../github-app/app-client.ts";
import { logger } from "../logger.ts";
import { overridesByCommit } from "../services/attribution/override.ts";
import { storeCommitAttributions } from "../services/attribution/store.ts";
import { recordMergeMethod } from "../services/github/code-events.ts";
import { type StoredPullRequest, storedPullRequests } from "../services/github/pull-requests.ts";
import { findAttributionTarget } from "../services/github/repositories.ts";
import { fetchCommit, fetchPullRequestContext } from "./github-commit.ts";
import type { MirrorRequest } from "./mirror-source.ts";
import { pullRequestFromGit } from "./pull-request-context.ts";

export interface AttributeCommitDeps {
  db: Database;
  github: GithubApp | null;
  /** The organization's active model, or null while it has too few labels. */
  scorerFor?: (orgId: string) => Promise<FileScorer | null>;
  /**
   * The repository's bare mirror holding these commits (fetched when one is missing), to read them
   * with the same reader as `sentinel analyze`; absent or unavailable: the commits are read through
   * REST, and their rows say why.
   */
  mirrorFor?: (repo: MirrorTarget) => Promise<{ gitDir: string } | { unavailable: string }>;
  /** Marks the roll-up periods the commits touched, inside the same transaction. */
  afterStore?: (tx: Database, target: { orgId: string; repoId: string; timestamps: Date[] }) => Promise<void>;
}

/** The commits to read: a mirror that has them all already needs no fetch. */
export type MirrorTarget = MirrorRequest & { commitShas: string[] };

export type AttributeCommitOutcome =
  | { status: "stored"; files: number }
  | { status: "skipped"; reason: string };

export interface CommitJob {
  orgId: string;
  repoId: string;
  commitSha: string;
}

/**
 * The `attribute-commit` job: read the commit from the repository's mirror with the reader
 * `sentinel analyze` uses (git-ai notes, Agent Trace, CODEOWNERS, .gitattributes), or through REST
 * when there is no mirror (the rows record which, and why); gather what else is known (the PR it
 * was merged from, overrides, tier rules, the model); run the engine; upsert the rows. Safe to run
 * any number of times for the same commit. Throws when the commit could not be attributed.
 */
export async function attributeStoredCommit(
  deps: AttributeCommitDeps,
  payload: CommitJob,
): Promise<AttributeCommitOutcome> {
  const [outcome] = await attributeStoredCommits(deps, [payload]);
  if (!outcome || outcome instanceof Error) throw outcome ?? new Error("no outcome");
  return outcome;
}

/**
 * attributeStoredCommit for a batch of jobs, as the queue hands them over: per repository one
 * lookup, one mirror check (and at most one fetch), one `git log --no-walk` for every commit the
 * mirror has, one read of PRs and overrides, and one transaction for all their rows. A commit the
 * mirror lacks goes through REST alone. Returns one outcome per job, in order; an error fails
 * only that job (a failed batch write fails the repository's git-read jobs, which retry).
 */
export async function attributeStoredCommits(
  deps: AttributeCommitDeps,
  payloads: readonly CommitJob[],
): Promise<(AttributeCommitOutcome | Error)[]> {
  const outcomes: (AttributeCommitOutcome | Error)[] = payloads.map(() => new Error("not attributed"));
  const byRepo = Map.groupBy(
    payloads.map((payload, index) => ({ payload, index })),
    ({ payload }) => `${payload.orgId}/${payload.repoId}`,
  );
  for (const jobs of byRepo.values()) {
    try {
      const settled = await attributeRepositoryCommits(
        deps,
        jobs.map((j) => j.payload),
      );
      jobs.forEach((job, i) => {
        outcomes[job.index] = settled[i] ?? new Error("not attributed");
      });
    } catch (error) {
      for (const job of jobs) outcomes[job.index] = error instanceof Error ? error : new Error(String(error));
    }
  }
  return outcomes;
}

interface Attributed {
  payload: CommitJob;
  commit: CommitInput;
  result: ReturnType<typeof attributeCommit>;
  source: CommitSource;
  inferredMethod: NonNullable<PullRequestContext["mergeMethod"]> | null;
}

/** One repository's jobs (same org and repository), deduplicated by commit. */
async function attributeRepositoryCommits(
  deps: AttributeCommitDeps,
  payloads: CommitJob[],
): Promise<(AttributeCommitOutcome | Error)[]> {
  const { db } = deps;
  const first = payloads[0];
  if (!first) return [];
  const repo = await findAttributionTarget(db, first);
  const skip = (reason: string) => payloads.map(() => ({ status: "skipped" as const, reason }));
  if (!repo) return skip("repository no longer exists");
  const { installationId } = repo;
  if (!installationId) return skip("repository has no GitHub installation");
  const [owner, name] = repo.fullName.split("/");
  if (!owner || !name) return skip(`unexpected repository name ${repo.fullName}`);
  const scope = { orgId: first.orgId, repoId: first.repoId };
  const shas = [...new Set(payloads.map((p) => p.commitSha))];

  const fromGit = await readFromMirror(deps, {
    ...scope,
    fullName: repo.fullName,
    installationId,
    defaultBranch: repo.defaultBranch,
    commitShas: shas,
  });
  const [pullRequests, overrides, model] = await Promise.all([
    storedPullRequests(db, scope, { mergeCommitShas: shas }),
    overridesByCommit(db, scope),
    deps.scorerFor ? deps.scorerFor(scope.orgId) : null,
  ]);
  const tierRules = [...(repo.orgSettings.tierRules ?? []), ...(repo.settings.tierRules ?? [])];

  const attributed = new Map<string, Attributed>();
  const failures = new Map<string, Error>();
  for (const sha of shas) {
    const payload = { ...scope, commitSha: sha };
    try {
      const fromMirror = "commits" in fromGit ? fromGit.commits.get(sha) : undefined;
      let commit: CommitInput;
      let gitContext: GitContext = {};
      let pullRequest: PullRequestContext | null = null;
      let source: CommitSource;
      const stored = pullRequests.get(sha);
      if (fromMirror && "opened" in fromGit) {
        commit = fromMirror.input;
        gitContext = fromMirror.context;
        source = { reader: "git" };
        if (stored) pullRequest = await pullRequestFromGit(fromGit.opened.repo, stored, commit);
      } else {
        const reason =
          "reason" in fromGit ? fromGit.reason : "mirror unavailable: the commit is not in the mirror";
        if (!deps.github) {
          failures.set(sha, new SkipError("no GitHub App configured (GITHUB_APP_ID)"));
          continue;
        }
        const octokit = await deps.github.getInstallationOctokit(installationId);
        commit = await fetchCommit(octokit, { owner, repo: name, sha, branch: repo.defaultBranch });
        source = { reader: "rest", reason: reason.slice(0, 500) };
        if (stored) pullRequest = await pullRequestFromRest(octokit, { owner, name }, stored);
      }
      // The webhook never says how a PR was merged: read it off the landed commit once it is here.
      const inferredMethod =
        pullRequest?.mergeMethod === "unknown" ? inferMergeMethod(commit, pullRequest.commits) : null;
      if (pullRequest && inferredMethod) pullRequest.mergeMethod = inferredMethod;
      const context: AttributionContext = {
        ...gitContext,
        pullRequest,
        tierRules,
        overrides: overrides.get(sha) ?? [],
        model,
      };
      attributed.set(sha, {
        payload,
        commit,
        result: attributeCommit(commit, context),
        source,
        inferredMethod,
      });
    } catch (error) {
      failures.set(sha, error instanceof Error ? error : new Error(String(error)));
    }
  }

  const files = new Map<string, number>();
  if (attributed.size > 0) {
    const all = [...attributed.values()];
    await db.transaction(async (tx) => {
      const ctx = { db: tx, orgId: scope.orgId, actor: { kind: "job" as const, name: "attribute-commit" } };
      for (const a of all) {
        // One statement per commit keeps each commit's row count; a batch is at most a few dozen.
        files.set(
          a.payload.commitSha,
          await storeCommitAttributions(ctx, [
            { repoId: scope.repoId, committedAt: a.commit.committedAt, result: a.result, source: a.source },
          ]),
        );
        if (a.inferredMethod && a.inferredMethod !== "unknown")
          await recordMergeMethod(tx, {
            ...scope,
            mergeCommitSha: a.payload.commitSha,
            method: a.inferredMethod,
          });
      }
      await deps.afterStore?.(tx, { ...scope, timestamps: all.map((a) => new Date(a.commit.committedAt)) });
    });
    for (const a of all)
      logger.debug({ ...a.payload, confidence: a.result.aiConfidence }, "commit attributed");
  }
  return payloads.map((p) => {
    const failure = failures.get(p.commitSha);
    if (failure instanceof SkipError) return { status: "skipped", reason: failure.message };
    if (failure) return failure;
    return { status: "stored", files: files.get(p.commitSha) ?? 0 };
  });
}

/** A commit that cannot be attributed here and should not be retried. */
class SkipError extends Error {}

/** The repository's mirror, opened at its default branch, and the commits read from it; or why not. */
async function readFromMirror(
  deps: AttributeCommitDeps,
  target: MirrorTarget,
): Promise<{ opened: OpenedRepository; commits: Map<string, CommitFromGit> } | { reason: string }> {
  if (!deps.mirrorFor) return { reason: "no repository mirror configured" };
  const warn = (message: string) => logger.warn({ repoId: target.repoId }, message);
  try {
    const mirror = await deps.mirrorFor(target);
    if ("unavailable" in mirror) return { reason: `mirror unavailable: ${mirror.unavailable}` };
    const opened = await openMirror(mirror.gitDir, `refs/heads/${target.defaultBranch}`, warn);
    const read = await readCommitsBySha(opened, target.commitShas, warn);
    return { opened, commits: new Map(read.map((c) => [c.input.sha, c])) };
  } catch (err) {
    // A mirror git cannot read (corrupted, missing objects) costs these commits their git evidence, not their verdicts.
    logger.warn({ err, repoId: target.repoId }, "could not read the commits from the mirror");
    return {
      // GitError and the mirror module's errors are written to be shown (no token, no URL credentials).
      reason: `mirror unavailable: ${err instanceof GitError || (err instanceof Error && err.name === "MirrorUnavailableError") ? err.message : "git could not read the mirror"}`,
    };
  }
}

/**
 * The repository's evidence (CODEOWNERS, .gitattributes, Agent Trace records) depends only on the
 * default branch's tip: read once per tip, not once per commit.
 */
const openedMirrors = new Map<string, OpenedRepository>();
const MAX_OPENED_MIRRORS = 64;

async function openMirror(gitDir: string, revision: string, warn: (m: string) => void) {
  const tip = await runGit(gitDir, ["rev-parse", "-q", "--verify", `${revision}^{commit}`]);
  const key = `${gitDir}\0${tip.code === 0 ? tip.stdout.toString("utf8").trim() : "HEAD"}`;
  const cached = openedMirrors.get(key);
  if (cached) return cached;
  const opened = await openRepositoryAt(gitDir, revision, warn);
  if (openedMirrors.size >= MAX_OPENED_MIRRORS) {
    const oldest = openedMirrors.keys().next().value;
    if (oldest !== undefined) openedMirrors.delete(oldest);
  }
  openedMirrors.set(key, opened);
  return opened;
}

/** The REST fallback: the PR's commits from GitHub's API. */
async function pullRequestFromRest(
  octokit: Awaited<ReturnType<GithubApp["getInstallationOctokit"]>>,
  target: { owner: string; name: string },
  pr: StoredPullRequest,
): Promise<PullRequestContext | null> {
  const metadata = pr.merged;
  try {
    return await fetchPullRequestContext(octokit, {
      owner: target.owner,
      repo: target.name,
      number: metadata.number,
      mergeMethod: metadata.mergeMethod ?? "unknown",
    });
  } catch (err) {
    // The verdict can still be made from the commit itself; say what was missing.
    logger.warn({ err, pr: metadata.number }, "could not read the pull request of a merged commit");
    return null;
  }
}
