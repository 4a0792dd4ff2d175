/** The restricted role that row-level security applies to (drizzle/0002_row_level_security.sql). */
export const TENANT_ROLE = "sentinel_app";
