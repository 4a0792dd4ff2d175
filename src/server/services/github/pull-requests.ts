import { and, eq, inArray, sql } from "drizzle-orm";
import type { z } from "zod";
import type { prMergedMetadataSchema } from "../../../core/events.ts";
import type { Database } from "../../db/client.ts";
import { codeEvents } from "../../db/schema/index.ts";

// The pull requests ingestion stored for a repository (its `pr_merged` events, their bodies from the
// `pr_opened` ones), by merge commit: what the attribution of a landed commit needs to know of its PR.

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
