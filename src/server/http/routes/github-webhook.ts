import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError } from "../../../core/errors.ts";
import { DeliveryGroupCommit } from "../../github/group-commit.ts";
import { readDelivery } from "../../github/read-delivery.ts";
import { parseWebhookSecrets } from "../../github/verify.ts";
import { webhookDeliveries } from "../../observability/metrics.ts";
import type { AppBindings, AppDeps } from "../context.ts";

/**
 * GitHub's webhook. 202 only once the delivery and its work are committed; 200 for a delivery
 * already stored. Concurrent deliveries share a transaction (group commit). Errors (401, 400, 413, 415, 503) come from the one error mapping.
 */
export function registerGithubWebhook(app: OpenAPIHono<AppBindings>, deps: AppDeps): void {
  const secrets = parseWebhookSecrets(deps.env.GITHUB_WEBHOOK_SECRET);
  // An app built with noQueue cannot store a delivery's jobs with it: it refuses deliveries.
  const committer =
    deps.queue.kind === "pg-boss" ? new DeliveryGroupCommit(deps.handle.db, deps.queue) : null;
  app.post("/api/webhooks/github", async (c) => {
    try {
      return await receive(c);
    } catch (error) {
      // Refusals count by their error code (unauthorized: a wrong secret; unavailable: no database).
      webhookDeliveries.inc({
        source: "github",
        outcome: error instanceof AppError ? error.code : "internal",
      });
      throw error;
    }
  });

  async function receive(c: Context<AppBindings>) {
    const delivery = await readDelivery(
      { header: (name) => c.req.header(name), body: c.req.raw.body },
      secrets,
    ).catch((error: unknown) => {
      // The rest of an oversized body is never read: the connection cannot be reused.
      if (error instanceof AppError && error.code === "payload_too_large") c.header("connection", "close");
      throw error;
    });
    if (!committer) throw new AppError("unavailable", "the job queue is not running");
    const receipt = await committer.receive(delivery);
    webhookDeliveries.inc({
      source: "github",
      outcome: receipt.status === "duplicate" ? "duplicate" : receipt.result.outcome,
    });
    if (receipt.status === "duplicate")
      return c.json({ status: "duplicate", deliveryId: delivery.deliveryId }, 200);
    return c.json(
      {
        status: "accepted",
        deliveryId: delivery.deliveryId,
        outcome: receipt.result.outcome,
        eventsCreated: receipt.result.eventsCreated,
      },
      202,
    );
  }
}
