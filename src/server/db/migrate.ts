import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type { DatabaseHandle } from "./client.ts";
import { ensureCodeEventPartitions } from "./code-event-partitions.ts";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../../drizzle", import.meta.url));

// Any constant works; it only has to be the same for every Sentinel process.
const MIGRATION_LOCK_KEY = 7_391_004_211;

/**
 * Applies pending migrations, all in one transaction under a transaction-level advisory lock, so
 * processes starting together migrate once, and a transaction-mode pooler (PgBouncer) is safe: a
 * session lock could be taken on one server connection and released on another. Same bookkeeping
 * as drizzle-kit's migrator (drizzle.__drizzle_migrations, by the journal's `when`).
 */
export async function migrateDatabase(handle: DatabaseHandle): Promise<string | null> {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  await handle.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`CREATE SCHEMA IF NOT EXISTS drizzle`);
    await tx.execute(sql`
      CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (
        id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
    const { rows } = await tx.execute<{ created_at: string | null }>(
      sql`SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1`,
    );
    const newest = rows[0] ? Number(rows[0].created_at) : null;
    for (const migration of migrations) {
      if (newest !== null && migration.folderMillis <= newest) continue;
      for (const statement of migration.sql) await tx.execute(sql.raw(statement));
      await tx.execute(
        sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (${migration.hash}, ${migration.folderMillis})`,
      );
    }
  });
  // This month's code_events partition and the next ones exist before anything is inserted (the
  // daily job keeps them coming; until it runs, the default partition takes any row).
  await ensureCodeEventPartitions(handle.db, { now: new Date() });
  return appliedMigration(handle);
}

interface JournalEntry {
  idx: number;
  tag: string;
  when: number;
}

function journal(): JournalEntry[] {
  const raw = readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, "utf8");
  return (JSON.parse(raw) as { entries: JournalEntry[] }).entries;
}

/** The tag of the newest migration applied to this database, or null for an empty one. */
export async function appliedMigration(handle: DatabaseHandle): Promise<string | null> {
  try {
    const result = await handle.db.execute<{ created_at: string }>(
      sql`SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1`,
    );
    const newest = Number(result.rows[0]?.created_at);
    return journal().find((entry) => entry.when === newest)?.tag ?? null;
  } catch {
    return null;
  }
}
