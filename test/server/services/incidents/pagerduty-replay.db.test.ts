import { createHmac } from "node:crypto";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../../../../src/server/env.ts";
import { createApp } from "../../../../src/server/http/app.ts";
import { noQueue } from "../../../../src/server/jobs/queue.ts";
import { AfterCommit } from "../../../../src/server/services/after-commit.ts";
import type { ServiceContext } from "../../../../src/server/services/context.ts";
import { pruneIntegrationEvents } from "../../../../src/server/services/incidents/integration-events.ts";
import { applyPagerDutyEvent } from "../../../../src/server/services/incidents/pagerduty.ts";
import { listIncidents } from "../../../../src/server/services/incidents/read.ts";
import { rotateIntegrationSecret } from "../../../../src/server/services/incidents/secrets.ts";
import { useTestDatabase } from "../../../helpers/db.ts";
import { makeOrg, makeRepo } from "../fixtures.ts";

// A signed PagerDuty body can be captured and posted again. Each event id is applied once per
// organization, and an event older than the incident's latest status change cannot rewind it.

const database = useTestDatabase();
let app: ReturnType<typeof createApp>;
beforeAll(() => {
  app = createApp({
    handle: database(),
    env: loadEnv({ NODE_ENV: "test", LOG_LEVEL: "silent", BETTER_AUTH_SECRET: "x".repeat(40) }),
    queue: noQueue,
    github: null,
  });
});

let counter = 0;
/** A V3 incident event; each call is a new event (new id) unless `id` is given. */
function event(type: string, occurredAt: string, opts: { id?: string; incident?: string } = {}) {
  counter++;
  return {
    event: {
      id: opts.id ?? `01EVT${counter}${type}`,
      event_type: type,
      resource_type: "incident",
      occurred_at: occurredAt,
      data: {
        id: opts.incident ?? "QREPLAY",
        type: "incident",
        title: "Checkout latency",
        created_at: "2026-07-02T13:00:00Z",
        urgency: "high",
        service: { id: "S", summary: "shop" },
      },
    },
  };
}

async function setup(): Promise<ServiceContext> {
  const ctx = await makeOrg(database().db);
  await makeRepo(ctx, "acme/shop");
  return { ...ctx, actor: { kind: "webhook", source: "pagerduty" } };
}

async function incident(ctx: ServiceContext, externalId = "QREPLAY") {
  const { items } = await listIncidents(ctx, {});
  const found = items.filter((i) => i.externalId === externalId);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The incident's recorded changes: its history and its `incident` code events. */
async function changes(ctx: ServiceContext) {
  const rows = await ctx.db.execute<{ history: number; events: number }>(sql`
    SELECT (SELECT jsonb_array_length(metadata->'history') FROM incidents WHERE org_id = ${ctx.orgId}) AS history,
           (SELECT count(*)::int FROM code_events WHERE org_id = ${ctx.orgId} AND event_type = 'incident') AS events`);
  return rows.rows[0];
}

const apply = async (ctx: ServiceContext, body: unknown) =>
  (await applyPagerDutyEvent({ ...ctx, afterCommit: new AfterCommit() }, body)).outcome;

describe("PagerDuty replays", () => {
  it("a replayed trigger or reopen after resolution does not reopen the incident", async () => {
    const ctx = await setup();
    const triggered = event("incident.triggered", "2026-07-02T13:00:00Z");
    const reopened = event("incident.reopened", "2026-07-02T15:00:00Z");
    expect(await apply(ctx, triggered)).toBe("created");
    expect(await apply(ctx, event("incident.resolved", "2026-07-02T14:00:00Z"))).toBe("updated");
    expect(await apply(ctx, reopened)).toBe("updated");
    expect(await apply(ctx, event("incident.resolved", "2026-07-02T16:00:00Z"))).toBe("updated");
    const before = await changes(ctx);

    expect(await apply(ctx, reopened)).toBe("duplicate");
    expect(await apply(ctx, triggered)).toBe("duplicate");
    expect(await incident(ctx)).toMatchObject({ status: "resolved", resolvedAt: "2026-07-02T16:00:00.000Z" });
    expect(await changes(ctx)).toEqual(before);
  });

  it("applies the same event id once, even when it arrives several times at once", async () => {
    const ctx = await setup();
    expect(await apply(ctx, event("incident.triggered", "2026-07-02T13:00:00Z"))).toBe("created");
    const resolved = event("incident.resolved", "2026-07-02T14:00:00Z");
    const outcomes = await Promise.all([1, 2, 3].map(() => apply(ctx, resolved)));
    expect(outcomes.sort()).toEqual(["duplicate", "duplicate", "updated"]);
    expect(await changes(ctx)).toMatchObject({ history: 2 });

    // Event ids are kept per organization: another organization's event with the same id applies.
    const other = await setup();
    expect(
      await apply(other, event("incident.triggered", "2026-07-02T13:00:00Z", { id: resolved.event.id })),
    ).toBe("created");
  });

  it("refuses an event older than the incident's latest status change (no rewinding)", async () => {
    const ctx = await setup();
    expect(await apply(ctx, event("incident.triggered", "2026-07-02T13:00:00Z"))).toBe("created");
    expect(await apply(ctx, event("incident.resolved", "2026-07-02T14:00:00Z"))).toBe("updated");
    // A reopen that happened before the resolution arrives late: the incident stays resolved.
    expect(await apply(ctx, event("incident.reopened", "2026-07-02T13:30:00Z"))).toBe("unchanged");
    expect(await incident(ctx)).toMatchObject({ status: "resolved" });

    expect(await apply(ctx, event("incident.reopened", "2026-07-02T15:00:00Z"))).toBe("updated");
    // An old resolution arriving after the reopen does not close it again.
    expect(await apply(ctx, event("incident.resolved", "2026-07-02T14:30:00Z"))).toBe("unchanged");
    expect(await incident(ctx)).toMatchObject({ status: "investigating", resolvedAt: null });
    expect(await changes(ctx)).toMatchObject({ history: 3 });
  });

  it("answers a replay over HTTP 200 duplicate, and prunes event ids after the retention", async () => {
    const ctx = await setup();
    const [org] = (await ctx.db.execute(sql`SELECT slug FROM organizations WHERE id = ${ctx.orgId}`)).rows;
    const { secret } = await rotateIntegrationSecret(ctx, "pagerduty");
    const post = (body: string) =>
      app.request(`/api/webhooks/pagerduty/${String(org?.slug)}`, {
        method: "POST",
        body,
        headers: {
          "content-type": "application/json",
          "x-pagerduty-signature": `v1=${createHmac("sha256", secret).update(body).digest("hex")}`,
        },
      });
    const body = JSON.stringify(event("incident.triggered", "2026-07-02T13:00:00Z", { incident: "QHTTP" }));
    const first = await post(body);
    expect(first.status).toBe(200);
    const { incidentId } = (await first.json()) as { incidentId: string };
    expect(incidentId).toEqual((await incident(ctx, "QHTTP"))?.id);
    const replay = await post(body);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ outcome: "duplicate", incidentId });

    const stored = async () =>
      (
        await ctx.db.execute<{ n: number }>(
          sql`SELECT count(*)::int AS n FROM integration_events WHERE org_id = ${ctx.orgId}`,
        )
      ).rows[0]?.n;
    expect(await stored()).toBe(1);
    expect(await pruneIntegrationEvents(ctx.db, new Date(Date.now() - 60_000))).toBe(0);
    expect(await pruneIntegrationEvents(ctx.db, new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
    expect(await stored()).toBe(0);
  });
});
