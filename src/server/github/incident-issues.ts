import type { WriteContext } from "../services/after-commit.ts";
import type { RepositoryRow } from "../services/github/repositories.ts";
import { incidentFromGithubIssue } from "../services/incidents/github-issue.ts";
import type { IssuesEvent } from "./payloads.ts";

/**
 * GitHub issues carrying the organization's incident label become incidents (the incident
 * service decides, idempotently per issue). Returns whether an incident was created or changed.
 * The payload is checked once, by the caller (a malformed one fails the delivery). The service asks
 * for the metrics roll-up on `ctx.afterCommit`, which the delivery's transaction owner runs.
 */
export async function recordIncidentIssue(
  ctx: WriteContext,
  repo: RepositoryRow,
  event: IssuesEvent,
): Promise<boolean> {
  const { action, issue } = event;
  const { outcome } = await incidentFromGithubIssue(ctx, {
    repoId: repo.id,
    action,
    issue: {
      number: issue.number,
      title: issue.title,
      body: issue.body ?? null,
      htmlUrl: issue.html_url ?? null,
      labels: issue.labels.map((l) => l.name),
      createdAt: issue.created_at,
      closedAt: issue.closed_at ?? null,
      updatedAt: issue.updated_at ?? null,
    },
  });
  return outcome === "created" || outcome === "updated";
}
