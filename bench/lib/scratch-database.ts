// A scratch PostgreSQL database for a benchmark, on the server named by TEST_DATABASE_URL: created
// and migrated here, closed and dropped by `dispose`.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type DatabaseHandle, openDatabase } from "../../src/server/db/client.ts";
import { migrateDatabase } from "../../src/server/db/migrate.ts";
import { testDatabaseUrl } from "../../src/server/env.ts";

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export async function openScratchDatabase(
  prefix: string,
  max = 10,
): Promise<{ handle: DatabaseHandle; url: string; dispose(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), max });
  const dispose = async () => {
    await handle.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  try {
    await migrateDatabase(handle);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { handle, url: url.toString(), dispose };
}
