import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { GITHUB_ACCOUNT_TYPES } from "../../../../core/enums.ts";
import { listInstallations } from "../../../services/installations/list-installations.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant } from "../../middleware/tenant.ts";
import { errorResponses, iso, isoTime, jsonResponse, v1Route } from "./define.ts";

const installationSchema = z
  .object({
    installationId: z.number().int(),
    accountLogin: z.string(),
    accountType: z.enum(GITHUB_ACCOUNT_TYPES),
    suspendedAt: isoTime.nullable(),
    repositoryCount: z.number().int(),
  })
  .openapi("Installation");

const listRoute = v1Route("installations:read", {
  method: "get",
  path: "/api/v1/installations",
  tags: ["github"],
  summary: "GitHub App installations linked to the organization",
  responses: {
    200: jsonResponse(z.object({ items: z.array(installationSchema) }), "Installations"),
    ...errorResponses(),
  },
});

export function registerInstallationRoutes(app: OpenAPIHono<V1Bindings>): void {
  app.openapi(listRoute, async (c) => {
    const items = await withTenant(c.var, listInstallations);
    return c.json({ items: items.map((i) => ({ ...i, suspendedAt: iso(i.suspendedAt) })) }, 200);
  });
}
