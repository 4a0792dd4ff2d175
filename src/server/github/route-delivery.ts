import type { ZodType, z } from "zod";
import type { Database } from "../db/client.ts";
import { attributeCommitJob } from "../jobs/definitions.ts";
import { backfillJob, completePushJob } from "../jobs/github-definitions.ts";
import type { Queue } from "../jobs/queue.ts";
import type { ServiceContext } from "../services/context.ts";
import { backfillSince } from "../services/github/backfill-window.ts";
import { type InsertedEvent, type NewCodeEvent, recordCodeEvents } from "../services/github/code-events.ts";
import type { DeliveryResult } from "../services/github/deliveries.ts";
import { findInstallation, upsertInstallation } from "../services/github/installations.ts";
import {
  findRepositoryByGithubId,
  type RepositoryRow,
  renameRepository,
  setDefaultBranch,
  setRepositoryArchived,
  trackedBranches,
  untrackRepositories,
  upsertRepositories,
} from "../services/github/repositories.ts";
import { markMetricsStale } from "../services/metrics/pending.ts";
import { enqueueMany } from "./enqueue-many.ts";
import {
  commitEvent,
  deployEvent,
  MalformedPayloadError,
  prMergedEvent,
  prOpenedEvent,
  prReviewedEvent,
} from "./event-mapping.ts";
import { recordIncidentIssue } from "./incident-issues.ts";
import { orgProductionEnvironments } from "./org-settings.ts";
import {
  deploymentStatusEventSchema,
  installationEventSchema,
  installationRepositoriesEventSchema,
  issuesEventSchema,
  pullRequestEventSchema,
  pullRequestReviewEventSchema,
  pushEventSchema,
  type RepositoryPayload,
  repositoryEventSchema,
} from "./payloads.ts";

/** GitHub's cap on commits listed in one push payload; a push that reaches it may have more. */
export const PUSH_COMMIT_LIMIT = 2048;

/** Events whose deliveries matter once the installation is linked; others need not wait. */
const KEPT_UNTIL_LINKED = new Set([
  "installation",
  "installation_repositories",
  "repository",
  "push",
  "pull_request",
  "pull_request_review",
  "deployment_status",
  "issues",
]);

export interface Delivery {
  deliveryId: string;
  event: string;
  payload: Record<string, unknown>;
}

export function deliveryAction(payload: Record<string, unknown>): string | null {
  return typeof payload.action === "string" ? payload.action.slice(0, 100) : null;
}

export function deliveryInstallationId(payload: Record<string, unknown>): number | null {
  const installation = payload.installation as { id?: unknown } | null | undefined;
  const id = installation && typeof installation === "object" ? installation.id : undefined;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : null;
}

function parse<S extends ZodType>(schema: S, payload: unknown, event: string): z.infer<S> {
  const result = schema.safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new MalformedPayloadError(
      `${event}: ${issue?.path.join(".") ?? ""} ${issue?.message ?? "invalid"}`,
    );
  }
  return result.data;
}

const result = (
  outcome: DeliveryResult["outcome"],
  orgId: string | null,
  eventsCreated = 0,
): DeliveryResult => ({
  outcome,
  orgId,
  eventsCreated,
});

/**
 * Applies one delivery inside the caller's transaction: state changes, code events and the jobs
 * they need. Throws MalformedPayloadError when a handled event lacks a field we rely on.
 */
export async function routeDelivery(tx: Database, queue: Queue, delivery: Delivery): Promise<DeliveryResult> {
  const { event, payload } = delivery;
  const action = deliveryAction(payload);
  const installationId = deliveryInstallationId(payload);
  if (event === "installation") return installationLifecycle(tx, queue, delivery);
  if (installationId === null) return result("ignored", null);

  let installation = await findInstallation(tx, installationId);
  if (installation && !installation.orgId) {
    // Waits for a link in progress, so its job sees this delivery or this delivery sees the link.
    installation = await findInstallation(tx, installationId, { forShare: true });
  }
  const orgId = installation?.orgId;
  if (!installation || !orgId) {
    if (!KEPT_UNTIL_LINKED.has(event)) return result("ignored", null);
    return { ...result("pending_link", null), payload };
  }
  if (installation.deletedAt || installation.suspendedAt) return result("ignored", orgId);
  const ctx: ServiceContext = { db: tx, orgId, actor: { kind: "webhook", source: "github" } };

  switch (event) {
    case "installation_repositories": {
      const p = parse(installationRepositoriesEventSchema, payload, event);
      if (action === "added") {
        const added = await addRepositories(ctx, queue, installationId, p.repositories_added);
        return result("processed", orgId, added);
      }
      if (action === "removed") {
        await untrackRepositories(
          ctx,
          p.repositories_removed.map((r) => r.id),
        );
        return result("processed", orgId);
      }
      return result("ignored", orgId);
    }
    case "repository":
      return repositoryChange(ctx, queue, installationId, parse(repositoryEventSchema, payload, event));
    case "push":
      return push(ctx, queue, installationId, parse(pushEventSchema, payload, event));
    case "pull_request": {
      const p = parse(pullRequestEventSchema, payload, event);
      let mapped: NewCodeEvent | null = null;
      if (action === "opened" || action === "reopened")
        mapped = prOpenedEvent("", p.pull_request, action === "reopened");
      else if (action === "closed" && p.pull_request.merged) mapped = prMergedEvent("", p.pull_request);
      else if (action === "closed") return result("recorded", orgId);
      if (!mapped) return result("ignored", orgId);
      return recordForRepository(ctx, queue, installationId, p.repository, [mapped]);
    }
    case "pull_request_review": {
      const p = parse(pullRequestReviewEventSchema, payload, event);
      if (action !== "submitted") return result("ignored", orgId);
      const mapped = prReviewedEvent("", p.pull_request.number, p.review);
      if (!mapped) return result("recorded", orgId);
      return recordForRepository(ctx, queue, installationId, p.repository, [mapped]);
    }
    case "deployment_status": {
      const p = parse(deploymentStatusEventSchema, payload, event);
      const environments = await orgProductionEnvironments(ctx);
      const mapped = deployEvent(
        "",
        {
          deploymentId: p.deployment.id,
          statusId: p.deployment_status.id,
          sha: p.deployment.sha,
          ref: p.deployment.ref ?? null,
          environment: p.deployment_status.environment ?? p.deployment.environment,
          state: p.deployment_status.state,
          at: p.deployment_status.created_at,
          url: p.deployment_status.environment_url || p.deployment_status.target_url || null,
          actor: p.deployment_status.creator?.login ?? p.deployment.creator?.login ?? null,
          productionFlag: p.deployment.production_environment,
        },
        environments,
      );
      if (!mapped) return result("recorded", orgId);
      return recordForRepository(ctx, queue, installationId, p.repository, [mapped]);
    }
    case "issues": {
      const p = parse(issuesEventSchema, payload, event);
      const repo = await resolveRepository(ctx, queue, installationId, p.repository);
      if (!repo) return result("ignored", orgId);
      const handled = await recordIncidentIssue(ctx, repo, payload);
      return result(handled ? "processed" : "recorded", orgId, handled ? 1 : 0);
    }
    default:
      return result("ignored", orgId);
  }
}

async function installationLifecycle(
  tx: Database,
  queue: Queue,
  delivery: Delivery,
): Promise<DeliveryResult> {
  const p = parse(installationEventSchema, delivery.payload, "installation");
  const state =
    p.action === "deleted"
      ? { deleted: true }
      : p.action === "suspend"
        ? { suspended: true }
        : p.action === "unsuspend"
          ? { suspended: false }
          : p.action === "created"
            ? { deleted: false, suspended: false }
            : {};
  const installation = await upsertInstallation(tx, p.installation, state);
  if (!installation.orgId) {
    // Its repository list is needed once an organization claims it.
    return p.action === "created"
      ? { ...result("pending_link", null), payload: delivery.payload }
      : result("processed", null);
  }
  if (p.action === "created" && p.repositories) {
    const ctx: ServiceContext = {
      db: tx,
      orgId: installation.orgId,
      actor: { kind: "webhook", source: "github" },
    };
    const added = await addRepositories(ctx, queue, installation.installationId, p.repositories);
    return result("processed", installation.orgId, added);
  }
  return result("processed", installation.orgId);
}

/** Upserts repositories and starts a backfill for each one that is new to the organization. */
async function addRepositories(
  ctx: ServiceContext,
  queue: Queue,
  installationId: number,
  repos: readonly RepositoryPayload[],
): Promise<number> {
  const added = await upsertRepositories(ctx, installationId, repos);
  await enqueueBackfills(ctx, queue, added);
  return added.length;
}

async function enqueueBackfills(
  ctx: ServiceContext,
  queue: Queue,
  repos: readonly RepositoryRow[],
): Promise<void> {
  if (repos.length === 0) return;
  const since = await backfillSince(ctx);
  await enqueueMany(
    queue,
    ctx.db,
    backfillJob,
    repos.map((repo) => ({ orgId: ctx.orgId, repoId: repo.id, since: since.toISOString() })),
  );
}

async function repositoryChange(
  ctx: ServiceContext,
  queue: Queue,
  installationId: number,
  p: z.infer<typeof repositoryEventSchema>,
): Promise<DeliveryResult> {
  const { repository } = p;
  let changed = false;
  switch (p.action) {
    case "created":
      changed = (await addRepositories(ctx, queue, installationId, [repository])) > 0;
      break;
    case "renamed":
    case "transferred":
      changed = await renameRepository(ctx, repository.id, repository.full_name);
      break;
    case "archived":
    case "unarchived":
      changed = await setRepositoryArchived(ctx, repository.id, p.action === "archived");
      break;
    case "deleted":
      changed = (await untrackRepositories(ctx, [repository.id])) > 0;
      break;
    default:
      return result("ignored", ctx.orgId);
  }
  return result(changed ? "processed" : "ignored", ctx.orgId);
}

/**
 * The organization's repository for this payload. A repository the installation can see but we
 * have not met yet (an "all repositories" installation) is added; one removed from tracking is not.
 */
async function resolveRepository(
  ctx: ServiceContext,
  queue: Queue,
  installationId: number,
  repository: RepositoryPayload,
): Promise<RepositoryRow | null> {
  const found = await findRepositoryByGithubId(ctx, repository.id);
  if (found) return found.tracked ? found : null;
  const added = await upsertRepositories(ctx, installationId, [repository]);
  await enqueueBackfills(ctx, queue, added);
  return added[0] ?? null;
}

async function recordForRepository(
  ctx: ServiceContext,
  queue: Queue,
  installationId: number,
  repository: RepositoryPayload,
  events: NewCodeEvent[],
): Promise<DeliveryResult> {
  const repo = await resolveRepository(ctx, queue, installationId, repository);
  if (!repo) return result("ignored", ctx.orgId);
  const inserted = await recordEvents(
    ctx,
    queue,
    events.map((e) => ({ ...e, repoId: repo.id })),
  );
  return result("processed", ctx.orgId, inserted.length);
}

/** Stores events and, for every commit that is new, enqueues its attribution in the same transaction. */
export async function recordEvents(
  ctx: ServiceContext,
  queue: Queue,
  events: NewCodeEvent[],
): Promise<InsertedEvent[]> {
  const inserted = await recordCodeEvents(ctx, events);
  // A merged PR's merge commit is attributed (again) once the PR is known: its squash or rebase
  // merge lost the PR's own commits and trailers, and the push may have arrived first.
  const commits = new Map<string, { orgId: string; repoId: string; commitSha: string }>();
  for (const e of inserted) {
    if ((e.eventType === "commit" || e.eventType === "pr_merged") && e.commitSha) {
      commits.set(`${e.repoId}:${e.commitSha}`, {
        orgId: ctx.orgId,
        repoId: e.repoId,
        commitSha: e.commitSha,
      });
    }
  }
  await enqueueMany(queue, ctx.db, attributeCommitJob, [...commits.values()]);
  // Every new event changes some period's metrics; the roll-up sweep recomputes marked periods.
  const byRepo = Map.groupBy(inserted, (e) => e.repoId);
  for (const [repoId, rows] of byRepo) {
    await markMetricsStale(ctx.db, { orgId: ctx.orgId, repoId, timestamps: rows.map((e) => e.timestamp) });
  }
  return inserted;
}

async function push(
  ctx: ServiceContext,
  queue: Queue,
  installationId: number,
  p: z.infer<typeof pushEventSchema>,
): Promise<DeliveryResult> {
  // Tags and branch deletions are kept in the delivery log, not analysed.
  if (p.deleted || !p.ref.startsWith("refs/heads/")) return result("recorded", ctx.orgId);
  const repo = await resolveRepository(ctx, queue, installationId, p.repository);
  if (!repo) return result("ignored", ctx.orgId);
  const defaultBranch = p.repository.default_branch;
  if (defaultBranch && defaultBranch !== repo.defaultBranch) {
    await setDefaultBranch(ctx, repo.id, defaultBranch);
    repo.defaultBranch = defaultBranch;
  }
  const branch = p.ref.slice("refs/heads/".length);
  if (!trackedBranches(repo).has(branch)) return result("ignored", ctx.orgId);
  const inserted = await recordEvents(
    ctx,
    queue,
    p.commits.map((c) => commitEvent(repo.id, branch, c, "push")),
  );
  if (p.commits.length >= PUSH_COMMIT_LIMIT && /^[0-9a-f]{40}$/.test(p.after) && !/^0+$/.test(p.before)) {
    await enqueueMany(queue, ctx.db, completePushJob, [
      { orgId: ctx.orgId, repoId: repo.id, base: p.before, head: p.after, branch },
    ]);
  }
  return result("processed", ctx.orgId, inserted.length);
}
