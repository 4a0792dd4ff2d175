import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { githubInstallations } from "../../src/server/db/schema/index.ts";
import { applyDeliveryBatch } from "../../src/server/github/apply-batch.ts";
import { prepareIngestionQueues } from "../../src/server/github/enqueue-many.ts";
import { DeliveryGroupCommit } from "../../src/server/github/group-commit.ts";
import { readDelivery } from "../../src/server/github/read-delivery.ts";
import { type Receipt, receiveDelivery } from "../../src/server/github/receive-delivery.ts";
import type { Delivery } from "../../src/server/github/route-delivery.ts";
import { signBody } from "../../src/server/github/verify.ts";
import { type Queue, startQueue } from "../../src/server/jobs/queue.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { AfterCommit } from "../../src/server/services/after-commit.ts";
import { useTestDatabase } from "../helpers/db.ts";
import {
  createInstallation,
  createOrg,
  createRepository,
  postDelivery,
  pushPayload,
  SECRET,
  uniqueId,
  webhookServerEnv,
} from "./helpers.ts";

// The delivery id is not covered by the signature: a captured body posted again under a fresh
// X-GitHub-Delivery must be acknowledged and change nothing, on every path a delivery can take
// (HTTP through group commit, a batch, one transaction per delivery). GitHub's own redelivery
// (same id, same body) keeps answering as before, and distinct bodies keep applying.

const database = useTestDatabase();
const db = () => database().db;
let server: RunningServer;
let queue: Queue;

beforeAll(async () => {
  const env = webhookServerEnv();
  server = await startServer(env, { handle: database() });
  queue = await startQueue(database(), { supervise: false });
  await prepareIngestionQueues(queue);
});

afterAll(async () => {
  await queue?.stop();
  await server?.stop();
});

async function linkedRepo() {
  const org = await createOrg(db());
  const installationId = uniqueId();
  const githubId = uniqueId();
  await createInstallation(db(), installationId, org.id);
  const repoId = await createRepository(db(), org.id, installationId, githubId);
  return { orgId: org.id, installationId, githubId, repoId };
}

/** A delivery read from a signed request, as the route reads it (body hash included). */
async function signed(event: string, payload: unknown, deliveryId: string = randomUUID()): Promise<Delivery> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": deliveryId,
    "x-hub-signature-256": signBody(SECRET, body),
  };
  return readDelivery({ header: (name) => headers[name], body: new Response(body).body }, [SECRET]);
}

/** Everything a delivery can leave behind for an organization. */
async function footprint(orgId: string) {
  const rows = await db().execute<{ events: number; jobs: number; deliveries: number }>(sql`
    SELECT (SELECT count(*)::int FROM code_events WHERE org_id = ${orgId}) AS events,
           (SELECT count(*)::int FROM pgboss.job
             WHERE name = 'attribute-commit' AND data->>'orgId' = ${orgId}) AS jobs,
           (SELECT count(*)::int FROM webhook_deliveries WHERE org_id = ${orgId}) AS deliveries`);
  return rows.rows[0];
}

async function deliveryStored(deliveryId: string): Promise<boolean> {
  const rows = await db().execute(sql`SELECT 1 FROM webhook_deliveries WHERE delivery_id = ${deliveryId}`);
  return rows.rows.length > 0;
}

async function suspendedAt(installationId: number): Promise<Date | null> {
  const [row] = await db()
    .select({ suspendedAt: githubInstallations.suspendedAt })
    .from(githubInstallations)
    .where(eq(githubInstallations.installationId, installationId));
  return row?.suspendedAt ?? null;
}

const summary = (receipts: Receipt[]) =>
  receipts.map((r) =>
    r.status === "duplicate" ? "duplicate" : `${r.result.outcome}:${r.result.eventsCreated}`,
  );

describe("POST /api/webhooks/github: a body replayed under a new delivery id", () => {
  it("is acknowledged as a duplicate and stores nothing; GitHub's redelivery answers as before", async () => {
    const { orgId, installationId, githubId } = await linkedRepo();
    const payload = pushPayload({ installationId, repoGithubId: githubId, commits: 3 });
    const first = await postDelivery(server.url, "push", payload);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: "accepted", outcome: "processed", eventsCreated: 3 });
    const before = await footprint(orgId);
    expect(before).toMatchObject({ events: 3, jobs: 3, deliveries: 1 });

    const replay = await postDelivery(server.url, "push", payload);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ status: "duplicate", deliveryId: replay.deliveryId });
    expect(await deliveryStored(replay.deliveryId)).toBe(false);
    // The event header is not signed either: the same body under another event name is the same replay.
    const renamed = await postDelivery(server.url, "pull_request", payload);
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ status: "duplicate" });

    // GitHub's redeliver button: same id, same body, the same 200 as before.
    const redelivery = await postDelivery(server.url, "push", payload, { deliveryId: first.deliveryId });
    expect(redelivery.status).toBe(200);
    expect(redelivery.body).toEqual({ status: "duplicate", deliveryId: first.deliveryId });
    expect(await footprint(orgId)).toEqual(before);

    // A different body (another push) still applies, as does one carrying the same commits.
    const other = await postDelivery(
      server.url,
      "push",
      pushPayload({ installationId, repoGithubId: githubId, commits: 2 }),
    );
    expect(other.status).toBe(202);
    expect(other.body).toMatchObject({ outcome: "processed", eventsCreated: 2 });
    const sameCommits = await postDelivery(server.url, "push", { ...payload, forced: true });
    expect(sameCommits.status).toBe(202);
    expect(sameCommits.body).toMatchObject({ outcome: "processed", eventsCreated: 0 });
    expect(await footprint(orgId)).toEqual({ events: 5, jobs: 5, deliveries: 3 });
  });

  it("cannot suspend an installation again by replaying an old suspend", async () => {
    const { orgId, installationId } = await linkedRepo();
    const installation = { id: installationId, account: { login: "acme", id: 5, type: "Organization" } };
    const suspend = { action: "suspend", installation };
    expect((await postDelivery(server.url, "installation", suspend)).status).toBe(202);
    expect(await suspendedAt(installationId)).toBeInstanceOf(Date);
    expect(
      (await postDelivery(server.url, "installation", { action: "unsuspend", installation })).status,
    ).toBe(202);
    expect(await suspendedAt(installationId)).toBeNull();
    const before = await footprint(orgId);

    const replay = await postDelivery(server.url, "installation", suspend);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ status: "duplicate" });
    expect(await suspendedAt(installationId)).toBeNull();
    expect(await footprint(orgId)).toEqual(before);
  });
});

describe("replayed bodies on each delivery path", () => {
  it("one transaction per delivery: the replay is a duplicate, redelivery and other bodies unchanged", async () => {
    const { orgId, installationId, githubId } = await linkedRepo();
    const payload = pushPayload({ installationId, repoGithubId: githubId, commits: 2 });
    const original = await signed("push", payload);
    expect(summary([await receiveDelivery(db(), queue, original)])).toEqual(["processed:2"]);
    const before = await footprint(orgId);

    const replay = await signed("push", payload);
    expect(summary([await receiveDelivery(db(), queue, replay)])).toEqual(["duplicate"]);
    expect(await deliveryStored(replay.deliveryId)).toBe(false);
    expect(summary([await receiveDelivery(db(), queue, { ...original })])).toEqual(["duplicate"]);
    expect(await footprint(orgId)).toEqual(before);

    const other = await signed("push", pushPayload({ installationId, repoGithubId: githubId, commits: 1 }));
    expect(summary([await receiveDelivery(db(), queue, other)])).toEqual(["processed:1"]);

    // An installation change replayed after it was undone changes nothing.
    const installation = { id: installationId, account: { login: "acme", id: 5, type: "Organization" } };
    const suspend = await signed("installation", { action: "suspend", installation });
    await receiveDelivery(db(), queue, suspend);
    await receiveDelivery(db(), queue, await signed("installation", { action: "unsuspend", installation }));
    const replayed = await receiveDelivery(
      db(),
      queue,
      await signed("installation", { action: "suspend", installation }),
    );
    expect(summary([replayed])).toEqual(["duplicate"]);
    expect(await suspendedAt(installationId)).toBeNull();
  });

  it("one transaction per delivery: a body kept as failed is not stored again under a new id", async () => {
    const { installationId, githubId } = await linkedRepo();
    // A push whose commit has no usable timestamp cannot be applied: kept as failed, replayed by a job.
    const broken = pushPayload({ installationId, repoGithubId: githubId, commits: 1 });
    const payload = { ...broken, commits: [{ ...broken.commits[0], timestamp: "never" }] };
    expect(summary([await receiveDelivery(db(), queue, await signed("push", payload))])).toEqual([
      "failed:0",
    ]);
    const replay = await signed("push", payload);
    expect(summary([await receiveDelivery(db(), queue, replay)])).toEqual(["duplicate"]);
    expect(await deliveryStored(replay.deliveryId)).toBe(false);
    const retries = await db().execute<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM pgboss.job
      WHERE name = 'github-process-deliveries' AND data->>'deliveryId' = ${replay.deliveryId}`);
    expect(retries.rows[0]?.n).toBe(0);
    // One row for the body, still failed and waiting for its retry.
    const rows = await db().execute<{ outcome: string }>(
      sql`SELECT outcome FROM webhook_deliveries WHERE body_sha256 = ${replay.bodySha256 ?? ""}`,
    );
    expect(rows.rows).toEqual([{ outcome: "failed" }]);
  });

  it("a batch: the first copy of a body applies, copies under other ids are duplicates, in or across batches", async () => {
    const { orgId, installationId, githubId } = await linkedRepo();
    const a = pushPayload({ installationId, repoGithubId: githubId, commits: 2 });
    const b = pushPayload({ installationId, repoGithubId: githubId, commits: 3 });
    const [a1, a2, b1, b2] = await Promise.all([
      signed("push", a),
      signed("push", a),
      signed("push", b),
      signed("push", b),
    ]);
    const receipts = await db().transaction((tx) =>
      applyDeliveryBatch(tx, queue, new AfterCommit(), [a1, a2, b1, { ...a1 }, b2]),
    );
    expect(summary(receipts)).toEqual(["processed:2", "duplicate", "processed:3", "duplicate", "duplicate"]);
    expect(await deliveryStored(a2.deliveryId)).toBe(false);
    const before = await footprint(orgId);
    expect(before).toEqual({ events: 5, jobs: 5, deliveries: 2 });

    // A later batch: a replay and GitHub's redelivery are duplicates; a new body applies.
    const b3 = await signed("push", b);
    const c = await signed("push", pushPayload({ installationId, repoGithubId: githubId, commits: 1 }));
    const later = await db().transaction((tx) =>
      applyDeliveryBatch(tx, queue, new AfterCommit(), [b3, { ...b1 }, c]),
    );
    expect(summary(later)).toEqual(["duplicate", "duplicate", "processed:1"]);
    expect(await footprint(orgId)).toEqual({ events: 6, jobs: 6, deliveries: 3 });
  });

  it("group commit: the same body posted at once under many ids applies exactly once", async () => {
    const { orgId, installationId, githubId } = await linkedRepo();
    const committer = new DeliveryGroupCommit(db(), queue, { maxBatch: 4, maxInFlight: 2 });
    const payload = pushPayload({ installationId, repoGithubId: githubId, commits: 2 });
    const copies = await Promise.all(Array.from({ length: 10 }, () => signed("push", payload)));
    const receipts = await Promise.all(copies.map((d) => committer.receive(d)));
    expect(summary(receipts).filter((s) => s !== "duplicate")).toEqual(["processed:2"]);
    expect(await footprint(orgId)).toEqual({ events: 2, jobs: 2, deliveries: 1 });
  });
});
