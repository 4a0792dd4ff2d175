import { createHash } from "node:crypto";
import { basename } from "node:path";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { organizations, repositories } from "../db/schema/index.ts";
import { type AnalysedCommit, type StoreResult, storeAnalysedCommits } from "./attribution/store-history.ts";
import type { ServiceContext } from "./context.ts";

// What `sentinel analyze --store` writes: a local organization (slug `local`), one repository per
// analysed path, a `commit` code_event per commit and a code_attribution row per file. Every write
// is an upsert, so analysing the same commits again changes nothing but the engine's verdicts.

export type { AnalysedCommit, StoreResult };

export const LOCAL_ORG_SLUG = "local";

/** The `local` organization's id, creating it on first use. */
export async function ensureLocalOrganization(db: Database): Promise<string> {
  const [row] = await db
    .insert(organizations)
    .values({ name: "Local repositories", slug: LOCAL_ORG_SLUG })
    .onConflictDoUpdate({ target: organizations.slug, set: { slug: sql`excluded.slug` } })
    .returning({ id: organizations.id });
  if (!row) throw new Error("could not create the local organization");
  return row.id;
}

export interface LocalRepository {
  id: string;
  fullName: string;
  lastAnalyzedSha: string | null;
}

/**
 * The repository for a local path, created on first use as `local/<directory name>` (with a short
 * hash of the path when another path already took that name).
 */
export async function ensureLocalRepository(
  ctx: ServiceContext,
  input: { path: string; defaultBranch: string | null },
): Promise<LocalRepository> {
  const select = {
    id: repositories.id,
    fullName: repositories.fullName,
    lastAnalyzedSha: repositories.lastAnalyzedSha,
  };
  const [existing] = await ctx.db
    .select(select)
    .from(repositories)
    .where(and(eq(repositories.orgId, ctx.orgId), eq(repositories.localPath, input.path)));
  if (existing) return existing;

  const name = basename(input.path).replace(/[^A-Za-z0-9._-]+/g, "-") || "repository";
  const suffix = createHash("sha256").update(input.path).digest("hex").slice(0, 6);
  for (const fullName of [`local/${name}`, `local/${name}-${suffix}`]) {
    const [row] = await ctx.db
      .insert(repositories)
      .values({
        orgId: ctx.orgId,
        fullName,
        localPath: input.path,
        defaultBranch: input.defaultBranch ?? "main",
        isPrivate: true,
      })
      .onConflictDoNothing()
      .returning(select);
    if (row) return row;
  }
  throw new Error(`could not register repository ${input.path}`);
}

/**
 * Stores analysed commits in one transaction, set-wise (see storeAnalysedCommits): the CLI's
 * `commit` events say `source: "cli"` and carry the committer's date, as `git log` shows it.
 */
export function storeLocalCommits(
  ctx: ServiceContext,
  repoId: string,
  branch: string | null,
  commits: readonly AnalysedCommit[],
): Promise<StoreResult> {
  return storeAnalysedCommits(ctx, { repoId, branch, source: "cli", commits });
}

/** Remembers the newest commit analysed, so the next run reads only `<sha>..HEAD`. */
export async function markRepositoryAnalyzed(
  ctx: ServiceContext,
  repoId: string,
  input: { sha: string; branch: string | null },
): Promise<void> {
  await ctx.db
    .update(repositories)
    .set({ lastAnalyzedSha: input.sha, ...(input.branch ? { defaultBranch: input.branch } : {}) })
    .where(and(eq(repositories.orgId, ctx.orgId), eq(repositories.id, repoId)));
}
