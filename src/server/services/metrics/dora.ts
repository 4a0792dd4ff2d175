import { and, eq } from "drizzle-orm";
import { badRequest } from "../../../core/errors.ts";
import { type DeploySummary, summarizeDeploys } from "../../../core/metrics/deploys.ts";
import { computeDora, type DoraReport } from "../../../core/metrics/dora.ts";
import type { IncidentFact } from "../../../core/metrics/facts.ts";
import { repositories } from "../../db/schema/index.ts";
import type { ServiceContext } from "../context.ts";
import { loadRepoFacts, loadUnassignedIncidents } from "./load-facts.ts";
import { assertRepoInOrg } from "./roll-up.ts";
import { orgSettings } from "./settings.ts";
import { queryDate } from "./time-series.ts";

const DAY_MS = 86_400_000;

/**
 * DORA over any window of whole UTC days (`from` and `to` included), computed from the raw rows,
 * for one repository or the whole organization (whose deploys are each judged within their own
 * repository; incidents naming no repository count only organization-wide).
 */
export async function dora(
  ctx: ServiceContext,
  input: { from: string; to: string; repoId?: string | undefined },
): Promise<{ window: { from: string; to: string }; aiHeavyThreshold: number } & DoraReport> {
  const start = queryDate("from", input.from);
  const end = new Date(queryDate("to", input.to).getTime() + DAY_MS);
  if (end <= start) throw badRequest("to: must not be before from", { field: "to" });
  const { aiHeavyThreshold } = await orgSettings(ctx.db, ctx.orgId);
  let repoIds: string[];
  if (input.repoId) {
    await assertRepoInOrg(ctx, input.repoId);
    repoIds = [input.repoId];
  } else {
    const repos = await ctx.db
      .select({ id: repositories.id })
      .from(repositories)
      .where(and(eq(repositories.orgId, ctx.orgId)));
    repoIds = repos.map((r) => r.id);
  }
  const range = { start, end };
  const deploys: DeploySummary[] = [];
  const incidents: IncidentFact[] = [];
  for (const repoId of repoIds) {
    const facts = await loadRepoFacts(ctx.db, ctx.orgId, repoId, range);
    deploys.push(
      ...summarizeDeploys(
        facts.deploys,
        facts.commits,
        facts.attributions,
        facts.incidents,
        aiHeavyThreshold,
      ),
    );
    incidents.push(...facts.incidents);
  }
  if (!input.repoId) incidents.push(...(await loadUnassignedIncidents(ctx.db, ctx.orgId, range)));
  const report = computeDora(
    deploys,
    dedupeById(incidents),
    { from: start.getTime(), to: end.getTime() },
    aiHeavyThreshold,
  );
  return { window: { from: start.toISOString(), to: end.toISOString() }, aiHeavyThreshold, ...report };
}

function dedupeById(incidents: IncidentFact[]): IncidentFact[] {
  return [...new Map(incidents.map((i) => [i.id, i])).values()];
}
