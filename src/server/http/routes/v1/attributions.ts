import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { DETECTION_METHODS, RISK_TIERS } from "../../../../core/enums.ts";
import { overrideAttribution, overrideInputSchema } from "../../../services/attribution/override.ts";
import type { AttributionView } from "../../../services/attribution-reads/attribution-view.ts";
import { listAttributions } from "../../../services/attribution-reads/list-attributions.ts";
import { topAiFiles } from "../../../services/attribution-reads/top-files.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant } from "../../middleware/tenant.ts";
import {
  errorResponses,
  idParams,
  iso,
  isoTime,
  jsonBody,
  jsonResponse,
  page,
  pageQuery,
  v1Route,
} from "./define.ts";
import { day } from "./metrics.ts";

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

/** The filters the repository page applies to both the file list and the top files. */
const fileFilters = {
  minConfidence: confidence.optional(),
  tier: z.enum(RISK_TIERS).optional(),
  path: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .openapi({ description: "A file, or a directory and everything under it" }),
  tool: z.string().min(1).max(100).optional(),
};

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
      ...fileFilters,
      maxConfidence: confidence.optional(),
      method: z.enum(DETECTION_METHODS).optional(),
      ...pageQuery,
    }),
  },
  responses: { 200: jsonResponse(page(attributionSchema), "A page of attributions"), ...errorResponses() },
});

export const topFilesSchema = z
  .object({
    window: z
      .object({ from: z.string().nullable(), to: z.string().nullable() })
      .openapi({ description: "The UTC days counted, both included; null: unbounded on that side" }),
    fileChanges: z.number().int().openapi({ description: "Every file change matching the filters" }),
    files: z.number().int().openapi({ description: "Files with AI-written lines among them" }),
    items: z.array(
      z.object({
        path: z.string(),
        aiLines: z.number().int(),
        linesAdded: z.number().int(),
        changes: z.number().int().openapi({ description: "File changes counted" }),
        latestRiskTier: z.enum(RISK_TIERS).openapi({ description: "The tier of its latest counted change" }),
        tools: z.array(z.string()),
      }),
    ),
  })
  .openapi("TopFiles");

const topFilesRoute = v1Route("attributions:read", {
  method: "get",
  path: "/api/v1/repositories/{id}/top-files",
  tags: ["attribution"],
  summary: "A repository's files with the most AI-written lines",
  description:
    "Sums every file change matching the filters, per file: AI lines descending, then path; files " +
    "without AI-written lines are left out. `from` and `to` are UTC days, both included; without " +
    "them the sums cover all time the plan's history keeps, and a `from` older than that history " +
    "is moved up to where it starts (`window` gives the days counted).",
  request: {
    params: idParams,
    query: z.object({
      ...fileFilters,
      from: day.optional(),
      to: day.optional(),
      limit: z.coerce.number().int().min(1).max(100).default(12).openapi({ example: 12 }),
    }),
  },
  responses: { 200: jsonResponse(topFilesSchema, "The files, most AI lines first"), ...errorResponses() },
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
  app.openapi(topFilesRoute, async (c) => {
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    return c.json(await withTenant(c.var, (ctx) => topAiFiles(ctx, id, q)), 200);
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
