import type { OpenAPIHono } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { MemberRole, OrgPlan } from "../../src/core/enums.ts";
import type { ApiKeyScope } from "../../src/core/permissions.ts";
import type { Database, DatabaseHandle } from "../../src/server/db/client.ts";
import { loadEnv } from "../../src/server/env.ts";
import { createApp } from "../../src/server/http/app.ts";
import type { AppBindings } from "../../src/server/http/context.ts";
import { noQueue } from "../../src/server/jobs/queue.ts";
import { createApiKey } from "../../src/server/services/api-keys/create-api-key.ts";
import { createOrganization } from "../../src/server/services/organizations/create-organization.ts";

export const ORIGIN = "http://localhost";
export const TEST_ENV = loadEnv({
  NODE_ENV: "test",
  BETTER_AUTH_SECRET: "test-secret-test-secret-test-secret-0123456789",
  SENTINEL_PUBLIC_URL: ORIGIN,
  GITHUB_APP_SLUG: "sentinel-test",
  LOG_LEVEL: "silent",
  SENTINEL_DATA_DIR: "/tmp/sentinel-api-tests",
});

export type TestApp = OpenAPIHono<AppBindings>;

/** The API alone: no workers take jobs in these tests, so the app sends none (noQueue). */
export function buildApp(handle: DatabaseHandle): TestApp {
  return createApp({ handle, env: TEST_ENV, queue: noQueue, github: null });
}

export interface Credentials {
  /** `Authorization: Bearer …` or a session cookie (+ the org header) */
  headers: Record<string, string>;
}

/** A request to the in-process app with JSON in and out. */
export async function call(
  app: TestApp,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; rawBody?: string } = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
    headers["content-type"] = "application/json";
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  const response = await app.request(`${ORIGIN}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

let counter = 0;
export const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

/** Signs up through Better Auth and returns the session cookie. */
export async function signUp(
  app: TestApp,
  email: string,
  name = "Test Person",
): Promise<{ cookie: string; userId: string }> {
  const response = await app.request(`${ORIGIN}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN },
    body: JSON.stringify({ email, password: "correct horse battery", name }),
  });
  if (response.status !== 200) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { user: { id: string } };
  return { cookie: sessionCookie(response), userId: body.user.id };
}

export async function signIn(app: TestApp, email: string, cookie?: string): Promise<Response> {
  return app.request(`${ORIGIN}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ email, password: "correct horse battery" }),
  });
}

/** `name=value` of the session cookie a Better Auth response set. */
export function sessionCookie(response: Response): string {
  const set = response.headers.getSetCookie().find((c) => c.includes("session_token="));
  if (!set) throw new Error("no session cookie in the response");
  return set.split(";")[0] ?? "";
}

export async function addMember(
  db: Database,
  orgId: string,
  userId: string,
  role: MemberRole,
): Promise<void> {
  await db.execute(
    sql`INSERT INTO organization_members (org_id, user_id, role) VALUES (${orgId}, ${userId}, ${role})`,
  );
}

export async function makeOrg(
  db: Database,
  plan: OrgPlan = "enterprise",
): Promise<{ id: string; slug: string }> {
  const slug = unique("org").toLowerCase();
  const org = await createOrganization(db, { kind: "cli" }, { name: slug, slug, plan }, ORIGIN);
  return { id: org.id, slug: org.slug };
}

export async function makeKey(
  db: Database,
  orgId: string,
  scopes: ApiKeyScope[],
  options: { expiresAt?: Date } = {},
): Promise<{ key: string; id: string }> {
  const created = await createApiKey(
    { db, orgId, actor: { kind: "cli" } },
    { name: unique("key"), scopes, ...options },
  );
  return { key: created.key, id: created.id };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
export const session = (cookie: string, slug: string) => ({ cookie, "x-sentinel-org": slug, origin: ORIGIN });
