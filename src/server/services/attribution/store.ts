import { sql } from "drizzle-orm";
import type { CommitSource } from "../../../core/attribution/signals.ts";
import type { CommitAttribution } from "../../../core/attribution/types.ts";
import { codeAttribution } from "../../db/schema/index.ts";
import { validateRow } from "../../db/validate.ts";
import type { ServiceContext } from "../context.ts";

export interface CommitAttributionInput {
  repoId: string;
  committedAt: string | Date;
  result: CommitAttribution;
  /** Where the commit was read from, recorded in every file's detection signals. */
  source?: CommitSource;
}

/** Rows per statement, so one huge commit (a vendored tree) does not become one huge JSON document. */
const UPSERT_CHUNK = 5000;

/**
 * Upserts one commit's per-file attribution. Idempotent: a re-run or a redelivery rewrites the same
 * rows (unique on repo, commit, file), so nothing is duplicated and nothing goes missing.
 */
export function storeCommitAttribution(ctx: ServiceContext, input: CommitAttributionInput): Promise<number> {
  return storeCommitAttributions(ctx, [input]);
}

/**
 * storeCommitAttribution for many commits at once (a local analysis, a backfill): the rows travel
 * as one JSON parameter, one statement per UPSERT_CHUNK files however many commits. A file named
 * twice (the same repository, commit and path) is written once, with its last attribution, as
 * upserting them one after the other would leave it. Returns the number of file rows written.
 */
export async function storeCommitAttributions(
  ctx: ServiceContext,
  inputs: readonly CommitAttributionInput[],
): Promise<number> {
  const rows = new Map<string, Record<string, unknown>>();
  for (const input of inputs) {
    const { result } = input;
    if (result.files.length === 0) continue;
    const committedAt = new Date(input.committedAt);
    for (const file of result.files) {
      const row = validateRow(codeAttribution, {
        orgId: ctx.orgId,
        repoId: input.repoId,
        commitSha: result.sha,
        filePath: file.path,
        aiConfidence: file.aiConfidence,
        detectionMethod: file.detectionMethod,
        riskTier: file.riskTier,
        detectionSignals: input.source
          ? { ...file.detectionSignals, source: input.source }
          : file.detectionSignals,
        linesAdded: file.linesAdded,
        linesDeleted: file.linesDeleted,
        aiLines: file.lines.ai,
        humanLines: file.lines.human,
        unknownLines: file.lines.unknown,
        tool: file.tool,
        model: file.model,
        engineVersion: result.engineVersion,
        committedAt,
      });
      const key = `${row.repoId}\0${row.commitSha}\0${row.filePath}`;
      // Delete first, so a repeated key takes the position (and chunk) of its last occurrence.
      rows.delete(key);
      rows.set(key, {
        repo_id: row.repoId,
        commit_sha: row.commitSha,
        file_path: row.filePath,
        ai_confidence: row.aiConfidence,
        detection_method: row.detectionMethod,
        risk_tier: row.riskTier,
        detection_signals: row.detectionSignals,
        lines_added: row.linesAdded,
        lines_deleted: row.linesDeleted,
        ai_lines: row.aiLines,
        human_lines: row.humanLines,
        unknown_lines: row.unknownLines,
        tool: row.tool,
        model: row.model,
        engine_version: row.engineVersion,
        committed_at: row.committedAt.toISOString(),
      });
    }
  }
  const all = [...rows.values()];
  // Only rows of this organization can ever be touched (the key includes repo_id, which is the org's).
  for (let i = 0; i < all.length; i += UPSERT_CHUNK) {
    await ctx.db.execute(sql`
      INSERT INTO code_attribution (org_id, repo_id, commit_sha, file_path, ai_confidence, detection_method,
        risk_tier, detection_signals, lines_added, lines_deleted, ai_lines, human_lines, unknown_lines, tool,
        model, engine_version, committed_at)
      SELECT ${ctx.orgId}::uuid, repo_id, commit_sha, file_path, ai_confidence, detection_method, risk_tier,
        detection_signals, lines_added, lines_deleted, ai_lines, human_lines, unknown_lines, tool, model,
        engine_version, committed_at
      FROM jsonb_to_recordset(${JSON.stringify(all.slice(i, i + UPSERT_CHUNK))}::jsonb) AS r(
        repo_id uuid, commit_sha text, file_path text, ai_confidence real, detection_method detection_method,
        risk_tier risk_tier, detection_signals jsonb, lines_added integer, lines_deleted integer,
        ai_lines integer, human_lines integer, unknown_lines integer, tool text, model text,
        engine_version text, committed_at timestamptz)
      ON CONFLICT (repo_id, commit_sha, file_path) DO UPDATE SET
        ai_confidence = excluded.ai_confidence, detection_method = excluded.detection_method,
        risk_tier = excluded.risk_tier, detection_signals = excluded.detection_signals,
        lines_added = excluded.lines_added, lines_deleted = excluded.lines_deleted,
        ai_lines = excluded.ai_lines, human_lines = excluded.human_lines, unknown_lines = excluded.unknown_lines,
        tool = excluded.tool, model = excluded.model, engine_version = excluded.engine_version,
        committed_at = excluded.committed_at, updated_at = now()
      WHERE code_attribution.org_id = ${ctx.orgId}::uuid`);
  }
  return all.length;
}
