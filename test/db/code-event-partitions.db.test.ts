import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePostgres } from "drizzle-orm/node-postgres";
import { migrate as migratePostgres } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Database, type DatabaseHandle, openDatabase } from "../../src/server/db/client.ts";
import {
  dropCodeEventsBefore,
  ensureCodeEventPartitions,
  listCodeEventPartitions,
  monthStart,
} from "../../src/server/db/code-event-partitions.ts";
import { MIGRATIONS_FOLDER, migrateDatabase } from "../../src/server/db/migrate.ts";
import * as schema from "../../src/server/db/schema/index.ts";
import type { ServiceContext } from "../../src/server/services/context.ts";
import { listEvents } from "../../src/server/services/events/list-events.ts";
import { type OrgCodeEvent, recordCodeEvents } from "../../src/server/services/github/code-events.ts";
import { overviewFromRawRows } from "../../src/server/services/metrics/overview.ts";
import { rollUp } from "../../src/server/services/metrics/roll-up.ts";
import { adminQuery, serverUrl, TEST_ENGINE, useTestDatabase } from "../helpers/db.ts";
import { makeOrg, makeRepo, sha } from "../server/services/fixtures.ts";

// code_events partitioned by month (drizzle/0009, src/server/db/code-event-partitions.ts), on
// both engines: the upgrade of an existing table, partitions made ahead and out of the default
// partition, retention by whole months, and time-bounded product queries reading only their months.

vi.setConfig({ hookTimeout: 240_000, testTimeout: 120_000 });

const PARTITIONING_MIGRATION = 1796400002000;

const person = { name: "Dev", email: null, login: "dev" };

function commit(orgId: string, repoId: string, at: string, label: string): OrgCodeEvent {
  return {
    orgId,
    repoId,
    eventType: "commit",
    commitSha: sha(label),
    timestamp: new Date(at),
    actor: "dev",
    sourceKey: sha(label),
    metadata: {
      message: label,
      author: person,
      committer: person,
      parents: [],
      branch: "main",
      additions: 1,
      deletions: 0,
      filesChanged: 1,
      url: null,
      source: "push",
    },
  };
}

function deploy(orgId: string, repoId: string, at: string, id: number): OrgCodeEvent {
  return {
    orgId,
    repoId,
    eventType: "deploy",
    commitSha: sha(`c${id}`),
    timestamp: new Date(at),
    actor: "dev",
    sourceKey: `deploy:${id}:success`,
    metadata: {
      environment: "production",
      state: "success",
      production: true,
      deploymentId: id,
      ref: "main",
      url: null,
    },
  };
}

function merged(orgId: string, repoId: string, at: string, number: number): OrgCodeEvent {
  return {
    orgId,
    repoId,
    eventType: "pr_merged",
    commitSha: null,
    timestamp: new Date(at),
    actor: "dev",
    sourceKey: `pr:${number}`,
    metadata: {
      number,
      title: "PR",
      author: "dev",
      authorIsBot: false,
      headBranch: "f",
      baseBranch: "main",
      labels: [],
      url: null,
      mergeMethod: "squash",
      mergeCommitSha: sha(`c${number}`),
      openedAt: null,
      commits: 1,
    },
  };
}

async function whereRowsAre(db: Database): Promise<Record<string, number>> {
  const result = await db.execute<{ partition: string; n: number }>(
    sql`SELECT tableoid::regclass::text AS partition, count(*)::int AS n FROM code_events GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(result.rows.map((r) => [r.partition, r.n]));
}

/** The migrations folder as it was in the release before partitioning (journal cut before 0009). */
function migrationsBeforePartitioning(): string {
  const folder = mkdtempSync(join(tmpdir(), "sentinel-migrations-"));
  mkdirSync(join(folder, "meta"));
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as {
    entries: Array<{ tag: string; when: number }>;
  };
  journal.entries = journal.entries.filter((e) => e.when < PARTITIONING_MIGRATION);
  writeFileSync(join(folder, "meta", "_journal.json"), JSON.stringify(journal));
  for (const entry of journal.entries)
    copyFileSync(join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), join(folder, `${entry.tag}.sql`));
  return folder;
}

/** An empty database of its own (not cloned from the migrated template), dropped by `dispose`. */
async function emptyDatabase(): Promise<DatabaseHandle & { dispose(): Promise<void> }> {
  if (TEST_ENGINE === "pglite") {
    const handle = await openDatabase({ memory: true });
    return { ...handle, dispose: () => handle.close() };
  }
  const name = `sentinel_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const handle = await openDatabase({ url: serverUrl(name), max: 4 });
  return {
    ...handle,
    dispose: async () => {
      await handle.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

describe("upgrading an existing code_events to the partitioned table", () => {
  let handle: DatabaseHandle & { dispose(): Promise<void> };
  let folder: string;
  beforeAll(async () => {
    handle = await emptyDatabase();
    folder = migrationsBeforePartitioning();
  });
  afterAll(async () => {
    await handle?.dispose();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it("keeps every row and id, each in its month's partition, and the keys, indexes and policy", async () => {
    // The release before: the drizzle migrator of that time, on the migrations up to 0008.
    if (handle.driver.kind === "pglite") {
      await migratePglite(drizzlePglite({ client: handle.driver.client }), { migrationsFolder: folder });
    } else {
      await migratePostgres(drizzlePostgres({ client: handle.driver.pool }), { migrationsFolder: folder });
    }
    const kind = await handle.db.execute<{ kind: string }>(
      sql`SELECT relkind::text AS kind FROM pg_class WHERE oid = 'code_events'::regclass`,
    );
    expect(kind.rows[0]?.kind).toBe("r");
    const ctx = await makeOrg(handle.db);
    const repoId = await makeRepo(ctx, "acme/api");
    const farFuture = new Date(Date.UTC(new Date().getUTCFullYear() + 3, 5, 15)).toISOString();
    const events = [
      commit(ctx.orgId, repoId, "2025-03-10T12:00:00Z", "a"),
      commit(ctx.orgId, repoId, "2025-03-31T23:59:59.999Z", "b"),
      commit(ctx.orgId, repoId, "2025-04-01T00:00:00Z", "c"),
      deploy(ctx.orgId, repoId, "2025-04-02T10:00:00Z", 1),
      commit(ctx.orgId, repoId, farFuture, "clock-skewed"),
    ];
    const before = await recordCodeEvents(handle.db, events);
    expect(before).toHaveLength(5);

    await migrateDatabase(handle);

    const after = await handle.db.execute<{ id: string; source_key: string; partition: string }>(
      sql`SELECT id, source_key, tableoid::regclass::text AS partition FROM code_events ORDER BY timestamp`,
    );
    expect(after.rows.map((r) => r.id).sort()).toEqual(before.map((e) => e.id).sort());
    expect(after.rows.map((r) => r.partition)).toEqual([
      "code_events_2025_03",
      "code_events_2025_03",
      "code_events_2025_04",
      "code_events_2025_04",
      // Past the months made ahead: waits in the default partition, never refused.
      "code_events_default",
    ]);
    const { months } = await listCodeEventPartitions(handle.db);
    const current = monthStart(new Date());
    for (let i = 0; i <= 3; i++)
      expect(months.map((m) => m.from.getTime())).toContain(monthStart(current, i).getTime());
    // Still idempotent ingest: the same events again add nothing.
    expect(await recordCodeEvents(handle.db, events)).toEqual([]);
    const policy = await handle.db.execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM pg_policies WHERE tablename = 'code_events' AND policyname = 'tenant_isolation'`,
    );
    expect(policy.rows[0]?.n).toBe(1);
    const security = await handle.db.execute<{ on: boolean; forced: boolean }>(
      sql`SELECT relrowsecurity AS on, relforcerowsecurity AS forced FROM pg_class WHERE oid = 'code_events'::regclass`,
    );
    expect(security.rows[0]).toEqual({ on: true, forced: true });
    // A second start changes nothing.
    await migrateDatabase(handle);
    expect((await whereRowsAre(handle.db)).code_events_2025_03).toBe(2);
  });
});

describe("partition maintenance", () => {
  const database = useTestDatabase();
  let ctx: ServiceContext;
  let repoId: string;
  beforeAll(async () => {
    ctx = await makeOrg(database().db);
    repoId = await makeRepo(ctx, "acme/web");
  });

  it("takes any date, then moves rows out of the default partition into new month partitions", async () => {
    const db = database().db;
    // A backfill of old history and a commit dated in 1970: no month partition yet, no failure.
    const inserted = await recordCodeEvents(db, [
      commit(ctx.orgId, repoId, "2019-03-05T08:00:00Z", "old-1"),
      commit(ctx.orgId, repoId, "2019-03-20T08:00:00Z", "old-2"),
      commit(ctx.orgId, repoId, "2019-07-01T00:00:00Z", "old-3"),
      commit(ctx.orgId, repoId, "1970-01-01T00:00:01Z", "epoch"),
      commit(ctx.orgId, repoId, "2099-12-31T23:00:00Z", "far-future"),
    ]);
    expect(inserted).toHaveLength(5);
    expect((await whereRowsAre(db)).code_events_default).toBe(5);

    const now = new Date();
    const first = await ensureCodeEventPartitions(db, { now });
    expect(first.created).toEqual(["code_events_1970_01", "code_events_2019_03", "code_events_2019_07"]);
    expect(first.movedRows).toBe(4);
    const rows = await whereRowsAre(db);
    expect(rows.code_events_2019_03).toBe(2);
    expect(rows.code_events_2019_07).toBe(1);
    expect(rows.code_events_1970_01).toBe(1);
    expect(rows.code_events_default).toBe(1);

    // Idempotent: nothing more to do, and the moved rows are still deduplicated on redelivery.
    expect(await ensureCodeEventPartitions(db, { now })).toEqual({ created: [], movedRows: 0 });
    expect(await recordCodeEvents(db, [commit(ctx.orgId, repoId, "2019-03-05T08:00:00Z", "old-1")])).toEqual(
      [],
    );
    // Later rows of that month go straight to its partition, with the parent's indexes used there.
    await recordCodeEvents(db, [commit(ctx.orgId, repoId, "2019-03-25T08:00:00Z", "old-4")]);
    expect((await whereRowsAre(db)).code_events_2019_03).toBe(3);
  });

  it("creates the months ahead once even when several processes run it together", async () => {
    const db = database().db;
    const later = new Date(Date.UTC(2031, 1, 10));
    const results = await Promise.all(
      [1, 2, 3].map(() => ensureCodeEventPartitions(db, { now: later, monthsAhead: 2 })),
    );
    expect(results.flatMap((r) => r.created).sort()).toEqual([
      "code_events_2031_02",
      "code_events_2031_03",
      "code_events_2031_04",
    ]);
    const partitions = await listCodeEventPartitions(db);
    expect(partitions.months.filter((m) => m.name.startsWith("code_events_2031_"))).toHaveLength(3);
  });

  it("refuses a nonsensical number of months ahead, changing nothing", async () => {
    const db = database().db;
    const before = await listCodeEventPartitions(db);
    await expect(ensureCodeEventPartitions(db, { now: new Date(), monthsAhead: -1 })).rejects.toThrow(
      /monthsAhead/,
    );
    await expect(ensureCodeEventPartitions(db, { now: new Date(), monthsAhead: 1.5 })).rejects.toThrow(
      /monthsAhead/,
    );
    expect(await listCodeEventPartitions(db)).toEqual(before);
  });

  it("drops whole months older than the retention and deletes only the default partition's old rows", async () => {
    const db = database().db;
    await recordCodeEvents(db, [
      commit(ctx.orgId, repoId, "2018-03-10T00:00:00Z", "r-1"),
      commit(ctx.orgId, repoId, "2018-05-10T00:00:00Z", "r-2"),
      commit(ctx.orgId, repoId, "2018-09-10T00:00:00Z", "r-kept"),
    ]);
    await ensureCodeEventPartitions(db, { now: new Date() });
    // A row of a month with no partition yet (the job has not run since): it waits in the
    // default partition, where only a DELETE can reach it.
    await recordCodeEvents(db, [commit(ctx.orgId, repoId, "2017-06-10T00:00:00Z", "r-waiting")]);

    const result = await dropCodeEventsBefore(db, new Date("2018-08-20T00:00:00Z"));
    expect(result.dropped.filter((n) => n.startsWith("code_events_201"))).toEqual([
      "code_events_2018_03",
      "code_events_2018_05",
    ]);
    expect(result.deletedFromDefault).toBe(1);
    const left = await db.execute<{ key: string }>(
      sql`SELECT source_key AS key FROM code_events WHERE org_id = ${ctx.orgId} AND timestamp < '2019-01-01' ORDER BY 1`,
    );
    expect(left.rows.map((r) => r.key)).toEqual([sha("r-kept")]);
    const names = (await listCodeEventPartitions(db)).months.map((m) => m.name);
    expect(names).not.toContain("code_events_2018_05");
    expect(names).toContain("code_events_2018_09");
    // Nothing left to drop: a second run is a no-op.
    expect(await dropCodeEventsBefore(db, new Date("2018-08-20T00:00:00Z"))).toEqual({
      dropped: [],
      deletedFromDefault: 0,
    });
  });
});

interface Recorded {
  query: string;
  params: unknown[];
}

/** The same database through a Drizzle instance that records every statement the services run. */
function recordingDatabase(handle: DatabaseHandle, recorded: Recorded[]): Database {
  const logger = { logQuery: (query: string, params: unknown[]) => recorded.push({ query, params }) };
  return (handle.driver.kind === "pglite"
    ? drizzlePglite({ client: handle.driver.client, schema, logger })
    : drizzlePostgres({ client: handle.driver.pool, schema, logger })) as unknown as Database;
}

/** EXPLAIN of a recorded statement, with its own parameters, on the same engine. */
async function explain(handle: DatabaseHandle, statement: Recorded): Promise<string> {
  const text = `EXPLAIN (COSTS OFF) ${statement.query}`;
  const result =
    handle.driver.kind === "pglite"
      ? await handle.driver.client.query<Record<string, string>>(text, statement.params)
      : await handle.driver.pool.query<Record<string, string>>(text, statement.params);
  return result.rows.map((r) => r["QUERY PLAN"]).join("\n");
}

const partitionsIn = (plan: string) =>
  [...new Set(plan.match(/\bcode_events_(?:\d{4}_\d{2}|default)\b/g) ?? [])].sort();

describe("time-bounded queries read only their months", () => {
  const database = useTestDatabase();
  let ctx: ServiceContext;
  let repoId: string;
  beforeAll(async () => {
    const db = database().db;
    ctx = await makeOrg(db);
    repoId = await makeRepo(ctx, "acme/metrics");
    // Two years of activity, one commit, merge and deploy every ten days, then the partitions.
    const events: OrgCodeEvent[] = [];
    for (let day = 0, n = 1; day < 730; day += 10, n++) {
      const at = new Date(Date.UTC(2025, 0, 1) + day * 86_400_000);
      events.push(commit(ctx.orgId, repoId, at.toISOString(), `c${n}`));
      events.push(merged(ctx.orgId, repoId, new Date(at.getTime() + 3_600_000).toISOString(), n));
      events.push(deploy(ctx.orgId, repoId, new Date(at.getTime() + 7_200_000).toISOString(), n));
    }
    await recordCodeEvents(db, events);
    await ensureCodeEventPartitions(db, { now: new Date() });
    await db.execute(sql`ANALYZE code_events`);
  });

  it("the events listing between two dates reads only those months' partitions", async () => {
    const recorded: Recorded[] = [];
    const db = recordingDatabase(database(), recorded);
    const page = await listEvents(
      { ...ctx, db },
      { from: new Date("2025-05-10T00:00:00Z"), to: new Date("2025-07-01T00:00:00Z"), limit: 50 },
    );
    expect(page.items.length).toBeGreaterThan(0);
    const statement = recorded.find((r) => /from "code_events"/i.test(r.query));
    if (!statement) throw new Error("listEvents ran no query on code_events");
    const plan = await explain(database(), statement);
    expect(partitionsIn(plan), plan).toEqual(["code_events_2025_05", "code_events_2025_06"]);
  });

  it("the overview from raw rows over a quarter reads only that quarter's partitions", async () => {
    const recorded: Recorded[] = [];
    const db = recordingDatabase(database(), recorded);
    const totals = await overviewFromRawRows({ ...ctx, db }, { from: "2025-10-01", to: "2025-12-31" });
    expect(totals.commits).toBeGreaterThan(0);
    const statement = recorded.find((r) => r.query.includes("code_events"));
    if (!statement) throw new Error("overviewFromRawRows ran no query on code_events");
    const plan = await explain(database(), statement);
    expect(partitionsIn(plan), plan).toEqual([
      "code_events_2025_10",
      "code_events_2025_11",
      "code_events_2025_12",
    ]);
  });

  it("a day's roll-up reads that month (and the commits back to the deploy before), never a later one", async () => {
    const recorded: Recorded[] = [];
    const db = recordingDatabase(database(), recorded);
    await rollUp({ ...ctx, db }, { repoId, periods: [{ period: "day", date: "2025-06-10" }] });
    const plans = new Map<string, string[]>();
    for (const statement of recorded.filter((r) => r.query.includes("code_events"))) {
      const plan = await explain(database(), statement);
      expect(plan, statement.query).not.toMatch(
        /code_events_(2025_(0[7-9]|1[0-2])|20(2[6-9]|[3-9]\d)_\d{2})\b/,
      );
      plans.set(statement.query, partitionsIn(plan));
    }
    const of = (pattern: RegExp) => [...plans].find(([query]) => pattern.test(query))?.[1];
    // The day's pull requests: bounded both ways, one month.
    expect(of(/metadata->>'number'/)).toEqual(["code_events_2025_06"]);
    // The commits its deploys shipped: back to the previous deploy (ten days before, in May).
    expect(of(/event_type = 'commit'/)).toEqual(["code_events_2025_05", "code_events_2025_06"]);
    // The deploys: the day's (one month), and the one just before it, bounded above only: any
    // earlier month may hold it, so only later months are pruned there.
    expect(of(/UNION ALL/)).toContain("code_events_2025_06");
  });
});
