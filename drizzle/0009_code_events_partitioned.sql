-- code_events becomes a table partitioned by month of "timestamp" (docs/decisions/0006-code-events-
-- partitioned-by-month.md). The rows are copied into the new parent, one partition per UTC month
-- that holds rows, up to three months ahead; rows further ahead (a commit with a clock-skewed date)
-- land in the DEFAULT partition, which exists so that no insert ever fails for its date. The
-- partition job (src/server/db/code-event-partitions.ts) keeps months ahead and empties the
-- default partition into month partitions. Every key includes "timestamp": the primary key is
-- (id, timestamp); the natural key already included it.
ALTER TABLE "code_events" RENAME TO "code_events_unpartitioned";
--> statement-breakpoint
CREATE TABLE "code_events" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"event_type" "event_type" NOT NULL,
	"commit_sha" text,
	"timestamp" timestamp with time zone NOT NULL,
	"actor" text,
	"source_key" text NOT NULL,
	"metadata" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
) PARTITION BY RANGE ("timestamp");
--> statement-breakpoint
CREATE TABLE "code_events_default" PARTITION OF "code_events" DEFAULT;
--> statement-breakpoint
-- One partition per UTC month that holds rows (bounds written as UTC instants, so the session's
-- time zone cannot move them), before the rows are copied.
DO $$
DECLARE
  first_day timestamp;
BEGIN
  FOR first_day IN
    SELECT DISTINCT date_trunc('month', "timestamp" AT TIME ZONE 'UTC')
    FROM "code_events_unpartitioned"
    WHERE "timestamp" < (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '4 months') AT TIME ZONE 'UTC'
    ORDER BY 1
  LOOP
    EXECUTE format(
      'CREATE TABLE %I PARTITION OF "code_events" FOR VALUES FROM (%L) TO (%L)',
      'code_events_' || to_char(first_day, 'YYYY_MM'),
      to_char(first_day, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
      to_char(first_day + interval '1 month', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
  END LOOP;
END
$$;
--> statement-breakpoint
INSERT INTO "code_events" ("id", "org_id", "repo_id", "event_type", "commit_sha", "timestamp", "actor", "source_key", "metadata", "created_at")
SELECT "id", "org_id", "repo_id", "event_type", "commit_sha", "timestamp", "actor", "source_key", "metadata", "created_at"
FROM "code_events_unpartitioned";
--> statement-breakpoint
DROP TABLE "code_events_unpartitioned";
--> statement-breakpoint
-- PostgreSQL 18 (PGlite) names NOT NULL constraints, and named the new table's `…_not_null1`
-- while the old table held `…_not_null`: give them back their usual names. (No-op before 18.)
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN
    SELECT conname FROM pg_constraint
    WHERE conrelid = '"code_events"'::regclass AND contype::text = 'n' AND conname ~ '_not_null1$'
  LOOP
    EXECUTE format('ALTER TABLE "code_events" RENAME CONSTRAINT %I TO %I', c.conname, left(c.conname, -1));
  END LOOP;
END
$$;
--> statement-breakpoint
-- Keys and indexes on the parent: PostgreSQL builds them on every partition, and on every
-- partition created or attached later.
ALTER TABLE "code_events" ADD CONSTRAINT "code_events_pkey" PRIMARY KEY ("id", "timestamp");
--> statement-breakpoint
ALTER TABLE "code_events" ADD CONSTRAINT "code_events_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "code_events" ADD CONSTRAINT "code_events_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "code_events_repo_timestamp_idx" ON "code_events" USING btree ("repo_id","timestamp" DESC NULLS FIRST);
--> statement-breakpoint
CREATE INDEX "code_events_commit_sha_idx" ON "code_events" USING btree ("commit_sha") WHERE "code_events"."commit_sha" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "code_events_repo_type_timestamp_idx" ON "code_events" USING btree ("repo_id","event_type","timestamp");
--> statement-breakpoint
CREATE UNIQUE INDEX "code_events_natural_key" ON "code_events" USING btree ("repo_id","event_type","source_key","timestamp");
--> statement-breakpoint
CREATE INDEX "code_events_org_timestamp_idx" ON "code_events" USING btree ("org_id","timestamp");
--> statement-breakpoint
-- Tenant isolation as in 0002_row_level_security, on the parent: a query through code_events
-- applies the parent's policy to every partition. The restricted role gets no privilege on the
-- partitions themselves, so it cannot go round the policy by naming one.
GRANT SELECT, INSERT, UPDATE, DELETE ON "code_events" TO sentinel_app;
--> statement-breakpoint
ALTER TABLE "code_events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "code_events" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON "code_events" FOR ALL TO sentinel_app
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
