import type { Database } from "../../server/db/client.ts";
import { overridesByCommit } from "../../server/services/attribution/override.ts";
import type { ServiceContext } from "../../server/services/context.ts";
import {
  ensureLocalOrganization,
  ensureLocalRepository,
  LOCAL_ORG_SLUG,
  markRepositoryAnalyzed,
  storeLocalCommits,
} from "../../server/services/local-analysis.ts";
import { orgSettings } from "../../server/services/metrics/settings.ts";
import { getActiveModel } from "../../server/services/ml-models.ts";
import { findOrganizationBySlug } from "../../server/services/organizations/find-organization-by-slug.ts";
import { lineHistoryFromGit } from "../../server/services/survival/from-git.ts";
import { storeLineSurvival } from "../../server/services/survival/store-line-survival.ts";
import type { AnalysisDocument } from "./json-document.ts";
import { type AnalysisRequest, runAnalysis } from "./run-analysis.ts";

/**
 * `analyze --store`: the analysis, written to the configured database as it goes (organization
 * `local` unless another is named), reading only commits after the last stored analysis unless `full`.
 */
export async function storeAnalysis(
  db: Database,
  request: Omit<AnalysisRequest, "sink" | "lastAnalyzedSha"> & {
    full: boolean;
    /** An existing organization's slug; null for `local`, created on first use. */
    organization?: string | null;
  },
): Promise<AnalysisDocument> {
  const org = request.organization
    ? await findOrganizationBySlug(db, request.organization)
    : { id: await ensureLocalOrganization(db), slug: LOCAL_ORG_SLUG };
  const orgId = org.id;
  const ctx: ServiceContext = { db, orgId, actor: { kind: "cli" } };
  const repository = await ensureLocalRepository(ctx, {
    path: request.repo.root,
    defaultBranch: request.repo.branch,
  });
  let commitsStored = 0;
  let filesStored = 0;
  // The verdicts the server would give: its overrides, the organization's model and tier rules.
  const [overrides, model, settings] = await Promise.all([
    overridesByCommit(db, { orgId, repoId: repository.id }),
    getActiveModel(ctx),
    orgSettings(db, orgId),
  ]);
  const { document, analysedTip } = await runAnalysis({
    ...request,
    stored: {
      overrides,
      model,
      tierRules: settings.tierRules,
      aiHeavyThreshold: settings.aiHeavyThreshold,
    },
    lastAnalyzedSha: request.full ? null : repository.lastAnalyzedSha,
    sink: async (batch) => {
      const stored = await storeLocalCommits(ctx, repository.id, request.repo.branch, batch);
      commitsStored += stored.commits;
      filesStored += stored.files;
    },
  });
  if (analysedTip)
    await markRepositoryAnalyzed(ctx, repository.id, { sha: analysedTip, branch: request.repo.branch });
  // Line survival as the server stores it for a mirror: the tip's whole history, stored by
  // difference (so a later --store only writes what changed); verdicts are joined when read.
  let lineSurvivalRowsWritten: number | null = null;
  const tip = analysedTip ?? repository.lastAnalyzedSha;
  if (request.survival !== false && tip) {
    const result = await lineHistoryFromGit({ root: request.repo.root, revision: tip, source: "local" });
    if (result)
      lineSurvivalRowsWritten = (await storeLineSurvival(ctx, { repoId: repository.id, result })).written;
  }
  document.stored = {
    organization: org.slug,
    repositoryId: repository.id,
    repository: repository.fullName,
    commitsStored,
    filesStored,
    lineSurvivalRowsWritten,
  };
  return document;
}
