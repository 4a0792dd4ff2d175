import { createHmac } from "node:crypto";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../../../../src/server/env.ts";
import { createApp } from "../../../../src/server/http/app.ts";
import { noQueue } from "../../../../src/server/jobs/queue.ts";
import type { ServiceContext } from "../../../../src/server/services/context.ts";
import { listIncidents } from "../../../../src/server/services/incidents/read.ts";
import { rotateIntegrationSecret } from "../../../../src/server/services/incidents/secrets.ts";
import { useTestDatabase } from "../../../helpers/db.ts";
import { addCommit, addDeploy, makeOrg, makeRepo, sha } from "../../services/fixtures.ts";

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

const sign = (body: string, secret: string) =>
  `v1=${createHmac("sha256", secret).update(body).digest("hex")}`;

function event(type: string, extra: Record<string, unknown> = {}) {
  return {
    event: {
      id: `01EVT${type}`,
      event_type: type,
      resource_type: "incident",
      occurred_at:
        type === "incident.triggered"
          ? "2026-07-02T13:00:00Z"
          : type === "incident.acknowledged"
            ? "2026-07-02T13:20:00Z"
            : "2026-07-02T14:00:00Z",
      agent: { id: "PUSER", type: "user_reference" },
      data: {
        id: "Q1PD42",
        type: "incident",
        title: "Checkout latency",
        status: "triggered",
        html_url: "https://acme.pagerduty.com/incidents/Q1PD42",
        created_at: "2026-07-02T13:00:00Z",
        urgency: "high",
        priority: { id: "P", summary: "P1" },
        service: { id: "S", summary: "shop" },
        brand_new_field: { nested: true },
        ...extra,
      },
    },
  };
}

async function setup(): Promise<{ ctx: ServiceContext; slug: string; secret: string; repoId: string }> {
  const ctx = await makeOrg(database().db);
  const [org] = (await ctx.db.execute(sql`SELECT slug FROM organizations WHERE id = ${ctx.orgId}`)).rows;
  const repoId = await makeRepo(ctx, "acme/shop");
  await addCommit(ctx, repoId, sha("pd1"), "2026-07-02T09:00:00Z", [{ added: 10, ai: 10, tier: "T3_core" }]);
  await addDeploy(ctx, repoId, sha("pd1"), "2026-07-02T12:00:00Z");
  const { secret } = await rotateIntegrationSecret(ctx, "pagerduty");
  return { ctx, slug: String(org?.slug), secret, repoId };
}

const post = (slug: string, body: string, signature?: string, headers: Record<string, string> = {}) =>
  app.request(`/api/webhooks/pagerduty/${slug}`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      ...(signature ? { "x-pagerduty-signature": signature } : {}),
      ...headers,
    },
  });

describe("POST /api/webhooks/pagerduty/{orgSlug}", () => {
  it("opens, acknowledges and resolves an incident once, however often PagerDuty delivers", async () => {
    const { ctx, slug, secret, repoId } = await setup();
    const triggered = JSON.stringify(event("incident.triggered"));
    const first = await post(slug, triggered, sign(triggered, secret));
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ outcome: "created" });
    // The same event again (a redelivery, or a captured body replayed): applied once.
    expect(await (await post(slug, triggered, sign(triggered, secret))).json()).toMatchObject({
      outcome: "duplicate",
    });

    const ack = JSON.stringify(event("incident.acknowledged"));
    // A rotated secret: PagerDuty lists both signatures; either one verifies.
    expect((await post(slug, ack, `v1=${"0".repeat(64)}, ${sign(ack, secret)}`)).status).toBe(200);
    const resolved = JSON.stringify(event("incident.resolved"));
    expect(await (await post(slug, resolved, sign(resolved, secret))).json()).toMatchObject({
      outcome: "updated",
    });
    // A late acknowledgement after resolution moves nothing back.
    const lateAck = JSON.stringify({ event: { ...event("incident.acknowledged").event, id: "01EVTlate" } });
    expect(await (await post(slug, lateAck, sign(lateAck, secret))).json()).toMatchObject({
      outcome: "unchanged",
    });

    const { items } = await listIncidents(ctx, {});
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      source: "pagerduty",
      externalId: "Q1PD42",
      severity: "sev1",
      status: "resolved",
      repositoryId: repoId,
      linkMethod: "inferred",
      suspectAiShare: 1,
      identifiedAt: "2026-07-02T13:20:00.000Z",
      resolvedAt: "2026-07-02T14:00:00.000Z",
    });
  });

  it("creates one incident when the same page arrives several times at once", async () => {
    const { ctx, slug, secret } = await setup();
    const body = JSON.stringify(event("incident.triggered", { id: "QCONCURRENT" }));
    const responses = await Promise.all([1, 2, 3].map(() => post(slug, body, sign(body, secret))));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await listIncidents(ctx, {})).items).toHaveLength(1);
  });

  it("opens an incident first when its first delivery is the resolution", async () => {
    const { ctx, slug, secret } = await setup();
    const resolved = JSON.stringify(
      event("incident.resolved", { id: "QOUTOFORDER", priority: null, urgency: "low" }),
    );
    expect(await (await post(slug, resolved, sign(resolved, secret))).json()).toMatchObject({
      outcome: "created",
    });
    expect((await listIncidents(ctx, {})).items[0]).toMatchObject({
      externalId: "QOUTOFORDER",
      status: "resolved",
      severity: "sev3",
    });
  });

  it("refuses hostile input and writes nothing", async () => {
    const { ctx, slug, secret } = await setup();
    const body = JSON.stringify(event("incident.triggered"));
    expect((await post(slug, body)).status).toBe(401);
    expect((await post(slug, body, sign(body, "wrong-secret"))).status).toBe(401);
    expect((await post(slug, body, sign(`${body} `, secret))).status).toBe(401);
    expect((await post("no-such-org", body, sign(body, secret))).status).toBe(401);
    const malformed = "{not json";
    expect((await post(slug, malformed, sign(malformed, secret))).status).toBe(400);
    const missing = JSON.stringify({ event: { event_type: "incident.triggered" } });
    const missingResponse = await post(slug, missing, sign(missing, secret));
    expect(missingResponse.status).toBe(400);
    expect(await missingResponse.json()).toMatchObject({ code: "bad_request" });
    const huge = JSON.stringify({ ...event("incident.triggered"), padding: "x".repeat(1_100_000) });
    expect((await post(slug, huge, sign(huge, secret))).status).toBe(413);
    const other = JSON.stringify(event("incident.priority_updated"));
    expect(await (await post(slug, other, sign(other, secret))).json()).toMatchObject({ outcome: "ignored" });
    expect((await listIncidents(ctx, {})).items).toEqual([]);
  });
});
