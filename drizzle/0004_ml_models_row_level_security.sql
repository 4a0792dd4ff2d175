-- ml_models joins the tenant isolation of 0002_row_level_security: the restricted role sees and
-- writes only its organization's models, and may also read (never write) global models, whose
-- org_id is null.
GRANT SELECT, INSERT, UPDATE, DELETE ON ml_models TO sentinel_app;
--> statement-breakpoint
ALTER TABLE ml_models ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE ml_models FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON ml_models FOR ALL TO sentinel_app
  USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY global_models_readable ON ml_models FOR SELECT TO sentinel_app
  USING (org_id IS NULL);
