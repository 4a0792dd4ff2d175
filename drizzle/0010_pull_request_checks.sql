CREATE TABLE "pull_request_checks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"pr_number" integer NOT NULL,
	"head_sha" text NOT NULL,
	"base_ref" text NOT NULL,
	"check_run_id" bigint,
	"status" text DEFAULT 'queued' NOT NULL,
	"conclusion" text,
	"title" text,
	"pr_state" text DEFAULT 'open' NOT NULL,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pull_request_checks" ADD CONSTRAINT "pull_request_checks_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pull_request_checks" ADD CONSTRAINT "pull_request_checks_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "pull_request_checks_repo_pr_head_key" ON "pull_request_checks" USING btree ("repo_id","pr_number","head_sha");--> statement-breakpoint
CREATE INDEX "pull_request_checks_org_state_idx" ON "pull_request_checks" USING btree ("org_id","pr_state");--> statement-breakpoint
ALTER TABLE "pull_request_checks" ADD CONSTRAINT "pull_request_checks_status_check" CHECK ("status" IN ('queued', 'in_progress', 'completed'));
--> statement-breakpoint
ALTER TABLE "pull_request_checks" ADD CONSTRAINT "pull_request_checks_conclusion_check" CHECK ("conclusion" IS NULL OR "conclusion" IN ('success', 'neutral', 'failure'));
--> statement-breakpoint
ALTER TABLE "pull_request_checks" ADD CONSTRAINT "pull_request_checks_pr_state_check" CHECK ("pr_state" IN ('open', 'closed'));
--> statement-breakpoint
-- pull_request_checks joins the tenant isolation of 0002_row_level_security (it has org_id).
GRANT SELECT, INSERT, UPDATE, DELETE ON pull_request_checks TO sentinel_app;
--> statement-breakpoint
ALTER TABLE pull_request_checks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE pull_request_checks FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON pull_request_checks FOR ALL TO sentinel_app
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
