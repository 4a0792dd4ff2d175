import { createHmac } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { findIntegrationSecret } from "../../../../../src/server/services/incidents/secrets.ts";
import { bearer, buildApp, call, ORIGIN, session, type TestApp } from "../../../../api/helpers.ts";
import { makeTenant, type Tenant } from "../../../../api/tenants.ts";
import { useTestDatabase } from "../../../../helpers/db.ts";

// Sign-ups hash passwords (scrypt): slow on a busy machine.
vi.setConfig({ hookTimeout: 240_000, testTimeout: 120_000 });

const database = useTestDatabase();
let app: TestApp;
let A: Tenant;
let B: Tenant;
beforeAll(async () => {
  app = buildApp(database());
  A = await makeTenant(app, database().db);
  B = await makeTenant(app, database().db, ["owner"]);
});

const ROTATE = "/api/v1/integrations/pagerduty/rotate-secret";

interface Rotated {
  provider: string;
  secret: string;
  webhookUrl: string;
  replaced: boolean;
  createdAt: string;
}

const sign = (body: string, secret: string) =>
  `v1=${createHmac("sha256", secret).update(body).digest("hex")}`;

let pages = 0;
/** A fresh PagerDuty `incident.triggered` delivery. */
function triggered(): string {
  pages++;
  return JSON.stringify({
    event: {
      id: `01EVTROTATE${pages}`,
      event_type: "incident.triggered",
      resource_type: "incident",
      occurred_at: "2026-07-02T13:00:00Z",
      agent: { id: "PUSER", type: "user_reference" },
      data: {
        id: `QROTATE${pages}`,
        type: "incident",
        title: "Checkout latency",
        status: "triggered",
        html_url: "https://acme.pagerduty.com/incidents/Q1",
        created_at: "2026-07-02T13:00:00Z",
        urgency: "high",
        service: { id: "S", summary: "no-such-service" },
      },
    },
  });
}

const deliver = (slug: string, body: string, signature: string) =>
  app.request(`${ORIGIN}/api/webhooks/pagerduty/${slug}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "x-pagerduty-signature": signature },
  });

describe("POST /api/v1/integrations/{provider}/rotate-secret", () => {
  it("creates, then rotates the PagerDuty secret: the old one is refused at once, the new one accepted", async () => {
    const first = await call(app, "POST", ROTATE, { headers: session(A.people.admin.cookie, A.org.slug) });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const created = first.body as Rotated;
    expect(created).toMatchObject({
      provider: "pagerduty",
      replaced: false,
      webhookUrl: `${ORIGIN}/api/webhooks/pagerduty/${A.org.slug}`,
      createdAt: expect.any(String),
    });
    expect(created.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const before = triggered();
    expect((await deliver(A.org.slug, before, sign(before, created.secret))).status).toBe(200);

    // An admin API key may rotate too.
    const second = await call(app, "POST", ROTATE, { headers: bearer(A.adminKey) });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    const rotated = second.body as Rotated;
    expect(rotated.replaced).toBe(true);
    expect(rotated.secret).not.toBe(created.secret);

    // No grace period: a delivery signed with the old secret is refused, and writes nothing.
    const incidents = async () =>
      ((await call(app, "GET", "/api/v1/incidents", { headers: bearer(A.adminKey) })).body as { items: [] })
        .items.length;
    const opened = await incidents();
    const late = triggered();
    const refused = await deliver(A.org.slug, late, sign(late, created.secret));
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "unauthorized" });
    expect(await incidents()).toBe(opened);

    expect((await deliver(A.org.slug, late, sign(late, rotated.secret))).status).toBe(200);
    // PagerDuty signs with every secret it holds while one is being replaced: one good signature is enough.
    const both = triggered();
    const header = `${sign(both, created.secret)},${sign(both, rotated.secret)}`;
    expect((await deliver(A.org.slug, both, header)).status).toBe(200);

    // Another organization's secret is its own.
    expect((await deliver(B.org.slug, both, sign(both, rotated.secret))).status).toBe(401);
    expect(await findIntegrationSecret(database().db, A.org.slug, "pagerduty")).toMatchObject({
      orgId: A.org.id,
      secret: rotated.secret,
    });
  });

  it("records each rotation in the audit log, never the secret, and shows the secret nowhere else", async () => {
    const res = await call(app, "POST", ROTATE, { headers: session(A.people.owner.cookie, A.org.slug) });
    expect(res.status).toBe(200);
    const { secret } = res.body as Rotated;

    const log = await call(app, "GET", "/api/v1/audit-log", { headers: bearer(A.adminKey) });
    expect(log.status).toBe(200);
    const entries = (
      log.body as { items: Array<{ action: string; target: string | null; details: unknown }> }
    ).items;
    expect(entries.filter((e) => e.action === "integration_secret.rotated")[0]).toMatchObject({
      target: "pagerduty",
      details: { replaced: true },
    });
    for (const path of ["/api/v1/audit-log", "/api/v1/organization", "/api/v1/me"]) {
      const read = await call(app, "GET", path, { headers: session(A.people.owner.cookie, A.org.slug) });
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body), path).not.toContain(secret);
    }
  });

  it("is for admins and owners of the organization only, and changes nothing when refused", async () => {
    const current = await call(app, "POST", ROTATE, { headers: session(A.people.owner.cookie, A.org.slug) });
    const { secret } = current.body as Rotated;

    const refusals: Array<[Record<string, string>, number]> = [
      [{}, 401],
      [session(A.people.member.cookie, A.org.slug), 403],
      [session(A.people.viewer.cookie, A.org.slug), 403],
      [bearer(A.scopeKeys["incidents:write"]), 403],
      [session(B.people.owner.cookie, A.org.slug), 404],
    ];
    for (const [headers, status] of refusals) {
      const res = await call(app, "POST", ROTATE, { headers });
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(JSON.stringify(res.body)).not.toMatch(/"secret"/);
    }
    const unknown = await call(app, "POST", "/api/v1/integrations/opsgenie/rotate-secret", {
      headers: session(A.people.owner.cookie, A.org.slug),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: "bad_request", message: expect.stringContaining("provider") });

    const still = triggered();
    expect((await deliver(A.org.slug, still, sign(still, secret))).status).toBe(200);
  });
});
