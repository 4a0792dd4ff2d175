import { and, eq, inArray, sql } from "drizzle-orm";
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

/**
 * The repository's stored PRs by merge commit (the newest events of each), all of them or those
 * that merged `mergeCommitShas`: a backfill or a batch of jobs reads them once, not twice a commit.
 */
export async function storedPullRequests(
  db: Database,
  scope: Scope,
  filter: { mergeCommitShas?: readonly string[] } = {},
): Promise<Map<string, StoredPullRequest>> {
  const repoEvents = and(eq(codeEvents.orgId, scope.orgId), eq(codeEvents.repoId, scope.repoId));
  const shas = filter.mergeCommitShas;
  if (shas?.length === 0) return new Map();
  const mergedRows = await db
    .select({ metadata: codeEvents.metadata })
    .from(codeEvents)
    .where(
      and(
        repoEvents,
        eq(codeEvents.eventType, "pr_merged"),
        shas ? inArray(sql`${codeEvents.metadata}->>'mergeCommitSha'`, [...shas]) : undefined,
      ),
    )
    .orderBy(codeEvents.timestamp);
  const merged = new Map<string, MergedMetadata & { number: number }>();
  // Oldest first: the newest event of each merge commit wins.
  for (const { metadata } of mergedRows) {
    const m = metadata as MergedMetadata;
    if (m.mergeCommitSha && m.number) merged.set(m.mergeCommitSha, { ...m, number: m.number });
  }
  if (merged.size === 0) return new Map();
  const numbers = [...new Set([...merged.values()].map((m) => m.number))];
  const openedRows = await db
    .select({ metadata: codeEvents.metadata })
    .from(codeEvents)
    .where(
      and(
        repoEvents,
        eq(codeEvents.eventType, "pr_opened"),
        inArray(sql`(${codeEvents.metadata}->>'number')::int`, numbers),
      ),
    )
    .orderBy(codeEvents.timestamp);
  const bodies = new Map<number, string | null>();
  for (const { metadata } of openedRows) {
    const m = metadata as { number?: number; body?: string | null };
    if (m.number) bodies.set(m.number, m.body ?? null);
  }
  const out = new Map<string, StoredPullRequest>();
  for (const [sha, m] of merged) out.set(sha, { merged: m, body: bodies.get(m.number) ?? null });
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
