import { and, eq, sql } from "drizzle-orm";
import { attributeCommit } from "../../core/attribution/engine.ts";
import { inferMergeMethod } from "../../core/attribution/merge-method.ts";
import type { FileScorer } from "../../core/attribution/scorer.ts";
import type { AttributionContext, PullRequestContext } from "../../core/attribution/types.ts";
import type { Database } from "../db/client.ts";
import { codeEvents, organizations, repositories } from "../db/schema/index.ts";
import type { GithubApp } from "../github/app-client.ts";
import { logger } from "../logger.ts";
import { overridesByCommit } from "../services/attribution/override.ts";
import { storeCommitAttribution } from "../services/attribution/store.ts";
import { recordMergeMethod } from "../services/github/code-events.ts";
import { fetchCommit, fetchPullRequestContext } from "./github-commit.ts";

export interface AttributeCommitDeps {
  db: Database;
  github: GithubApp | null;
  /** The organization's active model, or null while it has too few labels. */
  scorerFor?: (orgId: string) => Promise<FileScorer | null>;
  /** Marks the roll-up periods the commit touched, inside the same transaction. */
  afterStore?: (tx: Database, target: { orgId: string; repoId: string; committedAt: Date }) => Promise<void>;
}

export type AttributeCommitOutcome =
  | { status: "stored"; files: number }
  | { status: "skipped"; reason: string };

/**
 * The `attribute-commit` job: fetch the commit's files and patches from GitHub, gather what else is
 * known (the PR it was merged from, overrides, tier rules, the model), run the engine, upsert the
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
  if (!repo.installationId) return { status: "skipped", reason: "repository has no GitHub installation" };
  if (!deps.github) return { status: "skipped", reason: "no GitHub App configured (GITHUB_APP_ID)" };

  const [owner, name] = repo.fullName.split("/");
  if (!owner || !name) return { status: "skipped", reason: `unexpected repository name ${repo.fullName}` };
  const octokit = await deps.github.getInstallationOctokit(repo.installationId);
  const commit = await fetchCommit(octokit, {
    owner,
    repo: name,
    sha: payload.commitSha,
    branch: repo.defaultBranch,
  });

  const pullRequest = await pullRequestFor(deps, octokit, { ...payload, owner, name });
  // The webhook never says how a PR was merged: read it off the landed commit once it is here.
  const inferredMethod =
    pullRequest?.mergeMethod === "unknown" ? inferMergeMethod(commit, pullRequest.commits) : null;
  if (pullRequest && inferredMethod) pullRequest.mergeMethod = inferredMethod;
  const context: AttributionContext = {
    pullRequest,
    tierRules: [...(repo.orgSettings.tierRules ?? []), ...(repo.settings.tierRules ?? [])],
    overrides: (await overridesByCommit(db, payload)).get(payload.commitSha) ?? [],
    model: deps.scorerFor ? await deps.scorerFor(payload.orgId) : null,
  };
  const result = attributeCommit(commit, context);

  const files = await db.transaction(async (tx) => {
    const stored = await storeCommitAttribution(
      { db: tx, orgId: payload.orgId, actor: { kind: "job", name: "attribute-commit" } },
      { repoId: payload.repoId, committedAt: commit.committedAt, result },
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

/** Squash and rebase merges lose the PR's commits: find the PR this commit merged, and read them. */
async function pullRequestFor(
  deps: AttributeCommitDeps,
  octokit: Awaited<ReturnType<GithubApp["getInstallationOctokit"]>>,
  target: { orgId: string; repoId: string; commitSha: string; owner: string; name: string },
): Promise<PullRequestContext | null> {
  const [merged] = await deps.db
    .select({ metadata: codeEvents.metadata })
    .from(codeEvents)
    .where(
      and(
        eq(codeEvents.orgId, target.orgId),
        eq(codeEvents.repoId, target.repoId),
        eq(codeEvents.eventType, "pr_merged"),
        sql`${codeEvents.metadata}->>'mergeCommitSha' = ${target.commitSha}`,
      ),
    )
    .limit(1);
  const metadata = merged?.metadata as
    | { number?: number; mergeMethod?: PullRequestContext["mergeMethod"] }
    | undefined;
  if (!metadata?.number) return null;
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
