import type { z } from "zod";
import type { Database } from "../db/client.ts";
import { backfillJob, completePushJob, pullRequestCheckJob } from "../jobs/github-definitions.ts";
import type { Queue } from "../jobs/queue.ts";
import type { AfterCommit } from "../services/after-commit.ts";
import type { ServiceContext } from "../services/context.ts";
import { backfillSince } from "../services/github/backfill-window.ts";
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
import { markBackfillsQueued } from "../services/github/repository-sync.ts";
import { orgProductionEnvironments } from "../services/metrics/settings.ts";
import { enqueueMany } from "./enqueue-many.ts";
import { recordIncidentIssue } from "./incident-issues.ts";
import {
  installationEventSchema,
  installationRepositoriesEventSchema,
  issuesEventSchema,
  type RepositoryPayload,
  repositoryEventSchema,
} from "./payloads.ts";
import { parseEvent, planRepositoryEvent, type RepositoryEventPlan } from "./plan-delivery.ts";
import { recordEvents } from "./record-events.ts";

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
  /**
   * SHA-256 (hex) of the raw signed body, set where the request is read: a body already stored
   * under another delivery id is a replay. Absent for deliveries replayed from the log.
   */
  bodySha256?: string | undefined;
}

export function deliveryAction(payload: Record<string, unknown>): string | null {
  return typeof payload.action === "string" ? payload.action.slice(0, 100) : null;
}

export function deliveryInstallationId(payload: Record<string, unknown>): number | null {
  const installation = payload.installation as { id?: unknown } | null | undefined;
  const id = installation && typeof installation === "object" ? installation.id : undefined;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : null;
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
 * they need. Work for after the commit goes on `afterCommit`, which the caller runs once its
 * transaction committed. Throws MalformedPayloadError when a handled event lacks a field we rely on.
 */
export async function routeDelivery(
  tx: Database,
  queue: Queue,
  afterCommit: AfterCommit,
  delivery: Delivery,
): Promise<DeliveryResult> {
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
      const p = parseEvent(installationRepositoriesEventSchema, payload, event);
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
      return repositoryChange(ctx, queue, installationId, parseEvent(repositoryEventSchema, payload, event));
    case "push":
    case "pull_request":
    case "pull_request_review":
    case "deployment_status":
      return repositoryEvent(ctx, queue, installationId, planRepositoryEvent(event, action, payload));
    case "issues": {
      const p = parseEvent(issuesEventSchema, payload, event);
      const repo = await resolveRepository(ctx, queue, installationId, p.repository);
      if (!repo) return result("ignored", orgId);
      const handled = await recordIncidentIssue({ ...ctx, afterCommit }, repo, p);
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
  const p = parseEvent(installationEventSchema, delivery.payload, "installation");
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
  await markBackfillsQueued(
    ctx,
    repos.map((r) => r.id),
    since,
  );
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

/** Carries out a repository event's plan for one delivery (the group-commit path does it for many). */
async function repositoryEvent(
  ctx: ServiceContext,
  queue: Queue,
  installationId: number,
  plan: RepositoryEventPlan,
): Promise<DeliveryResult> {
  if (plan.kind === "done") return result(plan.outcome, ctx.orgId);
  const environments = plan.needsEnvironments ? await orgProductionEnvironments(ctx) : [];
  // Pushes map their commits once the branch is known to be tracked; the rest map first.
  let events = plan.push ? [] : plan.events(environments);
  if (!events) return result("recorded", ctx.orgId);
  const repo = await resolveRepository(ctx, queue, installationId, plan.repository);
  if (!repo) return result("ignored", ctx.orgId);
  const push = plan.push;
  if (push) {
    if (push.defaultBranch && push.defaultBranch !== repo.defaultBranch) {
      await setDefaultBranch(ctx, repo.id, push.defaultBranch);
      repo.defaultBranch = push.defaultBranch;
    }
    if (!trackedBranches(repo).has(push.branch)) return result("ignored", ctx.orgId);
    events = plan.events(environments) ?? [];
  }
  const inserted = await recordEvents(
    ctx,
    queue,
    events.map((e) => ({ ...e, repoId: repo.id })),
  );
  if (plan.check) {
    await enqueueMany(queue, ctx.db, pullRequestCheckJob, [
      { orgId: ctx.orgId, repoId: repo.id, ...plan.check },
    ]);
  }
  if (push?.completion) {
    await enqueueMany(queue, ctx.db, completePushJob, [
      { orgId: ctx.orgId, repoId: repo.id, ...push.completion, branch: push.branch },
    ]);
  }
  return result("processed", ctx.orgId, inserted.length);
}
