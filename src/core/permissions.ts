import type { MemberRole } from "./enums.ts";
import { AppError } from "./errors.ts";

// The one table of who may do what. Routes name the permission they need; the request's
// permissions come from the member's role (sessions) or the key's scopes (API keys), and
// `assertPermission` is the only place that compares them.

export const PERMISSIONS = [
  "organization:read",
  "organization:settings",
  "organization:delete",
  "ownership:transfer",
  "members:read",
  "members:manage",
  "invitations:manage",
  "installations:read",
  "installations:manage",
  "repositories:read",
  "repositories:manage",
  "events:read",
  "attributions:read",
  "attributions:override",
  "metrics:read",
  "incidents:read",
  "incidents:write",
  "api_keys:manage",
  "audit_log:read",
  "model:train",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: readonly Permission[] = [
  "organization:read",
  "members:read",
  "installations:read",
  "repositories:read",
  "events:read",
  "attributions:read",
  "metrics:read",
  "incidents:read",
];
const MEMBER: readonly Permission[] = [...VIEWER, "attributions:override", "incidents:write"];
const ADMIN: readonly Permission[] = [
  ...MEMBER,
  "organization:settings",
  "members:manage",
  "invitations:manage",
  "installations:manage",
  "repositories:manage",
  "api_keys:manage",
  "audit_log:read",
  // Training costs a worker minutes of CPU and may change every unexplained file's verdict.
  "model:train",
];
// No role changes the plan: the operator or billing does (services/organizations/billing.ts).
const OWNER: readonly Permission[] = [...ADMIN, "ownership:transfer", "organization:delete"];

export const ROLE_PERMISSIONS: Record<MemberRole, readonly Permission[]> = {
  viewer: VIEWER,
  member: MEMBER,
  admin: ADMIN,
  owner: OWNER,
};

export const API_KEY_SCOPES = [
  "events:read",
  "attributions:read",
  "overrides:write",
  "incidents:write",
  "metrics:read",
  "admin",
] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

// Every key may read the organization it belongs to and its repository list (ids are needed to
// filter anything else). `admin` is an admin member's powers, never an owner's: a key cannot
// transfer ownership or delete the organization.
const KEY_BASE: readonly Permission[] = ["organization:read", "repositories:read"];

export const SCOPE_PERMISSIONS: Record<ApiKeyScope, readonly Permission[]> = {
  "events:read": [...KEY_BASE, "events:read"],
  "attributions:read": [...KEY_BASE, "attributions:read"],
  "overrides:write": [...KEY_BASE, "attributions:read", "attributions:override"],
  "incidents:write": [...KEY_BASE, "incidents:read", "incidents:write"],
  "metrics:read": [...KEY_BASE, "metrics:read", "incidents:read"],
  admin: ADMIN,
};

export function permissionsForRole(role: MemberRole): ReadonlySet<Permission> {
  return new Set(ROLE_PERMISSIONS[role]);
}

export function permissionsForScopes(scopes: readonly string[]): ReadonlySet<Permission> {
  const out = new Set<Permission>();
  for (const scope of scopes) {
    if (!isApiKeyScope(scope)) continue;
    for (const permission of SCOPE_PERMISSIONS[scope]) out.add(permission);
  }
  return out;
}

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}

/** The single check: 403 naming the missing permission. */
export function assertPermission(granted: ReadonlySet<Permission>, needed: Permission): void {
  if (!granted.has(needed)) {
    throw new AppError("forbidden", `this action needs the ${needed} permission`, { permission: needed });
  }
}

const ROLE_RANK: Record<MemberRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** True when `role` is `ceiling` or below it. */
export function roleAtMost(role: MemberRole, ceiling: MemberRole): boolean {
  return ROLE_RANK[role] <= ROLE_RANK[ceiling];
}

/** The roles above `role`, highest first. */
export function rolesAbove(role: MemberRole): MemberRole[] {
  return (Object.keys(ROLE_RANK) as MemberRole[])
    .filter((r) => ROLE_RANK[r] > ROLE_RANK[role])
    .sort((a, b) => ROLE_RANK[b] - ROLE_RANK[a]);
}
