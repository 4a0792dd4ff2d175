import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { INTEGRATION_KINDS, rotateIntegrationSecret } from "../../../services/incidents/secrets.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant } from "../../middleware/tenant.ts";
import { errorResponses, iso, isoTime, jsonResponse, v1Route } from "./define.ts";

const rotatedSecretSchema = z
  .object({
    provider: z.enum(INTEGRATION_KINDS),
    secret: z.string().openapi({ description: "Shown once: store it in the provider's webhook settings" }),
    webhookUrl: z.url().openapi({ description: "Where the provider must post this organization's webhooks" }),
    replaced: z.boolean().openapi({ description: "False when the organization had no secret before" }),
    createdAt: isoTime,
  })
  .openapi("RotatedIntegrationSecret");

const rotateRoute = v1Route("organization:settings", {
  method: "post",
  path: "/api/v1/integrations/{provider}/rotate-secret",
  tags: ["integrations"],
  summary:
    "Create or rotate an integration's webhook signing secret (admin); the secret is in this response only",
  description:
    "The previous secret stops verifying at once (no grace period): give the provider the new one straight away. Audit-logged as `integration_secret.rotated`.",
  request: {
    params: z.object({
      provider: z
        .enum(INTEGRATION_KINDS)
        .openapi({ param: { name: "provider", in: "path" }, example: "pagerduty" }),
    }),
  },
  responses: { 200: jsonResponse(rotatedSecretSchema, "The new secret, shown once"), ...errorResponses() },
});

export function registerIntegrationRoutes(app: OpenAPIHono<V1Bindings>, origin: string): void {
  app.openapi(rotateRoute, async (c) => {
    const { provider } = c.req.valid("param");
    const rotated = await withTenant(c.var, (ctx) => rotateIntegrationSecret(ctx, provider));
    c.header("cache-control", "no-store");
    return c.json(
      {
        provider: rotated.kind,
        secret: rotated.secret,
        webhookUrl: `${origin}${rotated.webhookPath}`,
        replaced: rotated.replaced,
        createdAt: iso(rotated.createdAt),
      },
      200,
    );
  });
}
