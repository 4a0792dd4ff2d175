CREATE TABLE "integration_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"event_id" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "body_sha256" text;--> statement-breakpoint
ALTER TABLE "integration_events" ADD CONSTRAINT "integration_events_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "integration_events_org_kind_event_key" ON "integration_events" USING btree ("org_id","kind","event_id");--> statement-breakpoint
CREATE INDEX "integration_events_received_idx" ON "integration_events" USING btree ("received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_body_sha256_key" ON "webhook_deliveries" USING btree ("body_sha256");--> statement-breakpoint
-- integration_events joins the tenant isolation of 0002_row_level_security (it has org_id): the
-- restricted role sees and writes only its organization's rows. The webhook that fills it runs
-- as the connection's own role, like all ingestion.
GRANT SELECT, INSERT, UPDATE, DELETE ON integration_events TO sentinel_app;
--> statement-breakpoint
ALTER TABLE integration_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE integration_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON integration_events FOR ALL TO sentinel_app
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
