import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { repoSettingsSchema } from "../../../../core/settings.ts";
import {
  getRepository,
  listRepositories,
  type RepositoryView,
  UNTRACKED_REASONS,
} from "../../../services/repositories/repository-views.ts";
import {
  setRepositoryTracked,
  updateRepositorySettings,
} from "../../../services/repositories/update-repository.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant } from "../../middleware/tenant.ts";
import { errorResponses, idParams, iso, isoTime, jsonBody, jsonResponse, v1Route } from "./define.ts";

export const repositorySchema = z
  .object({
    id: z.uuid(),
    fullName: z.string(),
    defaultBranch: z.string(),
    tracked: z.boolean(),
    untrackedReason: z.enum(UNTRACKED_REASONS).nullable().openapi({
      description:
        "Why it is not tracked, when recorded: `plan_limit` — GitHub added it beyond the plan's repository limit",
    }),
    isPrivate: z.boolean(),
    settings: repoSettingsSchema,
    createdAt: isoTime,
  })
  .openapi("Repository");

const toJson = (r: RepositoryView) => ({ ...r, createdAt: iso(r.createdAt) });

const listRoute = v1Route("repositories:read", {
  method: "get",
  path: "/api/v1/repositories",
  tags: ["repositories"],
  summary: "Repositories of the organization, by name",
  responses: {
    200: jsonResponse(z.object({ items: z.array(repositorySchema) }), "Repositories"),
    ...errorResponses(),
  },
});

const getRoute = v1Route("repositories:read", {
  method: "get",
  path: "/api/v1/repositories/{id}",
  tags: ["repositories"],
  summary: "One repository",
  request: { params: idParams },
  responses: { 200: jsonResponse(repositorySchema, "The repository"), ...errorResponses() },
});

const settingsRoute = v1Route("repositories:manage", {
  method: "patch",
  path: "/api/v1/repositories/{id}/settings",
  tags: ["repositories"],
  summary: "Change a repository's settings (admin)",
  description: "Only the fields sent change; the merged settings are validated as a whole.",
  request: { params: idParams, body: jsonBody(repoSettingsSchema.partial()) },
  responses: { 200: jsonResponse(repositorySchema, "The updated repository"), ...errorResponses() },
});

const trackingRoute = v1Route("repositories:manage", {
  method: "patch",
  path: "/api/v1/repositories/{id}",
  tags: ["repositories"],
  summary: "Start or stop tracking a repository (admin)",
  description: "Starting counts against the plan's repository limit (402, `details.limit: repositories`).",
  request: { params: idParams, body: jsonBody(z.strictObject({ tracked: z.boolean() })) },
  responses: { 200: jsonResponse(repositorySchema, "The updated repository"), ...errorResponses(402) },
});

export function registerRepositoryRoutes(app: OpenAPIHono<V1Bindings>): void {
  app.openapi(listRoute, async (c) => {
    const items = await withTenant(c.var, listRepositories);
    return c.json({ items: items.map(toJson) }, 200);
  });
  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(toJson(await withTenant(c.var, (ctx) => getRepository(ctx, id))), 200);
  });
  app.openapi(settingsRoute, async (c) => {
    const { id } = c.req.valid("param");
    // zod fills defaults into absent fields; only what the caller sent is a change.
    const sent = Object.keys((await c.req.json()) as object);
    const patch = Object.fromEntries(
      Object.entries(c.req.valid("json")).filter(([key]) => sent.includes(key)),
    );
    return c.json(toJson(await withTenant(c.var, (ctx) => updateRepositorySettings(ctx, id, patch))), 200);
  });
  app.openapi(trackingRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { tracked } = c.req.valid("json");
    return c.json(toJson(await withTenant(c.var, (ctx) => setRepositoryTracked(ctx, id, tracked))), 200);
  });
}
