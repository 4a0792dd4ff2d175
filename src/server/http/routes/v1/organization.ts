import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { ORG_PLANS } from "../../../../core/enums.ts";
import { orgSettingsSchema } from "../../../../core/settings.ts";
import { changePlan } from "../../../services/organizations/change-plan.ts";
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
    plan: z.enum(ORG_PLANS),
    settings: orgSettingsSchema,
    createdAt: isoTime,
  })
  .openapi("Organization");

const toJson = (org: OrganizationView) => ({ ...org, createdAt: iso(org.createdAt) });

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

const planRoute = v1Route("organization:plan", {
  method: "patch",
  path: "/api/v1/organization/plan",
  tags: ["organization"],
  summary: "Change the plan (owner)",
  description: "A downgrade the organization does not fit in (members, repositories) is refused with 402.",
  request: { body: jsonBody(z.strictObject({ plan: z.enum(ORG_PLANS) })) },
  responses: { 200: jsonResponse(organizationSchema, "The updated organization"), ...errorResponses(402) },
});

export function registerOrganizationRoutes(app: OpenAPIHono<V1Bindings>): void {
  app.openapi(getRoute, async (c) => c.json(toJson(await withTenant(c.var, getOrganization)), 200));

  app.openapi(settingsRoute, async (c) => {
    // zod fills defaults into absent fields; only what the caller sent is a change.
    const sent = Object.keys((await c.req.json()) as object);
    const valid = c.req.valid("json");
    const patch = Object.fromEntries(Object.entries(valid).filter(([key]) => sent.includes(key)));
    return c.json(toJson(await withTenant(c.var, (ctx) => updateOrganizationSettings(ctx, patch))), 200);
  });

  app.openapi(planRoute, async (c) => {
    const { plan } = c.req.valid("json");
    return c.json(toJson(await withTenant(c.var, (ctx) => changePlan(ctx, plan))), 200);
  });
}
