import type { OpenAPIHono } from "@hono/zod-openapi";
import { AppError } from "../../../core/errors.ts";
import { withAfterCommit } from "../../services/after-commit.ts";
import { applyPagerDutyEvent, verifyPagerDutySignature } from "../../services/incidents/pagerduty.ts";
import { findIntegrationSecret } from "../../services/incidents/secrets.ts";
import type { AppBindings, AppDeps } from "../context.ts";

export const MAX_PAGERDUTY_BYTES = 1024 * 1024;

const tooLarge = () =>
  new AppError("payload_too_large", "PagerDuty webhook bodies are limited to 1 MB", {
    limitBytes: MAX_PAGERDUTY_BYTES,
  });
// One answer for an unknown organization, a missing secret and a wrong signature: the URL must
// not reveal which organizations exist.
const unauthorized = () => new AppError("unauthorized", "invalid or missing X-PagerDuty-Signature");

/** Reads at most `limit` bytes of a request body, refusing more without buffering it. */
async function readCapped(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * PagerDuty V3 webhooks for one organization: `POST /api/webhooks/pagerduty/{orgSlug}`, signed with
 * the organization's secret (integration_secrets, kind `pagerduty`). Nothing is written unless
 * the signature verifies and the body parses.
 */
export function registerPagerDutyWebhook(app: OpenAPIHono<AppBindings>, deps: AppDeps): void {
  app.post("/api/webhooks/pagerduty/:orgSlug", async (c) => {
    const declared = c.req.header("content-length");
    if (declared !== undefined && Number(declared) > MAX_PAGERDUTY_BYTES) throw tooLarge();
    const raw = await readCapped(c.req.raw.body, MAX_PAGERDUTY_BYTES);
    const slug = c.req.param("orgSlug");
    const found = /^[a-z0-9-]{1,100}$/.test(slug)
      ? await findIntegrationSecret(deps.handle.db, slug, "pagerduty")
      : null;
    if (!found || !verifyPagerDutySignature(raw, c.req.header("x-pagerduty-signature"), found.secret)) {
      throw unauthorized();
    }
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(raw).toString("utf8"));
    } catch {
      throw new AppError("bad_request", "body: not valid JSON");
    }
    const ctx = {
      db: deps.handle.db,
      orgId: found.orgId,
      actor: { kind: "webhook" as const, source: "pagerduty" },
    };
    const result = await withAfterCommit(deps.queue, (afterCommit) =>
      applyPagerDutyEvent({ ...ctx, afterCommit }, payload),
    );
    return c.json({ outcome: result.outcome, incidentId: result.incident?.id ?? null }, 200);
  });
}
