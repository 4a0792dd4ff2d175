import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "./columns.ts";
import { organizations } from "./organizations.ts";

/**
 * Shared secrets of inbound integrations (e.g. the PagerDuty webhook signing secret), one per
 * organization and kind. Kept out of `organizations.settings` so secrets never travel with the
 * settings an API reader sees.
 */
export const integrationSecrets = pgTable(
  "integration_secrets",
  {
    id: id(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** `pagerduty`. */
    kind: text("kind").notNull(),
    secret: text("secret").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("integration_secrets_org_kind_key").on(t.orgId, t.kind),
    index("integration_secrets_kind_idx").on(t.kind),
  ],
);

/**
 * Events of inbound integrations already applied (PagerDuty's `event.id`), one row per
 * organization, kind and event id: a signed body posted again is answered without being applied.
 * Pruned daily after the same 30 days as the GitHub delivery log.
 */
export const integrationEvents = pgTable(
  "integration_events",
  {
    id: id(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** `pagerduty`. */
    kind: text("kind").notNull(),
    eventId: text("event_id").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("integration_events_org_kind_event_key").on(t.orgId, t.kind, t.eventId),
    index("integration_events_received_idx").on(t.receivedAt),
  ],
);
