import { describe, expect, it } from "vitest";
import { MEMBER_ROLES } from "../../src/core/enums.ts";
import {
  PERMISSIONS,
  permissionsForScopes,
  ROLE_PERMISSIONS,
  SCOPE_PERMISSIONS,
} from "../../src/core/permissions.ts";

describe("permissions", () => {
  it("gives each role everything the role below has, and more", () => {
    const order = ["viewer", "member", "admin", "owner"] as const;
    for (let i = 1; i < order.length; i++) {
      const below = new Set(ROLE_PERMISSIONS[order[i - 1] ?? "viewer"]);
      const above = new Set(ROLE_PERMISSIONS[order[i] ?? "owner"]);
      for (const p of below) expect(above.has(p), `${order[i]} lacks ${p}`).toBe(true);
      expect(above.size).toBeGreaterThan(below.size);
    }
    expect(new Set(ROLE_PERMISSIONS.owner)).toEqual(new Set(PERMISSIONS));
    expect(MEMBER_ROLES).toHaveLength(4);
  });

  it("matches the issue: viewers read, members override and manage incidents, no role changes the plan", () => {
    expect(ROLE_PERMISSIONS.viewer).not.toContain("attributions:override");
    expect(ROLE_PERMISSIONS.member).toEqual(
      expect.arrayContaining(["attributions:override", "incidents:write"]),
    );
    expect(ROLE_PERMISSIONS.member).not.toContain("api_keys:manage");
    expect(ROLE_PERMISSIONS.admin).toEqual(
      expect.arrayContaining(["api_keys:manage", "members:manage", "repositories:manage"]),
    );
    // Plans come from the operator or billing, not from any member (services/organizations/billing.ts).
    expect(PERMISSIONS as readonly string[]).not.toContain("organization:plan");
  });

  it("never lets a key act as an owner, and ignores unknown scopes", () => {
    const admin = permissionsForScopes(["admin"]);
    for (const p of ["ownership:transfer", "organization:delete"] as const) expect(admin.has(p)).toBe(false);
    expect(permissionsForScopes(["root", "events:read"])).toEqual(new Set(SCOPE_PERMISSIONS["events:read"]));
    expect(permissionsForScopes(["events:read"]).has("attributions:read")).toBe(false);
  });
});
