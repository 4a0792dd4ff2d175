CREATE TABLE "integration_secrets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "repo_metrics_pending" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"period" time_period NOT NULL,
	"date" date NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "integration_secrets" ADD CONSTRAINT "integration_secrets_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_metrics_pending" ADD CONSTRAINT "repo_metrics_pending_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_metrics_pending" ADD CONSTRAINT "repo_metrics_pending_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "integration_secrets_org_kind_key" ON "integration_secrets" USING btree ("org_id","kind");--> statement-breakpoint
CREATE INDEX "integration_secrets_kind_idx" ON "integration_secrets" USING btree ("kind");--> statement-breakpoint
CREATE UNIQUE INDEX "repo_metrics_pending_key" ON "repo_metrics_pending" USING btree ("repo_id","period","date");