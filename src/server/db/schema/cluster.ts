import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

// State shared by every server and worker of one deployment, kept in PostgreSQL so that several
// processes behave as one (docs/decisions/0005-shared-state-in-postgres.md). Not tenant data: no
// org_id, no row-level security; only the connection's own role touches these tables.

/**
 * One rate-limit window per bucket key (`key:<api key id>`, `org:<id>`, `auth:…`): a minute that
 * opens at the key's first request, counting every request in it. One atomic upsert per request
 * (auth/rate-limit.ts), so all servers count into the same row.
 */
export const rateLimitWindows = pgTable(
  "rate_limit_windows",
  {
    key: text("key").primaryKey(),
    windowStartedAt: timestamp("window_started_at", { withTimezone: true }).notNull(),
    count: integer("count").notNull(),
  },
  // Expired windows are swept by their start time.
  (t) => [index("rate_limit_windows_started_idx").on(t.windowStartedAt)],
);

/**
 * The re-attribution scan of each engine version: the row is claimed in the transaction that
 * queues the scan, so the first worker to start with a new engine queues it and no other does.
 */
export const reattributionScans = pgTable("reattribution_scans", {
  engineVersion: text("engine_version").primaryKey(),
  queuedAt: timestamp("queued_at", { withTimezone: true }).notNull().defaultNow(),
  completedAt: timestamp("completed_at", { withTimezone: true }),
  /** Commits the scan queued for re-attribution, once it completed. */
  commits: integer("commits"),
});
