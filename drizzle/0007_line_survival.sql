-- Line survival (issue #15): what became of the lines each commit added to each file, read from
-- the repository's history (its mirror, `sentinel analyze --store`, or the demo's seeded history).
-- Who wrote the lines is not stored here: it is code_attribution's verdict, joined when read, so a
-- re-attribution or an override needs no new walk of the history.
CREATE TABLE "line_survival" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"commit_sha" text NOT NULL,
	"file_path" text NOT NULL,
	"committed_at" timestamp with time zone NOT NULL,
	"lines_added" integer NOT NULL,
	"lines_present" integer NOT NULL,
	"churned_14d" integer NOT NULL,
	"churned_30d" integer NOT NULL,
	"churned_90d" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "line_survival_counts_check" CHECK ("lines_added" > 0 AND "lines_present" >= 0 AND "lines_present" <= "lines_added" AND "churned_14d" >= 0 AND "churned_14d" <= "churned_30d" AND "churned_30d" <= "churned_90d" AND "churned_90d" + "lines_present" <= "lines_added")
);
--> statement-breakpoint
CREATE TABLE "line_survival_state" (
	"repo_id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"source" text NOT NULL,
	"tip_sha" text NOT NULL,
	"history_end" timestamp with time zone NOT NULL,
	"commits" integer NOT NULL,
	"lines_at_tip" integer NOT NULL,
	"older_lines" integer NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "line_survival_state_source_check" CHECK ("source" IN ('mirror', 'local', 'seed')),
	CONSTRAINT "line_survival_state_counts_check" CHECK ("commits" >= 0 AND "older_lines" >= 0 AND "lines_at_tip" >= "older_lines")
);
--> statement-breakpoint
CREATE TABLE "commit_reverts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"commit_sha" text NOT NULL,
	"reverted_sha" text NOT NULL,
	"method" text NOT NULL,
	"in_history" boolean NOT NULL,
	"committed_at" timestamp with time zone NOT NULL,
	"reverted_committed_at" timestamp with time zone,
	CONSTRAINT "commit_reverts_method_check" CHECK ("method" IN ('message', 'title', 'inverse-diff'))
);
--> statement-breakpoint
ALTER TABLE "line_survival" ADD CONSTRAINT "line_survival_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "line_survival" ADD CONSTRAINT "line_survival_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "line_survival_state" ADD CONSTRAINT "line_survival_state_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "line_survival_state" ADD CONSTRAINT "line_survival_state_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commit_reverts" ADD CONSTRAINT "commit_reverts_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commit_reverts" ADD CONSTRAINT "commit_reverts_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "line_survival_repo_commit_file_key" ON "line_survival" USING btree ("repo_id","commit_sha","file_path");--> statement-breakpoint
CREATE INDEX "line_survival_repo_committed_idx" ON "line_survival" USING btree ("repo_id","committed_at");--> statement-breakpoint
CREATE INDEX "line_survival_org_idx" ON "line_survival" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "line_survival_state_org_idx" ON "line_survival_state" USING btree ("org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "commit_reverts_repo_commit_key" ON "commit_reverts" USING btree ("repo_id","commit_sha");--> statement-breakpoint
CREATE INDEX "commit_reverts_repo_reverted_idx" ON "commit_reverts" USING btree ("repo_id","reverted_sha");--> statement-breakpoint
CREATE INDEX "commit_reverts_org_idx" ON "commit_reverts" USING btree ("org_id");--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "churn_lines_14d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "churned_lines_14d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "ai_churn_lines_14d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "ai_churned_lines_14d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "churn_lines_30d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "churned_lines_30d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "ai_churn_lines_30d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "ai_churned_lines_30d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "churn_lines_90d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "churned_lines_90d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "ai_churn_lines_90d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "ai_churned_lines_90d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "reverted_commits" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "ai_heavy_reverted_commits" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- The three tables join the tenant isolation of 0002_row_level_security (they have org_id).
GRANT SELECT, INSERT, UPDATE, DELETE ON line_survival, line_survival_state, commit_reverts TO sentinel_app;
--> statement-breakpoint
ALTER TABLE line_survival ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE line_survival FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON line_survival FOR ALL TO sentinel_app
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE line_survival_state ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE line_survival_state FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON line_survival_state FOR ALL TO sentinel_app
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE commit_reverts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE commit_reverts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON commit_reverts FOR ALL TO sentinel_app
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
