import type { FileScorer } from "../../core/attribution/scorer.ts";
import type { MirrorSource } from "../attribution/mirror-source.ts";
import type { Database } from "../db/client.ts";
import type { GithubApp, InstallationOctokit } from "../github-app/app-client.ts";
import { BACKFILL_PHASES, backfillJob } from "../jobs/github-definitions.ts";
import type { Queue } from "../jobs/queue.ts";
import { logger } from "../logger.ts";
import type { ServiceContext } from "../services/context.ts";
import type { NewCodeEvent } from "../services/github/code-events.ts";
import { findRepository } from "../services/github/repositories.ts";
import {
  addCommitsDone,
  markBackfillDone,
  markBackfillFailed,
  markBackfillPhase,
  startCommitImport,
} from "../services/github/repository-sync.ts";
import { orgSettings } from "../services/metrics/settings.ts";
import { scheduleLineSurvival } from "../services/survival/schedule.ts";
import { type ApiCommit, commitEventFromApi } from "./api-mapping.ts";
import { enqueueMany, prepareIngestionQueues } from "./enqueue-many.ts";
import { deployEvent, prMergedEvent, prOpenedEvent } from "./event-mapping.ts";
import { importCommitsFromMirror } from "./import-history.ts";
import { orgProductionEnvironments } from "./org-settings.ts";
import { pullRequestSchema } from "./payloads.ts";
import { recordEvents } from "./record-events.ts";

const PER_PAGE = 100;

export type BackfillPayload = (typeof backfillJob.schema)["_output"];

export interface GithubJobDeps {
  db: Database;
  queue: Queue;
  app: GithubApp;
  /** The repositories' mirrors: the commit phase reads the window from git. Absent: REST pages. */
  mirrors?: MirrorSource;
  /** The organization's active model, as the attribute-commit job uses it. */
  scorerFor?: (orgId: string) => Promise<FileScorer | null>;
}

type Step = { phase: BackfillPayload["phase"]; page: number } | null;

/**
 * Imports one step of a repository's history and, in the same transaction, enqueues the next:
 * merged PRs (REST, a page at a time), then commits (the whole window from the mirror in one
 * streaming read, or REST pages when there is no mirror, the reason recorded), then deployments.
 * A crash or restart resumes from the last committed page (or, for the mirror, the last stored
 * batch); re-running a step adds nothing (natural keys). Progress is recorded for the repository's
 * page and `sentinel backfills`.
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
  try {
    if (payload.page === 1) await markBackfillPhase(lookup, repo.id, payload.phase);
    const since = new Date(payload.since);
    const target = { owner, repo: name, branch: repo.defaultBranch, since };
    let events: NewCodeEvent[] = [];
    let next: Step;
    const afterPhase = (): Step => {
      const phase = BACKFILL_PHASES[BACKFILL_PHASES.indexOf(payload.phase) + 1];
      return phase ? { phase, page: 1 } : null;
    };

    const fromMirror =
      payload.phase === "commits" && payload.page === 1 && deps.mirrors
        ? await deps.mirrors.sync({
            orgId: payload.orgId,
            repoId: repo.id,
            fullName: repo.fullName,
            installationId: repo.installationId,
            defaultBranch: repo.defaultBranch,
          })
        : null;
    let imported = 0;
    if (fromMirror && "gitDir" in fromMirror) {
      const settings = await orgSettings(deps.db, payload.orgId);
      const result = await importCommitsFromMirror({
        ctx: lookup,
        repo,
        since,
        gitDir: fromMirror.gitDir,
        tierRules: [...(settings.tierRules ?? []), ...(repo.settings.tierRules ?? [])],
        model: deps.scorerFor ? await deps.scorerFor(payload.orgId) : null,
      });
      imported = result.commits;
      next = afterPhase();
    } else {
      if (payload.phase === "commits" && payload.page === 1) {
        const reason = fromMirror
          ? `mirror unavailable: ${fromMirror.unavailable}`
          : "no repository mirror configured";
        await startCommitImport(lookup, repo.id, {
          tip: null,
          total: null,
          source: { reader: "rest", reason },
        });
      }
      const octokit = await deps.app.getInstallationOctokit(repo.installationId);
      const fetched = await fetchPage(octokit, target, payload, lookup);
      events = fetched.events.map((e) => ({ ...e, repoId: repo.id }));
      next = fetched.more ? { phase: payload.phase, page: payload.page + 1 } : afterPhase();
    }

    await prepareIngestionQueues(deps.queue);
    const inserted = await deps.db.transaction(async (tx) => {
      const ctx: ServiceContext = { ...lookup, db: tx };
      // Merged PRs come before their commits: the commit phase attributes each merge with its PR.
      const rows = await recordEvents(ctx, deps.queue, events, { attribute: payload.phase !== "pulls" });
      if (payload.phase === "commits") await addCommitsDone(ctx, repo.id, rows.length);
      // The history is in the mirror and attributed: walk it for line survival (issue #15).
      if (fromMirror && "gitDir" in fromMirror)
        await scheduleLineSurvival(tx, deps.queue, { orgId: payload.orgId, repoId: repo.id });
      if (next) {
        await enqueueMany(deps.queue, tx, backfillJob, [
          { ...payload, ...next, imported: payload.imported + rows.length + imported },
        ]);
      } else {
        await markBackfillDone(ctx, repo.id);
      }
      return rows.length + imported;
    });
    logger.info(
      {
        repo: repo.fullName,
        phase: payload.phase,
        page: payload.page,
        inserted,
        imported: payload.imported + inserted,
        done: next === null,
      },
      next ? "backfill progress" : "backfill complete",
    );
    return next ? "next" : "done";
  } catch (error) {
    // Shown where the progress was; pg-boss retries the step, which sets it running again.
    await markBackfillFailed(lookup, repo.id, error instanceof Error ? error.message : String(error)).catch(
      () => {},
    );
    throw error;
  }
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
