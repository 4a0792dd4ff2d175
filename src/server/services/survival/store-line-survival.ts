import { sql } from "drizzle-orm";
import { CHURN_WINDOWS_DAYS } from "../../../core/survival/figures.ts";
import type { FileFate } from "../../../core/survival/file-fates.ts";
import type { RevertMethod } from "../../../core/survival/reverts.ts";
import type { Database } from "../../db/client.ts";
import type { ServiceContext } from "../context.ts";
import { markMetricsStale } from "../metrics/pending.ts";
import { assertRepoInOrg } from "../metrics/roll-up.ts";

// Stores what a walk of a repository's history found (line_survival, line_survival_state,
// commit_reverts) by difference with what is stored: only rows whose numbers changed are written,
// and only the roll-up periods they (or a churn window that has now fully passed) fall in are
// marked stale. A walk of the same history therefore writes nothing, and the stored rows are the
// same whether they were reached push by push or in one full recompute.

const DAY_MS = 86_400_000;
const BATCH = 1000;

export type LineHistorySource = "mirror" | "local" | "seed";

export interface StoredRevert {
  sha: string;
  reverted: string;
  method: RevertMethod;
  inHistory: boolean;
  committedAt: Date;
  revertedCommittedAt: Date | null;
}

/** A finished walk of the history, ready to store. */
export interface LineHistoryResult {
  source: LineHistorySource;
  tip: string;
  /** Latest committer time of the walk. */
  historyEnd: Date;
  commits: number;
  linesAtTip: number;
  olderLines: number;
  fates: readonly FileFate[];
  reverts: readonly StoredRevert[];
}

export interface StoreLineSurvivalResult {
  written: number;
  deleted: number;
  revertsWritten: number;
  revertsDeleted: number;
  /** Instants whose roll-up periods were marked stale. */
  staleInstants: Date[];
}

interface RowValues {
  sha: string;
  path: string;
  at: number;
  added: number;
  present: number;
  churned: [number, number, number];
}

const keyOf = (sha: string, path: string) => `${sha}\u0000${path}`;

/** Whether a line added at `at` had the whole window by `end` (null: nothing stored yet). */
const eligible = (at: number, end: number | null, days: number) => end !== null && end - at >= days * DAY_MS;

/**
 * Replaces the repository's stored survival with `result`, writing only the differences, in one
 * transaction; `afterStore` runs inside it with the stale instants (the worker enqueues the
 * roll-up there), and by default they are only marked (the roll-up sweep takes them).
 */
export async function storeLineSurvival(
  ctx: ServiceContext,
  input: {
    repoId: string;
    result: LineHistoryResult;
    afterStore?: (
      tx: Database,
      target: { orgId: string; repoId: string; timestamps: Date[] },
    ) => Promise<void>;
  },
): Promise<StoreLineSurvivalResult> {
  const { repoId, result } = input;
  validate(result);
  await assertRepoInOrg(ctx, repoId);
  return ctx.db.transaction(async (tx) => {
    const scope = sql`org_id = ${ctx.orgId} AND repo_id = ${repoId}`;
    // One walk per repository at a time: a second one waits, then diffs against the first's rows.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`line_survival:${repoId}`}, 0))`);
    const state = (
      await tx.execute(sql`SELECT (extract(epoch from history_end) * 1000)::float8 AS end_ms
                           FROM line_survival_state WHERE ${scope}`)
    ).rows[0];
    const oldEnd = state ? Number(state.end_ms) : null;
    const newEnd = result.historyEnd.getTime();

    const stored = new Map<string, RowValues & { id: string }>();
    for (const r of (
      await tx.execute(sql`SELECT id, commit_sha, file_path, (extract(epoch from committed_at) * 1000)::float8 AS at,
                                  lines_added, lines_present, churned_14d, churned_30d, churned_90d
                           FROM line_survival WHERE ${scope}`)
    ).rows) {
      const row = {
        id: String(r.id),
        sha: String(r.commit_sha),
        path: String(r.file_path),
        at: Number(r.at),
        added: Number(r.lines_added),
        present: Number(r.lines_present),
        churned: [Number(r.churned_14d), Number(r.churned_30d), Number(r.churned_90d)] as [
          number,
          number,
          number,
        ],
      };
      stored.set(keyOf(row.sha, row.path), row);
    }

    const stale: number[] = [];
    const changed: RowValues[] = [];
    for (const f of result.fates) {
      const row: RowValues = {
        sha: f.sha,
        path: f.path,
        at: f.time * 1000,
        added: f.added,
        present: f.present,
        churned: f.churned,
      };
      const key = keyOf(f.sha, f.path);
      const old = stored.get(key);
      stored.delete(key);
      const same =
        old !== undefined &&
        old.at === row.at &&
        old.added === row.added &&
        old.present === row.present &&
        old.churned.every((c, i) => c === row.churned[i]);
      if (!same) {
        changed.push(row);
        stale.push(row.at);
        if (old) stale.push(old.at);
      } else if (
        CHURN_WINDOWS_DAYS.some((d) => eligible(row.at, oldEnd, d) !== eligible(row.at, newEnd, d))
      ) {
        // Unchanged, but a window has now passed for it (or, after a rewrite, no longer has).
        stale.push(row.at);
      }
    }
    // What is left was not in this walk: a history rewritten (a force push) dropped its commit.
    const gone = [...stored.values()];
    for (const g of gone) stale.push(g.at);

    for (let i = 0; i < changed.length; i += BATCH) {
      const records = changed.slice(i, i + BATCH).map((r) => ({
        org_id: ctx.orgId,
        repo_id: repoId,
        commit_sha: r.sha,
        file_path: r.path,
        committed_at: new Date(r.at).toISOString(),
        lines_added: r.added,
        lines_present: r.present,
        churned_14d: r.churned[0],
        churned_30d: r.churned[1],
        churned_90d: r.churned[2],
      }));
      await tx.execute(sql`
        INSERT INTO line_survival (org_id, repo_id, commit_sha, file_path, committed_at, lines_added,
                                   lines_present, churned_14d, churned_30d, churned_90d)
        SELECT org_id, repo_id, commit_sha, file_path, committed_at, lines_added, lines_present,
               churned_14d, churned_30d, churned_90d
        FROM json_to_recordset(${JSON.stringify(records)}::json) AS r(
          org_id uuid, repo_id uuid, commit_sha text, file_path text, committed_at timestamptz,
          lines_added int, lines_present int, churned_14d int, churned_30d int, churned_90d int)
        ON CONFLICT (repo_id, commit_sha, file_path) DO UPDATE SET
          committed_at = excluded.committed_at, lines_added = excluded.lines_added,
          lines_present = excluded.lines_present, churned_14d = excluded.churned_14d,
          churned_30d = excluded.churned_30d, churned_90d = excluded.churned_90d, updated_at = now()`);
    }
    for (let i = 0; i < gone.length; i += BATCH) {
      const ids = gone.slice(i, i + BATCH).map((g) => g.id);
      await tx.execute(
        sql`DELETE FROM line_survival WHERE ${scope} AND id = ANY(${`{${ids.join(",")}}`}::uuid[])`,
      );
    }

    const reverts = await storeReverts(tx, ctx.orgId, repoId, result.reverts);
    stale.push(...reverts.staleInstants);

    await tx.execute(sql`
      INSERT INTO line_survival_state (repo_id, org_id, source, tip_sha, history_end, commits, lines_at_tip, older_lines, computed_at)
      VALUES (${repoId}, ${ctx.orgId}, ${result.source}, ${result.tip}, ${result.historyEnd.toISOString()}::timestamptz,
              ${result.commits}, ${result.linesAtTip}, ${result.olderLines}, now())
      ON CONFLICT (repo_id) DO UPDATE SET source = excluded.source, tip_sha = excluded.tip_sha,
        history_end = excluded.history_end, commits = excluded.commits, lines_at_tip = excluded.lines_at_tip,
        older_lines = excluded.older_lines, computed_at = excluded.computed_at`);

    const staleInstants = [...new Set(stale)].map((t) => new Date(t));
    const target = { orgId: ctx.orgId, repoId, timestamps: staleInstants };
    if (staleInstants.length > 0) {
      if (input.afterStore) await input.afterStore(tx, target);
      else await markMetricsStale(tx, target);
    }
    return {
      written: changed.length,
      deleted: gone.length,
      revertsWritten: reverts.written,
      revertsDeleted: reverts.deleted,
      staleInstants,
    };
  });
}

/**
 * commit_reverts by difference. A link added or dropped changes the revert columns of the period
 * the reverted commit's `commit` event falls in (its author time, as the roll-up counts commits).
 */
async function storeReverts(
  tx: Database,
  orgId: string,
  repoId: string,
  links: readonly StoredRevert[],
): Promise<{ written: number; deleted: number; staleInstants: number[] }> {
  const scope = sql`org_id = ${orgId} AND repo_id = ${repoId}`;
  const stored = new Map(
    (
      await tx.execute(
        sql`SELECT commit_sha, reverted_sha, method, in_history FROM commit_reverts WHERE ${scope}`,
      )
    ).rows.map((r) => [
      String(r.commit_sha),
      { reverted: String(r.reverted_sha), method: String(r.method), inHistory: Boolean(r.in_history) },
    ]),
  );
  const touched = new Set<string>();
  const changed = links.filter((l) => {
    const old = stored.get(l.sha);
    stored.delete(l.sha);
    if (old && old.reverted === l.reverted && old.method === l.method && old.inHistory === l.inHistory)
      return false;
    touched.add(l.reverted);
    if (old) touched.add(old.reverted);
    return true;
  });
  const gone = [...stored.keys()];
  for (const old of stored.values()) touched.add(old.reverted);

  for (let i = 0; i < changed.length; i += BATCH) {
    const records = changed.slice(i, i + BATCH).map((l) => ({
      org_id: orgId,
      repo_id: repoId,
      commit_sha: l.sha,
      reverted_sha: l.reverted,
      method: l.method,
      in_history: l.inHistory,
      committed_at: l.committedAt.toISOString(),
      reverted_committed_at: l.revertedCommittedAt?.toISOString() ?? null,
    }));
    await tx.execute(sql`
      INSERT INTO commit_reverts (org_id, repo_id, commit_sha, reverted_sha, method, in_history, committed_at, reverted_committed_at)
      SELECT org_id, repo_id, commit_sha, reverted_sha, method, in_history, committed_at, reverted_committed_at
      FROM json_to_recordset(${JSON.stringify(records)}::json) AS r(
        org_id uuid, repo_id uuid, commit_sha text, reverted_sha text, method text, in_history boolean,
        committed_at timestamptz, reverted_committed_at timestamptz)
      ON CONFLICT (repo_id, commit_sha) DO UPDATE SET reverted_sha = excluded.reverted_sha,
        method = excluded.method, in_history = excluded.in_history, committed_at = excluded.committed_at,
        reverted_committed_at = excluded.reverted_committed_at`);
  }
  if (gone.length > 0)
    await tx.execute(
      sql`DELETE FROM commit_reverts WHERE ${scope} AND commit_sha = ANY(${`{${gone.join(",")}}`}::text[])`,
    );

  const shas = [...touched].filter((s) => /^[0-9a-f]{7,64}$/.test(s));
  const instants =
    shas.length === 0
      ? []
      : (
          await tx.execute(sql`SELECT (extract(epoch from timestamp) * 1000)::float8 AS at FROM code_events
                               WHERE ${scope} AND event_type = 'commit'
                                 AND commit_sha = ANY(${`{${shas.join(",")}}`}::text[])`)
        ).rows.map((r) => Number(r.at));
  return { written: changed.length, deleted: gone.length, staleInstants: instants };
}

/** Refuses a result whose numbers cannot be right, before anything is written. */
function validate(result: LineHistoryResult): void {
  const bad = (what: string) => {
    throw new RangeError(`line survival: ${what}`);
  };
  if (!/^[0-9a-f]{40,64}$/.test(result.tip) && result.source !== "seed")
    bad(`tip ${result.tip} is not a sha`);
  if (Number.isNaN(result.historyEnd.getTime())) bad("history end is not a time");
  if (result.olderLines < 0 || result.linesAtTip < result.olderLines)
    bad("lines at the tip are inconsistent");
  for (const f of result.fates) {
    const [c14, c30, c90] = f.churned;
    if (!(f.added > 0 && f.present >= 0 && f.present <= f.added && c14 >= 0 && c14 <= c30 && c30 <= c90))
      bad(`${f.sha} ${f.path}: inconsistent counts`);
    if (c90 + f.present > f.added) bad(`${f.sha} ${f.path}: more lines churned and present than added`);
  }
}
