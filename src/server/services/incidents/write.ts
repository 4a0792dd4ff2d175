import { and, eq } from "drizzle-orm";
import type { IncidentSeverity, IncidentStatus } from "../../../core/enums.ts";
import { badRequest, notFound } from "../../../core/errors.ts";
import { assertTransition } from "../../../core/incident-lifecycle.ts";
import { type IncidentMetadata, incidentMetadataSchema } from "../../../core/incidents.ts";
import type { Database } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import { codeEvents, incidents, repositories } from "../../db/schema/index.ts";
import { validateRow } from "../../db/validate.ts";
import type { WriteContext } from "../after-commit.ts";
import { actorLabel } from "../context.ts";
import { resolveIncidentLink } from "./link.ts";
import { recordIncidentChange, refreshIncidentMetrics } from "./record-change.ts";
import { type IncidentRow, type IncidentView, toIncidentView } from "./view.ts";

const SHA = /^[0-9a-f]{7,40}$/;

export interface CreateIncidentInput {
  title: string;
  severity: IncidentSeverity;
  repositoryId?: string | null | undefined;
  description?: string | null | undefined;
  /** ISO 8601; defaults to now. */
  startedAt?: string | Date | undefined;
  deploySha?: string | null | undefined;
  commitSha?: string | null | undefined;
}

/** How an intake (PagerDuty, GitHub issues) tags what it creates, for idempotent redelivery. */
export interface IncidentOrigin {
  source: IncidentMetadata["source"];
  externalId?: string | null;
  externalUrl?: string | null;
  service?: string | null;
}

export interface UpdateIncidentInput {
  status?: IncidentStatus | undefined;
  severity?: IncidentSeverity | undefined;
  title?: string | undefined;
  description?: string | null | undefined;
}

function parseInstant(name: string, value: string | Date | undefined, fallback: Date): Date {
  if (value === undefined) return fallback;
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime()))
    throw badRequest(`${name}: not a date-time: ${JSON.stringify(value)}`, { field: name });
  return d;
}

function checkTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed.length === 0 || trimmed.length > 500) {
    throw badRequest("title: must be 1 to 500 characters", { field: "title" });
  }
  return trimmed;
}

function checkSha(name: string, value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (!SHA.test(value))
    throw badRequest(`${name}: not a commit SHA: ${JSON.stringify(value)}`, { field: name });
  return value;
}

/**
 * Opens an incident, links it to the change believed to have caused it, writes its `opened`
 * event, marks the metrics it touches stale and asks for their roll-up after commit. With an
 * external id already known, returns the existing incident unchanged (intakes are redelivered).
 */
export async function createIncident(
  ctx: WriteContext,
  input: CreateIncidentInput,
  origin: IncidentOrigin = { source: "api" },
): Promise<{ incident: IncidentView; created: boolean }> {
  const { severity } = input;
  const title = checkTitle(input.title);
  const startedAt = parseInstant("startedAt", input.startedAt, new Date());
  const deploySha = checkSha("deploySha", input.deploySha);
  const commitSha = checkSha("commitSha", input.commitSha);
  if (input.description && input.description.length > 20_000) {
    throw badRequest("description: at most 20000 characters", { field: "description" });
  }
  try {
    return await insertIncident(ctx, input, origin, {
      severity,
      title,
      startedAt,
      deploySha,
      commitSha,
    });
  } catch (error) {
    // Two deliveries of the same external incident raced; the other one created it.
    if (origin.externalId && isUniqueViolation(error)) {
      const existing = await findByExternalId(ctx.db, ctx.orgId, origin.source, origin.externalId);
      if (existing) return { incident: toIncidentView(existing), created: false };
    }
    throw error;
  }
}

async function insertIncident(
  ctx: WriteContext,
  input: CreateIncidentInput,
  origin: IncidentOrigin,
  checked: {
    severity: IncidentSeverity;
    title: string;
    startedAt: Date;
    deploySha: string | null;
    commitSha: string | null;
  },
): Promise<{ incident: IncidentView; created: boolean }> {
  const { severity, title, startedAt, deploySha, commitSha } = checked;
  return ctx.db.transaction(async (tx) => {
    if (origin.externalId) {
      const existing = await findByExternalId(tx, ctx.orgId, origin.source, origin.externalId);
      if (existing) return { incident: toIncidentView(existing), created: false };
    }
    const repoId = input.repositoryId ?? null;
    if (repoId) await assertRepository(tx, ctx.orgId, repoId);
    const link = await resolveIncidentLink(tx, ctx.orgId, { repoId, startedAt, deploySha, commitSha });
    const by = actorLabel(ctx.actor);
    const metadata = incidentMetadataSchema.parse({
      source: origin.source,
      externalUrl: origin.externalUrl ?? null,
      service: origin.service ?? null,
      history: [{ status: "investigating", at: startedAt.toISOString(), by }],
    });
    const { deployAt, ...linkColumns } = link;
    const [row] = await tx
      .insert(incidents)
      .values(
        validateRow(incidents, {
          orgId: ctx.orgId,
          repoId,
          title,
          description: input.description ?? null,
          severity,
          status: "investigating" as const,
          source: origin.source,
          externalId: origin.externalId ?? null,
          startedAt,
          ...linkColumns,
          metadata,
        }),
      )
      .returning();
    if (!row) throw new Error("insert returned no incident");
    await recordIncidentChange(tx, row, "opened", null, by, startedAt);
    await refreshIncidentMetrics({ ...ctx, db: tx }, repoId, [startedAt, deployAt]);
    return { incident: toIncidentView(row), created: true };
  });
}

export interface UpdateIncidentOptions {
  /** When the change happened (an intake's event time); defaults to now. */
  at?: Date;
  /**
   * Refuse a change that happened before the incident's latest status change (it returns
   * `changed: false`): a late or replayed intake event cannot rewind the status. Checked under
   * the incident's row lock, so concurrent events are compared with what the other committed.
   */
  inOrder?: boolean;
}

/**
 * Changes status, severity, title or description. Status follows src/core/incident-lifecycle.ts;
 * a bad transition is refused and changes nothing. An update that changes nothing writes nothing
 * (a redelivered webhook must not count twice).
 */
export async function updateIncident(
  ctx: WriteContext,
  incidentId: string,
  input: UpdateIncidentInput,
  options: UpdateIncidentOptions = {},
): Promise<{ incident: IncidentView; changed: boolean }> {
  const { severity } = input;
  const title = input.title === undefined ? undefined : checkTitle(input.title);
  return ctx.db.transaction(async (tx) => {
    const current = await lockIncident(tx, ctx.orgId, incidentId);
    if (options.inOrder && options.at && options.at < latestStatusChange(current)) {
      return { incident: toIncidentView(current), changed: false };
    }
    const at =
      options.at && options.at > current.startedAt ? options.at : maxDate(new Date(), current.startedAt);
    const by = actorLabel(ctx.actor);
    const patch: Partial<typeof incidents.$inferInsert> = {};
    let change: "status_changed" | "reopened" | "updated" = "updated";
    let previousStatus: IncidentStatus | null = null;

    if (input.status !== undefined && input.status !== current.status) {
      const next = input.status;
      change = assertTransition(current.status, next);
      previousStatus = current.status;
      patch.status = next;
      if (next === "identified") patch.identifiedAt = at;
      if (next === "resolved") patch.resolvedAt = at;
      // A reopened incident is restored again later; its time to restore runs to the final resolution.
      if (next === "investigating") patch.resolvedAt = null;
      const metadata = incidentMetadataSchema.parse(current.metadata);
      patch.metadata = {
        ...metadata,
        history: [...metadata.history, { status: next, at: at.toISOString(), by }],
      };
    }
    if (severity !== undefined && severity !== current.severity) patch.severity = severity;
    if (title !== undefined && title !== current.title) patch.title = title;
    if (input.description !== undefined && input.description !== current.description) {
      if (input.description && input.description.length > 20_000) {
        throw badRequest("description: at most 20000 characters", { field: "description" });
      }
      patch.description = input.description;
    }
    if (Object.keys(patch).length === 0) return { incident: toIncidentView(current), changed: false };

    const [row] = await tx
      .update(incidents)
      .set(validateRow(incidents, patch))
      .where(and(eq(incidents.id, current.id), eq(incidents.orgId, ctx.orgId)))
      .returning();
    if (!row) throw notFound("incident");
    await recordIncidentChange(tx, row, change, previousStatus, by, at);
    await refreshIncidentMetrics({ ...ctx, db: tx }, row.repoId, [row.startedAt, await deployTime(tx, row)]);
    return { incident: toIncidentView(row), changed: true };
  });
}

/**
 * Recomputes an incident's link (explicit SHAs kept, inferred ones found again). Idempotent: when
 * nothing changed, nothing is written.
 */
export async function relinkIncident(
  ctx: WriteContext,
  incidentId: string,
): Promise<{ incident: IncidentView; changed: boolean }> {
  return ctx.db.transaction(async (tx) => {
    const current = await lockIncident(tx, ctx.orgId, incidentId);
    const explicit = current.linkMethod === "explicit";
    const link = await resolveIncidentLink(tx, ctx.orgId, {
      repoId: current.repoId,
      startedAt: current.startedAt,
      deploySha: explicit && !current.commitSha ? current.deploySha : null,
      commitSha: explicit ? current.commitSha : null,
    });
    const { deployAt, ...columns } = link;
    const same = (Object.keys(columns) as Array<keyof typeof columns>).every(
      (k) => columns[k] === current[k],
    );
    if (same) return { incident: toIncidentView(current), changed: false };
    const before = await deployTime(tx, current);
    const [row] = await tx
      .update(incidents)
      .set(columns)
      .where(and(eq(incidents.id, current.id), eq(incidents.orgId, ctx.orgId)))
      .returning();
    if (!row) throw notFound("incident");
    await recordIncidentChange(tx, row, "linked", row.status, actorLabel(ctx.actor), new Date());
    await refreshIncidentMetrics({ ...ctx, db: tx }, row.repoId, [row.startedAt, before, deployAt]);
    return { incident: toIncidentView(row), changed: true };
  });
}

const maxDate = (a: Date, b: Date) => (a > b ? a : b);

/** When the incident's status last changed: the latest time in its history (its start without one). */
function latestStatusChange(row: IncidentRow): Date {
  const { history } = incidentMetadataSchema.parse(row.metadata);
  return history.reduce((latest, entry) => maxDate(latest, new Date(entry.at)), row.startedAt);
}

async function lockIncident(tx: Database, orgId: string, id: string): Promise<IncidentRow> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound("incident");
  const [row] = await tx
    .select()
    .from(incidents)
    .where(and(eq(incidents.id, id), eq(incidents.orgId, orgId)))
    .for("update");
  if (!row) throw notFound("incident");
  return row;
}

export async function findByExternalId(
  db: Database,
  orgId: string,
  source: string,
  externalId: string,
): Promise<IncidentRow | undefined> {
  const [row] = await db
    .select()
    .from(incidents)
    .where(
      and(eq(incidents.orgId, orgId), eq(incidents.source, source), eq(incidents.externalId, externalId)),
    );
  return row;
}

async function assertRepository(db: Database, orgId: string, repoId: string): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(repoId))
    throw badRequest("repositoryId: not a repository id", { field: "repositoryId" });
  const [repo] = await db
    .select({ id: repositories.id })
    .from(repositories)
    .where(and(eq(repositories.id, repoId), eq(repositories.orgId, orgId)));
  if (!repo) throw notFound("repository");
}

async function deployTime(db: Database, row: IncidentRow): Promise<Date | null> {
  if (!row.deployEventId || !row.repoId) return null;
  const [deploy] = await db
    .select({ timestamp: codeEvents.timestamp })
    .from(codeEvents)
    .where(and(eq(codeEvents.id, row.deployEventId), eq(codeEvents.orgId, row.orgId)));
  return deploy?.timestamp ?? null;
}
