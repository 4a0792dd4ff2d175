import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  API_KEY_SCOPES,
  type Permission,
  ROLE_PERMISSIONS,
  SCOPE_PERMISSIONS,
} from "../../src/core/permissions.ts";
import { v1OpenApiDocument } from "../../src/server/http/routes/v1/index.ts";
import { createApiKey } from "../../src/server/services/api-keys/create-api-key.ts";
import { createInvitation } from "../../src/server/services/invitations/create-invitation.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { bearer, buildApp, call, makeOrg, ORIGIN, session, type TestApp, unique } from "./helpers.ts";
import { makeMember, makeTenant, type Tenant } from "./tenants.ts";

// The shared security suite: every route of the OpenAPI document, five kinds of case each.
// Routes come from the document itself, so a new route fails here until it has a fixture below.

interface Req {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** The person to act as for the "right credentials" case when the owner would not do. */
  as?: "owner";
}

interface Fixture {
  /** The request against tenant `t`, creating what it acts on (fresh per call). */
  request(t: Tenant): Promise<Req> | Req;
  /** Whether the request names objects of `t` (another tenant must then get 404). */
  namesTenantObjects: boolean;
  /** The same request with one input broken, and the field the 400 must name. */
  malformed?: (t: Tenant) => Promise<Req & { field: string }> | (Req & { field: string });
  /**
   * For a request that destroys what it acts on (the organization, the caller's account): each
   * case runs against a fresh tenant made by this, instead of the shared tenant A.
   */
  freshTenant?: () => Promise<Tenant>;
  /** What another organization's caller gets when it is neither 404 nor success (a confirmation naming A's object). */
  crossTenantStatus?: number;
  /** The route acts for a person (its result is bound to them): API keys get 403 whatever their scope. */
  peopleOnly?: true;
}

// Sign-ups hash passwords (scrypt) and a fresh database is migrated: slow on a busy machine.
vi.setConfig({ hookTimeout: 240_000, testTimeout: 120_000 });

const db = useTestDatabase();
let app: TestApp;
let A: Tenant;
let B: Tenant;

const adminCtx = (t: Tenant) => ({ db: db().db, orgId: t.org.id, actor: { kind: "cli" as const } });

const FIXTURES: Record<string, Fixture> = {
  "GET /api/v1/me": { request: () => ({}), namesTenantObjects: false },
  "DELETE /api/v1/me": {
    // The tenant's only member deletes their account (and so the organization). Another person
    // sending this address is refused (400): it is not theirs, and nothing is deleted.
    request: (t) => ({ body: { confirm: t.people.owner.email } }),
    namesTenantObjects: true,
    crossTenantStatus: 400,
    malformed: () => ({ body: { confirm: "someone-else@example.com" }, field: "confirm" }),
    freshTenant: () => makeTenant(app, db().db, ["owner"]),
  },
  "POST /api/v1/organizations": {
    // A new organization each time, owned by the caller: nothing of another tenant is named.
    request: () => ({ body: { name: "Created by the suite", slug: unique("new-org").toLowerCase() } }),
    namesTenantObjects: false,
    malformed: () => ({ body: { name: "Created by the suite", slug: "Not A Slug" }, field: "slug" }),
  },
  "GET /api/v1/organization": { request: () => ({}), namesTenantObjects: false },
  "DELETE /api/v1/organization": {
    // Another organization's owner acts on their own organization, and A's slug does not confirm
    // it (400): neither organization is deleted.
    request: (t) => ({ body: { confirm: t.org.slug } }),
    namesTenantObjects: true,
    crossTenantStatus: 400,
    malformed: () => ({ body: { confirm: "not-the-slug" }, field: "confirm" }),
    freshTenant: () => makeTenant(app, db().db, ["owner", "admin"]),
  },
  "PATCH /api/v1/organization/settings": {
    request: () => ({ body: { aiHeavyThreshold: 0.6 } }),
    namesTenantObjects: false,
    malformed: () => ({ body: { aiHeavyThreshold: 5 }, field: "aiHeavyThreshold" }),
  },
  "GET /api/v1/members": { request: () => ({}), namesTenantObjects: false },
  "PATCH /api/v1/members/{userId}": {
    request: async (t) => ({
      params: { userId: await makeMember(db().db, t.org.id) },
      body: { role: "member" },
    }),
    namesTenantObjects: true,
    malformed: async (t) => ({
      params: { userId: await makeMember(db().db, t.org.id) },
      body: { role: "king" },
      field: "role",
    }),
  },
  "DELETE /api/v1/members/{userId}": {
    request: async (t) => ({ params: { userId: await makeMember(db().db, t.org.id) } }),
    namesTenantObjects: true,
  },
  "GET /api/v1/invitations": { request: () => ({}), namesTenantObjects: false },
  "POST /api/v1/invitations": {
    request: () => ({ body: { email: `${unique("invitee")}@example.com`, role: "viewer" } }),
    namesTenantObjects: false,
    malformed: () => ({ body: { email: "not-an-address", role: "viewer" }, field: "email" }),
  },
  "DELETE /api/v1/invitations/{id}": {
    request: async (t) => {
      const invitation = await createInvitation(
        adminCtx(t),
        { email: `${unique("x")}@example.com`, role: "viewer" },
        ORIGIN,
      );
      return { params: { id: invitation.id } };
    },
    namesTenantObjects: true,
    malformed: () => ({ params: { id: "not-a-uuid" }, field: "id" }),
  },
  "POST /api/v1/invitations/accept": {
    // An invitation to a third organization for the owner's address; accepting needs the token
    // and the invited address (anyone else gets the 404 of an unknown token).
    request: async (t) => {
      const other = await makeOrg(db().db);
      const invitation = await createInvitation(
        { db: db().db, orgId: other.id, actor: { kind: "cli" } },
        { email: t.people.owner.email, role: "viewer" },
        ORIGIN,
      );
      return { body: { token: new URL(invitation.acceptUrl).searchParams.get("token") } };
    },
    namesTenantObjects: true,
    malformed: () => ({ body: { token: "" }, field: "token" }),
  },
  "GET /api/v1/installations": { request: () => ({}), namesTenantObjects: false },
  "POST /api/v1/installations/install-link": {
    request: () => ({}),
    namesTenantObjects: false,
    peopleOnly: true,
  },
  "GET /api/v1/repositories": { request: () => ({}), namesTenantObjects: false },
  "GET /api/v1/repositories/{id}": {
    request: (t) => ({ params: { id: t.repoId } }),
    namesTenantObjects: true,
    malformed: () => ({ params: { id: "42" }, field: "id" }),
  },
  "GET /api/v1/repositories/{id}/sync": {
    request: (t) => ({ params: { id: t.repoId } }),
    namesTenantObjects: true,
    malformed: () => ({ params: { id: "42" }, field: "id" }),
  },
  "GET /api/v1/repository-sync": { request: () => ({}), namesTenantObjects: false },
  "PATCH /api/v1/repositories/{id}": {
    request: (t) => ({ params: { id: t.repoId }, body: { tracked: true } }),
    namesTenantObjects: true,
    malformed: (t) => ({ params: { id: t.repoId }, body: { tracked: "yes" }, field: "tracked" }),
  },
  "PATCH /api/v1/repositories/{id}/settings": {
    request: (t) => ({ params: { id: t.repoId }, body: { ignoredPaths: ["vendor/**"] } }),
    namesTenantObjects: true,
    malformed: (t) => ({ params: { id: t.repoId }, body: { ignoredPaths: "vendor" }, field: "ignoredPaths" }),
  },
  "GET /api/v1/events": {
    request: (t) => ({ query: { repositoryId: t.repoId } }),
    namesTenantObjects: true,
    malformed: () => ({ query: { type: "meteor" }, field: "type" }),
  },
  "GET /api/v1/attributions": {
    request: (t) => ({ query: { repositoryId: t.repoId } }),
    namesTenantObjects: true,
    malformed: () => ({ query: { minConfidence: "2" }, field: "minConfidence" }),
  },
  "GET /api/v1/repositories/{id}/top-files": {
    request: (t) => ({ params: { id: t.repoId }, query: { tier: "T3_core", limit: "5" } }),
    namesTenantObjects: true,
    malformed: (t) => ({ params: { id: t.repoId }, query: { limit: "101" }, field: "limit" }),
  },
  "POST /api/v1/attributions/override": {
    request: (t) => ({
      body: {
        repositoryId: t.repoId,
        commitSha: t.sha,
        filePath: t.filePath,
        verdict: "ai",
        reason: "pair-reviewed",
      },
    }),
    namesTenantObjects: true,
    malformed: (t) => ({
      body: { repositoryId: t.repoId, commitSha: t.sha, filePath: t.filePath, verdict: "maybe", reason: "x" },
      field: "verdict",
    }),
  },
  "GET /api/v1/commits/{sha}": {
    request: (t) => ({ params: { sha: t.sha } }),
    namesTenantObjects: true,
    malformed: () => ({ params: { sha: "xyz" }, field: "sha" }),
  },
  "GET /api/v1/api-keys": { request: () => ({}), namesTenantObjects: false },
  "POST /api/v1/api-keys": {
    request: () => ({ body: { name: "ci", scopes: ["events:read"] } }),
    namesTenantObjects: false,
    malformed: () => ({ body: { name: "ci", scopes: ["root"] }, field: "scopes" }),
  },
  "DELETE /api/v1/api-keys/{id}": {
    request: async (t) => ({
      params: { id: (await createApiKey(adminCtx(t), { name: "doomed", scopes: ["events:read"] })).id },
    }),
    namesTenantObjects: true,
    malformed: () => ({ params: { id: "nope" }, field: "id" }),
  },
  "GET /api/v1/incidents": {
    request: (t) => ({ query: { repositoryId: t.repoId } }),
    namesTenantObjects: true,
    malformed: () => ({ query: { status: "panicking" }, field: "status" }),
  },
  "POST /api/v1/incidents": {
    request: (t) => ({ body: { title: "Checkout down", severity: "sev2", repositoryId: t.repoId } }),
    namesTenantObjects: true,
    malformed: () => ({ body: { title: "", severity: "sev2" }, field: "title" }),
  },
  "GET /api/v1/incidents/{id}": {
    request: async (t) => ({ params: { id: await openIncident(t) } }),
    namesTenantObjects: true,
    malformed: () => ({ params: { id: "INC-1" }, field: "id" }),
  },
  "PATCH /api/v1/incidents/{id}": {
    request: async (t) => ({ params: { id: await openIncident(t) }, body: { status: "identified" } }),
    namesTenantObjects: true,
    malformed: async (t) => ({ params: { id: await openIncident(t) }, body: { title: 7 }, field: "title" }),
  },
  "GET /api/v1/metrics": {
    request: (t) => ({ query: { period: "day", from: daysAgo(20), to: daysAgo(0), repositoryId: t.repoId } }),
    namesTenantObjects: true,
    malformed: () => ({ query: { period: "fortnight", from: daysAgo(20), to: daysAgo(0) }, field: "period" }),
  },
  "GET /api/v1/metrics/dora": {
    request: (t) => ({ query: { from: daysAgo(20), to: daysAgo(0), repositoryId: t.repoId } }),
    namesTenantObjects: true,
    malformed: () => ({ query: { from: "yesterday", to: daysAgo(0) }, field: "from" }),
  },
  "GET /api/v1/metrics/survival": {
    request: (t) => ({ query: { from: daysAgo(20), to: daysAgo(0), repositoryId: t.repoId } }),
    namesTenantObjects: true,
    malformed: () => ({ query: { from: daysAgo(20), to: "later" }, field: "to" }),
  },
  "GET /api/v1/metrics/repositories": {
    request: () => ({ query: { from: daysAgo(20), to: daysAgo(0) } }),
    namesTenantObjects: false,
    malformed: () => ({ query: { from: daysAgo(20), to: "soon" }, field: "to" }),
  },
  "POST /api/v1/integrations/{provider}/rotate-secret": {
    // Rotates the caller's own organization's secret: another organization's owner rotates theirs.
    request: () => ({ params: { provider: "pagerduty" } }),
    namesTenantObjects: false,
    malformed: () => ({ params: { provider: "opsgenie" }, field: "provider" }),
  },
  "GET /api/v1/audit-log": {
    request: () => ({}),
    namesTenantObjects: false,
    malformed: () => ({ query: { limit: "500" }, field: "limit" }),
  },
  "GET /api/v1/model": { request: () => ({}), namesTenantObjects: false },
  // Queues a training of the caller's own organization's model; it takes no input.
  "POST /api/v1/model/train": { request: () => ({}), namesTenantObjects: false },
};

/** The tenant a case acts on: the shared A, or a fresh one for a request that destroys it. */
const tenantFor = (f: Fixture): Promise<Tenant> => (f.freshTenant ? f.freshTenant() : Promise.resolve(A));

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

/** An incident in the tenant, opened through the API as its owner. */
async function openIncident(t: Tenant): Promise<string> {
  const res = await call(app, "POST", "/api/v1/incidents", {
    headers: session(t.people.owner.cookie, t.org.slug),
    body: { title: unique("incident"), severity: "sev3", repositoryId: t.repoId },
  });
  if (res.status !== 201) throw new Error(`could not open an incident: ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}

interface Operation {
  method: string;
  path: string;
  access: string;
  successStatus: number;
  required: string[];
}

type JsonSchema = { $ref?: string; required?: string[] };
const doc = v1OpenApiDocument(ORIGIN) as unknown as {
  paths: Record<
    string,
    Record<
      string,
      {
        "x-sentinel-access"?: string;
        responses: Record<string, { content?: { "application/json"?: { schema?: JsonSchema } } }>;
      }
    >
  >;
  components?: { schemas?: Record<string, JsonSchema> };
};

function requiredOf(schema: JsonSchema | undefined): string[] {
  if (schema?.$ref) return requiredOf(doc.components?.schemas?.[schema.$ref.split("/").pop() ?? ""]);
  return schema?.required ?? [];
}

const operations: Operation[] = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => {
    const success = Object.keys(op.responses).find((code) => code.startsWith("2")) ?? "200";
    return {
      method: method.toUpperCase(),
      path,
      access: op["x-sentinel-access"] ?? "public",
      successStatus: Number(success),
      required: requiredOf(op.responses[success]?.content?.["application/json"]?.schema),
    };
  }),
);

function url(path: string, req: Req): string {
  let out = path;
  for (const [name, value] of Object.entries(req.params ?? {}))
    out = out.replace(`{${name}}`, encodeURIComponent(value));
  const query = new URLSearchParams(req.query ?? {}).toString();
  return query ? `${out}?${query}` : out;
}

function send(op: Operation, req: Req, headers: Record<string, string>) {
  return call(app, op.method, url(op.path, req), {
    headers,
    ...(req.body === undefined ? {} : { body: req.body }),
  });
}

const ROLES_BELOW_OWNER = ["admin", "member", "viewer"] as const;
const counts = { unauthenticated: 0, crossTenant: 0, forbidden: 0, malformed: 0, oversized: 0, success: 0 };

beforeAll(async () => {
  app = buildApp(db());
  A = await makeTenant(app, db().db);
  // The other tenant only needs its owner and keys.
  B = await makeTenant(app, db().db, ["owner"]);
});

describe("the OpenAPI document", () => {
  it("lists every v1 route with an access rule, and the server serves the same document", async () => {
    expect(operations.length).toBeGreaterThan(20);
    for (const op of operations) expect(op.access, `${op.method} ${op.path}`).not.toBe("public");
    const served = await call(app, "GET", "/api/v1/openapi.json");
    expect(served.status).toBe(200);
    expect(Object.keys((served.body as typeof doc).paths).sort()).toEqual(Object.keys(doc.paths).sort());
    const page = await app.request(`${ORIGIN}/api/v1/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("openapi.json");
  });

  it("has a security fixture for every route", () => {
    const missing = operations.map((op) => `${op.method} ${op.path}`).filter((key) => !FIXTURES[key]);
    expect(missing, "add a fixture to test/api/security.db.test.ts").toEqual([]);
  });
});

describe.each(operations)("$method $path", (op) => {
  const fixture = () => {
    const f = FIXTURES[`${op.method} ${op.path}`];
    if (!f) throw new Error(`no security fixture for ${op.method} ${op.path}`);
    return f;
  };

  it("answers 401 without credentials, with a mistyped key and with a forged cookie", async () => {
    const A = await tenantFor(fixture());
    const req = await fixture().request(A);
    const anonymous: Array<Record<string, string>> = [
      {},
      bearer(`${A.adminKey.slice(0, -1)}${A.adminKey.endsWith("a") ? "b" : "a"}`),
      { cookie: "better-auth.session_token=forged.value", origin: ORIGIN },
    ];
    for (const headers of anonymous) {
      const res = await send(op, req, headers);
      expect(res.status, JSON.stringify(res.body)).toBe(401);
      expect(res.body).toMatchObject({ code: "unauthorized", requestId: expect.any(String) });
      counts.unauthenticated++;
    }
  });

  it("gives another organization's key and session nothing of this one (404, never 403)", async () => {
    const A = await tenantFor(fixture());
    // B's most powerful credentials: its owner, and its admin key where a key may use the route.
    const callers: Array<Record<string, string>> = [session(B.people.owner.cookie, B.org.slug)];
    if (!fixture().peopleOnly && SCOPE_PERMISSIONS.admin.includes(op.access as Permission))
      callers.push(bearer(B.adminKey));
    for (const headers of callers) {
      const req = await fixture().request(A);
      const res = await send(op, req, headers);
      const expected = fixture().crossTenantStatus;
      if (expected) {
        expect(res.status, JSON.stringify(res.body)).toBe(expected);
      } else if (fixture().namesTenantObjects) {
        expect(res.status, JSON.stringify(res.body)).toBe(404);
      } else {
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      }
      const text = JSON.stringify(res.body);
      for (const secret of [A.org.id, A.org.slug, A.repoId, A.sha, A.people.owner.email])
        expect(text).not.toContain(secret);
      counts.crossTenant++;
    }
    // Naming this organization with another's session is the same 404 as a slug that does not exist.
    const probe = await send(op, await fixture().request(A), session(B.people.owner.cookie, A.org.slug));
    expect(probe.status).toBe(404);
    counts.crossTenant++;
  });

  it("refuses a role or key scope without the permission with 403", async () => {
    const A = await tenantFor(fixture());
    const req = await fixture().request(A);
    const cases: Array<Record<string, string>> = [];
    if (op.access === "session") {
      cases.push(bearer(A.adminKey));
    } else {
      const permission = op.access as Permission;
      const role = ROLES_BELOW_OWNER.find((r) => !ROLE_PERMISSIONS[r].includes(permission));
      if (role) cases.push(session(A.people[role].cookie, A.org.slug));
      const scope = API_KEY_SCOPES.find((s) => !SCOPE_PERMISSIONS[s].includes(permission));
      if (scope) cases.push(bearer(A.scopeKeys[scope]));
      if (fixture().peopleOnly) cases.push(bearer(A.adminKey));
    }
    for (const headers of cases) {
      const res = await send(op, req, headers);
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body).toMatchObject({ code: "forbidden" });
      counts.forbidden++;
    }
  });

  it("answers malformed input with 400 naming the field", async () => {
    const make = fixture().malformed;
    if (!make) return;
    const A = await tenantFor(fixture());
    const { field, ...req } = await make(A);
    const res = await send(op, req, session(A.people.owner.cookie, A.org.slug));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect((res.body as { message: string }).message).toContain(field);
    counts.malformed++;
  });

  it("refuses an oversized body with 413 before the route reads it", async () => {
    const declared = doc.paths[op.path]?.[op.method.toLowerCase()] as { requestBody?: unknown } | undefined;
    if (!declared?.requestBody) return;
    const A = await tenantFor(fixture());
    const req = await fixture().request(A);
    const padded = { ...(req.body as object | undefined), padding: "x".repeat(1024 * 1024) };
    const res = await call(app, op.method, url(op.path, req), {
      headers: session(A.people.owner.cookie, A.org.slug),
      rawBody: JSON.stringify(padded),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(413);
    expect(res.body).toMatchObject({ code: "payload_too_large", requestId: expect.any(String) });
    counts.oversized++;
  });

  it("gives the right credentials the documented answer", async () => {
    const A = await tenantFor(fixture());
    const callers: Array<Record<string, string>> = [session(A.people.owner.cookie, A.org.slug)];
    if (
      op.access !== "session" &&
      !fixture().peopleOnly &&
      SCOPE_PERMISSIONS.admin.includes(op.access as Permission)
    )
      callers.push(bearer(A.adminKey));
    for (const headers of callers) {
      const req = await fixture().request(A);
      const res = await send(op, req, headers);
      expect(res.status, JSON.stringify(res.body)).toBe(op.successStatus);
      for (const key of op.required) expect(res.body, `${op.method} ${op.path} → ${key}`).toHaveProperty(key);
      counts.success++;
    }
  });
});

describe("security suite totals", () => {
  it("ran every kind of case", () => {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`security suite: ${operations.length} routes, ${total} cases`, counts);
    expect(counts.unauthenticated).toBe(operations.length * 3);
    expect(counts.success).toBeGreaterThanOrEqual(operations.length);
  });
});
