import { and, eq, inArray, sql } from "drizzle-orm";
import { repoSettingsSchema } from "../../../core/settings.ts";
import type { Database } from "../../db/client.ts";
import { repositories } from "../../db/schema/index.ts";
import type { RepositoryPayload } from "../../github/payloads.ts";
import type { ServiceContext } from "../context.ts";

export type RepositoryRow = typeof repositories.$inferSelect;

/**
 * Adds (or re-tracks) repositories an installation can see. Returns the rows that are new or were
 * untracked before, which are the ones a backfill should import.
 */
export async function upsertRepositories(
  ctx: ServiceContext,
  installationId: number,
  repos: readonly RepositoryPayload[],
): Promise<RepositoryRow[]> {
  if (repos.length === 0) return [];
  const before = await ctx.db
    .select({ githubId: repositories.githubId, tracked: repositories.tracked })
    .from(repositories)
    .where(
      and(
        eq(repositories.orgId, ctx.orgId),
        inArray(
          repositories.githubId,
          repos.map((r) => r.id),
        ),
      ),
    );
  const alreadyTracked = new Set(before.filter((r) => r.tracked).map((r) => r.githubId));
  const rows = await ctx.db
    .insert(repositories)
    .values(
      repos.map((r) => ({
        orgId: ctx.orgId,
        installationId,
        githubId: r.id,
        fullName: r.full_name,
        defaultBranch: r.default_branch ?? "main",
        isPrivate: r.private ?? true,
        settings: repoSettingsSchema.parse({}),
      })),
    )
    .onConflictDoUpdate({
      target: repositories.githubId,
      targetWhere: sql`${repositories.githubId} IS NOT NULL`,
      set: {
        installationId,
        fullName: sql`excluded.full_name`,
        isPrivate: sql`excluded.is_private`,
        tracked: true,
        updatedAt: new Date(),
      },
      // A repository id already owned by another organization is left alone.
      setWhere: eq(repositories.orgId, ctx.orgId),
    })
    .returning();
  return rows.filter((r) => !alreadyTracked.has(r.githubId));
}

/** The org's repository with this GitHub id, tracked or not. */
export async function findRepositoryByGithubId(
  ctx: ServiceContext,
  githubId: number,
): Promise<RepositoryRow | undefined> {
  const [row] = await ctx.db
    .select()
    .from(repositories)
    .where(and(eq(repositories.orgId, ctx.orgId), eq(repositories.githubId, githubId)));
  return row;
}

/** Repositories by GitHub id, whatever their organization (a GitHub id belongs to one at most). */
export async function findRepositoriesByGithubIds(
  db: Database,
  githubIds: readonly number[],
): Promise<Map<number, RepositoryRow>> {
  if (githubIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(repositories)
    .where(inArray(repositories.githubId, [...new Set(githubIds)]));
  return new Map(rows.flatMap((r) => (r.githubId === null ? [] : [[r.githubId, r] as const])));
}

/** Removed from the installation: history stays, new events stop. */
export async function untrackRepositories(
  ctx: ServiceContext,
  githubIds: readonly number[],
): Promise<number> {
  if (githubIds.length === 0) return 0;
  const rows = await ctx.db
    .update(repositories)
    .set({ tracked: false, updatedAt: new Date() })
    .where(and(eq(repositories.orgId, ctx.orgId), inArray(repositories.githubId, [...githubIds])))
    .returning({ id: repositories.id });
  return rows.length;
}

/** Renamed or transferred: keep the row (and its history), change the name. */
export async function renameRepository(
  ctx: ServiceContext,
  githubId: number,
  fullName: string,
): Promise<boolean> {
  const rows = await ctx.db
    .update(repositories)
    .set({ fullName, updatedAt: new Date() })
    .where(and(eq(repositories.orgId, ctx.orgId), eq(repositories.githubId, githubId)))
    .returning({ id: repositories.id });
  return rows.length > 0;
}

export async function setRepositoryArchived(
  ctx: ServiceContext,
  githubId: number,
  archived: boolean,
): Promise<boolean> {
  const rows = await ctx.db
    .update(repositories)
    .set({ archivedAt: archived ? new Date() : null, updatedAt: new Date() })
    .where(and(eq(repositories.orgId, ctx.orgId), eq(repositories.githubId, githubId)))
    .returning({ id: repositories.id });
  return rows.length > 0;
}

export async function setDefaultBranch(
  ctx: ServiceContext,
  repoId: string,
  defaultBranch: string,
): Promise<void> {
  await ctx.db
    .update(repositories)
    .set({ defaultBranch, updatedAt: new Date() })
    .where(and(eq(repositories.orgId, ctx.orgId), eq(repositories.id, repoId)));
}

/** Branches whose pushes are analysed: the default branch plus any the repository's settings add. */
export function trackedBranches(repo: Pick<RepositoryRow, "defaultBranch" | "settings">): Set<string> {
  const settings = repoSettingsSchema.safeParse(repo.settings ?? {});
  const extra = settings.success ? settings.data.trackedBranches : [];
  return new Set([repo.defaultBranch, ...extra]);
}

/** The org's repository by its row id. */
export async function findRepository(
  ctx: ServiceContext,
  repoId: string,
): Promise<RepositoryRow | undefined> {
  const [row] = await ctx.db
    .select()
    .from(repositories)
    .where(and(eq(repositories.orgId, ctx.orgId), eq(repositories.id, repoId)));
  return row;
}
