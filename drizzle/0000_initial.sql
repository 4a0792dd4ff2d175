CREATE TYPE "public"."detection_method" AS ENUM('heuristic', 'ml_model', 'manual_override');--> statement-breakpoint
CREATE TYPE "public"."event_type" AS ENUM('commit', 'pr_opened', 'pr_reviewed', 'pr_merged', 'deploy', 'incident');--> statement-breakpoint
CREATE TYPE "public"."github_account_type" AS ENUM('organization', 'user');--> statement-breakpoint
CREATE TYPE "public"."incident_severity" AS ENUM('sev1', 'sev2', 'sev3', 'sev4');--> statement-breakpoint
CREATE TYPE "public"."incident_status" AS ENUM('investigating', 'identified', 'resolved');--> statement-breakpoint
CREATE TYPE "public"."member_role" AS ENUM('owner', 'admin', 'member', 'viewer');--> statement-breakpoint
CREATE TYPE "public"."org_plan" AS ENUM('free', 'team', 'enterprise');--> statement-breakpoint
CREATE TYPE "public"."risk_tier" AS ENUM('T1_boilerplate', 'T2_glue', 'T3_core', 'T4_novel');--> statement-breakpoint
CREATE TYPE "public"."time_period" AS ENUM('day', 'week', 'month');--> statement-breakpoint
CREATE TABLE "accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"account_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"access_token" text,
	"refresh_token" text,
	"id_token" text,
	"access_token_expires_at" timestamp with time zone,
	"refresh_token_expires_at" timestamp with time zone,
	"scope" text,
	"password" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"token" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ip_address" text,
	"user_agent" text,
	"active_organization_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sessions_token_unique" UNIQUE("token")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"email_verified" boolean DEFAULT false NOT NULL,
	"image" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "verifications" (
	"id" text PRIMARY KEY NOT NULL,
	"identifier" text NOT NULL,
	"value" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_installations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid,
	"installation_id" bigint NOT NULL,
	"account_login" text NOT NULL,
	"account_id" bigint NOT NULL,
	"account_type" "github_account_type" NOT NULL,
	"repository_selection" text DEFAULT 'selected' NOT NULL,
	"suspended_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "github_installations_installation_id_key" UNIQUE("installation_id")
);
--> statement-breakpoint
CREATE TABLE "repositories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"installation_id" bigint,
	"github_id" bigint,
	"full_name" text NOT NULL,
	"default_branch" text DEFAULT 'main' NOT NULL,
	"is_private" boolean DEFAULT true NOT NULL,
	"tracked" boolean DEFAULT true NOT NULL,
	"archived_at" timestamp with time zone,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"local_path" text,
	"last_analyzed_sha" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"delivery_id" text NOT NULL,
	"event" text NOT NULL,
	"action" text,
	"installation_id" bigint,
	"org_id" uuid,
	"outcome" text NOT NULL,
	"payload" jsonb,
	"events_created" integer DEFAULT 0 NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"repo_id" uuid,
	"title" text NOT NULL,
	"description" text,
	"severity" "incident_severity" NOT NULL,
	"status" "incident_status" DEFAULT 'investigating' NOT NULL,
	"source" text NOT NULL,
	"external_id" text,
	"started_at" timestamp with time zone NOT NULL,
	"identified_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"deploy_event_id" uuid,
	"deploy_sha" text,
	"commit_sha" text,
	"link_method" text,
	"suspect_ai_share" double precision,
	"suspect_lines_added" integer,
	"suspect_ai_lines_t3_t4" integer,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"display_prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"scopes" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_by" text,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"email" text NOT NULL,
	"role" "member_role" DEFAULT 'viewer' NOT NULL,
	"token_hash" text NOT NULL,
	"invited_by" text,
	"expires_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organization_members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"role" "member_role" DEFAULT 'viewer' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"plan" "org_plan" DEFAULT 'free' NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attribution_overrides" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"commit_sha" text NOT NULL,
	"file_path" text,
	"verdict" text NOT NULL,
	"risk_tier" "risk_tier",
	"actor" text NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "code_attribution" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"commit_sha" text NOT NULL,
	"file_path" text NOT NULL,
	"ai_confidence" real,
	"detection_method" "detection_method",
	"risk_tier" "risk_tier" NOT NULL,
	"detection_signals" jsonb NOT NULL,
	"lines_added" integer DEFAULT 0 NOT NULL,
	"lines_deleted" integer DEFAULT 0 NOT NULL,
	"ai_lines" integer DEFAULT 0 NOT NULL,
	"human_lines" integer DEFAULT 0 NOT NULL,
	"unknown_lines" integer DEFAULT 0 NOT NULL,
	"tool" text,
	"model" text,
	"engine_version" text NOT NULL,
	"committed_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "code_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"event_type" "event_type" NOT NULL,
	"commit_sha" text,
	"timestamp" timestamp with time zone NOT NULL,
	"actor" text,
	"source_key" text NOT NULL,
	"metadata" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "repo_metrics" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"period" time_period NOT NULL,
	"date" date NOT NULL,
	"commits" integer DEFAULT 0 NOT NULL,
	"ai_commits" integer DEFAULT 0 NOT NULL,
	"files_changed" integer DEFAULT 0 NOT NULL,
	"lines_added" integer DEFAULT 0 NOT NULL,
	"lines_deleted" integer DEFAULT 0 NOT NULL,
	"ai_lines_added" integer DEFAULT 0 NOT NULL,
	"human_lines_added" integer DEFAULT 0 NOT NULL,
	"unknown_lines_added" integer DEFAULT 0 NOT NULL,
	"t1_lines" integer DEFAULT 0 NOT NULL,
	"t2_lines" integer DEFAULT 0 NOT NULL,
	"t3_lines" integer DEFAULT 0 NOT NULL,
	"t4_lines" integer DEFAULT 0 NOT NULL,
	"t1_ai_lines" integer DEFAULT 0 NOT NULL,
	"t2_ai_lines" integer DEFAULT 0 NOT NULL,
	"t3_ai_lines" integer DEFAULT 0 NOT NULL,
	"t4_ai_lines" integer DEFAULT 0 NOT NULL,
	"prs_opened" integer DEFAULT 0 NOT NULL,
	"prs_merged" integer DEFAULT 0 NOT NULL,
	"prs_reviewed" integer DEFAULT 0 NOT NULL,
	"ai_heavy_prs_merged" integer DEFAULT 0 NOT NULL,
	"median_time_to_merge_seconds" double precision,
	"deploys" integer DEFAULT 0 NOT NULL,
	"ai_heavy_deploys" integer DEFAULT 0 NOT NULL,
	"failed_deploys" integer DEFAULT 0 NOT NULL,
	"ai_heavy_failed_deploys" integer DEFAULT 0 NOT NULL,
	"incidents_opened" integer DEFAULT 0 NOT NULL,
	"change_failure_rate" double precision,
	"change_failure_rate_ai" double precision,
	"change_failure_rate_other" double precision,
	"median_lead_time_seconds" double precision,
	"median_lead_time_ai_seconds" double precision,
	"median_lead_time_other_seconds" double precision,
	"median_time_to_restore_seconds" double precision,
	"median_time_to_restore_ai_seconds" double precision,
	"median_time_to_restore_other_seconds" double precision,
	"breakdown" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_installations" ADD CONSTRAINT "github_installations_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repositories" ADD CONSTRAINT "repositories_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repositories" ADD CONSTRAINT "repositories_installation_id_github_installations_installation_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."github_installations"("installation_id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_members" ADD CONSTRAINT "organization_members_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_members" ADD CONSTRAINT "organization_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attribution_overrides" ADD CONSTRAINT "attribution_overrides_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attribution_overrides" ADD CONSTRAINT "attribution_overrides_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "code_attribution" ADD CONSTRAINT "code_attribution_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "code_attribution" ADD CONSTRAINT "code_attribution_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "code_events" ADD CONSTRAINT "code_events_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "code_events" ADD CONSTRAINT "code_events_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD CONSTRAINT "repo_metrics_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD CONSTRAINT "repo_metrics_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "accounts_user_id_idx" ON "accounts" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_user_id_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "github_installations_org_idx" ON "github_installations" USING btree ("org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "repositories_org_full_name_key" ON "repositories" USING btree ("org_id","full_name");--> statement-breakpoint
CREATE UNIQUE INDEX "repositories_github_id_key" ON "repositories" USING btree ("github_id") WHERE "repositories"."github_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "repositories_installation_idx" ON "repositories" USING btree ("installation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_delivery_id_key" ON "webhook_deliveries" USING btree ("delivery_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_received_idx" ON "webhook_deliveries" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_installation_idx" ON "webhook_deliveries" USING btree ("installation_id","outcome");--> statement-breakpoint
CREATE INDEX "incidents_org_started_idx" ON "incidents" USING btree ("org_id","started_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "incidents_repo_started_idx" ON "incidents" USING btree ("repo_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_source_external_key" ON "incidents" USING btree ("org_id","source","external_id") WHERE "incidents"."external_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_keys_org_idx" ON "api_keys" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "audit_log_org_created_idx" ON "audit_log" USING btree ("org_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_token_hash_key" ON "invitations" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "invitations_org_idx" ON "invitations" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "organization_members_org_user_key" ON "organization_members" USING btree ("org_id","user_id");--> statement-breakpoint
CREATE INDEX "organization_members_user_idx" ON "organization_members" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "organizations_slug_key" ON "organizations" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "attribution_overrides_target_key" ON "attribution_overrides" USING btree ("repo_id","commit_sha",coalesce("file_path", ''));--> statement-breakpoint
CREATE INDEX "attribution_overrides_org_idx" ON "attribution_overrides" USING btree ("org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "code_attribution_repo_commit_file_key" ON "code_attribution" USING btree ("repo_id","commit_sha","file_path");--> statement-breakpoint
CREATE INDEX "code_attribution_repo_confidence_idx" ON "code_attribution" USING btree ("repo_id","ai_confidence" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "code_attribution_repo_tier_created_idx" ON "code_attribution" USING btree ("repo_id","risk_tier","created_at");--> statement-breakpoint
CREATE INDEX "code_attribution_commit_sha_idx" ON "code_attribution" USING btree ("commit_sha");--> statement-breakpoint
CREATE INDEX "code_attribution_org_committed_idx" ON "code_attribution" USING btree ("org_id","committed_at");--> statement-breakpoint
CREATE INDEX "code_events_repo_timestamp_idx" ON "code_events" USING btree ("repo_id","timestamp" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "code_events_commit_sha_idx" ON "code_events" USING btree ("commit_sha") WHERE "code_events"."commit_sha" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "code_events_repo_type_timestamp_idx" ON "code_events" USING btree ("repo_id","event_type","timestamp");--> statement-breakpoint
CREATE UNIQUE INDEX "code_events_natural_key" ON "code_events" USING btree ("repo_id","event_type","source_key","timestamp");--> statement-breakpoint
CREATE INDEX "code_events_org_timestamp_idx" ON "code_events" USING btree ("org_id","timestamp");--> statement-breakpoint
CREATE UNIQUE INDEX "repo_metrics_repo_date_period_key" ON "repo_metrics" USING btree ("repo_id","date","period");--> statement-breakpoint
CREATE INDEX "repo_metrics_repo_date_idx" ON "repo_metrics" USING btree ("repo_id","date" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "repo_metrics_org_period_date_idx" ON "repo_metrics" USING btree ("org_id","period","date");