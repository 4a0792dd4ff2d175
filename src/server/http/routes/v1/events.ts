import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { EVENT_TYPES } from "../../../../core/enums.ts";
import { listEvents } from "../../../services/events/list-events.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant } from "../../middleware/tenant.ts";
import { errorResponses, iso, isoTime, jsonResponse, page, pageQuery, v1Route } from "./define.ts";

export const eventSchema = z
  .object({
    id: z.uuid(),
    repositoryId: z.uuid(),
    type: z.enum(EVENT_TYPES),
    commitSha: z.string().nullable(),
    timestamp: isoTime,
    actor: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .openapi("Event");

const listRoute = v1Route("events:read", {
  method: "get",
  path: "/api/v1/events",
  tags: ["telemetry"],
  summary: "Code events (commits, PRs, reviews, deploys, incidents), newest first",
  description:
    "Reaches back as far as the plan's history (asking for older data is a 402 naming `historyDays`).",
  request: {
    query: z.object({
      type: z.enum(EVENT_TYPES).optional(),
      repositoryId: z.uuid().optional(),
      from: isoTime.optional().openapi({ description: "Inclusive, ISO 8601" }),
      to: isoTime.optional().openapi({ description: "Exclusive, ISO 8601" }),
      ...pageQuery,
    }),
  },
  responses: { 200: jsonResponse(page(eventSchema), "A page of events"), ...errorResponses(402) },
});

export function registerEventRoutes(app: OpenAPIHono<V1Bindings>): void {
  app.openapi(listRoute, async (c) => {
    const q = c.req.valid("query");
    const result = await withTenant(c.var, (ctx) =>
      listEvents(ctx, {
        ...q,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      }),
    );
    return c.json(
      {
        items: result.items.map((e) => ({ ...e, timestamp: iso(e.timestamp) })),
        nextCursor: result.nextCursor,
      },
      200,
    );
  });
}
