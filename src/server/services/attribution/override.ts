import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { detectionSignalsSchema } from "../../../core/attribution/signals.ts";
import type { ManualOverride } from "../../../core/attribution/types.ts";
import { RISK_TIERS } from "../../../core/enums.ts";
import { notFound } from "../../../core/errors.ts";
import type { Database } from "../../db/client.ts";
import { attributionOverrides, codeAttribution, repositories } from "../../db/schema/index.ts";
import { validateRow } from "../../db/validate.ts";
import { recordAudit } from "../audit.ts";
import { actorLabel, type ServiceContext } from "../context.ts";
import { markMetricsStale } from "../metrics/pending.ts";

export const overrideInputSchema = z.strictObject({
  repositoryId: z.uuid(),
  commitSha: z.string().regex(/^[0-9a-f]{40}$/, "must be a 40-character hex commit SHA"),
  /** Null: every file of the commit. */
  filePath: z.string().min(1).max(4096).nullable(),
  verdict: z.enum(["ai", "human"]),
  riskTier: z.enum(RISK_TIERS).nullable().optional(),
  reason: z.string().trim().min(1, "a reason is required").max(2000),
});

export type OverrideInput = z.infer<typeof overrideInputSchema>;

/**
 * A person's verdict on a file or a whole commit. Stored in attribution_overrides (so re-analysis
 * re-applies it) and applied to the current code_attribution rows at once. Returns the updated rows.
 */
export async function overrideAttribution(ctx: ServiceContext, raw: OverrideInput) {
  const input = overrideInputSchema.parse(raw);
  return ctx.db.transaction(async (tx) => {
    const txCtx = { ...ctx, db: tx };
    const [repo] = await tx
      .select({ id: repositories.id })
      .from(repositories)
      .where(and(eq(repositories.id, input.repositoryId), eq(repositories.orgId, ctx.orgId)));
    if (!repo) throw notFound("repository");

    const target = and(
      eq(codeAttribution.orgId, ctx.orgId),
      eq(codeAttribution.repoId, input.repositoryId),
      eq(codeAttribution.commitSha, input.commitSha),
      input.filePath === null ? undefined : eq(codeAttribution.filePath, input.filePath),
    );
    const current = await tx.select().from(codeAttribution).where(target);
    if (current.length === 0) throw notFound("attribution");

    const actor = actorLabel(ctx.actor);
    const at = new Date();
    const existing = await tx
      .select({ id: attributionOverrides.id })
      .from(attributionOverrides)
      .where(
        and(
          eq(attributionOverrides.repoId, input.repositoryId),
          eq(attributionOverrides.commitSha, input.commitSha),
          input.filePath === null
            ? isNull(attributionOverrides.filePath)
            : eq(attributionOverrides.filePath, input.filePath),
        ),
      );
    const overrideRow = {
      verdict: input.verdict,
      riskTier: input.riskTier ?? null,
      actor,
      reason: input.reason,
    };
    if (existing[0]) {
      await tx
        .update(attributionOverrides)
        .set(overrideRow)
        .where(eq(attributionOverrides.id, existing[0].id));
    } else {
      await tx.insert(attributionOverrides).values(
        validateRow(attributionOverrides, {
          orgId: ctx.orgId,
          repoId: input.repositoryId,
          commitSha: input.commitSha,
          filePath: input.filePath,
          ...overrideRow,
        }),
      );
    }

    const updated = [];
    for (const row of current) {
      const isAi = input.verdict === "ai";
      const signals = detectionSignalsSchema.parse({
        ...row.detectionSignals,
        override: { actor, reason: input.reason, at: at.toISOString() },
        lines: isAi
          ? { ai: row.linesAdded, human: 0, unknown: 0 }
          : { ai: 0, human: row.linesAdded, unknown: 0 },
      });
      const [next] = await tx
        .update(codeAttribution)
        .set({
          aiConfidence: isAi ? 1 : 0,
          detectionMethod: "manual_override",
          riskTier: input.riskTier ?? row.riskTier,
          aiLines: isAi ? row.linesAdded : 0,
          humanLines: isAi ? 0 : row.linesAdded,
          unknownLines: 0,
          detectionSignals: signals,
          updatedAt: sql`now()`,
        })
        .where(and(eq(codeAttribution.id, row.id), eq(codeAttribution.orgId, ctx.orgId)))
        .returning();
      if (next) updated.push(next);
    }

    // The periods these files count in must be recomputed; the roll-up worker picks the marks up.
    await markMetricsStale(tx, {
      orgId: ctx.orgId,
      repoId: input.repositoryId,
      timestamps: current.map((row) => row.committedAt),
    });
    await recordAudit(txCtx, "attribution.override", `${input.commitSha}:${input.filePath ?? "*"}`, {
      repositoryId: input.repositoryId,
      verdict: input.verdict,
      riskTier: input.riskTier ?? null,
      reason: input.reason,
      files: updated.length,
    });
    return updated;
  });
}

/**
 * The manual overrides the engine applies, by commit sha: those of one commit, or of a whole
 * repository (a local analysis reads them once for every commit it attributes).
 */
export async function overridesByCommit(
  db: Database,
  target: { orgId: string; repoId: string; commitSha?: string },
): Promise<Map<string, ManualOverride[]>> {
  const rows = await db
    .select()
    .from(attributionOverrides)
    .where(
      and(
        eq(attributionOverrides.orgId, target.orgId),
        eq(attributionOverrides.repoId, target.repoId),
        target.commitSha === undefined ? undefined : eq(attributionOverrides.commitSha, target.commitSha),
      ),
    );
  const out = new Map<string, ManualOverride[]>();
  for (const row of rows) {
    const list = out.get(row.commitSha) ?? [];
    list.push({
      filePath: row.filePath,
      verdict: row.verdict === "ai" ? "ai" : "human",
      riskTier: row.riskTier,
      actor: row.actor,
      reason: row.reason,
      at: row.updatedAt.toISOString(),
    });
    out.set(row.commitSha, list);
  }
  return out;
}
