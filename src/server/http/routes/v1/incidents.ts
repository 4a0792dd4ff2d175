import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES } from "../../../../core/enums.ts";
import { getIncidentDetail, listIncidents } from "../../../services/incidents/read.ts";
import type { IncidentView } from "../../../services/incidents/view.ts";
import { createIncident, updateIncident } from "../../../services/incidents/write.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant } from "../../middleware/tenant.ts";
import {
  errorResponses,
  idParams,
  isoTime,
  jsonBody,
  jsonResponse,
  page,
  pageQuery,
  v1Route,
} from "./define.ts";

const sha = z.string().regex(/^[0-9a-f]{7,40}$/, "a commit SHA (7–40 lowercase hex characters)");

export const incidentSchema = z
  .object({
    id: z.uuid(),
    repositoryId: z.uuid().nullable(),
    title: z.string(),
    description: z.string().nullable(),
    severity: z.enum(INCIDENT_SEVERITIES),
    status: z.enum(INCIDENT_STATUSES),
    source: z.string(),
    startedAt: isoTime,
    identifiedAt: isoTime.nullable(),
    resolvedAt: isoTime.nullable(),
    deployEventId: z.uuid().nullable(),
    deploySha: z.string().nullable(),
    commitSha: z.string().nullable(),
    linkMethod: z.enum(["explicit", "inferred"]).nullable(),
    suspectAiShare: z.number().nullable(),
    suspectLinesAdded: z.number().int().nullable(),
    suspectAiLinesT3T4: z.number().int().nullable(),
    createdAt: isoTime,
  })
  .openapi("Incident");

export const detailSchema = incidentSchema
  .extend({
    timeline: z.array(
      z.object({ status: z.enum(INCIDENT_STATUSES), at: isoTime, by: z.string().nullable() }),
    ),
    deploy: z
      .object({
        id: z.uuid(),
        sha: z.string().nullable(),
        timestamp: isoTime,
        environment: z.string().nullable(),
      })
      .nullable(),
    commits: z.array(
      z.object({
        sha: z.string(),
        message: z.string().nullable(),
        committedAt: isoTime,
        aiConfidence: z.number().nullable(),
        aiLines: z.number().int(),
        linesAdded: z.number().int(),
        files: z.array(
          z.object({
            filePath: z.string(),
            riskTier: z.string(),
            aiConfidence: z.number().nullable(),
            aiLines: z.number().int(),
          }),
        ),
      }),
    ),
  })
  .openapi("IncidentDetail");

const toJson = (i: IncidentView) => {
  const { externalId: _externalId, ...rest } = i;
  return { ...rest, linkMethod: rest.linkMethod as "explicit" | "inferred" | null };
};

const listRoute = v1Route("incidents:read", {
  method: "get",
  path: "/api/v1/incidents",
  tags: ["incidents"],
  summary: "Incidents, newest first",
  request: {
    query: z.object({
      status: z.enum(INCIDENT_STATUSES).optional(),
      repositoryId: z.uuid().optional(),
      ...pageQuery,
    }),
  },
  responses: { 200: jsonResponse(page(incidentSchema), "A page of incidents"), ...errorResponses() },
});

const getRoute = v1Route("incidents:read", {
  method: "get",
  path: "/api/v1/incidents/{id}",
  tags: ["incidents"],
  summary: "An incident with its timeline, deploy, commits and AI-written files",
  request: { params: idParams },
  responses: { 200: jsonResponse(detailSchema, "The incident"), ...errorResponses() },
});

const createRouteDef = v1Route("incidents:write", {
  method: "post",
  path: "/api/v1/incidents",
  tags: ["incidents"],
  summary: "Open an incident",
  description:
    "Linked to `deploySha` or `commitSha` when given (explicit), otherwise to the repository's last successful production deploy before `startedAt` (inferred).",
  request: {
    body: jsonBody(
      z.strictObject({
        title: z.string().trim().min(1).max(500),
        severity: z.enum(INCIDENT_SEVERITIES).openapi({ example: "sev2" }),
        repositoryId: z.uuid().optional(),
        description: z.string().max(20_000).optional(),
        startedAt: isoTime.optional(),
        deploySha: sha.optional(),
        commitSha: sha.optional(),
      }),
    ),
  },
  responses: { 201: jsonResponse(incidentSchema, "The incident"), ...errorResponses() },
});

const updateRoute = v1Route("incidents:write", {
  method: "patch",
  path: "/api/v1/incidents/{id}",
  tags: ["incidents"],
  summary: "Change an incident's status, severity, title or description",
  description:
    "Status moves investigating → identified → resolved (identified may be skipped); a resolved incident may be reopened (→ investigating). Any other move is refused with 400 naming it.",
  request: {
    params: idParams,
    body: jsonBody(
      z.strictObject({
        status: z.enum(INCIDENT_STATUSES).optional().openapi({ example: "identified" }),
        severity: z.enum(INCIDENT_SEVERITIES).optional().openapi({ example: "sev1" }),
        title: z.string().trim().min(1).max(500).optional(),
        description: z.string().max(20_000).nullable().optional(),
      }),
    ),
  },
  responses: { 200: jsonResponse(incidentSchema, "The incident"), ...errorResponses() },
});

/**
 * Incident routes. Writes mark the metrics they touch stale inside the tenant transaction; the
 * service asks for the roll-up after commit (withTenant sends it).
 */
export function registerIncidentRoutes(app: OpenAPIHono<V1Bindings>): void {
  app.openapi(listRoute, async (c) => {
    const q = c.req.valid("query");
    const result = await withTenant(c.var, (ctx) =>
      listIncidents(ctx, { status: q.status, repoId: q.repositoryId, limit: q.limit, cursor: q.cursor }),
    );
    return c.json({ items: result.items.map(toJson), nextCursor: result.nextCursor }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid("param");
    const detail = await withTenant(c.var, (ctx) => getIncidentDetail(ctx, id));
    return c.json(
      { ...toJson(detail), timeline: detail.timeline, deploy: detail.deploy, commits: detail.commits },
      200,
    );
  });

  app.openapi(createRouteDef, async (c) => {
    const body = c.req.valid("json");
    const { incident } = await withTenant(c.var, (ctx) => createIncident(ctx, body));
    return c.json(toJson(incident), 201);
  });

  app.openapi(updateRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { incident } = await withTenant(c.var, (ctx) => updateIncident(ctx, id, body));
    return c.json(toJson(incident), 200);
  });
}
