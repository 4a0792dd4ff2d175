import type { MiddlewareHandler } from "hono";
import type { MemberRole, OrgPlan } from "../../../core/enums.ts";
import { AppError } from "../../../core/errors.ts";
import { type Permission, permissionsForRole, permissionsForScopes } from "../../../core/permissions.ts";
import { apiKeyState, hashApiKey, isWellFormedApiKey } from "../../auth/api-keys.ts";
import type { Auth } from "../../auth/better-auth.ts";
import type { Database } from "../../db/client.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import { findApiKeyByHash } from "../../services/access/find-api-key.ts";
import { findMembershipBySlug, listMemberships } from "../../services/access/find-membership.ts";
import { isLastUseStale, recordApiKeyUse } from "../../services/access/record-api-key-use.ts";
import type { Actor } from "../../services/context.ts";
import type { AppVariables } from "../context.ts";

/** The organization a request acts for. */
export interface RequestOrg {
  id: string;
  slug: string;
  plan: OrgPlan;
}

/** Who is calling, for which organization, with which permissions: set once per request. */
export interface RequestAuth {
  via: "session" | "api_key";
  actor: Actor;
  /** The signed-in person (sessions only). */
  userId: string | null;
  apiKeyId: string | null;
  /** Null for a signed-in person who belongs to no organization yet. */
  org: RequestOrg | null;
  role: MemberRole | null;
  permissions: ReadonlySet<Permission>;
}

export interface V1Variables extends AppVariables {
  auth: RequestAuth;
  /** The database; tenant work goes through withTenant, never straight to this. */
  db: Database;
  /** Where withTenant sends the services' after-commit work. */
  queue: JobQueue;
}

export interface V1Bindings {
  Variables: V1Variables;
}

export const ORG_HEADER = "x-sentinel-org";

export interface AuthenticateDeps {
  db: Database;
  queue: JobQueue;
  auth: Auth;
}

const unauthorized = (message: string) => new AppError("unauthorized", message);

/**
 * Resolves the caller from `Authorization: Bearer snt_live_…` or the Better Auth session cookie.
 * These lookups run before the tenant is known, on the connection's own role; everything after
 * runs inside the tenant transaction (withTenant).
 */
export function authenticate(deps: AuthenticateDeps): MiddlewareHandler<V1Bindings> {
  return async (c, next) => {
    c.set("db", deps.db);
    c.set("queue", deps.queue);
    const authorization = c.req.header("authorization");
    const requested = c.req.header(ORG_HEADER)?.trim() || undefined;
    const result = authorization
      ? await fromApiKey(deps, authorization, requested)
      : await fromSession(deps, c.req.raw.headers, requested);
    c.set("auth", result);
    await next();
  };
}

async function fromApiKey(
  deps: AuthenticateDeps,
  authorization: string,
  requested: string | undefined,
): Promise<RequestAuth> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  const key = match?.[1];
  if (!key) throw unauthorized("the Authorization header must be 'Bearer <API key>'");
  // Checksum first: a mistyped or invented key costs no database read.
  if (!isWellFormedApiKey(key)) throw unauthorized("invalid API key");
  const stored = await findApiKeyByHash(deps.db, hashApiKey(key));
  if (!stored) throw unauthorized("invalid API key");
  const state = apiKeyState(stored);
  if (state !== "active") throw unauthorized(`this API key is ${state}`);
  // A key belongs to one organization: naming another one finds nothing.
  if (requested && requested !== stored.org.slug) throw new AppError("not_found", "organization not found");
  if (isLastUseStale(stored.lastUsedAt)) await recordApiKeyUse(deps.db, stored.id);
  return {
    via: "api_key",
    actor: { kind: "api_key", keyId: stored.id, scopes: stored.scopes },
    userId: null,
    apiKeyId: stored.id,
    org: stored.org,
    role: null,
    permissions: permissionsForScopes(stored.scopes),
  };
}

async function fromSession(
  deps: AuthenticateDeps,
  headers: Headers,
  requested: string | undefined,
): Promise<RequestAuth> {
  const session = await deps.auth.api.getSession({ headers });
  if (!session) throw unauthorized("sign in, or send an API key as 'Authorization: Bearer <key>'");
  const userId = session.user.id;
  const membership = requested
    ? await findMembershipBySlug(deps.db, userId, requested)
    : ((await listMemberships(deps.db, userId))[0] ?? null);
  // Not a member and a non-existent slug answer alike, so slugs cannot be probed.
  if (requested && !membership) throw new AppError("not_found", "organization not found");
  const role = membership?.role ?? null;
  return {
    via: "session",
    actor: role ? { kind: "user", userId, role } : { kind: "user", userId, role: "viewer" },
    userId,
    apiKeyId: null,
    org: membership ? { id: membership.org.id, slug: membership.org.slug, plan: membership.org.plan } : null,
    role,
    permissions: role ? permissionsForRole(role) : new Set(),
  };
}
