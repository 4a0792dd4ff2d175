import { and, eq, inArray, sql } from "drizzle-orm";
import { readStoredSettings, repoSettingsSchema } from "../../../core/settings.ts";
import type { Database } from "../../db/client.ts";
import { organizations, repositories } from "../../db/schema/index.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";
import { trackingRoom } from "../repositories/tracking-room.ts";

export type RepositoryRow = typeof repositories.$inferSelect;

/** What is read of a repository as GitHub describes it (webhook payload or REST). */
export interface GithubRepositoryInput {
  id: number;
  full_name: string;
  default_branch?: string | undefined;
  private?: boolean | undefined;
}

/**
 * Adds (or re-tracks) repositories an installation can see. Tracking starts only while the plan
 * has room (trackingRoom, in payload order); the others are recorded untracked, and each refusal
 * is in the audit log as `repository.not_tracked` with `reason: "plan_limit"`. A repository id
 * another organization owns is left alone. Returns the rows that started being tracked (new, or
 * untracked before), which are the ones a backfill should import.
 */
export async function upsertRepositories(
  ctx: ServiceContext,
  installationId: number,
  repos: readonly GithubRepositoryInput[],
): Promise<RepositoryRow[]> {
  const existing = await findRepositoriesByGithubIds(
    ctx.db,
    repos.map((r) => r.id),
  );
  const mine = [...new Map(repos.map((r) => [r.id, r])).values()].filter(
    (r) => (existing.get(r.id)?.orgId ?? ctx.orgId) === ctx.orgId,
  );
  if (mine.length === 0) return [];
  const starting = mine.filter((r) => !existing.get(r.id)?.tracked);
  const room = starting.length > 0 ? await trackingRoom(ctx) : null;
  const admitted = new Set(starting.slice(0, room?.room ?? 0).map((r) => r.id));
  const rows = await ctx.db
    .insert(repositories)
    .values(
      mine.map((r) => ({
        orgId: ctx.orgId,
        installationId,
        githubId: r.id,
        fullName: r.full_name,
        defaultBranch: r.default_branch ?? "main",
        isPrivate: r.private ?? true,
        tracked: admitted.has(r.id) || existing.get(r.id)?.tracked === true,
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
        tracked: sql`excluded.tracked`,
        updatedAt: new Date(),
      },
      // A repository id already owned by another organization is left alone.
      setWhere: eq(repositories.orgId, ctx.orgId),
    })
    .returning();
  for (const row of rows) {
    if (row.tracked || !room || !starting.some((r) => r.id === row.githubId)) continue;
    await recordAudit(ctx, "repository.not_tracked", `repository:${row.id}`, {
      reason: "plan_limit",
      plan: room.plan,
      allowed: room.allowed,
      fullName: row.fullName,
    });
  }
  return rows.filter((r) => r.githubId !== null && admitted.has(r.githubId));
}

/** Full names (`owner/name`) by repository id, across organizations (operator commands). */
export async function repositoryNames(db: Database, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: repositories.id, fullName: repositories.fullName })
    .from(repositories)
    .where(inArray(repositories.id, [...ids]));
  return new Map(rows.map((r) => [r.id, r.fullName]));
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
  const extra = readStoredSettings(repoSettingsSchema, repo.settings)?.trackedBranches ?? [];
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

/**
 * What attributing a repository's commits needs of it: its name, installation, default branch and
 * the tier rules of the repository and its organization. Null when the organization has no such
 * repository any more.
 */
export async function findAttributionTarget(db: Database, target: { orgId: string; repoId: string }) {
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
    .where(and(eq(repositories.id, target.repoId), eq(repositories.orgId, target.orgId)));
  return repo ?? null;
}
