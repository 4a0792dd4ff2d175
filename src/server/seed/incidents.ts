import type { CommitAttribution } from "../../core/attribution/types.ts";
import type { IncidentSeverity, IncidentStatus } from "../../core/enums.ts";
import { incidentMetadataSchema } from "../../core/incidents.ts";
import type { incidents } from "../db/schema/index.ts";
import type { NewCodeEvent } from "../services/github/code-events.ts";
import type { SeedOrg, SeedRepo } from "./fixtures.ts";
import { HOUR, type SeedDeploy } from "./history.ts";
import type { Random } from "./random.ts";

// Production incidents, each starting after a successful deploy and before the next one, with one
// incident event per status change. Which deploy and commits they are blamed on, and how much of
// those AI wrote, is left to the product's linker (services/incidents/link.ts).

/** An incident row without its link columns, which the linker fills in. */
export type PlannedIncident = Omit<
  typeof incidents.$inferInsert,
  | "deployEventId"
  | "deploySha"
  | "commitSha"
  | "linkMethod"
  | "suspectAiShare"
  | "suspectLinesAdded"
  | "suspectAiLinesT3T4"
> & { id: string; repoId: string; startedAt: Date };

export interface IncidentContext {
  random: Random;
  org: SeedOrg;
  repo: SeedRepo;
  orgId: string;
  repoId: string;
  fullName: string;
  anchor: Date;
  deploys: SeedDeploy[];
  /** The engine's verdict on each commit, by sha. */
  verdicts: ReadonlyMap<string, CommitAttribution>;
  /** The repository's latest deploy is still being dealt with: its incident is not resolved yet. */
  ongoing: Exclude<IncidentStatus, "resolved"> | null;
  nextSeverity: () => IncidentSeverity;
  responders: readonly string[];
  /** First free issue number, for incidents filed as GitHub issues. */
  issueNumber: number;
}

const MINUTE = 60_000;

/** The engine's AI share of what a deploy shipped. */
function aiShareOf(deploy: SeedDeploy, verdicts: ReadonlyMap<string, CommitAttribution>): number {
  let added = 0;
  let ai = 0;
  for (const commit of deploy.shipped) {
    for (const file of verdicts.get(commit.input.sha)?.files ?? []) {
      added += file.linesAdded;
      ai += file.lines.ai;
    }
  }
  return added > 0 ? ai / added : 0;
}

export function generateIncidents(ctx: IncidentContext): {
  incidents: PlannedIncident[];
  events: NewCodeEvent[];
} {
  const { random, anchor } = ctx;
  const successes = ctx.deploys.filter((d) => d.state === "success" && d.shipped.length > 0);
  const latest = successes[successes.length - 1];
  const resolvedBefore = anchor.getTime() - 2 * 24 * HOUR;
  const candidates = successes.filter((d) => d !== latest && d.nextAt.getTime() < resolvedBefore);
  const titles = [...ctx.repo.incidentTitles];
  const wanted = Math.min(random.int(2, 3), titles.length - (ctx.ongoing ? 1 : 0));

  // The demo's assumption, not a finding: deploys heavy in AI-written code (by the engine's
  // verdicts) break a little more often.
  const chosen: SeedDeploy[] = [];
  const pool = [...candidates];
  while (chosen.length < wanted && pool.length > 0) {
    const deploy = random.weighted(pool.map((d) => [d, 1 + 3 * aiShareOf(d, ctx.verdicts)] as const));
    chosen.push(deploy);
    pool.splice(pool.indexOf(deploy), 1);
  }
  chosen.sort((a, b) => a.at.getTime() - b.at.getTime());

  const plans: Array<{ deploy: SeedDeploy; status: IncidentStatus }> = chosen.map((deploy) => ({
    deploy,
    status: "resolved",
  }));
  if (ctx.ongoing && latest) plans.push({ deploy: latest, status: ctx.ongoing });

  const rows: PlannedIncident[] = [];
  const events: NewCodeEvent[] = [];
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
      metadata,
      createdAt: new Date(started + MINUTE),
      updatedAt: new Date(last?.at ?? started),
    });
    history.forEach((h, i) => {
      events.push({
        repoId: ctx.repoId,
        eventType: "incident",
        commitSha: null,
        timestamp: new Date(h.at),
        actor: h.by,
        sourceKey: `incident:${ctx.org.incidentSource}:${externalId}:${h.status}`,
        metadata: {
          incidentId: id,
          change: i === 0 ? "opened" : "status_changed",
          status: h.status,
          previousStatus: history[i - 1]?.status ?? null,
          severity,
        },
      });
    });
  }
  return { incidents: rows, events };
}
