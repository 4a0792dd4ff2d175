import type { MemberRole } from "../../../core/enums.ts";
import { AppError } from "../../../core/errors.ts";
import {
  type Permission,
  permissionsForRole,
  permissionsForScopes,
  roleAtMost,
} from "../../../core/permissions.ts";
import type { Actor } from "../context.ts";

// The one rule for granting or taking away a role, used by invitations (at creation and again at
// acceptance), member updates and removals: an actor grants, changes or removes only roles at or
// below its own. So only an owner grants owner, and an API key — which acts as an admin at most —
// never does. The CLI is the operator of the installation and acts as an owner; jobs and webhooks
// grant nothing.

/** The role an actor grants with, or null when it grants nothing. */
export function grantingRole(actor: Actor): MemberRole | null {
  switch (actor.kind) {
    case "user":
      return actor.role;
    case "api_key":
      return actor.scopes.includes("admin") ? "admin" : null;
    case "cli":
    case "system":
      return "owner";
    case "job":
    case "webhook":
      return null;
  }
}

export function mayGrant(grantor: MemberRole | null, role: MemberRole): boolean {
  return grantor !== null && roleAtMost(role, grantor);
}

/** Whether a member with `inviter`'s role may (still) have invited someone as `role`. */
export function mayInvite(inviter: MemberRole | null, role: MemberRole): boolean {
  return inviter !== null && permissionsForRole(inviter).has("invitations:manage") && mayGrant(inviter, role);
}

/** 403 unless `actor` may grant (or change, or remove) `role`. */
export function assertMayGrant(actor: Actor, role: MemberRole): void {
  if (mayGrant(grantingRole(actor), role)) return;
  const message =
    role === "owner"
      ? "only an owner can grant, change or remove the owner role"
      : `your role cannot grant, change or remove the ${role} role`;
  throw new AppError("forbidden", message, {
    permission: role === "owner" ? "ownership:transfer" : "members:manage",
  });
}

/**
 * The same rule for API keys: a key holds no permission its creator lacks. (Keys act as an admin at
 * most, so a key never carries an owner's powers whoever creates it.)
 */
export function assertMayGrantScopes(actor: Actor, scopes: readonly string[]): void {
  const role = grantingRole(actor);
  const held =
    actor.kind === "api_key"
      ? permissionsForScopes(actor.scopes)
      : role
        ? permissionsForRole(role)
        : new Set<Permission>();
  const missing = [...permissionsForScopes(scopes)].filter((p) => !held.has(p));
  if (missing.length > 0) {
    throw new AppError("forbidden", `a key cannot hold permissions you lack: ${missing.join(", ")}`, {
      permission: missing[0],
    });
  }
}
