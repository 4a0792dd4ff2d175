import { and, eq, getTableColumns, inArray, sql } from "drizzle-orm";
import type { TimePeriod } from "../../../core/enums.ts";
import { notFound } from "../../../core/errors.ts";
import { type PeriodKey, periodRange } from "../../../core/metrics/periods.ts";
import { bucketsOf, computeMetricRows, type MetricRow } from "../../../core/metrics/rollup.ts";
import type { Database } from "../../db/client.ts";
import { organizations, repoMetrics, repositories } from "../../db/schema/index.ts";
import { validateRow } from "../../db/validate.ts";
import type { ServiceContext } from "../context.ts";
import { loadRepoFacts } from "./load-facts.ts";
import { orgSettings } from "./settings.ts";

const INSERT_BATCH = 500;

/**
 * Recomputes exactly these repo_metrics rows of one repository from the raw rows (code_events,
 * code_attribution, incidents) and upserts them; a bucket that is now empty loses its row.
 * Gives the same rows as a full rebuild.
 */
export async function rollUp(
  ctx: ServiceContext,
  input: { repoId: string; periods: readonly PeriodKey[] },
): Promise<{ written: number; deleted: number }> {
  await assertRepoInOrg(ctx, input.repoId);
  if (input.periods.length === 0) return { written: 0, deleted: 0 };
  const ranges = input.periods.map((p) => periodRange(p.period, p.date));
  const range = {
    start: new Date(Math.min(...ranges.map((r) => r.start.getTime()))),
    end: new Date(Math.max(...ranges.map((r) => r.end.getTime()))),
  };
  const { aiHeavyThreshold } = await orgSettings(ctx.db, ctx.orgId);
  const facts = await loadRepoFacts(ctx.db, ctx.orgId, input.repoId, range);
  const rows = computeMetricRows(facts, aiHeavyThreshold, dedupeKeys(input.periods));
  const written = new Set(rows.map((r) => `${r.period}:${r.date}`));
  const empty = dedupeKeys(input.periods).filter((p) => !written.has(`${p.period}:${p.date}`));

  await ctx.db.transaction(async (tx) => {
    await upsertRows(tx, ctx.orgId, input.repoId, rows);
    for (const period of ["day", "week", "month"] as const satisfies TimePeriod[]) {
      const dates = empty.filter((p) => p.period === period).map((p) => p.date);
      if (dates.length === 0) continue;
      await tx
        .delete(repoMetrics)
        .where(
          and(
            eq(repoMetrics.orgId, ctx.orgId),
            eq(repoMetrics.repoId, input.repoId),
            eq(repoMetrics.period, period),
            inArray(repoMetrics.date, dates),
          ),
        );
    }
  });
  return { written: rows.length, deleted: empty.length };
}

/** Rebuilds every repo_metrics row of the organization from scratch. */
export async function rebuildAll(ctx: ServiceContext): Promise<{ repositories: number; rows: number }> {
  const { aiHeavyThreshold } = await orgSettings(ctx.db, ctx.orgId);
  const repos = await ctx.db
    .select({ id: repositories.id })
    .from(repositories)
    .where(eq(repositories.orgId, ctx.orgId));
  const load = (repoId: string) => {
    const facts = loadRepoFacts(ctx.db, ctx.orgId, repoId);
    // Awaited on the next turn; if an earlier repository fails first, this must not go unhandled.
    facts.catch(() => {});
    return facts;
  };
  let total = 0;
  let next = repos[0] ? load(repos[0].id) : undefined;
  for (const [i, repo] of repos.entries()) {
    const facts = await (next ?? load(repo.id));
    // The next repository's rows are read while this one is computed and written, so the database
    // and the computation overlap (facts come from raw tables this loop never writes).
    const following = repos[i + 1];
    next = following ? load(following.id) : undefined;
    const rows = computeMetricRows(facts, aiHeavyThreshold, bucketsOf(facts));
    await ctx.db.transaction(async (tx) => {
      await tx
        .delete(repoMetrics)
        .where(and(eq(repoMetrics.orgId, ctx.orgId), eq(repoMetrics.repoId, repo.id)));
      await upsertRows(tx, ctx.orgId, repo.id, rows);
    });
    total += rows.length;
  }
  return { repositories: repos.length, rows: total };
}

/**
 * Full roll-up of every organization (tests compare it with the incremental roll-up). The seed
 * rebuilds each organization it adds with rebuildAll; a threshold change marks the stored rows
 * stale instead (services/metrics/schedule-roll-up.ts).
 */
export async function rebuildAllMetrics(db: Database): Promise<{ organizations: number; rows: number }> {
  const orgs = await db.select({ id: organizations.id }).from(organizations);
  let rows = 0;
  for (const org of orgs) {
    rows += (await rebuildAll({ db, orgId: org.id, actor: { kind: "system" } })).rows;
  }
  return { organizations: orgs.length, rows };
}

async function upsertRows(
  db: Database,
  orgId: string,
  repoId: string,
  rows: readonly MetricRow[],
): Promise<void> {
  const computedAt = new Date();
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    const records = rows.slice(i, i + INSERT_BATCH).map((row) => {
      const valid: Record<string, unknown> = validateRow(repoMetrics, { ...row, orgId, repoId, computedAt });
      return Object.fromEntries(WRITTEN_COLUMNS.map(({ key, name }) => [name, jsonValue(valid[key], name)]));
    });
    // One JSON parameter per batch, typed by the column list: building a 40-column, 500-row
    // VALUES list through the query builder cost more than computing the rows.
    await db.execute(sql`
      INSERT INTO repo_metrics (${COLUMN_LIST})
      SELECT ${COLUMN_LIST} FROM json_to_recordset(${JSON.stringify(records)}::json) AS r(${RECORD_TYPE})
      ON CONFLICT (repo_id, date, period) DO UPDATE SET ${ON_CONFLICT_SET}`);
  }
}

// Every column but the id, in table order, with its SQL name and type.
const WRITTEN_COLUMNS = Object.entries(getTableColumns(repoMetrics))
  .filter(([key]) => key !== "id")
  .map(([key, column]) => ({ key, name: column.name, type: column.getSQLType() }));
const COLUMN_LIST = sql.raw(WRITTEN_COLUMNS.map((c) => `"${c.name}"`).join(", "));
const RECORD_TYPE = sql.raw(WRITTEN_COLUMNS.map((c) => `"${c.name}" ${c.type}`).join(", "));
// On conflict, every computed column takes the new value; ids and the bucket key stay.
const ON_CONFLICT_SET = sql.raw(
  WRITTEN_COLUMNS.filter((c) => !["org_id", "repo_id", "period", "date"].includes(c.name))
    .map((c) => `"${c.name}" = excluded."${c.name}"`)
    .join(", "),
);

/** A value as JSON for json_to_recordset; JSON has no NaN or Infinity, so those are refused, not turned into null. */
function jsonValue(value: unknown, column: string): unknown {
  if (typeof value === "number" && !Number.isFinite(value))
    throw new RangeError(`repo_metrics.${column}: ${value} is not a finite number`);
  return value;
}

function dedupeKeys(keys: readonly PeriodKey[]): PeriodKey[] {
  return [...new Map(keys.map((k) => [`${k.period}:${k.date}`, k])).values()];
}

export async function assertRepoInOrg(ctx: ServiceContext, repoId: string): Promise<void> {
  const [repo] = await ctx.db
    .select({ id: repositories.id })
    .from(repositories)
    .where(and(eq(repositories.id, repoId), eq(repositories.orgId, ctx.orgId)));
  if (!repo) throw notFound("repository");
}
