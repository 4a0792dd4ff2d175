import { and, eq, sql } from "drizzle-orm";
import { type PeriodKey, periodRange, periodsTouched } from "../../../core/metrics/periods.ts";
import type { Database } from "../../db/client.ts";
import { repoMetricsPending } from "../../db/schema/index.ts";
import type { ServiceContext } from "../context.ts";
import { isProductionDeploy } from "./production-deploy.ts";
import { rollUp } from "./roll-up.ts";

/**
 * Marks the day, week and month rows holding these instants as stale. Call it in the transaction
 * that wrote the rows (late or out-of-order events just mark old buckets).
 */
export async function markMetricsStale(db: Database, input: StaleInstants): Promise<PeriodKey[]> {
  return (await markMetricsStaleMany(db, [input]))[0] ?? [];
}

export interface StaleInstants {
  orgId: string;
  repoId: string;
  timestamps: ReadonlyArray<Date | string | number>;
}

/** markMetricsStale for several repositories in one statement; returns each one's keys. */
export async function markMetricsStaleMany(
  db: Database,
  inputs: readonly StaleInstants[],
): Promise<PeriodKey[][]> {
  const touched = inputs.map((input) =>
    periodsTouched(input.timestamps.map((t) => new Date(t)).filter((d) => !Number.isNaN(d.getTime()))),
  );
  const rows = inputs.flatMap((input, i) =>
    (touched[i] ?? []).map((k) => ({
      orgId: input.orgId,
      repoId: input.repoId,
      period: k.period,
      date: k.date,
    })),
  );
  if (rows.length > 0) await db.insert(repoMetricsPending).values(rows).onConflictDoNothing();
  return touched;
}

/**
 * Recomputes every stale row of one repository. The stale marks are taken and the rows written in
 * one transaction: if the roll-up fails, the marks stay for the retry.
 */
export async function rollUpPending(ctx: ServiceContext, repoId: string): Promise<{ periods: number }> {
  return ctx.db.transaction(async (tx) => {
    const taken = await tx
      .delete(repoMetricsPending)
      .where(and(eq(repoMetricsPending.orgId, ctx.orgId), eq(repoMetricsPending.repoId, repoId)))
      .returning({ period: repoMetricsPending.period, date: repoMetricsPending.date });
    if (taken.length === 0) return { periods: 0 };
    const periods = [...taken, ...(await nextDeployBuckets(tx, ctx.orgId, repoId, taken))];
    await rollUp({ ...ctx, db: tx }, { repoId, periods });
    return { periods: taken.length };
  });
}

/**
 * A commit or deploy at time t also changes what the next production deploy after t shipped (its
 * lead times and AI share), which may sit in a later bucket: add the buckets of the first
 * production deploy after each stale day.
 */
async function nextDeployBuckets(
  db: Database,
  orgId: string,
  repoId: string,
  keys: readonly PeriodKey[],
): Promise<PeriodKey[]> {
  const ends = [
    ...new Set(
      keys.filter((k) => k.period === "day").map((k) => periodRange("day", k.date).end.toISOString()),
    ),
  ];
  if (ends.length === 0) return [];
  const found = await db.execute(sql`
    SELECT DISTINCT next.at FROM unnest(${`{${ends.join(",")}}`}::timestamptz[]) AS e(end_at)
    CROSS JOIN LATERAL (
      SELECT timestamp AS at FROM code_events
      WHERE org_id = ${orgId} AND repo_id = ${repoId} AND ${isProductionDeploy} AND timestamp >= e.end_at
      ORDER BY timestamp LIMIT 1
    ) AS next`);
  return periodsTouched(found.rows.map((r) => new Date(r.at as string | Date)));
}

/**
 * Marks every stored repo_metrics row of the organization stale, for a change to a setting the
 * roll-up reads (the AI-heavy threshold). Buckets without a row hold no facts, or are marked
 * already. Returns the repositories that have rows.
 */
export async function markOrganizationMetricsStale(db: Database, orgId: string): Promise<string[]> {
  const found = await db.execute(sql`
    WITH stored AS (SELECT org_id, repo_id, period, date FROM repo_metrics WHERE org_id = ${orgId}),
    marked AS (
      INSERT INTO repo_metrics_pending (org_id, repo_id, period, date)
      SELECT org_id, repo_id, period, date FROM stored
      ON CONFLICT DO NOTHING
    )
    SELECT DISTINCT repo_id FROM stored`);
  return found.rows.map((r) => String(r.repo_id));
}

/** Repositories with stale rows (a sweep after an outage, or tests). */
export async function repositoriesWithPendingRollUps(
  db: Database,
): Promise<Array<{ orgId: string; repoId: string }>> {
  const found = await db.execute(sql`SELECT DISTINCT org_id, repo_id FROM repo_metrics_pending`);
  return found.rows.map((r) => ({ orgId: String(r.org_id), repoId: String(r.repo_id) }));
}
