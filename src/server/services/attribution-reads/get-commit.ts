import { and, asc, eq, gte } from "drizzle-orm";
import { notFound } from "../../../core/errors.ts";
import type { EventMetadata } from "../../../core/events.ts";
import { codeAttribution, codeEvents } from "../../db/schema/telemetry.ts";
import type { ServiceContext } from "../context.ts";
import { historyFrom } from "../organizations/history.ts";
import { getRepository } from "../repositories/repository-views.ts";
import { type AttributionView, attributionColumns } from "./attribution-view.ts";

export interface CommitView {
  sha: string;
  repositoryId: string;
  committedAt: Date;
  message: string | null;
  author: string | null;
  /** Confidence over the commit's added lines (weighted by lines); null when nothing is known. */
  aiConfidence: number | null;
  tool: string | null;
  model: string | null;
  files: AttributionView[];
}

function mostCommon(values: Array<string | null>): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [v, n] of counts) {
    if (n > bestCount) {
      best = v;
      bestCount = n;
    }
  }
  return best;
}

/**
 * A commit's files and their attribution; `repositoryId` disambiguates a SHA seen in forks. A
 * commit older than the plan's history is not found.
 */
export async function getCommit(
  ctx: ServiceContext,
  sha: string,
  repositoryId?: string,
): Promise<CommitView> {
  if (repositoryId) await getRepository(ctx, repositoryId);
  const since = await historyFrom(ctx, undefined);
  const files = await ctx.db
    .select(attributionColumns)
    .from(codeAttribution)
    .where(
      and(
        eq(codeAttribution.orgId, ctx.orgId),
        eq(codeAttribution.commitSha, sha),
        repositoryId ? eq(codeAttribution.repoId, repositoryId) : undefined,
        since ? gte(codeAttribution.committedAt, since) : undefined,
      ),
    )
    .orderBy(asc(codeAttribution.repoId), asc(codeAttribution.filePath));
  const first = files[0];
  if (!first) throw notFound("commit");
  const repoFiles = files.filter((f) => f.repositoryId === first.repositoryId);
  const [event] = await ctx.db
    .select({ metadata: codeEvents.metadata, actor: codeEvents.actor })
    .from(codeEvents)
    .where(
      and(
        eq(codeEvents.orgId, ctx.orgId),
        eq(codeEvents.repoId, first.repositoryId),
        eq(codeEvents.eventType, "commit"),
        eq(codeEvents.commitSha, sha),
      ),
    )
    .limit(1);
  const metadata = event?.metadata as EventMetadata["commit"] | undefined;
  let weighted = 0;
  let weight = 0;
  for (const f of repoFiles) {
    if (f.aiConfidence === null) continue;
    const w = Math.max(1, f.linesAdded);
    weighted += f.aiConfidence * w;
    weight += w;
  }
  return {
    sha,
    repositoryId: first.repositoryId,
    committedAt: first.committedAt,
    message: metadata?.message ?? null,
    author: metadata?.author.login ?? metadata?.author.name ?? event?.actor ?? null,
    aiConfidence: weight > 0 ? weighted / weight : null,
    tool: mostCommon(repoFiles.map((f) => f.tool)),
    model: mostCommon(repoFiles.map((f) => f.model)),
    files: repoFiles,
  };
}
