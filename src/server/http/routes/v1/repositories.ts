import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { repoSettingsSchema } from "../../../../core/settings.ts";
import { getRepositorySync, listRepositorySync } from "../../../services/github/repository-sync.ts";
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

const timestamp = z.iso.datetime({ offset: true }).nullable();
export const repositorySyncSchema = z
  .object({
    repoId: z.uuid(),
    fullName: z.string(),
    mirror: z.object({
      status: z.enum(["ready", "too_large", "unavailable"]).nullable().openapi({
        description: "Null before the first fetch (or after eviction: the next push fetches it again)",
      }),
      reason: z.string().nullable(),
      bytes: z
        .number()
        .int()
        .nullable()
        .openapi({ description: "Size of the repository's git mirror on disk" }),
      fetchedAt: timestamp,
    }),
    backfill: z.object({
      status: z.enum(["queued", "running", "done", "failed"]).nullable(),
      phase: z.enum(["pulls", "commits", "deployments"]).nullable(),
      source: z.enum(["git", "rest"]).nullable().openapi({
        description: "`git`: read from the mirror; `rest`: GitHub's API, for the reason given",
      }),
      reason: z.string().nullable(),
      since: timestamp,
      commitsDone: z.number().int(),
      commitsTotal: z
        .number()
        .int()
        .nullable()
        .openapi({ description: "Null when not known in advance (REST)" }),
      secondsLeft: z.number().int().nullable().openapi({ description: "Estimated from the rate so far" }),
      queuedAt: timestamp,
      finishedAt: timestamp,
      error: z.string().nullable(),
    }),
  })
  .openapi("RepositorySync");

const syncListRoute = v1Route("repositories:read", {
  method: "get",
  path: "/api/v1/repository-sync",
  tags: ["repositories"],
  summary: "Every repository's git mirror and history import (backfill) progress",
  responses: {
    200: jsonResponse(z.object({ items: z.array(repositorySyncSchema) }), "Mirrors and imports"),
    ...errorResponses(),
  },
});

const syncRoute = v1Route("repositories:read", {
  method: "get",
  path: "/api/v1/repositories/{id}/sync",
  tags: ["repositories"],
  summary: "One repository's git mirror and history import (backfill) progress",
  request: { params: idParams },
  responses: { 200: jsonResponse(repositorySyncSchema, "Mirror and import"), ...errorResponses() },
});

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
  app.openapi(syncListRoute, async (c) => {
    return c.json({ items: await withTenant(c.var, (ctx) => listRepositorySync(ctx)) }, 200);
  });
  app.openapi(syncRoute, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await withTenant(c.var, (ctx) => getRepositorySync(ctx, id)), 200);
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
