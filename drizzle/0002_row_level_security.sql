-- Row-level security: the second, independent layer of tenant isolation (docs/security.md).
-- API and dashboard requests run in a transaction that does `SET LOCAL ROLE sentinel_app` and
-- `set_config('app.org_id', <org>, true)`; every tenant table then shows that role only the rows
-- of that organization, whatever the query says. Ingestion, jobs, the CLI and the pre-tenant auth
-- lookups keep the connection's own role, which must bypass RLS (superuser, or BYPASSRLS in
-- production, because FORCE makes the policies apply to the tables' owner too).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sentinel_app') THEN
    CREATE ROLE sentinel_app NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  -- Another database on the same server created it at the same moment: roles are cluster-wide.
  NULL;
END
$$;
--> statement-breakpoint
-- A superuser may SET ROLE to any role; a plain owner role needs membership to do so.
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT sentinel_app TO %I', current_user);
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO sentinel_app;
--> statement-breakpoint
GRANT USAGE ON TYPE org_plan, member_role, event_type, detection_method, risk_tier, time_period,
  incident_severity, incident_status, github_account_type TO sentinel_app;
--> statement-breakpoint
-- The organization row itself, keyed by id. No INSERT: organizations are created by the CLI or
-- an operator, never inside a tenant transaction.
GRANT SELECT, UPDATE, DELETE ON organizations TO sentinel_app;
--> statement-breakpoint
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON organizations FOR ALL TO sentinel_app
  USING (id = nullif(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (id = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
-- Every table with an org_id column (at the time of writing: organization_members,
-- github_installations, repositories, webhook_deliveries, api_keys, invitations, audit_log,
-- code_events, code_attribution, attribution_overrides, repo_metrics, repo_metrics_pending,
-- incidents, integration_secrets). test/api/row-level-security.db.test.ts fails when a later
-- table with org_id lacks the policy, so a new table cannot escape it.
DO $$
DECLARE
  t text;
  tenant text := 'org_id = nullif(current_setting(''app.org_id'', true), '''')::uuid';
BEGIN
  FOR t IN
    SELECT c.table_name
    FROM information_schema.columns c
    JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
    WHERE c.table_schema = 'public' AND c.column_name = 'org_id' AND tb.table_type = 'BASE TABLE'
  LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO sentinel_app', t);
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = 'public' AND tablename = t AND policyname = 'tenant_isolation') THEN
      EXECUTE format('CREATE POLICY tenant_isolation ON %I FOR ALL TO sentinel_app USING (%s) WITH CHECK (%s)', t, tenant, tenant);
    END IF;
  END LOOP;
END
$$;
--> statement-breakpoint
-- People are global, but the restricted role sees only those who belong to its organization
-- (member lists show names and e-mails). ENABLE without FORCE: Better Auth reads and writes users
-- as the owner before any tenant is known.
GRANT SELECT ON users TO sentinel_app;
--> statement-breakpoint
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY members_of_tenant ON users FOR SELECT TO sentinel_app
  USING (id IN (SELECT user_id FROM organization_members
                WHERE org_id = nullif(current_setting('app.org_id', true), '')::uuid));
