import { and, eq, inArray, sql } from "drizzle-orm";
import { notFound } from "../../../core/errors.ts";
import type { Database } from "../../db/client.ts";
import { repositories, repositorySync } from "../../db/schema/index.ts";
import type { ServiceContext } from "../context.ts";

// How each repository's history reaches Sentinel: its mirror on disk and the import of its past
// (the backfill). Workers write it as they go; the dashboard and `sentinel backfills` read it.

export type BackfillPhase = "pulls" | "commits" | "deployments";
export type BackfillSource = { reader: "git" } | { reader: "rest"; reason: string };

/** Marks the repositories' imports as queued (the job is enqueued in the same transaction). */
export async function markBackfillsQueued(
  ctx: ServiceContext,
  repoIds: readonly string[],
  since: Date,
): Promise<void> {
  if (repoIds.length === 0) return;
  const now = new Date();
  const reset = {
    backfillStatus: "queued",
    backfillPhase: null,
    backfillSource: null,
    backfillReason: null,
    backfillSince: since,
    backfillTip: null,
    commitsTotal: null,
    commitsDone: 0,
    commitsStartedAt: null,
    backfillQueuedAt: now,
    backfillFinishedAt: null,
    backfillError: null,
  };
  await ctx.db
    .insert(repositorySync)
    .values(repoIds.map((repoId) => ({ repoId, orgId: ctx.orgId, ...reset })))
    .onConflictDoUpdate({
      target: repositorySync.repoId,
      set: reset,
      setWhere: sql`${repositorySync.orgId} = ${ctx.orgId}`,
    });
}

/** Enters a phase of the import. */
export async function markBackfillPhase(ctx: ServiceContext, repoId: string, phase: BackfillPhase) {
  await upsert(ctx, repoId, { backfillStatus: "running", backfillPhase: phase, backfillError: null });
}

/**
 * Starts (or resumes) the commit phase. Returns how many commits of this tip were already stored
 * by an earlier attempt: a retry skips them.
 */
export async function startCommitImport(
  ctx: ServiceContext,
  repoId: string,
  /** `total` null: not known in advance (REST pages). */
  input: { tip: string | null; total: number | null; source: BackfillSource },
): Promise<{ alreadyDone: number }> {
  const [current] = await ctx.db
    .select({
      tip: repositorySync.backfillTip,
      done: repositorySync.commitsDone,
      status: repositorySync.backfillStatus,
    })
    .from(repositorySync)
    .where(and(eq(repositorySync.orgId, ctx.orgId), eq(repositorySync.repoId, repoId)));
  const resumes =
    input.tip !== null && current?.tip === input.tip && current.status === "running" && current.done > 0;
  const alreadyDone = resumes && input.total !== null ? Math.min(current.done, input.total) : 0;
  await upsert(ctx, repoId, {
    backfillStatus: "running",
    backfillPhase: "commits",
    backfillSource: input.source.reader,
    backfillReason: input.source.reader === "rest" ? input.source.reason.slice(0, 500) : null,
    backfillTip: input.tip,
    commitsTotal: input.total,
    commitsDone: alreadyDone,
    commitsStartedAt: new Date(),
  });
  return { alreadyDone };
}

/** Commits imported so far (written in the transaction that stored them). */
export async function recordCommitsDone(ctx: ServiceContext, repoId: string, done: number): Promise<void> {
  await ctx.db
    .update(repositorySync)
    .set({ commitsDone: done })
    .where(and(eq(repositorySync.orgId, ctx.orgId), eq(repositorySync.repoId, repoId)));
}

/** The REST path learns the total only as it pages: it counts up as it goes. */
export async function addCommitsDone(ctx: ServiceContext, repoId: string, more: number): Promise<void> {
  if (more <= 0) return;
  await ctx.db
    .update(repositorySync)
    .set({ commitsDone: sql`${repositorySync.commitsDone} + ${more}` })
    .where(and(eq(repositorySync.orgId, ctx.orgId), eq(repositorySync.repoId, repoId)));
}

export async function markBackfillDone(ctx: ServiceContext, repoId: string): Promise<void> {
  await upsert(ctx, repoId, { backfillStatus: "done", backfillPhase: null, backfillFinishedAt: new Date() });
}

/** A job that gave up (its retries exhausted): the error is shown where the progress was. */
export async function markBackfillFailed(ctx: ServiceContext, repoId: string, error: string): Promise<void> {
  await upsert(ctx, repoId, {
    backfillStatus: "failed",
    backfillError: error.slice(0, 500),
    backfillFinishedAt: new Date(),
  });
}

export type MirrorState =
  | { status: "ready"; bytes: number; fetchedAt: Date }
  | { status: "too_large" | "unavailable"; reason: string };

/** What the last fetch of the repository's mirror found (size on disk, or why there is none). */
export async function recordMirrorState(ctx: ServiceContext, repoId: string, state: MirrorState) {
  await upsert(
    ctx,
    repoId,
    state.status === "ready"
      ? {
          mirrorStatus: "ready",
          mirrorReason: null,
          mirrorBytes: state.bytes,
          mirrorFetchedAt: state.fetchedAt,
        }
      : // The time of the check: a repository found too large is not cloned again for a while.
        {
          mirrorStatus: state.status,
          mirrorReason: state.reason.slice(0, 500),
          mirrorBytes: null,
          mirrorFetchedAt: new Date(),
        },
  );
}

/** The last recorded fetch outcome of the repository's mirror, if any. */
export async function mirrorStateOf(
  ctx: ServiceContext,
  repoId: string,
): Promise<{ status: string | null; reason: string | null; checkedAt: Date | null } | null> {
  const [row] = await ctx.db
    .select({
      status: repositorySync.mirrorStatus,
      reason: repositorySync.mirrorReason,
      checkedAt: repositorySync.mirrorFetchedAt,
    })
    .from(repositorySync)
    .where(and(eq(repositorySync.orgId, ctx.orgId), eq(repositorySync.repoId, repoId)));
  return row ?? null;
}

/** Mirrors deleted by eviction take no disk any more; the next push fetches them again. */
export async function recordMirrorsEvicted(db: Database, repoIds: readonly string[]): Promise<void> {
  if (repoIds.length === 0) return;
  await db
    .update(repositorySync)
    .set({ mirrorStatus: null, mirrorBytes: null })
    .where(inArray(repositorySync.repoId, [...repoIds]));
}

export interface RepositorySyncView {
  repoId: string;
  fullName: string;
  mirror: {
    status: "ready" | "too_large" | "unavailable" | null;
    reason: string | null;
    bytes: number | null;
    fetchedAt: string | null;
  };
  backfill: {
    status: "queued" | "running" | "done" | "failed" | null;
    phase: BackfillPhase | null;
    source: "git" | "rest" | null;
    reason: string | null;
    since: string | null;
    commitsDone: number;
    commitsTotal: number | null;
    /** Estimated from the rate since the commit phase started; null until it can be. */
    secondsLeft: number | null;
    queuedAt: string | null;
    finishedAt: string | null;
    error: string | null;
  };
}

/** The organization's repositories with their mirror and import state (one repository, or all). */
export async function listRepositorySync(
  ctx: ServiceContext,
  filter: { repoId?: string } = {},
  now = new Date(),
): Promise<RepositorySyncView[]> {
  const rows = await ctx.db
    .select({ repo: { id: repositories.id, fullName: repositories.fullName }, sync: repositorySync })
    .from(repositories)
    .leftJoin(repositorySync, eq(repositorySync.repoId, repositories.id))
    .where(
      and(
        eq(repositories.orgId, ctx.orgId),
        filter.repoId === undefined ? undefined : eq(repositories.id, filter.repoId),
      ),
    )
    .orderBy(repositories.fullName);
  return rows.map(({ repo, sync: s }) => ({
    repoId: repo.id,
    fullName: repo.fullName,
    mirror: {
      status: (s?.mirrorStatus ?? null) as RepositorySyncView["mirror"]["status"],
      reason: s?.mirrorReason ?? null,
      bytes: s?.mirrorBytes ?? null,
      fetchedAt: s?.mirrorFetchedAt?.toISOString() ?? null,
    },
    backfill: {
      status: (s?.backfillStatus ?? null) as RepositorySyncView["backfill"]["status"],
      phase: (s?.backfillPhase ?? null) as BackfillPhase | null,
      source: (s?.backfillSource ?? null) as "git" | "rest" | null,
      reason: s?.backfillReason ?? null,
      since: s?.backfillSince?.toISOString() ?? null,
      commitsDone: s?.commitsDone ?? 0,
      commitsTotal: s?.commitsTotal ?? null,
      secondsLeft: s ? secondsLeft(s, now) : null,
      queuedAt: s?.backfillQueuedAt?.toISOString() ?? null,
      finishedAt: s?.backfillFinishedAt?.toISOString() ?? null,
      error: s?.backfillError ?? null,
    },
  }));
}

/** One repository's mirror and import state; not_found when the organization has no such repository. */
export async function getRepositorySync(ctx: ServiceContext, repoId: string): Promise<RepositorySyncView> {
  const [view] = await listRepositorySync(ctx, { repoId });
  if (!view) throw notFound("repository");
  return view;
}

type SyncRow = typeof repositorySync.$inferSelect;

/** Time left at the rate of the commit phase so far; needs a few seconds and some commits to say. */
export function secondsLeft(
  s: Pick<SyncRow, "backfillStatus" | "backfillPhase" | "commitsDone" | "commitsTotal" | "commitsStartedAt">,
  now: Date,
): number | null {
  if (s.backfillStatus !== "running" || s.backfillPhase !== "commits") return null;
  if (!s.commitsStartedAt || s.commitsTotal === null || s.commitsDone <= 0) return null;
  const elapsed = (now.getTime() - s.commitsStartedAt.getTime()) / 1000;
  if (elapsed < 2) return null;
  const left = Math.max(0, s.commitsTotal - s.commitsDone);
  return Math.ceil(left / (s.commitsDone / elapsed));
}

async function upsert(ctx: ServiceContext, repoId: string, set: Partial<typeof repositorySync.$inferInsert>) {
  await ctx.db
    .insert(repositorySync)
    .values({ repoId, orgId: ctx.orgId, ...set })
    .onConflictDoUpdate({
      target: repositorySync.repoId,
      set,
      setWhere: sql`${repositorySync.orgId} = ${ctx.orgId}`,
    });
}
