import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { type DatabaseHandle, type Engine, openDatabase } from "../../src/server/db/client.ts";
import { migrateDatabase } from "../../src/server/db/migrate.ts";

export const TEST_ENGINE: Engine = process.env.SENTINEL_TEST_ENGINE === "postgres" ? "postgres" : "pglite";

/**
 * URL of a database on the test server, with the path replaced. The server is the one the
 * postgres project's global setup chose (TEST_DATABASE_URL's, or an embedded one it started).
 */
export function serverUrl(database: string, server: string = inject("testServerUrl")): string {
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

export interface TestDatabase extends DatabaseHandle {
  /** Name of the server database (postgres engine only), for tests that need a second connection. */
  url?: string;
}

/**
 * A fresh, migrated database of its own: an in-memory PGlite, or a new database on the server
 * cloned from the migrated template that the global setup built. Dropped by `dispose`.
 */
export async function createTestDatabase(
  engine: Engine = TEST_ENGINE,
): Promise<TestDatabase & { dispose(): Promise<void> }> {
  if (engine === "pglite") {
    const handle = await openDatabase({ memory: true });
    await migrateDatabase(handle);
    return { ...handle, dispose: () => handle.close() };
  }
  const name = `sentinel_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${inject("templateDatabase")}`);
  const url = serverUrl(name);
  const handle = await openDatabase({ url, max: 10 });
  return {
    ...handle,
    url,
    dispose: async () => {
      await handle.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export async function adminQuery(text: string, server: string = inject("testServerUrl")): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** One database for the test file: created before its tests, dropped after. */
export function useTestDatabase(): () => TestDatabase {
  let handle: (TestDatabase & { dispose(): Promise<void> }) | undefined;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle?.dispose();
  });
  return () => {
    if (!handle) throw new Error("test database not ready: call inside a test or hook");
    return handle;
  };
}
