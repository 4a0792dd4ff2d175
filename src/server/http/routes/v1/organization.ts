import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { MEMBER_ROLES, ORG_PLANS } from "../../../../core/enums.ts";
import { AppError } from "../../../../core/errors.ts";
import { orgSettingsSchema } from "../../../../core/settings.ts";
import { getUser } from "../../../services/access/get-user.ts";
import {
  createOwnOrganization,
  createOwnOrganizationInputSchema,
} from "../../../services/organizations/create-own-organization.ts";
import { deleteOrganization } from "../../../services/organizations/delete-organization.ts";
import { getOrganization, type OrganizationView } from "../../../services/organizations/get-organization.ts";
import { updateOrganizationSettings } from "../../../services/organizations/update-organization-settings.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant } from "../../middleware/tenant.ts";
import { errorResponses, iso, isoTime, jsonBody, jsonResponse, v1Route } from "./define.ts";

export const organizationSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    plan: z.enum(ORG_PLANS).openapi({
      description: "Set by the operator (`sentinel orgs set-plan`) or billing, never through this API",
    }),
    settings: orgSettingsSchema,
    createdAt: isoTime,
  })
  .openapi("Organization");

const toJson = (org: OrganizationView) => ({ ...org, createdAt: iso(org.createdAt) });

const createdSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    role: z.enum(MEMBER_ROLES).openapi({ description: "The caller's role: owner" }),
  })
  .openapi("CreatedOrganization");

const createRoute = v1Route("session", {
  method: "post",
  path: "/api/v1/organizations",
  tags: ["organization"],
  summary: "Create an organization, with the signed-in person as its owner (sessions only)",
  description:
    "The same rules as `sentinel orgs create`: a slug of 2–48 lowercase letters, digits and single hyphens, " +
    "made from the name when absent; the plan is free. A taken slug is a 409. Recorded in the new " +
    "organization's audit log. Send no X-Sentinel-Org header, or one naming an organization you belong to.",
  request: { body: jsonBody(createOwnOrganizationInputSchema) },
  responses: {
    201: jsonResponse(createdSchema, "The organization; you are its owner"),
    ...errorResponses(409),
  },
});

const getRoute = v1Route("organization:read", {
  method: "get",
  path: "/api/v1/organization",
  tags: ["organization"],
  summary: "The caller's organization",
  responses: { 200: jsonResponse(organizationSchema, "The organization"), ...errorResponses() },
});

const settingsRoute = v1Route("organization:settings", {
  method: "patch",
  path: "/api/v1/organization/settings",
  tags: ["organization"],
  summary: "Change organization settings (admin)",
  description: "Only the fields sent change; the merged settings are validated as a whole.",
  request: { body: jsonBody(orgSettingsSchema.partial()) },
  responses: { 200: jsonResponse(organizationSchema, "The updated organization"), ...errorResponses() },
});

const deleteRoute = v1Route("organization:delete", {
  method: "delete",
  path: "/api/v1/organization",
  tags: ["organization"],
  summary: "Delete the organization and all its data (owner)",
  description:
    "Confirmed by the organization's slug in `confirm`; a different value is a 400 and deletes nothing. " +
    "Erases every row of the organization (repositories, telemetry, metrics, incidents, members, " +
    "invitations, API keys, secrets, models, its audit log) and its queued jobs in one transaction; " +
    "GitHub installations linked to it are unlinked, not deleted. Cannot be undone. API keys never " +
    "have this permission. The deletion is logged by the server (the audit log goes with it).",
  request: {
    body: jsonBody(
      z.strictObject({
        confirm: z.string().max(100).openapi({ description: "The organization's slug", example: "acme" }),
      }),
    ),
  },
  responses: { 204: { description: "Deleted" }, ...errorResponses() },
});

export function registerOrganizationRoutes(app: OpenAPIHono<V1Bindings>, publicOrigin: string): void {
  app.openapi(createRoute, async (c) => {
    const input = c.req.valid("json");
    const { auth, db } = c.var;
    if (!auth.userId) throw new AppError("forbidden", "this route is for signed-in people, not API keys");
    // No tenant yet: the person's own row, then the creation, on the connection's role (as the CLI).
    const { email } = await getUser(db, auth.userId);
    const org = await createOwnOrganization(db, { userId: auth.userId, email }, input, publicOrigin);
    return c.json({ id: org.id, slug: org.slug, name: org.name, role: "owner" as const }, 201);
  });

  app.openapi(getRoute, async (c) => c.json(toJson(await withTenant(c.var, getOrganization)), 200));

  app.openapi(settingsRoute, async (c) => {
    // zod fills defaults into absent fields; only what the caller sent is a change.
    const sent = Object.keys((await c.req.json()) as object);
    const valid = c.req.valid("json");
    const patch = Object.fromEntries(Object.entries(valid).filter(([key]) => sent.includes(key)));
    return c.json(toJson(await withTenant(c.var, (ctx) => updateOrganizationSettings(ctx, patch))), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const { confirm } = c.req.valid("json");
    const { auth, db } = c.var;
    if (!auth.org) throw new AppError("not_found", "organization not found");
    // Not withTenant: the service unlinks installations and clears queued jobs on the connection's
    // role, and deletes the organization's own rows as the tenant role itself.
    await deleteOrganization({ db, orgId: auth.org.id, actor: auth.actor }, { confirm });
    return c.body(null, 204);
  });
}
