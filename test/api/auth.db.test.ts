import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { setPlanOfOrganization } from "../../src/cli/commands/orgs.ts";
import type { Database, DatabaseHandle } from "../../src/server/db/client.ts";
import * as schema from "../../src/server/db/schema/index.ts";
import { createApp } from "../../src/server/http/app.ts";
import { noQueue } from "../../src/server/jobs/queue.ts";
import { isLastUseStale, recordApiKeyUse } from "../../src/server/services/access/record-api-key-use.ts";
import { useTestDatabase } from "../helpers/db.ts";
import {
  addMember,
  bearer,
  buildApp,
  call,
  makeKey,
  makeOrg,
  ORIGIN,
  session,
  sessionCookie,
  signIn,
  signUp,
  TEST_ENV,
  type TestApp,
  unique,
} from "./helpers.ts";
import { makeMember, seedTelemetry } from "./tenants.ts";

// Sign-ups hash passwords (scrypt) and a fresh database is migrated: slow on a busy machine.
vi.setConfig({ hookTimeout: 240_000, testTimeout: 120_000 });

const db = useTestDatabase();
let app: TestApp;

beforeAll(() => {
  app = buildApp(db());
});

const lastUsed = async (id: string) =>
  (
    await db().db.execute<{ last_used_at: string | null }>(
      sql`SELECT last_used_at FROM api_keys WHERE id = ${id}`,
    )
  ).rows[0]?.last_used_at ?? null;

describe("API keys", () => {
  it("refuses an expired key and a revoked key with 401", async () => {
    const org = await makeOrg(db().db);
    const expiring = await makeKey(db().db, org.id, ["events:read"], {
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect((await call(app, "GET", "/api/v1/events", { headers: bearer(expiring.key) })).status).toBe(200);
    await db().db.execute(
      sql`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = ${expiring.id}`,
    );
    const expired = await call(app, "GET", "/api/v1/events", { headers: bearer(expiring.key) });
    expect(expired.status).toBe(401);
    expect((expired.body as { message: string }).message).toMatch(/expired/);

    const admin = await makeKey(db().db, org.id, ["admin"]);
    const victim = await makeKey(db().db, org.id, ["events:read"]);
    expect((await call(app, "GET", "/api/v1/events", { headers: bearer(victim.key) })).status).toBe(200);
    expect(
      (await call(app, "DELETE", `/api/v1/api-keys/${victim.id}`, { headers: bearer(admin.key) })).status,
    ).toBe(204);
    const revoked = await call(app, "GET", "/api/v1/events", { headers: bearer(victim.key) });
    expect(revoked.status).toBe(401);
    expect((revoked.body as { message: string }).message).toMatch(/revoked/);
    // The list shows it revoked, never its secret.
    const list = await call(app, "GET", "/api/v1/api-keys", { headers: bearer(admin.key) });
    expect(JSON.stringify(list.body)).not.toContain(victim.key);
    expect(list.body).toMatchObject({
      items: expect.arrayContaining([
        expect.objectContaining({ id: victim.id, revokedAt: expect.any(String) }),
      ]),
    });
  });

  it("rejects a key with a bad checksum without reading the database", async () => {
    const org = await makeOrg(db().db);
    const { key } = await makeKey(db().db, org.id, ["events:read"]);
    // An app whose database cannot be reached: any read fails with 503, never a 401.
    const pool = new pg.Pool({
      connectionString: "postgresql://nobody@127.0.0.1:9/none",
      connectionTimeoutMillis: 500,
    });
    pool.on("error", () => {});
    const unreachable: DatabaseHandle = {
      db: drizzle({ client: pool, schema }) as unknown as Database,
      engine: "postgres",
      location: "127.0.0.1:9/none",
      driver: { kind: "postgres", pool, url: "postgresql://nobody@127.0.0.1:9/none" },
      close: () => pool.end(),
    };
    const closedApp = createApp({ handle: unreachable, env: TEST_ENV, queue: noQueue, github: null });
    const typo = `${key.slice(0, 20)}${key[20] === "x" ? "y" : "x"}${key.slice(21)}`;
    const started = performance.now();
    const refused = await call(closedApp, "GET", "/api/v1/events", { headers: bearer(typo) });
    const ms = performance.now() - started;
    expect(refused.status).toBe(401);
    expect(ms).toBeLessThan(200);
    // A well-formed key does go to the database, so the closed database shows (not a 401).
    const lookedUp = await call(closedApp, "GET", "/api/v1/events", { headers: bearer(key) });
    expect(lookedUp.status).not.toBe(401);
    expect(lookedUp.status).toBe(503);
    expect(JSON.stringify(lookedUp.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|stack|select/i);
    await unreachable.close();
  });

  it("stores last use before answering, at most once a minute per key", async () => {
    const org = await makeOrg(db().db);
    const { key, id } = await makeKey(db().db, org.id, ["events:read"]);
    expect(await lastUsed(id)).toBeNull();
    expect((await call(app, "GET", "/api/v1/events", { headers: bearer(key) })).status).toBe(200);
    // Already in the database when the response arrives: a crash after it loses nothing.
    const first = await lastUsed(id);
    expect(first).not.toBeNull();
    for (let i = 0; i < 3; i++)
      expect((await call(app, "GET", "/api/v1/events", { headers: bearer(key) })).status).toBe(200);
    expect(await lastUsed(id)).toEqual(first);
    // A minute later the next use is written again; concurrent servers write it once.
    await db().db.execute(
      sql`UPDATE api_keys SET last_used_at = now() - interval '61 seconds' WHERE id = ${id}`,
    );
    expect(await recordApiKeyUse(db().db, id)).toBe(true);
    expect(await recordApiKeyUse(db().db, id)).toBe(false);
    expect(isLastUseStale(new Date(String(await lastUsed(id))))).toBe(false);
  });
});

describe("sessions", () => {
  it("issues a new session token at sign-in: a token planted before sign-in is not the victim's session", async () => {
    const attacker = await signUp(app, `${unique("attacker")}@example.com`, "Mallory");
    const victimEmail = `${unique("victim")}@example.com`;
    const victim = await signUp(app, victimEmail, "Victor");
    await call(app, "POST", "/api/auth/sign-out", { headers: { cookie: victim.cookie, origin: ORIGIN } });

    // The victim signs in while carrying the attacker's cookie.
    const response = await signIn(app, victimEmail, attacker.cookie);
    expect(response.status).toBe(200);
    const fresh = sessionCookie(response);
    expect(fresh).not.toBe(attacker.cookie);
    expect(fresh).not.toBe(victim.cookie);

    const asAttacker = await call(app, "GET", "/api/v1/me", { headers: { cookie: attacker.cookie } });
    expect(asAttacker.body).toMatchObject({ user: { id: attacker.userId } });
    const asVictim = await call(app, "GET", "/api/v1/me", { headers: { cookie: fresh } });
    expect(asVictim.body).toMatchObject({ user: { id: victim.userId, email: victimEmail } });
  });

  it("ends the session at sign-out: the old cookie is refused", async () => {
    const person = await signUp(app, `${unique("leaver")}@example.com`);
    expect((await call(app, "GET", "/api/v1/me", { headers: { cookie: person.cookie } })).status).toBe(200);
    const out = await call(app, "POST", "/api/auth/sign-out", {
      headers: { cookie: person.cookie, origin: ORIGIN },
    });
    expect(out.status).toBe(200);
    expect((await call(app, "GET", "/api/v1/me", { headers: { cookie: person.cookie } })).status).toBe(401);
  });

  it("sets the session cookie HttpOnly and SameSite", async () => {
    const response = await app.request(`${ORIGIN}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN },
      body: JSON.stringify({
        email: `${unique("c")}@example.com`,
        password: "correct horse battery",
        name: "C",
      }),
    });
    const cookie = response.headers.getSetCookie().find((c) => c.includes("session_token=")) ?? "";
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });
});

describe("CSRF", () => {
  it("refuses a cookie-authenticated write from a foreign or missing Origin, and accepts our own", async () => {
    const org = await makeOrg(db().db);
    const owner = await signUp(app, `${unique("owner")}@example.com`);
    await addMember(db().db, org.id, owner.userId, "owner");
    const body = { name: "ci", scopes: ["events:read"] };
    const headers = { cookie: owner.cookie, "x-sentinel-org": org.slug };
    const foreign = await call(app, "POST", "/api/v1/api-keys", {
      headers: { ...headers, origin: "https://evil.example" },
      body,
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ code: "forbidden", details: { reason: "csrf" } });
    const missing = await call(app, "POST", "/api/v1/api-keys", { headers, body });
    expect(missing.status).toBe(403);
    const crossSite = await call(app, "POST", "/api/v1/api-keys", {
      headers: { ...headers, origin: ORIGIN, "sec-fetch-site": "cross-site" },
      body,
    });
    expect(crossSite.status).toBe(403);
    const keys = await db().db.execute(sql`SELECT id FROM api_keys WHERE org_id = ${org.id}`);
    expect(keys.rows).toHaveLength(0);
    const own = await call(app, "POST", "/api/v1/api-keys", {
      headers: session(owner.cookie, org.slug),
      body,
    });
    expect(own.status).toBe(201);
    // Reads are not writes; API keys are not sent by browsers on their own.
    expect(
      (
        await call(app, "GET", "/api/v1/api-keys", {
          headers: { ...headers, origin: "https://evil.example" },
        })
      ).status,
    ).toBe(200);
    const admin = await makeKey(db().db, org.id, ["admin"]);
    const fromScript = await call(app, "POST", "/api/v1/api-keys", {
      headers: { ...bearer(admin.key), origin: "https://evil.example" },
      body,
    });
    expect(fromScript.status).toBe(201);
  });
});

describe("rate limits", () => {
  it("answers 429 with Retry-After once a free plan key has used its minute", async () => {
    const org = await makeOrg(db().db, "free");
    const { key } = await makeKey(db().db, org.id, ["events:read"]);
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    // The bucket refills one request a second while the loop runs, so run until it is empty.
    while (!limited && statuses.length < 200) {
      const res = await call(app, "GET", "/api/v1/organization", { headers: bearer(key) });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited?.body).toMatchObject({
      code: "rate_limited",
      details: { limit: "apiRatePerMinute", plan: "free" },
    });
    // Another key of the same organization still has its own allowance.
    const other = await makeKey(db().db, org.id, ["events:read"]);
    expect((await call(app, "GET", "/api/v1/organization", { headers: bearer(other.key) })).status).toBe(200);
  });
});

describe("plans", () => {
  it("refuses an invitation past the free plan's member limit with 402 naming it", async () => {
    const org = await makeOrg(db().db, "free");
    const { key } = await makeKey(db().db, org.id, ["admin"]);
    for (let i = 0; i < 5; i++) await makeMember(db().db, org.id);
    const res = await call(app, "POST", "/api/v1/invitations", {
      headers: bearer(key),
      body: { email: `${unique("sixth")}@example.com`, role: "viewer" },
    });
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ code: "payment_required", details: { limit: "members", allowed: 5 } });
  });

  it("refuses tracking a fourth repository on the free plan, and history older than 30 days", async () => {
    const org = await makeOrg(db().db, "free");
    const { key } = await makeKey(db().db, org.id, ["admin"]);
    for (let i = 0; i < 3; i++) await seedTelemetry(db().db, org.id);
    const extra = await seedTelemetry(db().db, org.id);
    await db().db.execute(sql`UPDATE repositories SET tracked = false WHERE id = ${extra.repoId}`);
    const track = await call(app, "PATCH", `/api/v1/repositories/${extra.repoId}`, {
      headers: bearer(key),
      body: { tracked: true },
    });
    expect(track.status).toBe(402);
    expect(track.body).toMatchObject({ details: { limit: "repositories", allowed: 3 } });

    const old = new Date(Date.now() - 90 * 86_400_000).toISOString();
    const history = await call(app, "GET", `/api/v1/events?from=${encodeURIComponent(old)}`, {
      headers: bearer(key),
    });
    expect(history.status).toBe(402);
    expect(history.body).toMatchObject({ details: { limit: "historyDays", allowed: 30 } });
  });

  it("lets no one change the plan over the API; the operator's change is in the audit log", async () => {
    const org = await makeOrg(db().db, "free");
    const owner = await signUp(app, `${unique("owner")}@example.com`);
    await addMember(db().db, org.id, owner.userId, "owner");
    const admin = await makeKey(db().db, org.id, ["admin"]);
    for (const headers of [bearer(admin.key), session(owner.cookie, org.slug)]) {
      const asked = await call(app, "PATCH", "/api/v1/organization/plan", {
        headers,
        body: { plan: "team" },
      });
      expect(asked.status).toBe(404);
    }
    await setPlanOfOrganization(db().db, { org: org.slug, plan: "team" });
    const read = await call(app, "GET", "/api/v1/organization", { headers: session(owner.cookie, org.slug) });
    expect(read.body).toMatchObject({ plan: "team" });
    const log = await call(app, "GET", "/api/v1/audit-log", { headers: bearer(admin.key) });
    expect(log.body).toMatchObject({
      items: expect.arrayContaining([
        expect.objectContaining({
          action: "organization.plan_changed",
          actor: "cli",
          details: { from: "free", to: "team" },
        }),
      ]),
    });
  });
});

describe("owner rules", () => {
  it("keeps the owner role in owners' hands and never leaves an organization without one", async () => {
    const org = await makeOrg(db().db);
    const owner = await signUp(app, `${unique("owner")}@example.com`);
    const admin = await signUp(app, `${unique("admin")}@example.com`);
    await addMember(db().db, org.id, owner.userId, "owner");
    await addMember(db().db, org.id, admin.userId, "admin");
    const target = await makeMember(db().db, org.id, "viewer");
    const asAdmin = session(admin.cookie, org.slug);
    const asOwner = session(owner.cookie, org.slug);

    expect(
      (await call(app, "PATCH", `/api/v1/members/${target}`, { headers: asAdmin, body: { role: "member" } }))
        .status,
    ).toBe(200);
    expect(
      (await call(app, "PATCH", `/api/v1/members/${target}`, { headers: asAdmin, body: { role: "owner" } }))
        .status,
    ).toBe(403);
    expect(
      (
        await call(app, "PATCH", `/api/v1/members/${owner.userId}`, {
          headers: asAdmin,
          body: { role: "viewer" },
        })
      ).status,
    ).toBe(403);
    expect((await call(app, "DELETE", `/api/v1/members/${owner.userId}`, { headers: asAdmin })).status).toBe(
      403,
    );
    // The last owner cannot step down…
    expect(
      (
        await call(app, "PATCH", `/api/v1/members/${owner.userId}`, {
          headers: asOwner,
          body: { role: "admin" },
        })
      ).status,
    ).toBe(409);
    // …until ownership is transferred.
    expect(
      (
        await call(app, "PATCH", `/api/v1/members/${admin.userId}`, {
          headers: asOwner,
          body: { role: "owner" },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(app, "PATCH", `/api/v1/members/${owner.userId}`, {
          headers: asOwner,
          body: { role: "admin" },
        })
      ).status,
    ).toBe(200);
    const members = await call(app, "GET", "/api/v1/members", { headers: asAdmin });
    expect(members.body).toMatchObject({
      items: expect.arrayContaining([
        expect.objectContaining({ userId: admin.userId, role: "owner" }),
        expect.objectContaining({ userId: owner.userId, role: "admin" }),
      ]),
    });
  });
});

describe("invitations", () => {
  it("lets the invited address, and only it, join with the link shown once", async () => {
    const org = await makeOrg(db().db);
    const { key } = await makeKey(db().db, org.id, ["admin"]);
    const email = `${unique("newcomer")}@example.com`;
    const created = await call(app, "POST", "/api/v1/invitations", {
      headers: bearer(key),
      body: { email, role: "member" },
    });
    expect(created.status).toBe(201);
    const acceptUrl = (created.body as { acceptUrl: string }).acceptUrl;
    const token = new URL(acceptUrl).searchParams.get("token") ?? "";
    const listed = await call(app, "GET", "/api/v1/invitations", { headers: bearer(key) });
    expect(JSON.stringify(listed.body)).not.toContain(token);

    const stranger = await signUp(app, `${unique("stranger")}@example.com`);
    const refused = await call(app, "POST", "/api/v1/invitations/accept", {
      headers: { cookie: stranger.cookie, origin: ORIGIN },
      body: { token },
    });
    expect(refused.status).toBe(404);

    const invitee = await signUp(app, email);
    const accepted = await call(app, "POST", "/api/v1/invitations/accept", {
      headers: { cookie: invitee.cookie, origin: ORIGIN },
      body: { token },
    });
    expect(accepted.body).toMatchObject({ organization: { id: org.id, slug: org.slug }, role: "member" });
    const me = await call(app, "GET", "/api/v1/me", { headers: { cookie: invitee.cookie } });
    expect(me.body).toMatchObject({
      organizations: [expect.objectContaining({ slug: org.slug, role: "member" })],
    });
    const again = await call(app, "POST", "/api/v1/invitations/accept", {
      headers: { cookie: invitee.cookie, origin: ORIGIN },
      body: { token },
    });
    expect(again.status).toBe(404);
  });
});
