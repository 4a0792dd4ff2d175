import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { type DatabaseHandle, openDatabase } from "../../src/server/db/client.ts";
import { appliedMigration, migrateDatabase } from "../../src/server/db/migrate.ts";
import { defineJob, startQueue } from "../../src/server/jobs/queue.ts";
import { bearer, buildApp, call, makeKey, makeOrg } from "../api/helpers.ts";
import { adminQuery, serverUrl } from "../helpers/db.ts";
import { PGBOUNCER_MISSING, type PgBouncer, pgbouncerBinary, startPgBouncer } from "../helpers/pgbouncer.ts";

// PgBouncer in transaction mode between Sentinel and PostgreSQL: each transaction may run on a
// different server connection, so nothing may rely on a session (session advisory locks, SET
// outside a transaction, LISTEN). A real pgbouncer process; skipped where none is installed.

const installed = pgbouncerBinary() !== null;
if (!installed) console.warn(`test/cluster/pgbouncer: ${PGBOUNCER_MISSING}`);

let bouncer: PgBouncer;
let database = "";
const handles: DatabaseHandle[] = [];

async function direct<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: serverUrl(database) });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const open = async (max: number) => {
  const handle = await openDatabase({ url: bouncer.url(database), max, transactionPooling: true });
  handles.push(handle);
  return handle;
};

beforeAll(async () => {
  if (!installed) return;
  // A small pool, so that three clients' transactions really do share server connections.
  bouncer = await startPgBouncer(inject("testServerUrl"), { poolSize: 3 });
  database = `sentinel_bouncer_${randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${database}`);
}, 60_000);

afterAll(async () => {
  await Promise.all(handles.map((h) => h.close().catch(() => {})));
  if (database) await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await bouncer?.stop();
});

describe.skipIf(!installed)("through PgBouncer in transaction mode", () => {
  it("migrates an empty database once from three processes starting together, and leaves no lock held", async () => {
    const starting = await Promise.all([open(2), open(2), open(2)]);
    const tags = await Promise.all(starting.map((h) => migrateDatabase(h)));
    expect(new Set(tags).size).toBe(1);
    expect(tags[0]).toMatch(/^\d{4}_/);
    const [applied] = await direct<{ n: string; distinct: string }>(
      "SELECT count(*) AS n, count(DISTINCT created_at) AS distinct FROM drizzle.__drizzle_migrations",
    );
    expect(applied?.n).toBe(applied?.distinct);
    // Every server connection PgBouncer holds is free of advisory locks: none can block the next start.
    const locks = await direct<{ n: string }>(
      "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory'",
    );
    expect(locks[0]?.n).toBe("0");
    expect(await appliedMigration(starting[0] as DatabaseHandle)).toBe(tags[0]);
  }, 120_000);

  it("keeps a request's tenant role and organization inside its transaction", async () => {
    const handle = await open(4);
    const app = buildApp(handle);
    const org = await makeOrg(handle.db);
    const { key } = await makeKey(handle.db, org.id, ["events:read"]);
    const statuses = await Promise.all(
      Array.from({ length: 12 }, () => call(app, "GET", "/api/v1/events", { headers: bearer(key) })),
    );
    expect(statuses.map((s) => s.status)).toEqual(Array(12).fill(200));
    // Afterwards, every server connection is back to the connection's own role with no org set.
    const seen = await Promise.all(
      Array.from({ length: 6 }, () =>
        handle.db.execute<{ role: string; org: string | null }>(
          sql`SELECT current_user AS role, nullif(current_setting('app.org_id', true), '') AS org`,
        ),
      ),
    );
    expect(new Set(seen.map((r) => `${r.rows[0]?.role}/${r.rows[0]?.org}`))).toEqual(
      new Set(["postgres/null"]),
    );
  });

  it("runs the job queue by polling: a job sent by one process is done by another", async () => {
    const sender = await open(2);
    const worker = await open(2);
    const pingJob = defineJob({
      name: "bouncer-ping",
      version: 1,
      schema: z.strictObject({ n: z.number() }),
    });
    const sending = await startQueue(sender, { supervise: false });
    const working = await startQueue(worker, { supervise: false });
    try {
      const done: number[] = [];
      await working.work(pingJob, async ({ n }) => {
        done.push(n);
      });
      for (let n = 0; n < 5; n++) await sending.send(pingJob, { n });
      const deadline = Date.now() + 20_000;
      while (done.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(done.sort()).toEqual([0, 1, 2, 3, 4]);
      // No connection LISTENs: a session-only feature the pooler would scatter.
      const listening = await direct<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
      );
      expect(listening[0]?.n).toBe("0");
    } finally {
      await sending.stop();
      await working.stop();
    }
  }, 60_000);
});
