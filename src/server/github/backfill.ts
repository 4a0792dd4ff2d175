import type { Database } from "../db/client.ts";
import { BACKFILL_PHASES, backfillJob } from "../jobs/github-definitions.ts";
import type { Queue } from "../jobs/queue.ts";
import { logger } from "../logger.ts";
import type { ServiceContext } from "../services/context.ts";
import type { NewCodeEvent } from "../services/github/code-events.ts";
import { findRepository } from "../services/github/repositories.ts";
import { type ApiCommit, commitEventFromApi } from "./api-mapping.ts";
import type { GithubApp, InstallationOctokit } from "./app-client.ts";
import { enqueueMany, prepareIngestionQueues } from "./enqueue-many.ts";
import { deployEvent, prMergedEvent, prOpenedEvent } from "./event-mapping.ts";
import { orgProductionEnvironments } from "./org-settings.ts";
import { pullRequestSchema } from "./payloads.ts";
import { recordEvents } from "./record-events.ts";

const PER_PAGE = 100;

export type BackfillPayload = (typeof backfillJob.schema)["_output"];

export interface GithubJobDeps {
  db: Database;
  queue: Queue;
  app: GithubApp;
}

/**
 * Imports one page of a repository's history (commits on the default branch, then merged PRs,
 * then deployments) and, in the same transaction, enqueues the next page. A crash or restart
 * resumes from the last committed page; re-running a page adds nothing (natural keys).
 */
export async function runBackfillPage(
  deps: GithubJobDeps,
  payload: BackfillPayload,
): Promise<"next" | "done"> {
  const lookup: ServiceContext = {
    db: deps.db,
    orgId: payload.orgId,
    actor: { kind: "job", name: backfillJob.name },
  };
  const repo = await findRepository(lookup, payload.repoId);
  if (!repo?.tracked || !repo.installationId) {
    logger.info({ repoId: payload.repoId }, "backfill skipped: repository not tracked");
    return "done";
  }
  const [owner, name] = repo.fullName.split("/");
  if (!owner || !name) return "done";
  const octokit = await deps.app.getInstallationOctokit(repo.installationId);
  const since = new Date(payload.since);
  const fetched = await fetchPage(
    octokit,
    { owner, repo: name, branch: repo.defaultBranch, since },
    payload,
    lookup,
  );
  const events = fetched.events.map((e) => ({ ...e, repoId: repo.id }));

  const nextPhase = BACKFILL_PHASES[BACKFILL_PHASES.indexOf(payload.phase) + 1];
  const next = fetched.more
    ? { phase: payload.phase, page: payload.page + 1 }
    : nextPhase
      ? { phase: nextPhase, page: 1 }
      : null;
  await prepareIngestionQueues(deps.queue);
  const inserted = await deps.db.transaction(async (tx) => {
    const ctx: ServiceContext = { ...lookup, db: tx };
    const rows = await recordEvents(ctx, deps.queue, events);
    if (next) {
      await enqueueMany(deps.queue, tx, backfillJob, [
        { ...payload, ...next, imported: payload.imported + rows.length },
      ]);
    }
    return rows.length;
  });
  logger.info(
    {
      repo: repo.fullName,
      phase: payload.phase,
      page: payload.page,
      fetched: events.length,
      inserted,
      imported: payload.imported + inserted,
      done: next === null,
    },
    next ? "backfill progress" : "backfill complete",
  );
  return next ? "next" : "done";
}

interface Target {
  owner: string;
  repo: string;
  branch: string;
  since: Date;
}

async function fetchPage(
  octokit: InstallationOctokit,
  t: Target,
  payload: BackfillPayload,
  ctx: ServiceContext,
): Promise<{ events: NewCodeEvent[]; more: boolean }> {
  const common = { owner: t.owner, repo: t.repo, per_page: PER_PAGE, page: payload.page };
  switch (payload.phase) {
    case "commits": {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits", {
        ...common,
        sha: t.branch,
        since: t.since.toISOString(),
      });
      const events = (data as ApiCommit[]).flatMap(
        (c) => commitEventFromApi("", t.branch, c, "backfill") ?? [],
      );
      return { events, more: data.length === PER_PAGE };
    }
    case "pulls": {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
        ...common,
        state: "closed",
        sort: "updated",
        direction: "desc",
      });
      const events: NewCodeEvent[] = [];
      let oldest = Number.POSITIVE_INFINITY;
      for (const raw of data) {
        const pr = pullRequestSchema.safeParse(raw);
        if (!pr.success) continue;
        oldest = Math.min(oldest, Date.parse(pr.data.updated_at ?? pr.data.created_at));
        if (Date.parse(pr.data.created_at) >= t.since.getTime())
          events.push(prOpenedEvent("", pr.data, false));
        if (pr.data.merged_at && Date.parse(pr.data.merged_at) >= t.since.getTime()) {
          events.push(prMergedEvent("", pr.data));
        }
      }
      // Sorted by last update, newest first: stop once a page reaches back past the window.
      return { events, more: data.length === PER_PAGE && oldest >= t.since.getTime() };
    }
    case "deployments": {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments", common);
      const environments = await orgProductionEnvironments(ctx);
      const events: NewCodeEvent[] = [];
      let oldest = Number.POSITIVE_INFINITY;
      for (const d of data) {
        oldest = Math.min(oldest, Date.parse(d.created_at));
        if (Date.parse(d.created_at) < t.since.getTime()) continue;
        const statuses = await octokit.request(
          "GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
          {
            owner: t.owner,
            repo: t.repo,
            deployment_id: Number(d.id),
            per_page: PER_PAGE,
          },
        );
        for (const s of statuses.data) {
          const event = deployEvent(
            "",
            {
              deploymentId: Number(d.id),
              statusId: Number(s.id),
              sha: d.sha,
              ref: d.ref,
              environment: s.environment ?? d.environment,
              state: s.state,
              at: s.created_at,
              url: s.environment_url || s.target_url || null,
              actor: s.creator?.login ?? d.creator?.login ?? null,
              productionFlag: d.production_environment,
            },
            environments,
          );
          if (event) events.push(event);
        }
      }
      return { events, more: data.length === PER_PAGE && oldest >= t.since.getTime() };
    }
  }
}
