import { sql } from "drizzle-orm";

/**
 * A successful production deploy (DeployFact, src/core/metrics/facts.ts): a `deploy` event whose
 * metadata says production and state success. The one spelling of the rule for every query that
 * picks deploys. Columns are unqualified, so it also applies to a CTE that keeps code_events' columns.
 */
export const isProductionDeploy = sql`event_type = 'deploy' AND metadata->>'production' = 'true' AND metadata->>'state' = 'success'`;
