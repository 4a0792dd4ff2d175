import { and, asc, eq } from "drizzle-orm";
import { notFound } from "../../../core/errors.ts";
import type { RepoSettings } from "../../../core/settings.ts";
import { repositories } from "../../db/schema/github.ts";
import type { ServiceContext } from "../context.ts";

export interface RepositoryView {
  id: string;
  fullName: string;
  defaultBranch: string;
  tracked: boolean;
  isPrivate: boolean;
  settings: RepoSettings;
  createdAt: Date;
}

const columns = {
  id: repositories.id,
  fullName: repositories.fullName,
  defaultBranch: repositories.defaultBranch,
  tracked: repositories.tracked,
  isPrivate: repositories.isPrivate,
  settings: repositories.settings,
  createdAt: repositories.createdAt,
};

export async function listRepositories(ctx: ServiceContext): Promise<RepositoryView[]> {
  return ctx.db
    .select(columns)
    .from(repositories)
    .where(eq(repositories.orgId, ctx.orgId))
    .orderBy(asc(repositories.fullName));
}

/** The repository if it belongs to this organization; 404 otherwise (never "exists elsewhere"). */
export async function getRepository(ctx: ServiceContext, repositoryId: string): Promise<RepositoryView> {
  const [row] = await ctx.db
    .select(columns)
    .from(repositories)
    .where(and(eq(repositories.id, repositoryId), eq(repositories.orgId, ctx.orgId)));
  if (!row) throw notFound("repository");
  return row;
}
