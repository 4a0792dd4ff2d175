import type { IncidentSeverity, IncidentStatus } from "../../../core/enums.ts";
import { parseEventMetadata } from "../../../core/events.ts";
import { incidentMetadataSchema } from "../../../core/incidents.ts";
import type { codeEvents, incidents } from "../schema/index.ts";
import type { FileVerdict } from "./attribution.ts";
import type { SeedOrg, SeedRepo } from "./fixtures.ts";
import { HOUR, type SeedDeploy } from "./history.ts";
import type { Random } from "./random.ts";

// Production incidents, each starting after a successful deploy and before the next one, linked
// to it the way the inferred linker does, with one incident event per status change.

type IncidentRow = typeof incidents.$inferInsert;
type EventRow = typeof codeEvents.$inferInsert;

export interface IncidentContext {
  random: Random;
  org: SeedOrg;
  repo: SeedRepo;
  orgId: string;
  repoId: string;
  fullName: string;
  anchor: Date;
  deploys: SeedDeploy[];
  deployEventIds: ReadonlyMap<number, string>;
  verdictsBySha: ReadonlyMap<string, FileVerdict[]>;
  /** The repository's latest deploy is still being dealt with: its incident is not resolved yet. */
  ongoing: Exclude<IncidentStatus, "resolved"> | null;
  nextSeverity: () => IncidentSeverity;
  responders: readonly string[];
  /** First free issue number, for incidents filed as GitHub issues. */
  issueNumber: number;
}

const MINUTE = 60_000;

/** AI share of what a deploy shipped, and its AI lines in core or novel code. */
function suspectFigures(deploy: SeedDeploy, verdictsBySha: ReadonlyMap<string, FileVerdict[]>) {
  let added = 0;
  let ai = 0;
  let aiCore = 0;
  for (const commit of deploy.shipped) {
    for (const v of verdictsBySha.get(commit.sha) ?? []) {
      added += v.linesAdded;
      ai += v.aiLines;
      if (v.riskTier === "T3_core" || v.riskTier === "T4_novel") aiCore += v.aiLines;
    }
  }
  return { added, ai, aiCore, share: added > 0 ? Math.round((ai / added) * 1000) / 1000 : null };
}

export function generateIncidents(ctx: IncidentContext): { incidents: IncidentRow[]; events: EventRow[] } {
  const { random, anchor } = ctx;
  const successes = ctx.deploys.filter((d) => d.state === "success" && d.shipped.length > 0);
  const latest = successes[successes.length - 1];
  const resolvedBefore = anchor.getTime() - 2 * 24 * HOUR;
  const candidates = successes.filter((d) => d !== latest && d.nextAt.getTime() < resolvedBefore);
  const titles = [...ctx.repo.incidentTitles];
  const wanted = Math.min(random.int(2, 3), titles.length - (ctx.ongoing ? 1 : 0));

  // Deploys heavy in AI-written code break a little more often: weight by their AI share.
  const chosen: SeedDeploy[] = [];
  const pool = [...candidates];
  while (chosen.length < wanted && pool.length > 0) {
    const deploy = random.weighted(
      pool.map((d) => [d, 1 + 3 * (suspectFigures(d, ctx.verdictsBySha).share ?? 0)] as const),
    );
    chosen.push(deploy);
    pool.splice(pool.indexOf(deploy), 1);
  }
  chosen.sort((a, b) => a.at.getTime() - b.at.getTime());

  const plans: Array<{ deploy: SeedDeploy; status: IncidentStatus }> = chosen.map((deploy) => ({
    deploy,
    status: "resolved",
  }));
  if (ctx.ongoing && latest) plans.push({ deploy: latest, status: ctx.ongoing });

  const rows: IncidentRow[] = [];
  const events: EventRow[] = [];
  for (const { deploy, status } of plans) {
    const title = titles.splice(random.int(0, titles.length - 1), 1)[0] ?? "Production degradation";
    const severity = ctx.nextSeverity();
    const deployAt = deploy.at.getTime();
    const windowEnd = Math.min(deploy.nextAt.getTime(), anchor.getTime());
    const started =
      status === "resolved"
        ? deployAt + Math.min(random.float(20, 480) * MINUTE, (windowEnd - deployAt) * 0.7)
        : deployAt + (anchor.getTime() - deployAt) * random.float(0.3, 0.6);
    const identified =
      status === "resolved"
        ? started + random.float(8, 120) * MINUTE
        : started + (anchor.getTime() - started) * random.float(0.2, 0.5);
    const fasterFor = severity === "sev1" ? 0.3 : severity === "sev2" ? 0.6 : 1;
    const resolved = identified + random.float(25, 720) * MINUTE * fasterFor;

    const history: Array<{ status: IncidentStatus; at: number; by: string }> = [
      { status: "investigating", at: started, by: random.pick(ctx.responders) },
    ];
    if (status !== "investigating")
      history.push({ status: "identified", at: identified, by: random.pick(ctx.responders) });
    if (status === "resolved")
      history.push({ status: "resolved", at: resolved, by: random.pick(ctx.responders) });

    const id = random.uuid();
    const pagerduty = ctx.org.incidentSource === "pagerduty";
    const externalId = pagerduty ? `Q${random.alphanumeric(13).toUpperCase()}` : String(ctx.issueNumber++);
    const externalUrl = pagerduty
      ? `https://${ctx.org.githubLogin}.pagerduty.com/incidents/${externalId}`
      : `https://github.com/${ctx.fullName}/issues/${externalId}`;
    const metadata = incidentMetadataSchema.parse({
      source: ctx.org.incidentSource,
      externalUrl,
      service: ctx.repo.name,
      history: history.map((h) => ({ status: h.status, at: new Date(h.at).toISOString(), by: h.by })),
    });
    const figures = suspectFigures(deploy, ctx.verdictsBySha);
    const last = history[history.length - 1];
    rows.push({
      id,
      orgId: ctx.orgId,
      repoId: ctx.repoId,
      title,
      description: `Began ${Math.round((started - deployAt) / MINUTE)} minutes after deploy ${deploy.sha.slice(0, 7)} reached production.`,
      severity,
      status,
      source: ctx.org.incidentSource,
      externalId,
      startedAt: new Date(started),
      identifiedAt: status === "investigating" ? null : new Date(identified),
      resolvedAt: status === "resolved" ? new Date(resolved) : null,
      deployEventId: ctx.deployEventIds.get(deploy.deploymentId) ?? null,
      deploySha: deploy.sha,
      commitSha: null,
      linkMethod: "inferred",
      suspectAiShare: figures.share,
      suspectLinesAdded: figures.added,
      suspectAiLinesT3T4: figures.aiCore,
      metadata,
      createdAt: new Date(started + MINUTE),
      updatedAt: new Date(last?.at ?? started),
    });
    history.forEach((h, i) => {
      events.push({
        id: random.uuid(),
        orgId: ctx.orgId,
        repoId: ctx.repoId,
        eventType: "incident",
        commitSha: null,
        timestamp: new Date(h.at),
        actor: h.by,
        sourceKey: `incident:${ctx.org.incidentSource}:${externalId}:${h.status}`,
        metadata: parseEventMetadata("incident", {
          incidentId: id,
          change: i === 0 ? "opened" : "status_changed",
          status: h.status,
          previousStatus: history[i - 1]?.status ?? null,
          severity,
        }),
        createdAt: new Date(h.at + random.int(1, 30) * 1000),
      });
    });
  }
  return { incidents: rows, events };
}
