import { sql } from "drizzle-orm";
import type { Database } from "./client.ts";

// code_events is partitioned by UTC month of "timestamp" (drizzle/0009, docs/decisions/0006-code-
// events-partitioned-by-month.md): one partition per month, `code_events_YYYY_MM`, and a DEFAULT
// partition that takes any row no month partition covers, so an insert never fails for its date.
// Here: creating months ahead (and the months of rows that fell into the default partition), and
// dropping whole months for retention. Run at every migration and by a daily job.

const PARENT = "code_events";
const DEFAULT_PARTITION = "code_events_default";
const MONTH_PARTITION = /^code_events_(\d{4})_(\d{2})$/;

/** Months created ahead of the current one, so the next months' inserts find their partition. */
export const MONTHS_AHEAD = 3;

// Serializes partition changes across processes (every server and worker runs them at start).
const PARTITION_LOCK_KEY = 7_391_004_212;

export interface MonthPartition {
  name: string;
  /** First instant of the month, UTC (inclusive bound). */
  from: Date;
  /** First instant of the next month (exclusive bound). */
  to: Date;
}

/** The first instant of `at`'s UTC month, moved by `months`. */
export function monthStart(at: Date, months = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
}

export function monthPartition(from: Date): MonthPartition {
  const start = monthStart(from);
  const name = `${PARENT}_${start.getUTCFullYear().toString().padStart(4, "0")}_${(start.getUTCMonth() + 1)
    .toString()
    .padStart(2, "0")}`;
  return { name, from: start, to: monthStart(start, 1) };
}

function partitionOfName(name: string): MonthPartition | null {
  const match = MONTH_PARTITION.exec(name);
  if (!match) return null;
  const month = Number(match[2]);
  if (month < 1 || month > 12) return null;
  return monthPartition(new Date(Date.UTC(Number(match[1]), month - 1, 1)));
}

export interface CodeEventPartitions {
  /** Month partitions, oldest first. */
  months: MonthPartition[];
  /** Partitions that are neither a month nor the default (made by hand); left alone. */
  others: string[];
  hasDefault: boolean;
}

export async function listCodeEventPartitions(db: Database): Promise<CodeEventPartitions> {
  const result = await db.execute<{ name: string }>(sql`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = to_regclass(${`public.${PARENT}`}) ORDER BY 1`);
  const names = result.rows.map((r) => String(r.name));
  const months: MonthPartition[] = [];
  const others: string[] = [];
  for (const name of names) {
    const month = partitionOfName(name);
    if (month) months.push(month);
    else if (name !== DEFAULT_PARTITION) others.push(name);
  }
  months.sort((a, b) => a.from.getTime() - b.from.getTime());
  return { months, others, hasDefault: names.includes(DEFAULT_PARTITION) };
}

async function isPartitioned(db: Database): Promise<boolean> {
  const result = await db.execute<{ kind: string }>(
    sql`SELECT relkind::text AS kind FROM pg_class WHERE oid = to_regclass(${`public.${PARENT}`})`,
  );
  return result.rows[0]?.kind === "p";
}

export interface EnsureResult {
  /** Partitions created, oldest first. */
  created: string[];
  /** Rows moved out of the default partition into the partitions created. */
  movedRows: number;
}

/** The months the default partition holds rows of, before `horizon`. */
async function monthsWaitingInDefault(db: Database, horizon: Date): Promise<MonthPartition[]> {
  const waiting = await db.execute<{ month: string }>(sql`
    SELECT DISTINCT to_char(date_trunc('month', "timestamp" AT TIME ZONE 'UTC'), 'YYYY-MM') AS month
    FROM ${sql.identifier(DEFAULT_PARTITION)} WHERE "timestamp" < ${horizon.toISOString()}::timestamptz`);
  return waiting.rows.map(({ month }) => {
    const [year = 0, m = 1] = String(month).split("-").map(Number);
    return monthPartition(new Date(Date.UTC(year, m - 1, 1)));
  });
}

/**
 * Creates the month partitions of `now`'s month and `monthsAhead` after it, and of every month
 * before that which has rows waiting in the default partition (a backfill of old history, or rows
 * written before their month existed), moving those rows in. Idempotent; safe to run from several
 * processes at once. Rows dated after the horizon stay in the default partition.
 */
export async function ensureCodeEventPartitions(
  db: Database,
  options: { now: Date; monthsAhead?: number },
): Promise<EnsureResult> {
  const monthsAhead = options.monthsAhead ?? MONTHS_AHEAD;
  if (!Number.isInteger(monthsAhead) || monthsAhead < 0 || monthsAhead > 120)
    throw new Error(`monthsAhead must be an integer from 0 to 120, not ${monthsAhead}`);
  if (!(await isPartitioned(db))) throw new Error(`${PARENT} is not a partitioned table: migrate first`);
  const horizon = monthStart(options.now, monthsAhead + 1);
  const ahead = Array.from({ length: monthsAhead + 1 }, (_, i) => monthPartition(monthStart(options.now, i)));

  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${PARTITION_LOCK_KEY})`);
    const { months, hasDefault } = await listCodeEventPartitions(tx);
    const have = new Set(months.map((m) => m.name));
    const missingOf = (wanted: MonthPartition[]) =>
      [...new Map(wanted.filter((m) => !have.has(m.name)).map((m) => [m.name, m])).values()].sort(
        (a, b) => a.from.getTime() - b.from.getTime(),
      );
    const waiting = hasDefault ? await monthsWaitingInDefault(tx, horizon) : [];
    if (missingOf([...ahead, ...waiting]).length === 0) return { created: [], movedRows: 0 };

    // Parent first, then the default partition: the order inserts take them in, so no deadlock.
    // SHARE UPDATE EXCLUSIVE on the parent (what ATTACH takes) lets reads and inserts go on; the
    // default partition is locked so no row of a month lands there while the month is created.
    await tx.execute(sql`LOCK TABLE ONLY ${sql.identifier(PARENT)} IN SHARE UPDATE EXCLUSIVE MODE`);
    if (hasDefault)
      await tx.execute(sql`LOCK TABLE ${sql.identifier(DEFAULT_PARTITION)} IN ACCESS EXCLUSIVE MODE`);
    // Read again under the lock: rows may have arrived since.
    const missing = missingOf([...ahead, ...(hasDefault ? await monthsWaitingInDefault(tx, horizon) : [])]);

    // The default partition's rows before the horizon all belong to missing months (PostgreSQL
    // keeps rows of existing partitions out of it): take them out in one pass, and state that
    // what stays is after the horizon, so attaching each month need not scan the default again.
    const horizonAt = sql.raw(`'${horizon.toISOString()}'::timestamptz`);
    if (hasDefault) {
      await tx.execute(
        sql`CREATE TEMPORARY TABLE code_events_moving (LIKE ${sql.identifier(PARENT)}) ON COMMIT DROP`,
      );
      await tx.execute(sql`
        WITH taken AS (DELETE FROM ${sql.identifier(DEFAULT_PARTITION)} WHERE "timestamp" < ${horizonAt} RETURNING *)
        INSERT INTO code_events_moving SELECT * FROM taken`);
      await tx.execute(sql`ALTER TABLE ${sql.identifier(DEFAULT_PARTITION)}
        ADD CONSTRAINT code_events_default_after_horizon CHECK ("timestamp" >= ${horizonAt})`);
    }
    for (const month of missing) {
      const name = sql.identifier(month.name);
      const from = sql.raw(`'${month.from.toISOString()}'`);
      const to = sql.raw(`'${month.to.toISOString()}'`);
      await tx.execute(sql`CREATE TABLE ${name} (LIKE ${sql.identifier(PARENT)} INCLUDING DEFAULTS)`);
      // Builds the parent's indexes and keys on the partition and clones its foreign keys.
      await tx.execute(
        sql`ALTER TABLE ${sql.identifier(PARENT)} ATTACH PARTITION ${name} FOR VALUES FROM (${from}) TO (${to})`,
      );
    }
    let movedRows = 0;
    if (hasDefault) {
      const moved = await tx.execute<{ n: number }>(sql`
        WITH put AS (INSERT INTO ${sql.identifier(PARENT)} SELECT * FROM code_events_moving RETURNING 1)
        SELECT count(*)::int AS n FROM put`);
      movedRows = Number(moved.rows[0]?.n ?? 0);
      await tx.execute(
        sql`ALTER TABLE ${sql.identifier(DEFAULT_PARTITION)} DROP CONSTRAINT code_events_default_after_horizon`,
      );
    }
    return { created: missing.map((m) => m.name), movedRows };
  });
}

export interface RetentionResult {
  /** Month partitions dropped, oldest first. */
  dropped: string[];
  /** Rows deleted one by one from the default partition (only rows no month partition covers). */
  deletedFromDefault: number;
}

/**
 * Retention by whole months: drops every month partition that ends on or before `before`'s month
 * start (a DROP TABLE, no dead rows, no vacuum), and deletes what the default partition holds
 * before it. `before` is rounded down to its month, so a month is kept whole or dropped whole.
 */
export async function dropCodeEventsBefore(db: Database, before: Date): Promise<RetentionResult> {
  const cutoff = monthStart(before);
  const { months, hasDefault } = await listCodeEventPartitions(db);
  const result: RetentionResult = { dropped: [], deletedFromDefault: 0 };
  for (const month of months.filter((m) => m.to.getTime() <= cutoff.getTime())) {
    // DROP TABLE on a partition takes ACCESS EXCLUSIVE on the parent, briefly (no scan).
    await db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${PARTITION_LOCK_KEY})`);
      await tx.execute(sql`DROP TABLE IF EXISTS ${sql.identifier(month.name)}`);
    });
    result.dropped.push(month.name);
  }
  if (hasDefault) {
    const deleted = await db.execute<{ n: number }>(sql`
      WITH gone AS (
        DELETE FROM ${sql.identifier(DEFAULT_PARTITION)} WHERE "timestamp" < ${cutoff.toISOString()}::timestamptz
        RETURNING 1
      ) SELECT count(*)::int AS n FROM gone`);
    result.deletedFromDefault = Number(deleted.rows[0]?.n ?? 0);
  }
  return result;
}
