import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import type { z } from "zod";
import type { CommitInput, PullRequestContext } from "../../core/attribution/types.ts";
import type { prMergedMetadataSchema } from "../../core/events.ts";
import { readPullRequestCommits } from "../../git/commit-input.ts";
import type { RepositoryInfo } from "../../git/repository.ts";
import type { Database } from "../db/client.ts";
import { codeEvents } from "../db/schema/index.ts";
import { logger } from "../logger.ts";

// The pull request a landed commit came from, as ingestion stored it (its `pr_merged` event, its
// body from the `pr_opened` one), with the PR's own commits read from the mirror's
// `refs/pull/<n>/head`: squash and rebase merges lose them, and their trailers with them. No API call.

export type MergedMetadata = Partial<z.infer<typeof prMergedMetadataSchema>>;

export interface StoredPullRequest {
  merged: MergedMetadata & { number: number };
  body: string | null;
}

interface Scope {
  orgId: string;
  repoId: string;
}

/** The stored PR that merged `commitSha`, if ingestion has seen it. */
export async function storedPullRequestOf(
  db: Database,
  scope: Scope & { commitSha: string },
): Promise<StoredPullRequest | null> {
  const merged = (await latestEvent(
    db,
    scope,
    "pr_merged",
    sql`${codeEvents.metadata}->>'mergeCommitSha' = ${scope.commitSha}`,
  )) as MergedMetadata | undefined;
  if (!merged?.number) return null;
  const opened = (await latestEvent(
    db,
    scope,
    "pr_opened",
    sql`(${codeEvents.metadata}->>'number')::int = ${merged.number}`,
  )) as { body?: string | null } | undefined;
  return { merged: { ...merged, number: merged.number }, body: opened?.body ?? null };
}

/**
 * Every stored PR of the repository, by merge commit: a backfill reads them once for the whole
 * history instead of twice a commit.
 */
export async function storedPullRequests(
  db: Database,
  scope: Scope,
): Promise<Map<string, StoredPullRequest>> {
  const rows = await db
    .select({ type: codeEvents.eventType, metadata: codeEvents.metadata })
    .from(codeEvents)
    .where(
      and(
        eq(codeEvents.orgId, scope.orgId),
        eq(codeEvents.repoId, scope.repoId),
        sql`${codeEvents.eventType} IN ('pr_merged', 'pr_opened')`,
      ),
    )
    .orderBy(codeEvents.timestamp);
  const bodies = new Map<number, string | null>();
  const merged: MergedMetadata[] = [];
  for (const row of rows) {
    const m = row.metadata as MergedMetadata & { body?: string | null };
    if (!m.number) continue;
    // Oldest first: the newest event of each PR wins, as storedPullRequestOf picks it.
    if (row.type === "pr_opened") bodies.set(m.number, m.body ?? null);
    else if (m.mergeCommitSha) merged.push(m);
  }
  const out = new Map<string, StoredPullRequest>();
  for (const m of merged) {
    if (!m.mergeCommitSha || !m.number) continue;
    out.set(m.mergeCommitSha, { merged: { ...m, number: m.number }, body: bodies.get(m.number) ?? null });
  }
  return out;
}

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

async function latestEvent(
  db: Database,
  scope: Scope,
  type: "pr_merged" | "pr_opened",
  matches: SQL,
): Promise<unknown> {
  const [event] = await db
    .select({ metadata: codeEvents.metadata })
    .from(codeEvents)
    .where(
      and(
        eq(codeEvents.orgId, scope.orgId),
        eq(codeEvents.repoId, scope.repoId),
        eq(codeEvents.eventType, type),
        matches,
      ),
    )
    .orderBy(desc(codeEvents.timestamp))
    .limit(1);
  return event?.metadata;
}
