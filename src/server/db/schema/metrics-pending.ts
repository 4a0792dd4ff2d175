import { date, pgTable, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { timePeriod } from "./enums.ts";
import { repositories } from "./github.ts";
import { organizations } from "./organizations.ts";

/**
 * repo_metrics rows that new or late rows made stale, written in the same transaction as those
 * rows. The debounced roll-up job drains them; keeping them here (not in the job payload) means a
 * job send dropped by the per-repository singleton still loses nothing.
 */
export const repoMetricsPending = pgTable(
  "repo_metrics_pending",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    repoId: uuid("repo_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    period: timePeriod("period").notNull(),
    date: date("date", { mode: "string" }).notNull(),
    requestedAt: timestamp("requested_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("repo_metrics_pending_key").on(t.repoId, t.period, t.date)],
);
