import { z } from "zod";
import type { ServiceContext } from "../services/context.ts";
import type { RepositoryRow } from "../services/github/repositories.ts";
import { incidentFromGithubIssue } from "../services/incidents/github-issue.ts";

const issuePayload = z.looseObject({
  action: z.string(),
  issue: z.looseObject({
    number: z.number().int().positive(),
    title: z.string(),
    body: z.string().nullish(),
    html_url: z.string().nullish(),
    labels: z.array(z.looseObject({ name: z.string() })).default([]),
    created_at: z.string(),
    closed_at: z.string().nullish(),
    updated_at: z.string().nullish(),
  }),
});

/**
 * GitHub issues carrying the organization's incident label become incidents (the incident
 * service decides, idempotently per issue). Returns whether an incident was created or changed.
 * The metrics roll-up is not enqueued here: its stale marks wait for the next scheduled one.
 */
export async function recordIncidentIssue(
  ctx: ServiceContext,
  repo: RepositoryRow,
  payload: Record<string, unknown>,
): Promise<boolean> {
  const parsed = issuePayload.safeParse(payload);
  if (!parsed.success) return false;
  const { action, issue } = parsed.data;
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
