import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { Assume, ExtractTablesWithRelations } from "drizzle-orm";
import { drizzle as drizzlePostgres } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import { DatabaseUnavailableError } from "./errors.ts";
import * as schema from "./schema/index.ts";

export type Schema = typeof schema;

interface DriverResult<Row> {
  rows: Row[];
  affectedRows?: number;
  rowCount?: number | null;
}

/** What `execute` returns on both drivers: node-postgres' QueryResult and PGlite's Results share `rows`. */
export interface QueryResultHKT extends PgQueryResultHKT {
  type: DriverResult<Assume<this["row"], Record<string, unknown>>>;
}

/** The one database type services see, whichever engine is underneath. */
export type Database = PgDatabase<QueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Transaction = PgTransaction<QueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Engine = "pglite" | "postgres";

export interface DatabaseHandle {
  db: Database;
  engine: Engine;
  /** Where the data lives, for logs and /api/health (never includes a password). */
  location: string;
  /** The driver underneath, for the few libraries (pg-boss) that need it. */
  driver:
    | { kind: "pglite"; client: PGlite }
    | {
        kind: "postgres";
        pool: pg.Pool;
        url: string;
        /** Behind a transaction-mode pooler: no session state (LISTEN) may be relied on. */
        transactionPooling?: boolean;
      };
  close(): Promise<void>;
}

export { DatabaseUnavailableError };

export type OpenOptions =
  | { url: string; max?: number; transactionPooling?: boolean }
  | { dataDir: string }
  /** An in-memory PGlite (tests, benchmarks). */
  | { memory: true };

/** Host and port of a connection URL, for error messages that must not echo credentials. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  if ("url" in options) return openPostgres(options.url, options.max, options.transactionPooling ?? false);
  const client =
    "dataDir" in options ? await PGlite.create(pgliteDirectory(options.dataDir)) : await PGlite.create();
  const location = "dataDir" in options ? pgliteDirectory(options.dataDir) : "memory";
  return {
    db: drizzlePglite({ client, schema }) as unknown as Database,
    engine: "pglite",
    location,
    driver: { kind: "pglite", client },
    close: () => client.close(),
  };
}

function pgliteDirectory(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  return join(dataDir, "pgdata");
}

async function openPostgres(url: string, max = 20, transactionPooling = false): Promise<DatabaseHandle> {
  // Exactly the spec's "Connection Pooling" settings.
  const pool = new pg.Pool({
    connectionString: url,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 2_000,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  // Likewise a checked-out client (inside a transaction, between statements): its pending query fails instead.
  pool.on("connect", (client) => client.on("error", () => {}));
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseUnavailableError(`cannot connect to PostgreSQL at ${describeUrl(url)}: ${reason}`);
  }
  return {
    db: drizzlePostgres({ client: pool, schema }) as unknown as Database,
    engine: "postgres",
    location: describeUrl(url),
    driver: { kind: "postgres", pool, url, transactionPooling },
    close: () => pool.end(),
  };
}
