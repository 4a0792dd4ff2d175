import type { z } from "zod";
import type { Database } from "../db/client.ts";
import { pullRequestCheckJob } from "../jobs/github-definitions.ts";
import type { Queue } from "../jobs/queue.ts";
import type { AfterCommit } from "../services/after-commit.ts";
import type { NewCodeEvent, OrgCodeEvent } from "../services/github/code-events.ts";
import {
  claimDeliveries,
  type DeliveryResult,
  finishDeliveries,
  finishDelivery,
} from "../services/github/deliveries.ts";
import { findInstallations, type InstallationRow } from "../services/github/installations.ts";
import {
  findRepositoriesByGithubIds,
  type RepositoryRow,
  trackedBranches,
} from "../services/github/repositories.ts";
import { orgProductionEnvironments } from "../services/metrics/settings.ts";
import { enqueueMany } from "./enqueue-many.ts";
import { planRepositoryEvent, REPOSITORY_EVENTS, type RepositoryEventPlan } from "./plan-delivery.ts";
import {
  deliveryHeaders,
  failedDelivery,
  isLostDatabase,
  type Receipt,
  scheduleReplay,
} from "./receive-delivery.ts";
import { recordOrgEvents } from "./record-events.ts";
import { type Delivery, deliveryAction, deliveryInstallationId, routeDelivery } from "./route-delivery.ts";

/** A delivery whose plan the batch carries out itself, set-wise. */
interface Planned {
  index: number;
  delivery: Delivery;
  plan: Extract<RepositoryEventPlan, { kind: "events" }>;
  installation: InstallationRow & { orgId: string };
}

/**
 * Applies several verified deliveries inside the caller's transaction and returns a receipt for
 * each, in order. The common case — a push, PR, review or deploy for a linked installation and a
 * repository we already track — is done for the whole batch in a handful of statements (claim,
 * look up, insert events, enqueue jobs, mark metrics, finish); anything else goes through
 * routeDelivery one by one, each under a savepoint so one bad payload cannot undo the others.
 * The deliveries of one batch arrived concurrently, so applying the set-wise ones first is one of
 * the orders they could have had.
 */
export async function applyDeliveryBatch(
  tx: Database,
  queue: Queue,
  afterCommit: AfterCommit,
  deliveries: readonly Delivery[],
): Promise<Receipt[]> {
  const receipts: Receipt[] = deliveries.map(() => ({ status: "duplicate" }));
  // The first delivery of each id and of each body; a later copy under either is a duplicate.
  const first = new Map<string, number>();
  const bodies = new Set<string>();
  deliveries.forEach((d, i) => {
    if (first.has(d.deliveryId) || (d.bodySha256 && bodies.has(d.bodySha256))) return;
    first.set(d.deliveryId, i);
    if (d.bodySha256) bodies.add(d.bodySha256);
  });
  // Claimed in (body hash, id) order: two batches holding the same duplicates (a redelivery
  // carries the same id and body) then lock them in the same order and one waits for the other
  // instead of deadlocking.
  const claimed = await claimDeliveries(
    tx,
    [...first.values()]
      .map((i) => deliveryHeaders(deliveries[i] as Delivery))
      .sort((a, b) => compare(a.bodySha256 ?? "", b.bodySha256 ?? "") || compare(a.deliveryId, b.deliveryId)),
  );
  const mine = [...first.entries()].filter(([id]) => claimed.has(id)).map(([, i]) => i);

  const installations = await findInstallations(
    tx,
    mine.flatMap((i) => deliveryInstallationId((deliveries[i] as Delivery).payload) ?? []),
  );
  const finished: Array<{ index: number; result: DeliveryResult }> = [];
  const planned: Planned[] = [];
  const oneByOne: number[] = [];
  for (const index of mine) {
    const delivery = deliveries[index] as Delivery;
    const installationId = deliveryInstallationId(delivery.payload);
    const installation = installationId === null ? undefined : installations.get(installationId);
    const orgId = installation?.orgId;
    if (!REPOSITORY_EVENTS.has(delivery.event) || !installation || !orgId) {
      oneByOne.push(index);
      continue;
    }
    if (installation.deletedAt || installation.suspendedAt) {
      finished.push({ index, result: { outcome: "ignored", orgId, eventsCreated: 0 } });
      continue;
    }
    const plan = tryPlan(delivery);
    if (!plan) oneByOne.push(index);
    else if (plan.kind === "done")
      finished.push({ index, result: { outcome: plan.outcome, orgId, eventsCreated: 0 } });
    else planned.push({ index, delivery, plan, installation: { ...installation, orgId } });
  }

  const repos = await findRepositoriesByGithubIds(
    tx,
    planned.map((p) => p.plan.repository.id),
  );
  const environments = new Map<string, string[]>();
  for (const orgId of new Set(
    planned.filter((p) => p.plan.needsEnvironments).map((p) => p.installation.orgId),
  )) {
    environments.set(
      orgId,
      await orgProductionEnvironments({ db: tx, orgId, actor: { kind: "webhook", source: "github" } }),
    );
  }

  const events: OrgCodeEvent[] = [];
  const owners: number[] = [];
  const checks: Array<z.input<typeof pullRequestCheckJob.schema>> = [];
  for (const p of planned) {
    const orgId = p.installation.orgId;
    const repo = repos.get(p.plan.repository.id);
    const mapped = repo?.orgId === orgId ? eventsFor(p, repo, environments.get(orgId) ?? []) : "one-by-one";
    if (mapped === "one-by-one") oneByOne.push(p.index);
    else if (mapped === "recorded" || mapped === "ignored")
      finished.push({ index: p.index, result: { outcome: mapped, orgId, eventsCreated: 0 } });
    else {
      for (const e of mapped) {
        events.push({ ...e, orgId, repoId: repo?.id ?? "" });
        owners.push(p.index);
      }
      if (p.plan.check && repo) checks.push({ orgId, repoId: repo.id, ...p.plan.check });
      finished.push({ index: p.index, result: { outcome: "processed", orgId, eventsCreated: 0 } });
    }
  }

  // A new row is credited to the first delivery of the batch that carried it, as if applied in order.
  const inserted = await recordOrgEvents(tx, queue, events);
  await enqueueMany(queue, tx, pullRequestCheckJob, checks);
  const owner = new Map<string, number>();
  events.forEach((e, k) => {
    const key = naturalKey(e);
    if (!owner.has(key)) owner.set(key, owners[k] as number);
  });
  const created = new Map<number, number>();
  for (const e of inserted) {
    const index = owner.get(naturalKey(e));
    if (index !== undefined) created.set(index, (created.get(index) ?? 0) + 1);
  }
  for (const f of finished) f.result.eventsCreated = created.get(f.index) ?? 0;
  await finishDeliveries(
    tx,
    finished.map((f) => ({ deliveryId: (deliveries[f.index] as Delivery).deliveryId, result: f.result })),
  );
  for (const f of finished) receipts[f.index] = { status: "accepted", result: f.result };

  for (const index of oneByOne.sort((a, b) => a - b)) {
    receipts[index] = {
      status: "accepted",
      result: await applyOne(tx, queue, afterCommit, deliveries[index] as Delivery),
    };
  }
  return receipts;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function tryPlan(delivery: Delivery): RepositoryEventPlan | null {
  try {
    return planRepositoryEvent(delivery.event, deliveryAction(delivery.payload), delivery.payload);
  } catch {
    return null; // applyOne meets the same error and keeps the delivery as failed
  }
}

/**
 * The events a planned delivery adds to the batch, the outcome that needs none, or "one-by-one"
 * when it needs more than the set-wise path does (a repository to add, a default branch to
 * change, a cut push to complete, a payload that fails to map).
 */
function eventsFor(
  p: Planned,
  repo: RepositoryRow,
  environments: readonly string[],
): NewCodeEvent[] | "recorded" | "ignored" | "one-by-one" {
  const push = p.plan.push;
  try {
    if (!push) {
      const events = p.plan.events(environments);
      if (!events) return "recorded";
      return repo.tracked ? events : "ignored";
    }
    if (!repo.tracked) return "ignored";
    if ((push.defaultBranch && push.defaultBranch !== repo.defaultBranch) || push.completion)
      return "one-by-one";
    if (!trackedBranches(repo).has(push.branch)) return "ignored";
    return p.plan.events(environments) ?? [];
  } catch {
    return "one-by-one";
  }
}

const naturalKey = (e: { repoId: string; eventType: string; sourceKey: string; timestamp: Date }) =>
  `${e.repoId}|${e.eventType}|${e.sourceKey}|${e.timestamp.getTime()}`;

/** routeDelivery under a savepoint; a payload it cannot apply is kept as failed, to replay later. */
async function applyOne(
  tx: Database,
  queue: Queue,
  afterCommit: AfterCommit,
  delivery: Delivery,
): Promise<DeliveryResult> {
  try {
    return await tx.transaction(async (sp) => {
      const result = await routeDelivery(sp, queue, afterCommit, delivery);
      await finishDelivery(sp, delivery.deliveryId, {
        ...result,
        payload: result.payload ?? delivery.payload,
      });
      return result;
    });
  } catch (error) {
    if (isLostDatabase(error)) throw error;
    const failed = failedDelivery(delivery, error);
    await finishDelivery(tx, delivery.deliveryId, failed);
    await scheduleReplay(queue, tx, delivery.deliveryId);
    return failed;
  }
}
