import { and, desc, eq, gte, lte, sql } from "drizzle-orm";
import { badRequest } from "../../../core/errors.ts";
import { summarizeDeploys } from "../../../core/metrics/deploys.ts";
import { aiShare } from "../../../core/metrics/stats.ts";
import type { Database } from "../../db/client.ts";
import { codeEvents } from "../../db/schema/index.ts";
import { loadRepoFacts } from "../metrics/load-facts.ts";
import { isProductionDeploy } from "../metrics/production-deploy.ts";

// Which change an incident is blamed on, and how much of it AI wrote.

export interface IncidentLink {
  deployEventId: string | null;
  deploySha: string | null;
  commitSha: string | null;
  linkMethod: "explicit" | "inferred" | null;
  suspectAiShare: number | null;
  suspectLinesAdded: number | null;
  suspectAiLinesT3T4: number | null;
  /** The linked deploy's time, so its metrics bucket can be marked stale. */
  deployAt: Date | null;
}

export const NO_LINK: IncidentLink = {
  deployEventId: null,
  deploySha: null,
  commitSha: null,
  linkMethod: null,
  suspectAiShare: null,
  suspectLinesAdded: null,
  suspectAiLinesT3T4: null,
  deployAt: null,
};

interface DeployRow {
  id: string;
  commitSha: string | null;
  timestamp: Date;
}

/**
 * Explicit when the reporter names a deploy or commit; otherwise inferred: the last successful
 * production deploy of the repository at or before the incident began. A pure function of the
 * rows, so linking again gives the same link.
 */
export async function resolveIncidentLink(
  db: Database,
  orgId: string,
  input: { repoId: string | null; startedAt: Date; deploySha?: string | null; commitSha?: string | null },
): Promise<IncidentLink> {
  if (!input.repoId) return NO_LINK;
  const scope = and(eq(codeEvents.orgId, orgId), eq(codeEvents.repoId, input.repoId));
  const columns = { id: codeEvents.id, commitSha: codeEvents.commitSha, timestamp: codeEvents.timestamp };

  if (input.deploySha) {
    const [deploy] = await db
      .select(columns)
      .from(codeEvents)
      .where(and(scope, isProductionDeploy, eq(codeEvents.commitSha, input.deploySha)))
      .orderBy(desc(codeEvents.timestamp))
      .limit(1);
    if (!deploy) {
      throw badRequest(
        `deploySha: no successful production deploy of ${input.deploySha} in this repository`,
        {
          field: "deploySha",
        },
      );
    }
    return { ...(await deployLink(db, orgId, input.repoId, deploy)), linkMethod: "explicit" };
  }

  if (input.commitSha) {
    const [commit] = await db
      .select(columns)
      .from(codeEvents)
      .where(and(scope, eq(codeEvents.eventType, "commit"), eq(codeEvents.commitSha, input.commitSha)))
      .limit(1);
    if (!commit) {
      throw badRequest(`commitSha: no commit ${input.commitSha} in this repository`, { field: "commitSha" });
    }
    // The deploy that shipped it: the first production deploy at or after its commit time.
    const [shippedBy] = await db
      .select(columns)
      .from(codeEvents)
      .where(and(scope, isProductionDeploy, gte(codeEvents.timestamp, commit.timestamp)))
      .orderBy(codeEvents.timestamp, codeEvents.id)
      .limit(1);
    const suspect = await suspectOf(db, orgId, input.repoId, [input.commitSha]);
    return {
      deployEventId: shippedBy?.id ?? null,
      deploySha: shippedBy?.commitSha ?? null,
      commitSha: input.commitSha,
      linkMethod: "explicit",
      ...suspect,
      deployAt: shippedBy?.timestamp ?? null,
    };
  }

  const [deploy] = await db
    .select(columns)
    .from(codeEvents)
    .where(and(scope, isProductionDeploy, lte(codeEvents.timestamp, input.startedAt)))
    .orderBy(desc(codeEvents.timestamp), desc(codeEvents.id))
    .limit(1);
  if (!deploy) return NO_LINK;
  return { ...(await deployLink(db, orgId, input.repoId, deploy)), linkMethod: "inferred" };
}

/** The commits a deploy shipped (same rule as the roll-ups: src/core/metrics/deploys.ts). */
export async function commitsShippedBy(
  db: Database,
  orgId: string,
  repoId: string,
  deploy: DeployRow,
): Promise<string[]> {
  const at = deploy.timestamp;
  const facts = await loadRepoFacts(db, orgId, repoId, { start: at, end: new Date(at.getTime() + 1) });
  const summary = summarizeDeploys(facts.deploys, facts.commits, [], [], 1).find((d) => d.id === deploy.id);
  return summary?.commits ?? [];
}

async function deployLink(
  db: Database,
  orgId: string,
  repoId: string,
  deploy: DeployRow,
): Promise<IncidentLink> {
  const shas = await commitsShippedBy(db, orgId, repoId, deploy);
  const suspect = await suspectOf(db, orgId, repoId, shas);
  return {
    deployEventId: deploy.id,
    deploySha: deploy.commitSha,
    commitSha: null,
    linkMethod: "inferred",
    ...suspect,
    deployAt: deploy.timestamp,
  };
}

/** Lines added, AI share and AI lines in T3/T4 code of a set of commits, from code_attribution. */
async function suspectOf(
  db: Database,
  orgId: string,
  repoId: string,
  shas: readonly string[],
): Promise<Pick<IncidentLink, "suspectAiShare" | "suspectLinesAdded" | "suspectAiLinesT3T4">> {
  const valid = shas.filter((s) => /^[0-9A-Za-z]+$/.test(s));
  const result = await db.execute(sql`
    SELECT coalesce(sum(lines_added), 0)::float8 AS lines_added, coalesce(sum(ai_lines), 0)::float8 AS ai_lines,
           coalesce(sum(ai_lines) FILTER (WHERE risk_tier IN ('T3_core', 'T4_novel')), 0)::float8 AS ai_t3t4
    FROM code_attribution
    WHERE org_id = ${orgId} AND repo_id = ${repoId} AND commit_sha = ANY(${`{${valid.join(",")}}`}::text[])`);
  const row = result.rows[0] ?? {};
  const linesAdded = Number(row.lines_added ?? 0);
  const aiLines = Number(row.ai_lines ?? 0);
  return {
    suspectAiShare: aiShare(aiLines, linesAdded),
    suspectLinesAdded: linesAdded,
    suspectAiLinesT3T4: Number(row.ai_t3t4 ?? 0),
  };
}
