import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { listAuditLog } from "../../../services/list-audit-log.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant } from "../../middleware/tenant.ts";
import { errorResponses, iso, isoTime, jsonResponse, page, pageQuery, v1Route } from "./define.ts";

const entrySchema = z
  .object({
    id: z.uuid(),
    actor: z.string().openapi({ description: "`user:<id>`, `api_key:<id>`, `cli`, …" }),
    action: z.string(),
    target: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    createdAt: isoTime,
  })
  .openapi("AuditLogEntry");

const listRoute = v1Route("audit_log:read", {
  method: "get",
  path: "/api/v1/audit-log",
  tags: ["organization"],
  summary: "Administrative actions, newest first (admin)",
  request: { query: z.object(pageQuery) },
  responses: { 200: jsonResponse(page(entrySchema), "A page of the audit log"), ...errorResponses() },
});

export function registerAuditLogRoutes(app: OpenAPIHono<V1Bindings>): void {
  app.openapi(listRoute, async (c) => {
    const q = c.req.valid("query");
    const result = await withTenant(c.var, (ctx) => listAuditLog(ctx, q));
    return c.json(
      {
        items: result.items.map((e) => ({ ...e, createdAt: iso(e.createdAt) })),
        nextCursor: result.nextCursor,
      },
      200,
    );
  });
}
