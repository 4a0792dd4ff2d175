import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { createApiKey, createApiKeyInputSchema } from "../../../services/api-keys/create-api-key.ts";
import { type ApiKeyView, listApiKeys } from "../../../services/api-keys/list-api-keys.ts";
import { revokeApiKey } from "../../../services/api-keys/revoke-api-key.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant } from "../../middleware/tenant.ts";
import { errorResponses, idParams, iso, isoTime, jsonBody, jsonResponse, v1Route } from "./define.ts";

export const apiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    displayPrefix: z.string(),
    scopes: z.array(z.string()),
    expiresAt: isoTime.nullable(),
    revokedAt: isoTime.nullable(),
    lastUsedAt: isoTime.nullable().openapi({ description: "Recorded at most once a minute" }),
    createdAt: isoTime,
  })
  .openapi("ApiKey");

export const createdApiKeySchema = apiKeySchema.extend({ key: z.string() }).openapi("CreatedApiKey");

const toJson = (k: ApiKeyView) => ({
  ...k,
  expiresAt: iso(k.expiresAt),
  revokedAt: iso(k.revokedAt),
  lastUsedAt: iso(k.lastUsedAt),
  createdAt: iso(k.createdAt),
});

const listRoute = v1Route("api_keys:manage", {
  method: "get",
  path: "/api/v1/api-keys",
  tags: ["api keys"],
  summary: "API keys, newest first (admin); never their secrets",
  responses: { 200: jsonResponse(z.object({ items: z.array(apiKeySchema) }), "Keys"), ...errorResponses() },
});

const createRoute = v1Route("api_keys:manage", {
  method: "post",
  path: "/api/v1/api-keys",
  tags: ["api keys"],
  summary: "Create an API key (admin); the key is in this response only",
  request: {
    body: jsonBody(createApiKeyInputSchema),
  },
  responses: {
    201: jsonResponse(createdApiKeySchema, "The key, shown once"),
    ...errorResponses(),
  },
});

const revokeRoute = v1Route("api_keys:manage", {
  method: "delete",
  path: "/api/v1/api-keys/{id}",
  tags: ["api keys"],
  summary: "Revoke an API key (admin); effective on its next request",
  request: { params: idParams },
  responses: { 204: { description: "Revoked" }, ...errorResponses() },
});

export function registerApiKeyRoutes(app: OpenAPIHono<V1Bindings>): void {
  app.openapi(listRoute, async (c) => {
    const items = await withTenant(c.var, listApiKeys);
    return c.json({ items: items.map(toJson) }, 200);
  });
  app.openapi(createRoute, async (c) => {
    const input = c.req.valid("json");
    const created = await withTenant(c.var, (ctx) => createApiKey(ctx, input));
    return c.json({ ...toJson(created), key: created.key }, 201);
  });
  app.openapi(revokeRoute, async (c) => {
    const { id } = c.req.valid("param");
    await withTenant(c.var, (ctx) => revokeApiKey(ctx, id));
    return c.body(null, 204);
  });
}
