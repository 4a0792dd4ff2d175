import { sql } from "drizzle-orm";
import {
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { IncidentMetadata } from "../../../core/incidents.ts";
import { createdAt, id, updatedAt } from "./columns.ts";
import { incidentSeverity, incidentStatus } from "./enums.ts";
import { repositories } from "./github.ts";
import { organizations } from "./organizations.ts";

export const incidents = pgTable(
  "incidents",
  {
    id: id(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** Null until known (a page from PagerDuty may not name a repository). */
    repoId: uuid("repo_id").references(() => repositories.id, { onDelete: "set null" }),
    title: text("title").notNull(),
    description: text("description"),
    severity: incidentSeverity("severity").notNull(),
    status: incidentStatus("status").notNull().default("investigating"),
    /** `api`, `pagerduty`, `github_issue`, `seed`. */
    source: text("source").notNull(),
    /** The id in the source system, for idempotent intake. */
    externalId: text("external_id"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    identifiedAt: timestamp("identified_at", { withTimezone: true }),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    /** The deploy believed to have caused it (a code_events id; no FK, see DESIGN). */
    deployEventId: uuid("deploy_event_id"),
    deploySha: text("deploy_sha"),
    commitSha: text("commit_sha"),
    /** `explicit` (the reporter named it) or `inferred` (last production deploy before it began). */
    linkMethod: text("link_method"),
    suspectAiShare: doublePrecision("suspect_ai_share"),
    suspectLinesAdded: integer("suspect_lines_added"),
    suspectAiLinesT3T4: integer("suspect_ai_lines_t3_t4"),
    metadata: jsonb("metadata").$type<IncidentMetadata>().notNull().default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("incidents_org_started_idx").on(t.orgId, t.startedAt.desc().nullsFirst()),
    index("incidents_repo_started_idx").on(t.repoId, t.startedAt),
    uniqueIndex("incidents_source_external_key")
      .on(t.orgId, t.source, t.externalId)
      .where(sql`${t.externalId} IS NOT NULL`),
  ],
);
