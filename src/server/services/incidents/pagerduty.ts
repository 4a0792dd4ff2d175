import { createHmac, timingSafeEqual } from "node:crypto";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { IncidentSeverity } from "../../../core/enums.ts";
import { badRequest } from "../../../core/errors.ts";
import { repositories } from "../../db/schema/index.ts";
import type { WriteContext } from "../after-commit.ts";
import type { ServiceContext } from "../context.ts";
import type { IntakeOutcome } from "./github-issue.ts";
import { claimIntegrationEvent } from "./integration-events.ts";
import { type IncidentView, toIncidentView } from "./view.ts";
import { createIncident, findByExternalId, updateIncident } from "./write.ts";

/**
 * `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`: HMAC-SHA256 of the raw body with the shared
 * secret. Several signatures appear while a secret is being rotated; any match is enough.
 * Compared in constant time.
 */
export function verifyPagerDutySignature(
  rawBody: Uint8Array,
  header: string | undefined,
  secret: string,
): boolean {
  if (!header) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  let ok = false;
  for (const part of header.split(",")) {
    const match = /^v1=([0-9a-f]{64})$/i.exec(part.trim());
    if (!match?.[1]) continue;
    const given = Buffer.from(match[1], "hex");
    // No early exit: every listed signature is compared.
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}

// V3 webhook payload, as far as we read it; unknown fields are ignored (PagerDuty adds fields).
const reference = z
  .object({ id: z.string().max(100).optional(), summary: z.string().max(500).optional() })
  .nullish();
export const pagerDutyWebhookSchema = z.object({
  event: z.object({
    id: z.string().min(1).max(100),
    event_type: z.string().min(1).max(100),
    resource_type: z.string().max(100).optional(),
    occurred_at: z.iso.datetime({ offset: true }),
    data: z.object({
      id: z.string().min(1).max(100),
      type: z.string().max(100).optional(),
      title: z.string().max(1000).optional(),
      html_url: z.url().max(2000).nullish(),
      created_at: z.iso.datetime({ offset: true }).nullish(),
      urgency: z.string().max(20).nullish(),
      priority: reference,
      service: reference,
    }),
  }),
});

export type PagerDutyWebhook = z.infer<typeof pagerDutyWebhookSchema>;

/** P1 → sev1 … P4 and lower → sev4; without a priority, high urgency → sev2, otherwise sev3. */
export function severityFromPagerDuty(data: PagerDutyWebhook["event"]["data"]): IncidentSeverity {
  const priority = /^P(\d)$/i.exec(data.priority?.summary?.trim() ?? "");
  if (priority?.[1]) {
    const n = Number(priority[1]);
    return n <= 1 ? "sev1" : n === 2 ? "sev2" : n === 3 ? "sev3" : "sev4";
  }
  return data.urgency === "high" ? "sev2" : "sev3";
}

const HANDLED = ["incident.triggered", "incident.acknowledged", "incident.resolved", "incident.reopened"];

/** `duplicate`: this event id was already applied for the organization (a redelivery or a replay). */
export type PagerDutyOutcome = IntakeOutcome | "duplicate";

/**
 * Applies one PagerDuty V3 incident event, idempotent on the PagerDuty incident id: triggered
 * opens, acknowledged → identified, resolved → resolved, reopened → investigating. An event for an
 * incident not seen yet opens it first (deliveries can arrive out of order). An event that would
 * move the status backwards (a late acknowledgement after resolution), or that happened before
 * the incident's latest status change, is ignored. Each event id is applied once per organization
 * (kept 30 days); a signed body posted again is a `duplicate` and changes nothing.
 */
export async function applyPagerDutyEvent(
  ctx: WriteContext,
  payload: unknown,
): Promise<{ outcome: PagerDutyOutcome; incident: IncidentView | null }> {
  const parsed = pagerDutyWebhookSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`, {
      field: issue?.path.join("."),
    });
  }
  const { event } = parsed.data;
  if (!HANDLED.includes(event.event_type) || (event.resource_type && event.resource_type !== "incident")) {
    return { outcome: "ignored", incident: null };
  }
  const occurredAt = new Date(event.occurred_at);
  // The event id is claimed in the transaction that applies it: a failure rolls both back, so
  // PagerDuty's retry is applied, and a concurrent copy waits for this one and is a duplicate.
  return ctx.db.transaction(async (tx) => {
    const txCtx: WriteContext = { ...ctx, db: tx };
    if (!(await claimIntegrationEvent(txCtx, "pagerduty", { id: event.id, occurredAt }))) {
      const existing = await findByExternalId(tx, ctx.orgId, "pagerduty", event.data.id);
      return { outcome: "duplicate" as const, incident: existing ? toIncidentView(existing) : null };
    }
    return applyIncidentEvent(txCtx, event, occurredAt);
  });
}

async function applyIncidentEvent(
  ctx: WriteContext,
  event: PagerDutyWebhook["event"],
  occurredAt: Date,
): Promise<{ outcome: IntakeOutcome; incident: IncidentView | null }> {
  const externalId = event.data.id;
  let existing = await findByExternalId(ctx.db, ctx.orgId, "pagerduty", externalId);
  let created = false;
  if (!existing) {
    const result = await createIncident(
      ctx,
      {
        title: event.data.title?.trim() || `PagerDuty incident ${externalId}`,
        severity: severityFromPagerDuty(event.data),
        repositoryId: await repositoryForService(ctx, event.data.service?.summary),
        startedAt: event.data.created_at ?? event.occurred_at,
      },
      {
        source: "pagerduty",
        externalId,
        externalUrl: event.data.html_url ?? null,
        service: event.data.service?.summary ?? null,
      },
    );
    created = result.created;
    existing = await findByExternalId(ctx.db, ctx.orgId, "pagerduty", externalId);
    if (!existing) throw new Error("incident vanished after creation");
  }
  const target =
    event.event_type === "incident.acknowledged"
      ? "identified"
      : event.event_type === "incident.resolved"
        ? "resolved"
        : event.event_type === "incident.reopened"
          ? "investigating"
          : null;
  const forward =
    target !== null &&
    target !== existing.status &&
    (target === "resolved" ||
      (target === "identified" && existing.status === "investigating") ||
      (target === "investigating" && existing.status === "resolved"));
  if (!forward) {
    return { outcome: created ? "created" : "unchanged", incident: toIncidentView(existing) };
  }
  const { incident, changed } = await updateIncident(
    ctx,
    existing.id,
    { status: target },
    {
      at: occurredAt,
      inOrder: true,
    },
  );
  return { outcome: created ? "created" : changed ? "updated" : "unchanged", incident };
}

/** The repository a PagerDuty service stands for: same full name, or same name when only one has it. */
async function repositoryForService(
  ctx: ServiceContext,
  service: string | undefined,
): Promise<string | null> {
  if (!service) return null;
  const wanted = service.trim().toLowerCase();
  const repos = await ctx.db
    .select({ id: repositories.id, fullName: repositories.fullName })
    .from(repositories)
    .where(eq(repositories.orgId, ctx.orgId));
  const exact = repos.find((r) => r.fullName.toLowerCase() === wanted);
  if (exact) return exact.id;
  const byName = repos.filter((r) => r.fullName.split("/").pop()?.toLowerCase() === wanted);
  return byName.length === 1 && byName[0] ? byName[0].id : null;
}
