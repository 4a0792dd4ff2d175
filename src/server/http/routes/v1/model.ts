import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { describeModelTraining, requestModelTraining } from "../../../services/ml-model-training.ts";
import type { StoredModel } from "../../../services/ml-models.ts";
import type { V1Bindings } from "../../middleware/auth.ts";
import { withTenant } from "../../middleware/tenant.ts";
import { errorResponses, iso, isoTime, jsonResponse, v1Route } from "./define.ts";

// The organization's ml_model: its status, and training it (admins). Training runs on a worker
// (`attribution-train-model`) over the repository histories the server holds; docs/attribution-model.md.

const modelSchema = z
  .object({
    version: z.string(),
    scope: z.enum(["organization", "global"]),
    active: z.boolean(),
    createdAt: isoTime,
    threshold: z.number(),
    trainedOn: z.object({ ai: z.number().int(), human: z.number().int(), repositories: z.number().int() }),
    heldOut: z.object({
      auroc: z.number().nullable(),
      falsePositiveRate: z.number().nullable(),
      truePositiveRate: z.number().nullable(),
    }),
    repositoriesHeldOut: z
      .object({ falsePositiveRate: z.number().nullable(), truePositiveRate: z.number().nullable() })
      .nullable(),
    activation: z
      .object({ recommended: z.boolean(), reason: z.string() })
      .nullable()
      .openapi({ description: "Whether its held-out figures earned activation on their own" }),
  })
  .openapi("MlModel");

const statusSchema = z
  .object({
    state: z.enum(["never", "queued", "trained", "skipped", "failed"]),
    requestedAt: isoTime.nullable(),
    finishedAt: isoTime.nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
    active: modelSchema
      .nullable()
      .openapi({ description: "The model the engine uses; null: the detector is off" }),
    latest: modelSchema.nullable().openapi({ description: "The most recently trained model, active or not" }),
  })
  .openapi("MlModelStatus");

function toModel(m: StoredModel | null) {
  if (!m) return null;
  const pooled = m.metrics.splits.find((s) => s.kind === "repositories-pooled") ?? null;
  return {
    version: m.version,
    scope: m.orgId === null ? ("global" as const) : ("organization" as const),
    active: m.active,
    createdAt: iso(m.createdAt),
    threshold: m.threshold,
    trainedOn: { ai: m.trainedOn.ai, human: m.trainedOn.human, repositories: m.trainedOn.repositories },
    heldOut: {
      auroc: m.metrics.heldOut.auroc,
      falsePositiveRate: m.metrics.heldOut.falsePositiveRate,
      truePositiveRate: m.metrics.heldOut.truePositiveRate,
    },
    repositoriesHeldOut: pooled
      ? { falsePositiveRate: pooled.falsePositiveRate, truePositiveRate: pooled.truePositiveRate }
      : null,
    activation: m.metrics.activation ?? null,
  };
}

const statusRoute = v1Route("attributions:read", {
  method: "get",
  path: "/api/v1/model",
  tags: ["model"],
  summary:
    "The ml_model: the active and latest trained versions with their held-out figures, and the last training",
  responses: { 200: jsonResponse(statusSchema, "Model status"), ...errorResponses() },
});

const trainRoute = v1Route("model:train", {
  method: "post",
  path: "/api/v1/model/train",
  tags: ["model"],
  summary: "Train the organization's model on the repository histories the server holds (admin)",
  description:
    "Queues the `attribution-train-model` job (one pending per organization) and audit-logs `ml_model.training_requested`. The new model becomes active only if its figures on held-out repositories meet the bar in docs/attribution-model.md; poll GET /api/v1/model for the outcome.",
  responses: {
    202: jsonResponse(statusSchema, "Training queued; the status as it now stands"),
    ...errorResponses(),
  },
});

export function registerModelRoutes(app: OpenAPIHono<V1Bindings>): void {
  app.openapi(statusRoute, async (c) => {
    const status = await withTenant(c.var, (ctx) => describeModelTraining(ctx));
    return c.json(
      {
        ...status,
        requestedAt: iso(status.requestedAt),
        finishedAt: iso(status.finishedAt),
        active: toModel(status.active),
        latest: toModel(status.latest),
      },
      200,
    );
  });
  app.openapi(trainRoute, async (c) => {
    const status = await withTenant(c.var, async (ctx) => {
      await requestModelTraining(ctx);
      return describeModelTraining(ctx);
    });
    return c.json(
      {
        ...status,
        requestedAt: iso(status.requestedAt),
        finishedAt: iso(status.finishedAt),
        active: toModel(status.active),
        latest: toModel(status.latest),
      },
      202,
    );
  });
}
