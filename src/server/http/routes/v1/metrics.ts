import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { TIME_PERIODS } from "../../../../core/enums.ts";
import { dora } from "../../../services/metrics/dora.ts";
import { repositoryRanking } from "../../../services/metrics/repository-ranking.ts";
import { timeSeries } from "../../../services/metrics/time-series.ts";
import { survivalSummary } from "../../../services/survival/survival-reads.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant } from "../../middleware/tenant.ts";
import { errorResponses, jsonResponse, v1Route } from "./define.ts";

export const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD")
  .openapi({ example: "2026-03-01" });
const lines = z.object({ lines: z.number(), aiLines: z.number() });

export const seriesSchema = z
  .object({
    period: z.enum(TIME_PERIODS),
    series: z.array(
      z.object({
        date: z.string(),
        commits: z.number(),
        aiCommits: z.number(),
        linesAdded: z.number(),
        aiLinesAdded: z.number(),
        humanLinesAdded: z.number(),
        unknownLinesAdded: z.number(),
        aiShare: z.number().nullable(),
        coverage: z.number().nullable(),
        aiLinesByTool: z.record(z.string(), z.number()),
        tiers: z.object({ T1_boilerplate: lines, T2_glue: lines, T3_core: lines, T4_novel: lines }),
        prsMerged: z.number(),
        deploys: z.number(),
        incidentsOpened: z.number(),
      }),
    ),
  })
  .openapi("MetricsSeries");

const figures = z.object({
  deploys: z.number().int(),
  deploymentFrequencyPerWeek: z.number(),
  leadTimeMedianSeconds: z.number().nullable(),
  leadTimeSamples: z.number().int(),
  changeFailureRate: z.number().nullable(),
  failedDeploys: z.number().int(),
  timeToRestoreMedianSeconds: z.number().nullable(),
  restoreSamples: z.number().int(),
});

export const doraSchema = z
  .object({
    window: z.object({ from: z.string(), to: z.string() }),
    aiHeavyThreshold: z.number(),
    aiHeavy: figures,
    other: figures,
    all: figures,
  })
  .openapi("Dora");

export const rankingSchema = z
  .object({
    items: z.array(
      z.object({
        repositoryId: z.uuid(),
        fullName: z.string(),
        linesAdded: z.number(),
        aiLinesAdded: z.number(),
        aiShare: z.number().nullable(),
        t3t4Lines: z.number(),
        t3t4AiLines: z.number(),
        t3t4AiShare: z.number().nullable(),
      }),
    ),
  })
  .openapi("RepositoryRanking");

const churnRate = z.object({ lines: z.number(), churned: z.number(), rate: z.number().nullable() });
const revertRate = z.object({ commits: z.number(), reverted: z.number(), rate: z.number().nullable() });

export const survivalSchema = z
  .object({
    window: z.object({ from: z.string(), to: z.string() }),
    historyEnd: z.iso.datetime().nullable(),
    churn: z.array(
      z.object({
        days: z.number().int(),
        all: churnRate,
        ai: churnRate,
        human: churnRate,
        unknown: churnRate,
        byTool: z.array(churnRate.extend({ tool: z.string() })),
        byTier: z.array(
          z.object({
            tier: z.enum(["T1_boilerplate", "T2_glue", "T3_core", "T4_novel"]).nullable(),
            ai: churnRate,
            human: churnRate,
            unknown: churnRate,
          }),
        ),
      }),
    ),
    reverts: z.object({ aiHeavy: revertRate, other: revertRate }),
    codeBaseToday: z.object({
      lines: z.number(),
      ai: z.number(),
      human: z.number(),
      unknown: z.number(),
      olderThanHistory: z.number(),
      aiShare: z.number().nullable(),
      repositories: z.number().int(),
      computedAt: z.iso.datetime().nullable(),
    }),
  })
  .openapi("Survival");

const seriesRoute = v1Route("metrics:read", {
  method: "get",
  path: "/api/v1/metrics",
  tags: ["metrics"],
  summary: "Roll-ups per day, ISO week or month (UTC), organization-wide or for one repository",
  description:
    "Definitions: docs/metrics.md. `from` and `to` are included; periods without activity appear with zeros.",
  request: {
    query: z.object({
      period: z.enum(TIME_PERIODS).default("day"),
      from: day,
      to: day,
      repositoryId: z.uuid().optional(),
    }),
  },
  responses: { 200: jsonResponse(seriesSchema, "The series"), ...errorResponses() },
});

const doraRoute = v1Route("metrics:read", {
  method: "get",
  path: "/api/v1/metrics/dora",
  tags: ["metrics"],
  summary: "DORA keys over a window, split by AI-heavy and other changes, with sample counts",
  request: { query: z.object({ from: day, to: day, repositoryId: z.uuid().optional() }) },
  responses: { 200: jsonResponse(doraSchema, "DORA figures"), ...errorResponses() },
});

const rankingRoute = v1Route("metrics:read", {
  method: "get",
  path: "/api/v1/metrics/repositories",
  tags: ["metrics"],
  summary: "Repositories ranked by the AI share of their T3/T4 (core and novel) lines",
  request: { query: z.object({ from: day, to: day }) },
  responses: { 200: jsonResponse(rankingSchema, "The ranking"), ...errorResponses() },
});

const survivalRoute = v1Route("metrics:read", {
  method: "get",
  path: "/api/v1/metrics/survival",
  tags: ["metrics"],
  summary:
    "Churn by window (AI, human, unknown, by tool and tier), revert rates, and what the code base holds today",
  description:
    "Churn and reverts of the commits made from `from` to `to` (UTC days, both included), from the stored line history of each repository (its mirror, `sentinel analyze --store`, or the demo's seeded history); `codeBaseToday` counts the lines at each repository's tip by who wrote them. Definitions: docs/metrics.md.",
  request: { query: z.object({ from: day, to: day, repositoryId: z.uuid().optional() }) },
  responses: { 200: jsonResponse(survivalSchema, "Survival, churn and reverts"), ...errorResponses() },
});

export function registerMetricsRoutes(app: OpenAPIHono<V1Bindings>): void {
  app.openapi(survivalRoute, async (c) => {
    const q = c.req.valid("query");
    const result = await withTenant(c.var, (ctx) =>
      survivalSummary(ctx, { from: q.from, to: q.to, repoId: q.repositoryId }),
    );
    return c.json(
      {
        ...result,
        historyEnd: result.historyEnd?.toISOString() ?? null,
        codeBaseToday: {
          ...result.codeBaseToday,
          computedAt: result.codeBaseToday.computedAt?.toISOString() ?? null,
        },
      },
      200,
    );
  });

  app.openapi(seriesRoute, async (c) => {
    const q = c.req.valid("query");
    const result = await withTenant(c.var, (ctx) =>
      timeSeries(ctx, { period: q.period, from: q.from, to: q.to, repoId: q.repositoryId }),
    );
    return c.json(result, 200);
  });

  app.openapi(doraRoute, async (c) => {
    const q = c.req.valid("query");
    return c.json(
      await withTenant(c.var, (ctx) => dora(ctx, { from: q.from, to: q.to, repoId: q.repositoryId })),
      200,
    );
  });

  app.openapi(rankingRoute, async (c) => {
    const q = c.req.valid("query");
    return c.json(await withTenant(c.var, (ctx) => repositoryRanking(ctx, q)), 200);
  });
}
