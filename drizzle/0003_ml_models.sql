CREATE TABLE "ml_models" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid,
	"version" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"trained_on" jsonb NOT NULL,
	"metrics" jsonb NOT NULL,
	"weights" jsonb NOT NULL,
	"threshold" real NOT NULL,
	"active" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ml_models" ADD CONSTRAINT "ml_models_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ml_models_one_active_key" ON "ml_models" USING btree (coalesce("org_id", '00000000-0000-0000-0000-000000000000'::uuid)) WHERE "ml_models"."active";--> statement-breakpoint
CREATE UNIQUE INDEX "ml_models_org_version_key" ON "ml_models" USING btree (coalesce("org_id", '00000000-0000-0000-0000-000000000000'::uuid),"version");--> statement-breakpoint
CREATE INDEX "ml_models_org_created_idx" ON "ml_models" USING btree ("org_id","created_at");