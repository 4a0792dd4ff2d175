import { and, asc, eq, sql } from "drizzle-orm";
import { notFound } from "../../../core/errors.ts";
import type { RepoSettings } from "../../../core/settings.ts";
import { repositories } from "../../db/schema/github.ts";
import type { ServiceContext } from "../context.ts";

/** Why a repository is not tracked, when recorded: `plan_limit`, added beyond the plan's repository limit. */
export const UNTRACKED_REASONS = ["plan_limit"] as const;
export type UntrackedReason = (typeof UNTRACKED_REASONS)[number];

export interface RepositoryView {
  id: string;
  fullName: string;
  defaultBranch: string;
  tracked: boolean;
  /** Null while tracked, and when no reason was recorded (an admin stopped it, GitHub removed it). */
  untrackedReason: UntrackedReason | null;
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
  // The latest tracking decision in the audit log says why: the log is the record of it. (Columns
  // named in full: drizzle would leave them unqualified, and inside the subquery they are audit_log's.)
  reason: sql<string | null>`CASE WHEN repositories.tracked THEN NULL ELSE (
    SELECT a.details->>'reason' FROM audit_log a
    WHERE a.org_id = repositories.org_id AND a.target = 'repository:' || repositories.id::text
      AND a.action IN ('repository.tracked', 'repository.untracked', 'repository.not_tracked')
    ORDER BY a.created_at DESC LIMIT 1) END`,
};

const isReason = (value: string | null): value is UntrackedReason =>
  (UNTRACKED_REASONS as readonly (string | null)[]).includes(value);

function toView({ reason, ...row }: Omit<RepositoryView, "untrackedReason"> & { reason: string | null }) {
  return { ...row, untrackedReason: isReason(reason) ? reason : null };
}

export async function listRepositories(ctx: ServiceContext): Promise<RepositoryView[]> {
  const rows = await ctx.db
    .select(columns)
    .from(repositories)
    .where(eq(repositories.orgId, ctx.orgId))
    .orderBy(asc(repositories.fullName));
  return rows.map(toView);
}

/** The repository if it belongs to this organization; 404 otherwise (never "exists elsewhere"). */
export async function getRepository(ctx: ServiceContext, repositoryId: string): Promise<RepositoryView> {
  const [row] = await ctx.db
    .select(columns)
    .from(repositories)
    .where(and(eq(repositories.id, repositoryId), eq(repositories.orgId, ctx.orgId)));
  if (!row) throw notFound("repository");
  return toView(row);
}
