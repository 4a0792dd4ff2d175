import { sql } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { codeEvents } from "../../src/server/db/schema/telemetry.ts";
import { useTestDatabase } from "../helpers/db.ts";

// Reads pg_catalog of a freshly migrated database and checks it against
// shared/seed/database-architecture.md, as written (plus the two recorded decisions).
const database = useTestDatabase();

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return (await database().db.execute(query)).rows as T[];
}

const SPEC_ENUMS: Record<string, string[]> = {
  org_plan: ["free", "team", "enterprise"],
  member_role: ["owner", "admin", "member", "viewer"],
  event_type: ["commit", "pr_opened", "pr_reviewed", "pr_merged", "deploy", "incident"],
  detection_method: ["heuristic", "ml_model", "manual_override"],
  risk_tier: ["T1_boilerplate", "T2_glue", "T3_core", "T4_novel"],
  time_period: ["day", "week", "month"],
  incident_severity: ["sev1", "sev2", "sev3", "sev4"],
  incident_status: ["investigating", "identified", "resolved"],
  github_account_type: ["organization", "user"],
};

const SPEC_TABLES = [
  "organizations",
  "organization_members",
  "github_installations",
  "repositories",
  "api_keys",
  "code_events",
  "code_attribution",
  "repo_metrics",
  "incidents",
];

// [table, column, referenced table, referenced column]: the diagram's edges, plus org_id on
// every tenant table (decision 0001).
const SPEC_FOREIGN_KEYS: [string, string, string, string][] = [
  ["organization_members", "org_id", "organizations", "id"],
  ["github_installations", "org_id", "organizations", "id"],
  ["repositories", "org_id", "organizations", "id"],
  ["api_keys", "org_id", "organizations", "id"],
  ["repositories", "installation_id", "github_installations", "installation_id"],
  ["code_events", "repo_id", "repositories", "id"],
  ["code_attribution", "repo_id", "repositories", "id"],
  ["incidents", "repo_id", "repositories", "id"],
  ["repo_metrics", "repo_id", "repositories", "id"],
  ["code_events", "org_id", "organizations", "id"],
  ["code_attribution", "org_id", "organizations", "id"],
  ["repo_metrics", "org_id", "organizations", "id"],
  ["incidents", "org_id", "organizations", "id"],
];

// [table, unique, definition after "USING btree "]: the "Index Rationale" tables.
const SPEC_INDEXES: [string, boolean, string][] = [
  ["code_events", false, '(repo_id, "timestamp" DESC)'],
  ["code_events", false, "(commit_sha) WHERE (commit_sha IS NOT NULL)"],
  ["code_events", false, '(repo_id, event_type, "timestamp")'],
  // Spec: (commit_sha, file_path) UNIQUE, widened by repo_id (decision 0002).
  ["code_attribution", true, "(repo_id, commit_sha, file_path)"],
  ["code_attribution", false, "(repo_id, ai_confidence DESC)"],
  ["code_attribution", false, "(repo_id, risk_tier, created_at)"],
  ["repo_metrics", true, "(repo_id, date, period)"],
  ["repo_metrics", false, "(repo_id, date DESC)"],
];

describe("schema conformance with the spec", () => {
  it("has every enum with exactly the spec's labels, in order", async () => {
    const found = await rows<{ name: string; labels: string[] }>(sql`
      SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
      JOIN pg_namespace n ON n.oid = t.typnamespace AND n.nspname = 'public'
      GROUP BY t.typname`);
    const byName = Object.fromEntries(found.map((r) => [r.name, r.labels]));
    expect(Object.keys(SPEC_ENUMS)).toHaveLength(9);
    for (const [name, labels] of Object.entries(SPEC_ENUMS)) {
      expect(byName[name], name).toEqual(labels);
    }
  });

  it("has all nine tables, each tenant table with a non-null org_id", async () => {
    const tables = await rows<{ name: string }>(sql`
      SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`);
    const names = tables.map((t) => t.name);
    for (const table of SPEC_TABLES) expect(names, table).toContain(table);

    const orgColumns = await rows<{ table: string; nullable: string }>(sql`
      SELECT table_name AS table, is_nullable AS nullable FROM information_schema.columns
      WHERE table_schema = 'public' AND column_name = 'org_id'`);
    const notNull = orgColumns.filter((c) => c.nullable === "NO").map((c) => c.table);
    for (const table of SPEC_TABLES.filter((t) => t !== "organizations" && t !== "github_installations")) {
      expect(notNull, `${table}.org_id`).toContain(table);
    }
  });

  it("has every foreign key of the diagram", async () => {
    const fks = await rows<{ from_table: string; from_col: string; to_table: string; to_col: string }>(sql`
      SELECT cl.relname AS from_table, a.attname AS from_col, rcl.relname AS to_table, ra.attname AS to_col
      FROM pg_constraint c
      JOIN pg_class cl ON cl.oid = c.conrelid
      JOIN pg_class rcl ON rcl.oid = c.confrelid
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
      WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1`);
    const found = fks.map((f) => `${f.from_table}.${f.from_col} -> ${f.to_table}.${f.to_col}`);
    for (const [table, column, refTable, refColumn] of SPEC_FOREIGN_KEYS) {
      expect(found).toContain(`${table}.${column} -> ${refTable}.${refColumn}`);
    }
    // No foreign key points at code_events, so it can be partitioned by time.
    expect(found.filter((f) => f.includes("-> code_events."))).toEqual([]);
  });

  it("has every index of the spec's Index Rationale, with columns, order, DESC, predicate and uniqueness", async () => {
    const indexes = await rows<{ table: string; def: string }>(sql`
      SELECT tablename AS table, indexdef AS def FROM pg_indexes WHERE schemaname = 'public'`);
    for (const [table, unique, definition] of SPEC_INDEXES) {
      const match = indexes.find(
        (i) =>
          i.table === table &&
          i.def.endsWith(`USING btree ${definition}`) &&
          i.def.startsWith(unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX"),
      );
      expect(match, `${table} ${unique ? "UNIQUE " : ""}${definition}`).toBeDefined();
    }
  });

  it("partitions code_events by range of timestamp, every key including it, the spec's indexes on every partition", async () => {
    const [key] = await rows<{ def: string }>(sql`SELECT pg_get_partkeydef('code_events'::regclass) AS def`);
    expect(key?.def).toBe('RANGE ("timestamp")');
    // A unique key on a partitioned table must hold the partition column; the primary key too.
    const uniques = await rows<{ name: string; columns: string[] }>(sql`
      SELECT ic.relname AS name, array_agg(a.attname::text ORDER BY k.ord) AS columns
      FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
      CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = 'code_events'::regclass AND i.indisunique
      GROUP BY ic.relname ORDER BY 1`);
    expect(uniques).toEqual([
      { name: "code_events_natural_key", columns: ["repo_id", "event_type", "source_key", "timestamp"] },
      { name: "code_events_pkey", columns: ["id", "timestamp"] },
    ]);
    // Every partition (the default one, and the months migration created) carries every index of
    // the parent, valid, as a child of the parent's.
    const partitions = await rows<{ name: string; indexes: string[] }>(sql`
      SELECT c.relname AS name,
        array(SELECT pi.relname::text FROM pg_index x JOIN pg_class ci ON ci.oid = x.indexrelid
              JOIN pg_inherits ii ON ii.inhrelid = x.indexrelid JOIN pg_class pi ON pi.oid = ii.inhparent
              WHERE x.indrelid = c.oid AND x.indisvalid ORDER BY 1) AS indexes
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'code_events'::regclass`);
    const parentIndexes = (
      await rows<{ name: string }>(sql`
        SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = 'code_events'::regclass ORDER BY 1`)
    ).map((r) => r.name);
    expect(parentIndexes).toHaveLength(6);
    expect(partitions.map((p) => p.name)).toContain("code_events_default");
    const month = new Date().toISOString().slice(0, 7).replace("-", "_");
    expect(partitions.map((p) => p.name)).toContain(`code_events_${month}`);
    for (const partition of partitions) expect(partition.indexes, partition.name).toEqual(parentIndexes);
    for (const [table, unique, definition] of SPEC_INDEXES.filter(([t]) => t === "code_events")) {
      const found = await rows<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM pg_indexes
        WHERE tablename = ${table} AND indexdef LIKE ${`${unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX"}%USING btree ${definition}`}`);
      expect(found[0]?.n, definition).toBe(1);
    }
  });

  it("declares in the Drizzle schema the keys and indexes the database has on code_events", async () => {
    const config = getTableConfig(codeEvents);
    expect(config.primaryKeys.map((k) => [k.getName(), k.columns.map((c) => c.name)])).toEqual([
      ["code_events_pkey", ["id", "timestamp"]],
    ]);
    expect(config.columns.filter((c) => c.primary)).toEqual([]);
    const live = await rows<{ name: string }>(sql`
      SELECT indexrelid::regclass::text AS name FROM pg_index
      WHERE indrelid = 'code_events'::regclass AND NOT indisprimary ORDER BY 1`);
    expect(config.indexes.map((i) => i.config.name).sort()).toEqual(live.map((r) => r.name));
  });

  it("rejects a value outside an enum at the database too", async () => {
    await expect(database().db.execute(sql`SELECT 'T5_unknown'::risk_tier`)).rejects.toThrow();
  });
});
