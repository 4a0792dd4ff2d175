import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { DETECTION_METHODS, RISK_TIERS } from "../../../../core/enums.ts";
import { overrideAttribution, overrideInputSchema } from "../../../services/attribution/override.ts";
import type { AttributionView } from "../../../services/attribution-reads/attribution-view.ts";
import { listAttributions } from "../../../services/attribution-reads/list-attributions.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant } from "../../middleware/tenant.ts";
import { errorResponses, iso, isoTime, jsonBody, jsonResponse, page, pageQuery, v1Route } from "./define.ts";

export const attributionSchema = z
  .object({
    id: z.uuid(),
    repositoryId: z.uuid(),
    commitSha: z.string(),
    filePath: z.string(),
    aiConfidence: z.number().nullable(),
    detectionMethod: z.enum(DETECTION_METHODS).nullable(),
    riskTier: z.enum(RISK_TIERS),
    linesAdded: z.number().int(),
    linesDeleted: z.number().int(),
    aiLines: z.number().int(),
    humanLines: z.number().int(),
    unknownLines: z.number().int(),
    tool: z.string().nullable(),
    model: z.string().nullable(),
    committedAt: isoTime,
    detectionSignals: z.record(z.string(), z.unknown()),
  })
  .openapi("Attribution");

export function attributionJson(a: AttributionView) {
  return {
    ...a,
    committedAt: iso(a.committedAt),
    detectionSignals: a.detectionSignals as unknown as Record<string, unknown>,
  };
}

const confidence = z.coerce.number().min(0).max(1);

const listRoute = v1Route("attributions:read", {
  method: "get",
  path: "/api/v1/attributions",
  tags: ["attribution"],
  summary: "Per-file attributions, newest commit first",
  request: {
    query: z.object({
      repositoryId: z.uuid().optional(),
      commitSha: z
        .string()
        .regex(/^[0-9a-f]{7,40}$/, "must be a hex commit SHA")
        .optional(),
      minConfidence: confidence.optional(),
      maxConfidence: confidence.optional(),
      tier: z.enum(RISK_TIERS).optional(),
      method: z.enum(DETECTION_METHODS).optional(),
      path: z
        .string()
        .min(1)
        .max(4096)
        .optional()
        .openapi({ description: "A file, or a directory and everything under it" }),
      tool: z.string().min(1).max(100).optional(),
      ...pageQuery,
    }),
  },
  responses: { 200: jsonResponse(page(attributionSchema), "A page of attributions"), ...errorResponses() },
});

const overrideRoute = v1Route("attributions:override", {
  method: "post",
  path: "/api/v1/attributions/override",
  tags: ["attribution"],
  summary: "Override the verdict on a file or a whole commit (member+)",
  description:
    "Sets confidence 1 (ai) or 0 (human) with detection method manual_override, kept across re-analysis. " +
    "filePath null overrides every file of the commit.",
  request: { body: jsonBody(overrideInputSchema) },
  responses: {
    200: jsonResponse(z.object({ items: z.array(attributionSchema) }), "The updated attributions"),
    ...errorResponses(),
  },
});

export function registerAttributionRoutes(app: OpenAPIHono<V1Bindings>): void {
  app.openapi(listRoute, async (c) => {
    const q = c.req.valid("query");
    const result = await withTenant(c.var, (ctx) => listAttributions(ctx, q));
    return c.json({ items: result.items.map(attributionJson), nextCursor: result.nextCursor }, 200);
  });
  app.openapi(overrideRoute, async (c) => {
    const input = c.req.valid("json");
    const rows = await withTenant(c.var, (ctx) => overrideAttribution(ctx, input));
    return c.json(
      {
        items: rows.map((r) =>
          attributionJson({
            id: r.id,
            repositoryId: r.repoId,
            commitSha: r.commitSha,
            filePath: r.filePath,
            aiConfidence: r.aiConfidence,
            detectionMethod: r.detectionMethod,
            riskTier: r.riskTier,
            linesAdded: r.linesAdded,
            linesDeleted: r.linesDeleted,
            aiLines: r.aiLines,
            humanLines: r.humanLines,
            unknownLines: r.unknownLines,
            tool: r.tool,
            model: r.model,
            committedAt: r.committedAt,
            detectionSignals: r.detectionSignals,
          }),
        ),
      },
      200,
    );
  });
}
