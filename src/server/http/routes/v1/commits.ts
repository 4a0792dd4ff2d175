import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { getCommit } from "../../../services/attribution-reads/get-commit.ts";
import { commitSurvival } from "../../../services/survival/survival-reads.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant } from "../../middleware/tenant.ts";
import { attributionJson, attributionSchema } from "./attributions.ts";
import { errorResponses, iso, isoTime, jsonResponse, v1Route } from "./define.ts";

export const commitSchema = z
  .object({
    sha: z.string(),
    repositoryId: z.uuid(),
    committedAt: isoTime,
    message: z.string().nullable(),
    author: z.string().nullable(),
    aiConfidence: z.number().nullable(),
    tool: z.string().nullable(),
    model: z.string().nullable(),
    files: z.array(attributionSchema),
    /**
     * What became of each file's added lines at the repository's tip (line_survival); empty when
     * no line history is stored for the repository (docs/metrics.md).
     */
    survival: z.array(
      z
        .object({
          path: z.string(),
          linesAdded: z.number().int(),
          linesPresent: z.number().int(),
          churned14d: z.number().int(),
          churned30d: z.number().int(),
          churned90d: z.number().int(),
          lineClass: z.enum(["ai", "human", "unknown"]),
          aiLinesPresent: z.number().int(),
        })
        .openapi("FileSurvival"),
    ),
  })
  .openapi("Commit");

const getRoute = v1Route("attributions:read", {
  method: "get",
  path: "/api/v1/commits/{sha}",
  tags: ["attribution"],
  summary: "A commit with its files' attribution",
  request: {
    params: z.object({
      sha: z
        .string()
        .regex(/^[0-9a-f]{40}$/, "must be a 40-character hex commit SHA")
        .openapi({ param: { name: "sha", in: "path" }, example: "4b825dc642cb6eb9a060e54bf8d69288fbee4904" }),
    }),
    query: z.object({ repositoryId: z.uuid().optional() }),
  },
  responses: { 200: jsonResponse(commitSchema, "The commit"), ...errorResponses() },
});

export function registerCommitRoutes(app: OpenAPIHono<V1Bindings>): void {
  app.openapi(getRoute, async (c) => {
    const { sha } = c.req.valid("param");
    const { repositoryId } = c.req.valid("query");
    const { commit, survival } = await withTenant(c.var, async (ctx) => {
      const found = await getCommit(ctx, sha, repositoryId);
      return { commit: found, survival: await commitSurvival(ctx, { repoId: found.repositoryId, sha }) };
    });
    return c.json(
      { ...commit, committedAt: iso(commit.committedAt), files: commit.files.map(attributionJson), survival },
      200,
    );
  });
}
