import { and, eq } from "drizzle-orm";
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
import { organizations, repositories } from "../db/schema/index.ts";
import type { GithubApp } from "../github/app-client.ts";
import { logger } from "../logger.ts";
import { overridesByCommit } from "../services/attribution/override.ts";
import { storeCommitAttribution } from "../services/attribution/store.ts";
import { recordMergeMethod } from "../services/github/code-events.ts";
import { fetchCommit, fetchPullRequestContext } from "./github-commit.ts";
import type { MirrorRequest } from "./mirror-source.ts";
import { pullRequestFromGit, storedPullRequestOf } from "./pull-request-context.ts";

export interface AttributeCommitDeps {
  db: Database;
  github: GithubApp | null;
  /** The organization's active model, or null while it has too few labels. */
  scorerFor?: (orgId: string) => Promise<FileScorer | null>;
  /**
   * The repository's bare mirror, fetched up to date, to read commits from with the same reader as
   * `sentinel analyze`; absent or unavailable: the commit is read through REST, and its rows say why.
   */
  mirrorFor?: (repo: MirrorTarget) => Promise<{ gitDir: string } | { unavailable: string }>;
  /** Marks the roll-up periods the commit touched, inside the same transaction. */
  afterStore?: (tx: Database, target: { orgId: string; repoId: string; committedAt: Date }) => Promise<void>;
}

/** The commit to read: a mirror that has it already needs no fetch. */
export type MirrorTarget = MirrorRequest & { commitSha: string };

export type AttributeCommitOutcome =
  | { status: "stored"; files: number }
  | { status: "skipped"; reason: string };

/**
 * The `attribute-commit` job: read the commit from the repository's mirror with the reader
 * `sentinel analyze` uses (git-ai notes, Agent Trace, CODEOWNERS, .gitattributes), or through REST
 * when there is no mirror (the rows record which, and why), gather what else is known (the PR it was merged from, overrides, tier rules, the model), run the engine, upsert the
 * rows. Safe to run any number of times for the same commit.
 */
export async function attributeStoredCommit(
  deps: AttributeCommitDeps,
  payload: { orgId: string; repoId: string; commitSha: string },
): Promise<AttributeCommitOutcome> {
  const { db } = deps;
  const [repo] = await db
    .select({
      fullName: repositories.fullName,
      installationId: repositories.installationId,
      defaultBranch: repositories.defaultBranch,
      settings: repositories.settings,
      orgSettings: organizations.settings,
    })
    .from(repositories)
    .innerJoin(organizations, eq(organizations.id, repositories.orgId))
    .where(and(eq(repositories.id, payload.repoId), eq(repositories.orgId, payload.orgId)));
  if (!repo) return { status: "skipped", reason: "repository no longer exists" };
  const { installationId } = repo;
  if (!installationId) return { status: "skipped", reason: "repository has no GitHub installation" };

  const [owner, name] = repo.fullName.split("/");
  if (!owner || !name) return { status: "skipped", reason: `unexpected repository name ${repo.fullName}` };
  const target = { ...payload, owner, name };

  const fromGit = await readFromMirror(deps, {
    ...target,
    installationId,
    defaultBranch: repo.defaultBranch,
  });
  let commit: CommitInput;
  let gitContext: GitContext = {};
  let pullRequest: PullRequestContext | null;
  let source: CommitSource;
  if ("commit" in fromGit) {
    commit = fromGit.commit.input;
    gitContext = fromGit.commit.context;
    source = { reader: "git" };
    pullRequest = await pullRequestFromMirror(deps, fromGit.opened, { ...target, commit });
  } else {
    if (!deps.github) return { status: "skipped", reason: "no GitHub App configured (GITHUB_APP_ID)" };
    const octokit = await deps.github.getInstallationOctokit(installationId);
    commit = await fetchCommit(octokit, {
      owner,
      repo: name,
      sha: payload.commitSha,
      branch: repo.defaultBranch,
    });
    source = { reader: "rest", reason: fromGit.reason.slice(0, 500) };
    pullRequest = await pullRequestFromRest(deps, octokit, target);
  }

  // The webhook never says how a PR was merged: read it off the landed commit once it is here.
  const inferredMethod =
    pullRequest?.mergeMethod === "unknown" ? inferMergeMethod(commit, pullRequest.commits) : null;
  if (pullRequest && inferredMethod) pullRequest.mergeMethod = inferredMethod;
  const context: AttributionContext = {
    ...gitContext,
    pullRequest,
    tierRules: [...(repo.orgSettings.tierRules ?? []), ...(repo.settings.tierRules ?? [])],
    overrides: (await overridesByCommit(db, payload)).get(payload.commitSha) ?? [],
    model: deps.scorerFor ? await deps.scorerFor(payload.orgId) : null,
  };
  const result = attributeCommit(commit, context);

  const files = await db.transaction(async (tx) => {
    const stored = await storeCommitAttribution(
      { db: tx, orgId: payload.orgId, actor: { kind: "job", name: "attribute-commit" } },
      { repoId: payload.repoId, committedAt: commit.committedAt, result, source },
    );
    if (inferredMethod && inferredMethod !== "unknown") {
      await recordMergeMethod(tx, { ...payload, mergeCommitSha: payload.commitSha, method: inferredMethod });
    }
    await deps.afterStore?.(tx, {
      orgId: payload.orgId,
      repoId: payload.repoId,
      committedAt: new Date(commit.committedAt),
    });
    return stored;
  });
  logger.debug({ ...payload, files, confidence: result.aiConfidence }, "commit attributed");
  return { status: "stored", files };
}

interface Target {
  orgId: string;
  repoId: string;
  commitSha: string;
  owner: string;
  name: string;
}

/** The repository's mirror, opened at its default branch, and the commit read from it; or why not. */
async function readFromMirror(
  deps: AttributeCommitDeps,
  target: Target & { installationId: number; defaultBranch: string },
): Promise<{ opened: OpenedRepository; commit: CommitFromGit } | { reason: string }> {
  if (!deps.mirrorFor) return { reason: "no repository mirror configured" };
  const warn = (message: string) => logger.warn({ commitSha: target.commitSha }, message);
  try {
    const mirror = await deps.mirrorFor({
      orgId: target.orgId,
      repoId: target.repoId,
      fullName: `${target.owner}/${target.name}`,
      installationId: target.installationId,
      defaultBranch: target.defaultBranch,
      commitSha: target.commitSha,
    });
    if ("unavailable" in mirror) return { reason: `mirror unavailable: ${mirror.unavailable}` };
    const opened = await openMirror(mirror.gitDir, `refs/heads/${target.defaultBranch}`, warn);
    const [commit] = await readCommitsBySha(opened, [target.commitSha], warn);
    if (!commit) return { reason: "mirror unavailable: the commit is not in the mirror" };
    return { opened, commit };
  } catch (err) {
    // A mirror git cannot read (corrupted, missing objects) costs this commit its git evidence, not its verdict.
    logger.warn({ err, commitSha: target.commitSha }, "could not read the commit from the mirror");
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

/** The PR this commit merged, its own commits read from the mirror's `refs/pull/<n>/head`. */
async function pullRequestFromMirror(
  deps: AttributeCommitDeps,
  opened: OpenedRepository,
  target: Target & { commit: CommitInput },
): Promise<PullRequestContext | null> {
  const pr = await storedPullRequestOf(deps.db, target);
  return pr ? pullRequestFromGit(opened.repo, pr, target.commit) : null;
}

/** The REST fallback: the PR and its commits from GitHub's API. */
async function pullRequestFromRest(
  deps: AttributeCommitDeps,
  octokit: Awaited<ReturnType<GithubApp["getInstallationOctokit"]>>,
  target: Target,
): Promise<PullRequestContext | null> {
  const pr = await storedPullRequestOf(deps.db, target);
  if (!pr) return null;
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
