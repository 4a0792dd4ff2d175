import { index, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
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
