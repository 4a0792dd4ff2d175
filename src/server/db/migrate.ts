import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePostgres } from "drizzle-orm/node-postgres/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { DatabaseHandle } from "./client.ts";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../../drizzle", import.meta.url));

// Any constant works; it only has to be the same for every Sentinel process.
const MIGRATION_LOCK_KEY = 7_391_004_211;

/** Applies pending migrations; on a server, under an advisory lock so parallel starts are safe. */
export async function migrateDatabase(handle: DatabaseHandle): Promise<string | null> {
  if (handle.driver.kind === "pglite") {
    await migratePglite(handle.db as unknown as PgliteDatabase, { migrationsFolder: MIGRATIONS_FOLDER });
  } else {
    const client = await handle.driver.pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
      // On the connection that holds the lock, so a pool of one connection works too.
      await migrateNodePostgres(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
      client.release();
    }
  }
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
