import { sql } from "drizzle-orm";
import type { CommitAttribution } from "../../../core/attribution/types.ts";
import { codeAttribution } from "../../db/schema/index.ts";
import { validateRow } from "../../db/validate.ts";
import type { ServiceContext } from "../context.ts";

/**
 * Upserts one commit's per-file attribution. Idempotent: a re-run or a redelivery rewrites the same
 * rows (unique on repo, commit, file), so nothing is duplicated and nothing goes missing.
 */
export async function storeCommitAttribution(
  ctx: ServiceContext,
  input: { repoId: string; committedAt: string | Date; result: CommitAttribution },
): Promise<number> {
  const { result } = input;
  if (result.files.length === 0) return 0;
  const committedAt = new Date(input.committedAt);
  const rows = result.files.map((file) =>
    validateRow(codeAttribution, {
      orgId: ctx.orgId,
      repoId: input.repoId,
      commitSha: result.sha,
      filePath: file.path,
      aiConfidence: file.aiConfidence,
      detectionMethod: file.detectionMethod,
      riskTier: file.riskTier,
      detectionSignals: file.detectionSignals,
      linesAdded: file.linesAdded,
      linesDeleted: file.linesDeleted,
      aiLines: file.lines.ai,
      humanLines: file.lines.human,
      unknownLines: file.lines.unknown,
      tool: file.tool,
      model: file.model,
      engineVersion: result.engineVersion,
      committedAt,
    }),
  );
  // Postgres limits a statement to 65,535 parameters; 19 columns a row.
  const CHUNK = 1000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    await ctx.db
      .insert(codeAttribution)
      .values(rows.slice(i, i + CHUNK))
      .onConflictDoUpdate({
        target: [codeAttribution.repoId, codeAttribution.commitSha, codeAttribution.filePath],
        set: {
          aiConfidence: sql`excluded.ai_confidence`,
          detectionMethod: sql`excluded.detection_method`,
          riskTier: sql`excluded.risk_tier`,
          detectionSignals: sql`excluded.detection_signals`,
          linesAdded: sql`excluded.lines_added`,
          linesDeleted: sql`excluded.lines_deleted`,
          aiLines: sql`excluded.ai_lines`,
          humanLines: sql`excluded.human_lines`,
          unknownLines: sql`excluded.unknown_lines`,
          tool: sql`excluded.tool`,
          model: sql`excluded.model`,
          engineVersion: sql`excluded.engine_version`,
          committedAt: sql`excluded.committed_at`,
          updatedAt: sql`now()`,
        },
        // Only rows of this organization can ever be touched (the key includes repo_id, which is the org's).
        setWhere: sql`${codeAttribution.orgId} = ${ctx.orgId}`,
      });
  }
  return rows.length;
}
