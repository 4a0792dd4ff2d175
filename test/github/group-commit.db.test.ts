import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyDeliveryBatch } from "../../src/server/github/apply-batch.ts";
import { prepareIngestionQueues } from "../../src/server/github/enqueue-many.ts";
import { DeliveryGroupCommit } from "../../src/server/github/group-commit.ts";
import { type Receipt, receiveDelivery } from "../../src/server/github/receive-delivery.ts";
import type { Delivery } from "../../src/server/github/route-delivery.ts";
import { type Queue, startQueue } from "../../src/server/jobs/queue.ts";
import { AfterCommit } from "../../src/server/services/after-commit.ts";
import { useTestDatabase } from "../helpers/db.ts";
import {
  createInstallation,
  createOrg,
  createRepository,
  prPayload,
  pushPayload,
  shaOf,
  uniqueId,
} from "./helpers.ts";

// Group commit must store exactly what one transaction per delivery stores. Two identical worlds
// (an organization, its installations and repositories) get the same mix of deliveries: one
// through a single batch, the other one delivery at a time; receipts and rows must match.

const database = useTestDatabase();
const db = () => database().db;
let queue: Queue;

beforeAll(async () => {
  queue = await startQueue(database(), { supervise: false });
  await prepareIngestionQueues(queue);
});

afterAll(async () => {
  await queue?.stop();
});

interface World {
  orgId: string;
  installation: number;
  suspended: number;
  unlinked: number;
  tracked: number;
  untracked: number;
  unknown: number;
  /** Repository ids by GitHub id, to compare rows across worlds. */
  githubIdOf: Map<string, number>;
}

async function world(): Promise<World> {
  const org = await createOrg(db(), { productionEnvironments: ["live"] });
  const [installation, suspended, unlinked] = [uniqueId(), uniqueId(), uniqueId()];
  await createInstallation(db(), installation, org.id);
  await createInstallation(db(), suspended, org.id, { suspendedAt: new Date() });
  await createInstallation(db(), unlinked, null);
  const [tracked, untracked, other] = [uniqueId(), uniqueId(), uniqueId()];
  const githubIdOf = new Map<string, number>();
  githubIdOf.set(
    await createRepository(db(), org.id, installation, tracked, { trackedBranches: ["release"] }),
    tracked,
  );
  githubIdOf.set(await createRepository(db(), org.id, installation, untracked), untracked);
  await db().execute(sql`UPDATE repositories SET tracked = false WHERE github_id = ${untracked}`);
  githubIdOf.set(await createRepository(db(), org.id, suspended, other), other);
  return {
    orgId: org.id,
    installation,
    suspended,
    unlinked,
    tracked,
    untracked,
    unknown: uniqueId(),
    githubIdOf,
  };
}

/** The same mix for any world: every path the batch takes set-wise, and every one it hands over. */
function mix(w: World): Delivery[] {
  const installation = { id: w.installation };
  const repository = (id: number) => ({ id, full_name: `acct/repo-${id}`, default_branch: "main" });
  // Commit times fixed, so both worlds hold the same rows whenever they are built.
  const push = (opts: Partial<Parameters<typeof pushPayload>[0]> & { seed: string }) => {
    const p = pushPayload({ installationId: w.installation, repoGithubId: w.tracked, commits: 3, ...opts });
    const commits = p.commits.map((c, i) => ({ ...c, timestamp: `2026-11-20T10:00:0${i}Z` }));
    return { ...p, commits, head_commit: commits.at(-1) ?? null };
  };
  const pr = prPayload;
  const deploy = (id: number, environment: string, state: string) => ({
    action: "created",
    deployment_status: { id, state, environment, created_at: "2026-11-04T10:00:00Z" },
    deployment: { id: id + 1000, sha: shaOf(`deploy-${id}`), ref: "main", environment },
    repository: repository(w.tracked),
    installation,
  });
  const review = (id: number, state: string) => ({
    action: "submitted",
    review: { id, user: { login: "octocat" }, state, submitted_at: "2026-11-02T12:00:00Z" },
    pull_request: { number: 5 },
    repository: repository(w.tracked),
    installation,
  });
  const samePush = push({ seed: "again" });
  const list: Array<[string, Record<string, unknown>]> = [
    ["push", push({ seed: "a" })],
    ["push", samePush],
    // Another delivery of the same commits: stored once, credited to the first.
    ["push", { ...samePush }],
    ["push", push({ seed: "b", branch: "release" })],
    ["push", push({ seed: "c", branch: "feature" })],
    ["push", push({ seed: "d", ref: "refs/tags/v1" })],
    ["push", push({ seed: "e", defaultBranch: "trunk", branch: "trunk" })],
    ["push", push({ seed: "f", repoGithubId: w.untracked })],
    ["push", push({ seed: "g", repoGithubId: w.unknown })],
    ["push", push({ seed: "h", installationId: w.suspended })],
    ["push", push({ seed: "i", installationId: w.unlinked })],
    ["push", { ref: "refs/heads/main", repository: repository(w.tracked), installation }],
    [
      "push",
      { ...push({ seed: "j" }), commits: [{ ...push({ seed: "j" }).commits[0], timestamp: "never" }] },
    ],
    [
      "pull_request",
      { action: "opened", pull_request: pr(5), repository: repository(w.tracked), installation },
    ],
    [
      "pull_request",
      {
        action: "closed",
        pull_request: pr(5, {
          merged: true,
          merged_at: "2026-11-03T10:00:00Z",
          merge_commit_sha: shaOf("m5"),
        }),
        repository: repository(w.tracked),
        installation,
      },
    ],
    [
      "pull_request",
      { action: "closed", pull_request: pr(6), repository: repository(w.tracked), installation },
    ],
    [
      "pull_request",
      { action: "labeled", pull_request: pr(5), repository: repository(w.tracked), installation },
    ],
    [
      "pull_request",
      { action: "opened", pull_request: pr(7), repository: repository(w.unknown), installation },
    ],
    ["pull_request_review", review(77, "approved")],
    ["pull_request_review", review(78, "dismissed")],
    ["deployment_status", deploy(1, "live", "success")],
    ["deployment_status", deploy(2, "staging", "failure")],
    ["deployment_status", deploy(3, "live", "brand_new_state")],
    ["ping", { zen: "Keep it logically awesome.", installation }],
    [
      "installation_repositories",
      {
        action: "removed",
        repositories_removed: [{ id: w.untracked, full_name: `acct/repo-${w.untracked}` }],
        repositories_added: [],
        installation: { id: w.installation, account: { login: "acct", id: 1, type: "Organization" } },
      },
    ],
  ];
  const deliveries = list.map(([event, payload], i) => ({ deliveryId: `${w.orgId}-${i}`, event, payload }));
  // GitHub sending the first delivery again (same delivery id): a duplicate, changing nothing.
  return [...deliveries, { ...(deliveries[0] as Delivery) }];
}

/** What the world's organization holds, with ids replaced by what is the same across worlds. */
async function contents(w: World) {
  const events = await db().execute(sql`
    SELECT r.github_id, e.event_type, e.source_key, e.commit_sha, e.timestamp, e.actor, e.metadata
    FROM code_events e JOIN repositories r ON r.id = e.repo_id
    WHERE e.org_id = ${w.orgId} ORDER BY r.github_id, e.event_type, e.source_key, e.timestamp`);
  const deliveries = await db().execute(sql`
    SELECT substring(delivery_id from length(${w.orgId}) + 2)::int AS n, event, action, outcome, events_created,
           payload IS NOT NULL AS kept
    FROM webhook_deliveries WHERE delivery_id LIKE ${`${w.orgId}-%`} ORDER BY 1`);
  const repos = await db().execute(sql`
    SELECT github_id, tracked, default_branch FROM repositories WHERE org_id = ${w.orgId} ORDER BY github_id`);
  const jobs = await db().execute(sql`
    SELECT name, count(*)::int AS n FROM pgboss.job
    WHERE data->>'orgId' = ${w.orgId} OR data->>'deliveryId' LIKE ${`${w.orgId}-%`}
    GROUP BY name ORDER BY name`);
  const pending = await db().execute(sql`
    SELECT r.github_id, p.period, p.date FROM repo_metrics_pending p JOIN repositories r ON r.id = p.repo_id
    WHERE p.org_id = ${w.orgId} ORDER BY 1, 2, 3`);
  const relative = (id: unknown) =>
    [w.tracked, w.untracked, w.unknown].indexOf(Number(id)) + (Number(id) === w.unknown ? 100 : 0);
  // Sorted once ids are replaced: the order by real GitHub ids differs between worlds.
  const sorted = (rows: object[]) => rows.map((r) => JSON.stringify(r)).sort();
  return {
    events: sorted(
      events.rows.map((r) => ({ ...r, github_id: relative(r.github_id), timestamp: String(r.timestamp) })),
    ),
    deliveries: deliveries.rows,
    repos: sorted(repos.rows.map((r) => ({ ...r, github_id: relative(r.github_id) }))),
    jobs: jobs.rows,
    pending: sorted(
      pending.rows.map((r) => ({ ...r, github_id: relative(r.github_id), date: String(r.date) })),
    ),
  };
}

const summary = (receipts: Receipt[]) =>
  receipts.map((r) =>
    r.status === "duplicate" ? "duplicate" : `${r.result.outcome}:${r.result.eventsCreated}`,
  );

describe("group commit of webhook deliveries", () => {
  it("stores in one batch exactly what one transaction per delivery stores", async () => {
    const [batched, single] = [await world(), await world()];
    const batchReceipts = await db().transaction((tx) =>
      applyDeliveryBatch(tx, queue, new AfterCommit(), mix(batched)),
    );
    const singleReceipts: Receipt[] = [];
    for (const delivery of mix(single)) singleReceipts.push(await receiveDelivery(db(), queue, delivery));

    // Spot-check the mix itself, so the comparison below compares something.
    expect(summary(singleReceipts).slice(0, 13)).toEqual([
      "processed:3",
      "processed:3",
      "processed:0",
      "processed:3",
      "ignored:0",
      "recorded:0",
      "processed:3",
      "ignored:0",
      "processed:3",
      "ignored:0",
      "pending_link:0",
      "failed:0",
      "failed:0",
    ]);
    expect(summary(singleReceipts).at(-1)).toBe("duplicate");
    expect(summary(batchReceipts)).toEqual(summary(singleReceipts));
    const [a, b] = [await contents(batched), await contents(single)];
    expect(a.events.length).toBeGreaterThan(15);
    expect(a).toEqual(b);
  });

  it("answers concurrent requests from shared transactions, each only after its commit", async () => {
    const w = await world();
    const committer = new DeliveryGroupCommit(db(), queue, { maxBatch: 8, maxInFlight: 2 });
    const deliveries = Array.from({ length: 40 }, (_, i) => ({
      deliveryId: randomUUID(),
      event: "push",
      payload: pushPayload({
        installationId: w.installation,
        repoGithubId: w.tracked,
        commits: 2,
        seed: `p${i}`,
      }),
    }));
    // Every copy posted twice at once: one is accepted, the other is a duplicate.
    const receipts = await Promise.all([...deliveries, ...deliveries].map((d) => committer.receive(d)));
    const accepted = receipts.filter((r) => r.status === "accepted");
    expect(accepted).toHaveLength(40);
    expect(accepted.every((r) => r.status === "accepted" && r.result.eventsCreated === 2)).toBe(true);
    const stored = await db().execute(
      sql`SELECT count(*)::int AS n FROM code_events WHERE org_id = ${w.orgId}`,
    );
    expect(Number(stored.rows[0]?.n)).toBe(80);
  });

  it("falls back to one transaction per delivery when a batch fails as a whole", async () => {
    const w = await world();
    const committer = new DeliveryGroupCommit(db(), queue, { maxBatch: 16, maxInFlight: 1 });
    const push = (seed: string, deliveryId: string = randomUUID()) => ({
      deliveryId,
      event: "push",
      payload: pushPayload({ installationId: w.installation, repoGithubId: w.tracked, commits: 1, seed }),
    });
    // The first delivery is committed alone; the next two wait and share the following batch.
    // A delivery id too long for the unique index cannot come through HTTP (the header is
    // checked) but makes that batch's claim fail: the good delivery must still be stored.
    const [plug, good, broken] = await Promise.allSettled([
      committer.receive(push("plug")),
      committer.receive(push("good")),
      committer.receive(push("broken", randomBytes(50_000).toString("hex"))),
    ]);
    expect(plug.status === "fulfilled" && summary([plug.value])).toEqual(["processed:1"]);
    expect(good.status === "fulfilled" && summary([good.value])).toEqual(["processed:1"]);
    expect(broken.status).toBe("rejected");
    const stored = await db().execute(
      sql`SELECT count(*)::int AS n FROM code_events WHERE org_id = ${w.orgId}`,
    );
    expect(Number(stored.rows[0]?.n)).toBe(2);
  });
});
