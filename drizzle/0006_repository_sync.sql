CREATE TABLE "repository_sync" (
	"repo_id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"mirror_status" text,
	"mirror_reason" text,
	"mirror_bytes" bigint,
	"mirror_fetched_at" timestamp with time zone,
	"backfill_status" text,
	"backfill_phase" text,
	"backfill_source" text,
	"backfill_reason" text,
	"backfill_since" timestamp with time zone,
	"backfill_tip" text,
	"commits_total" integer,
	"commits_done" integer DEFAULT 0 NOT NULL,
	"commits_started_at" timestamp with time zone,
	"backfill_queued_at" timestamp with time zone,
	"backfill_finished_at" timestamp with time zone,
	"backfill_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "repository_sync" ADD CONSTRAINT "repository_sync_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repository_sync" ADD CONSTRAINT "repository_sync_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "repository_sync_org_idx" ON "repository_sync" USING btree ("org_id");--> statement-breakpoint
ALTER TABLE "repository_sync" ADD CONSTRAINT "repository_sync_mirror_status_check" CHECK ("mirror_status" IN ('ready', 'too_large', 'unavailable'));
--> statement-breakpoint
ALTER TABLE "repository_sync" ADD CONSTRAINT "repository_sync_backfill_status_check" CHECK ("backfill_status" IN ('queued', 'running', 'done', 'failed'));
--> statement-breakpoint
ALTER TABLE "repository_sync" ADD CONSTRAINT "repository_sync_commits_check" CHECK ("commits_done" >= 0 AND ("commits_total" IS NULL OR "commits_total" >= 0));
--> statement-breakpoint
-- repository_sync joins the tenant isolation of 0002_row_level_security (it has org_id).
GRANT SELECT, INSERT, UPDATE, DELETE ON repository_sync TO sentinel_app;
--> statement-breakpoint
ALTER TABLE repository_sync ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE repository_sync FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON repository_sync FOR ALL TO sentinel_app
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
