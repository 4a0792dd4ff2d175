import { and, desc, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import type { IncidentStatus } from "../../../core/enums.ts";
import { badRequest, notFound } from "../../../core/errors.ts";
import { type IncidentMetadata, incidentMetadataSchema } from "../../../core/incidents.ts";
import { codeAttribution, codeEvents, incidents } from "../../db/schema/index.ts";
import type { ServiceContext } from "../context.ts";
import { assertRepoInOrg } from "../metrics/roll-up.ts";
import { historyFrom } from "../organizations/history.ts";
import { commitsShippedBy } from "./link.ts";
import { type IncidentView, toIncidentView } from "./view.ts";

const MAX_COMMITS = 200;

function encodeCursor(row: { startedAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.startedAt.toISOString(), row.id])).toString("base64url");
}

function decodeCursor(cursor: string): { startedAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [unknown, unknown];
    const startedAt = new Date(String(at));
    if (typeof id !== "string" || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(startedAt.getTime()))
      throw new Error();
    return { startedAt, id };
  } catch {
    throw badRequest("cursor: not a cursor this API returned", { field: "cursor" });
  }
}

/** Incidents, newest start first, with cursor pagination; those started within the plan's history. */
export async function listIncidents(
  ctx: ServiceContext,
  input: {
    status?: IncidentStatus | undefined;
    repoId?: string | undefined;
    limit?: number | undefined;
    cursor?: string | undefined;
  },
): Promise<{ items: IncidentView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 200);
  const conditions = [eq(incidents.orgId, ctx.orgId)];
  const since = await historyFrom(ctx, undefined);
  if (since) conditions.push(gte(incidents.startedAt, since));
  if (input.status !== undefined) conditions.push(eq(incidents.status, input.status));
  if (input.repoId !== undefined) {
    // Another organization's repository is "not found", as on every other route, never an empty page.
    await assertRepoInOrg(ctx, input.repoId);
    conditions.push(eq(incidents.repoId, input.repoId));
  }
  if (input.cursor !== undefined) {
    const c = decodeCursor(input.cursor);
    const before = or(
      lt(incidents.startedAt, c.startedAt),
      and(eq(incidents.startedAt, c.startedAt), lt(incidents.id, c.id)),
    );
    if (before) conditions.push(before);
  }
  const rows = await ctx.db
    .select()
    .from(incidents)
    .where(and(...conditions))
    .orderBy(desc(incidents.startedAt), desc(incidents.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toIncidentView),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}

export interface IncidentDetail extends IncidentView {
  timeline: IncidentMetadata["history"];
  deploy: { id: string; sha: string | null; timestamp: string; environment: string | null } | null;
  commits: Array<{
    sha: string;
    message: string | null;
    committedAt: string;
    aiConfidence: number | null;
    aiLines: number;
    linesAdded: number;
    files: Array<{ filePath: string; riskTier: string; aiConfidence: number | null; aiLines: number }>;
  }>;
}

/**
 * An incident with its path back to code: the deploy, the commits it shipped, and their AI-written
 * files. An incident started before the plan's history is not found; a deploy or commit older
 * than the history is left out.
 */
export async function getIncidentDetail(ctx: ServiceContext, incidentId: string): Promise<IncidentDetail> {
  if (!/^[0-9a-f-]{36}$/i.test(incidentId)) throw notFound("incident");
  const since = await historyFrom(ctx, undefined);
  const [row] = await ctx.db
    .select()
    .from(incidents)
    .where(
      and(
        eq(incidents.id, incidentId),
        eq(incidents.orgId, ctx.orgId),
        since ? gte(incidents.startedAt, since) : undefined,
      ),
    );
  if (!row) throw notFound("incident");
  const inHistory = (at: Date) => !since || at >= since;
  const metadata = incidentMetadataSchema.safeParse(row.metadata);
  const timeline = metadata.success ? metadata.data.history : [];

  let deploy: IncidentDetail["deploy"] = null;
  let shas: string[] = [];
  if (row.repoId && row.deployEventId) {
    const [event] = await ctx.db
      .select({
        id: codeEvents.id,
        sha: codeEvents.commitSha,
        timestamp: codeEvents.timestamp,
        metadata: codeEvents.metadata,
      })
      .from(codeEvents)
      .where(and(eq(codeEvents.id, row.deployEventId), eq(codeEvents.orgId, ctx.orgId)));
    if (event && inHistory(event.timestamp)) {
      const environment = (event.metadata as { environment?: unknown }).environment;
      deploy = {
        id: event.id,
        sha: event.sha,
        timestamp: event.timestamp.toISOString(),
        environment: typeof environment === "string" ? environment : null,
      };
      shas = await commitsShippedBy(ctx.db, ctx.orgId, row.repoId, {
        id: event.id,
        commitSha: event.sha,
        timestamp: event.timestamp,
      });
    }
  }
  // A commit named by the reporter is the suspect change itself.
  if (row.commitSha) shas = [row.commitSha];
  shas = shas.slice(-MAX_COMMITS);

  const commits: IncidentDetail["commits"] = [];
  if (row.repoId && shas.length > 0) {
    const files = await ctx.db
      .select({
        sha: codeAttribution.commitSha,
        filePath: codeAttribution.filePath,
        riskTier: codeAttribution.riskTier,
        aiConfidence: codeAttribution.aiConfidence,
        aiLines: codeAttribution.aiLines,
        linesAdded: codeAttribution.linesAdded,
        committedAt: codeAttribution.committedAt,
      })
      .from(codeAttribution)
      .where(
        and(
          eq(codeAttribution.orgId, ctx.orgId),
          eq(codeAttribution.repoId, row.repoId),
          inArray(codeAttribution.commitSha, shas),
        ),
      )
      .orderBy(desc(codeAttribution.aiLines), codeAttribution.filePath);
    const events = await ctx.db
      .select({
        sha: codeEvents.commitSha,
        timestamp: codeEvents.timestamp,
        message: sql<string | null>`${codeEvents.metadata}->>'message'`,
      })
      .from(codeEvents)
      .where(
        and(
          eq(codeEvents.orgId, ctx.orgId),
          eq(codeEvents.repoId, row.repoId),
          eq(codeEvents.eventType, "commit"),
          inArray(codeEvents.commitSha, shas),
        ),
      );
    const eventBySha = new Map(events.map((e) => [e.sha, e]));
    for (const sha of shas) {
      const own = files.filter((f) => f.sha === sha);
      const event = eventBySha.get(sha);
      const committedAt = event?.timestamp ?? own[0]?.committedAt;
      if (!committedAt || !inHistory(committedAt)) continue;
      const confidences = own.flatMap((f) => (f.aiConfidence === null ? [] : [f.aiConfidence]));
      commits.push({
        sha,
        message: event?.message ?? null,
        committedAt: committedAt.toISOString(),
        aiConfidence: confidences.length > 0 ? Math.max(...confidences) : null,
        aiLines: own.reduce((s, f) => s + f.aiLines, 0),
        linesAdded: own.reduce((s, f) => s + f.linesAdded, 0),
        files: own.map((f) => ({
          filePath: f.filePath,
          riskTier: f.riskTier,
          aiConfidence: f.aiConfidence,
          aiLines: f.aiLines,
        })),
      });
    }
  }
  return { ...toIncidentView(row), timeline, deploy, commits };
}
