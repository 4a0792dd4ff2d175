import type { IncidentSeverity } from "../../../core/enums.ts";
import type { WriteContext } from "../after-commit.ts";
import { orgSettings } from "../metrics/settings.ts";
import type { IncidentView } from "./view.ts";
import { createIncident, findByExternalId, updateIncident } from "./write.ts";

/** The fields of a GitHub `issues` webhook this intake reads (everything else is ignored). */
export interface GithubIssueEvent {
  repoId: string;
  action: string;
  issue: {
    number: number;
    title: string;
    body?: string | null;
    htmlUrl?: string | null;
    labels: string[];
    createdAt: string;
    closedAt?: string | null;
    /** When this action happened (the issue's updated_at); defaults to now. */
    updatedAt?: string | null;
  };
}

export type IntakeOutcome = "created" | "updated" | "unchanged" | "ignored";

const SEVERITY_LABEL = /^(?:severity[:/ -]?)?(sev[1-4])$/i;

/** `sev2`, `severity:sev2` or `severity/sev2` labels set the severity; sev3 otherwise. */
export function severityFromLabels(labels: readonly string[]): IncidentSeverity {
  for (const label of labels) {
    const match = SEVERITY_LABEL.exec(label.trim());
    if (match?.[1]) return match[1].toLowerCase() as IncidentSeverity;
  }
  return "sev3";
}

/**
 * GitHub issues carrying the organization's incident label (settings.incidentLabel) become
 * incidents: `opened`/`labeled`/`reopened` with the label create one (started when the issue was
 * opened), `closed` resolves it, `reopened` reopens it. Idempotent on the issue, so redelivered
 * events change nothing.
 */
export async function incidentFromGithubIssue(
  ctx: WriteContext,
  event: GithubIssueEvent,
): Promise<{ outcome: IntakeOutcome; incident: IncidentView | null }> {
  const { incidentLabel } = await orgSettings(ctx.db, ctx.orgId);
  const labelled = event.issue.labels.some((l) => l.toLowerCase() === incidentLabel.toLowerCase());
  const externalId = `${event.repoId}#${event.issue.number}`;
  const existing = await findByExternalId(ctx.db, ctx.orgId, "github_issue", externalId);
  const at = event.issue.updatedAt ? new Date(event.issue.updatedAt) : undefined;

  if (!existing) {
    if (!labelled || !["opened", "labeled", "reopened", "closed"].includes(event.action)) {
      return { outcome: "ignored", incident: null };
    }
    const { incident, created } = await createIncident(
      ctx,
      {
        title: event.issue.title.slice(0, 500) || `GitHub issue #${event.issue.number}`,
        severity: severityFromLabels(event.issue.labels),
        repositoryId: event.repoId,
        description: event.issue.body?.slice(0, 20_000) ?? null,
        startedAt: event.issue.createdAt,
      },
      { source: "github_issue", externalId, externalUrl: event.issue.htmlUrl ?? null },
    );
    if (event.action !== "closed") return { outcome: created ? "created" : "unchanged", incident };
    const closedAt = event.issue.closedAt ? new Date(event.issue.closedAt) : at;
    const resolved = await updateIncident(
      ctx,
      incident.id,
      { status: "resolved" },
      closedAt ? { at: closedAt } : {},
    );
    return { outcome: "created", incident: resolved.incident };
  }

  const target =
    event.action === "closed" ? "resolved" : event.action === "reopened" ? "investigating" : null;
  if (
    !target ||
    target === existing.status ||
    (target === "investigating" && existing.status !== "resolved")
  ) {
    return { outcome: "unchanged", incident: null };
  }
  const when = event.action === "closed" && event.issue.closedAt ? new Date(event.issue.closedAt) : at;
  const { incident, changed } = await updateIncident(
    ctx,
    existing.id,
    { status: target },
    when ? { at: when } : {},
  );
  return { outcome: changed ? "updated" : "unchanged", incident };
}
