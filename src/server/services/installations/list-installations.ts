import { and, asc, count, eq, isNull } from "drizzle-orm";
import type { GithubAccountType } from "../../../core/enums.ts";
import { githubInstallations, repositories } from "../../db/schema/github.ts";
import type { ServiceContext } from "../context.ts";

export interface InstallationView {
  installationId: number;
  accountLogin: string;
  accountType: GithubAccountType;
  suspendedAt: Date | null;
  repositoryCount: number;
}

/** The GitHub App installations linked to this organization (deleted ones left out). */
export async function listInstallations(ctx: ServiceContext): Promise<InstallationView[]> {
  return ctx.db
    .select({
      installationId: githubInstallations.installationId,
      accountLogin: githubInstallations.accountLogin,
      accountType: githubInstallations.accountType,
      suspendedAt: githubInstallations.suspendedAt,
      repositoryCount: count(repositories.id),
    })
    .from(githubInstallations)
    .leftJoin(
      repositories,
      and(
        eq(repositories.installationId, githubInstallations.installationId),
        eq(repositories.orgId, ctx.orgId),
      ),
    )
    .where(and(eq(githubInstallations.orgId, ctx.orgId), isNull(githubInstallations.deletedAt)))
    .groupBy(githubInstallations.id)
    .orderBy(asc(githubInstallations.accountLogin));
}
