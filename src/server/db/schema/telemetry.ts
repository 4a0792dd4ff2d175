import { sql } from "drizzle-orm";
import {
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { DetectionSignals } from "../../../core/attribution/signals.ts";
import type { AnyEventMetadata } from "../../../core/events.ts";
import type { MetricsBreakdown } from "../../../core/metrics-breakdown.ts";
import { createdAt, id, updatedAt } from "./columns.ts";
import { detectionMethod, eventType, riskTier, timePeriod } from "./enums.ts";
import { repositories } from "./github.ts";
import { organizations } from "./organizations.ts";

/**
 * Raw telemetry, append-only, partitioned by UTC month of `timestamp` (drizzle/0009; Drizzle cannot
 * declare partitioning, docs/decisions/0006-code-events-partitioned-by-month.md). Every key
 * includes `timestamp`, hence the primary key (id, timestamp). No foreign key points here.
 */
export const codeEvents = pgTable(
  "code_events",
  {
    id: uuid("id").notNull().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    repoId: uuid("repo_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    eventType: eventType("event_type").notNull(),
    commitSha: text("commit_sha"),
    /** When it happened (commit time, merge time, deploy time), not when we heard of it. */
    timestamp: timestamp("timestamp", { withTimezone: true }).notNull(),
    /** GitHub login (or name) of who did it. */
    actor: text("actor"),
    /** Natural key of the event within its repository and type (`<sha>`, `pr:12`, `deploy:981:success`). */
    sourceKey: text("source_key").notNull(),
    metadata: jsonb("metadata").$type<AnyEventMetadata>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: "code_events_pkey", columns: [t.id, t.timestamp] }),
    index("code_events_repo_timestamp_idx").on(t.repoId, t.timestamp.desc().nullsFirst()),
    index("code_events_commit_sha_idx").on(t.commitSha).where(sql`${t.commitSha} IS NOT NULL`),
    index("code_events_repo_type_timestamp_idx").on(t.repoId, t.eventType, t.timestamp),
    // Idempotent ingest: a redelivered push or a re-run backfill adds nothing. Includes the time
    // column, as every unique key of a table partitioned by time must.
    uniqueIndex("code_events_natural_key").on(t.repoId, t.eventType, t.sourceKey, t.timestamp),
    index("code_events_org_timestamp_idx").on(t.orgId, t.timestamp),
  ],
);

export const codeAttribution = pgTable(
  "code_attribution",
  {
    id: id(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    repoId: uuid("repo_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    commitSha: text("commit_sha").notNull(),
    filePath: text("file_path").notNull(),
    /** 0–1; null when there is no evidence at all (unknown, which is not "human"). */
    aiConfidence: real("ai_confidence"),
    /** Null together with ai_confidence when nothing detected anything. */
    detectionMethod: detectionMethod("detection_method"),
    riskTier: riskTier("risk_tier").notNull(),
    detectionSignals: jsonb("detection_signals").$type<DetectionSignals>().notNull(),
    linesAdded: integer("lines_added").notNull().default(0),
    linesDeleted: integer("lines_deleted").notNull().default(0),
    aiLines: integer("ai_lines").notNull().default(0),
    humanLines: integer("human_lines").notNull().default(0),
    unknownLines: integer("unknown_lines").notNull().default(0),
    tool: text("tool"),
    model: text("model"),
    engineVersion: text("engine_version").notNull(),
    /** Commit time, denormalised so roll-ups need no join to code_events. */
    committedAt: timestamp("committed_at", { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Spec: (commit_sha, file_path) UNIQUE; widened by repo_id (docs/decisions/0002).
    uniqueIndex("code_attribution_repo_commit_file_key").on(t.repoId, t.commitSha, t.filePath),
    index("code_attribution_repo_confidence_idx").on(t.repoId, t.aiConfidence.desc().nullsFirst()),
    index("code_attribution_repo_tier_created_idx").on(t.repoId, t.riskTier, t.createdAt),
    index("code_attribution_commit_sha_idx").on(t.commitSha),
    index("code_attribution_org_committed_idx").on(t.orgId, t.committedAt),
  ],
);

/**
 * A person's verdict on a file (or, with file_path null, a whole commit). Kept apart from
 * code_attribution so re-analysis never loses it; applied on top of every engine run.
 */
export const attributionOverrides = pgTable(
  "attribution_overrides",
  {
    id: id(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    repoId: uuid("repo_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    commitSha: text("commit_sha").notNull(),
    filePath: text("file_path"),
    /** `ai` or `human`. */
    verdict: text("verdict").notNull(),
    riskTier: riskTier("risk_tier"),
    actor: text("actor").notNull(),
    reason: text("reason").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("attribution_overrides_target_key").on(
      t.repoId,
      t.commitSha,
      sql`coalesce(${t.filePath}, '')`,
    ),
    index("attribution_overrides_org_idx").on(t.orgId),
  ],
);

export const repoMetrics = pgTable(
  "repo_metrics",
  {
    id: id(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    repoId: uuid("repo_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    period: timePeriod("period").notNull(),
    /** First day of the period (UTC): the day, the ISO week's Monday, the month's 1st. */
    date: date("date", { mode: "string" }).notNull(),
    commits: integer("commits").notNull().default(0),
    aiCommits: integer("ai_commits").notNull().default(0),
    filesChanged: integer("files_changed").notNull().default(0),
    linesAdded: integer("lines_added").notNull().default(0),
    linesDeleted: integer("lines_deleted").notNull().default(0),
    aiLinesAdded: integer("ai_lines_added").notNull().default(0),
    humanLinesAdded: integer("human_lines_added").notNull().default(0),
    unknownLinesAdded: integer("unknown_lines_added").notNull().default(0),
    t1Lines: integer("t1_lines").notNull().default(0),
    t2Lines: integer("t2_lines").notNull().default(0),
    t3Lines: integer("t3_lines").notNull().default(0),
    t4Lines: integer("t4_lines").notNull().default(0),
    t1AiLines: integer("t1_ai_lines").notNull().default(0),
    t2AiLines: integer("t2_ai_lines").notNull().default(0),
    t3AiLines: integer("t3_ai_lines").notNull().default(0),
    t4AiLines: integer("t4_ai_lines").notNull().default(0),
    prsOpened: integer("prs_opened").notNull().default(0),
    prsMerged: integer("prs_merged").notNull().default(0),
    prsReviewed: integer("prs_reviewed").notNull().default(0),
    aiHeavyPrsMerged: integer("ai_heavy_prs_merged").notNull().default(0),
    medianTimeToMergeSeconds: doublePrecision("median_time_to_merge_seconds"),
    deploys: integer("deploys").notNull().default(0),
    aiHeavyDeploys: integer("ai_heavy_deploys").notNull().default(0),
    failedDeploys: integer("failed_deploys").notNull().default(0),
    aiHeavyFailedDeploys: integer("ai_heavy_failed_deploys").notNull().default(0),
    incidentsOpened: integer("incidents_opened").notNull().default(0),
    changeFailureRate: doublePrecision("change_failure_rate"),
    changeFailureRateAi: doublePrecision("change_failure_rate_ai"),
    changeFailureRateOther: doublePrecision("change_failure_rate_other"),
    medianLeadTimeSeconds: doublePrecision("median_lead_time_seconds"),
    medianLeadTimeAiSeconds: doublePrecision("median_lead_time_ai_seconds"),
    medianLeadTimeOtherSeconds: doublePrecision("median_lead_time_other_seconds"),
    medianTimeToRestoreSeconds: doublePrecision("median_time_to_restore_seconds"),
    medianTimeToRestoreAiSeconds: doublePrecision("median_time_to_restore_ai_seconds"),
    medianTimeToRestoreOtherSeconds: doublePrecision("median_time_to_restore_other_seconds"),
    // Churn (docs/metrics.md): lines the period's commits added that were old enough for the
    // window by the history's end, and of those the ones deleted or rewritten within it; all and AI.
    churnLines14d: integer("churn_lines_14d").notNull().default(0),
    churnedLines14d: integer("churned_lines_14d").notNull().default(0),
    aiChurnLines14d: integer("ai_churn_lines_14d").notNull().default(0),
    aiChurnedLines14d: integer("ai_churned_lines_14d").notNull().default(0),
    churnLines30d: integer("churn_lines_30d").notNull().default(0),
    churnedLines30d: integer("churned_lines_30d").notNull().default(0),
    aiChurnLines30d: integer("ai_churn_lines_30d").notNull().default(0),
    aiChurnedLines30d: integer("ai_churned_lines_30d").notNull().default(0),
    churnLines90d: integer("churn_lines_90d").notNull().default(0),
    churnedLines90d: integer("churned_lines_90d").notNull().default(0),
    aiChurnLines90d: integer("ai_churn_lines_90d").notNull().default(0),
    aiChurnedLines90d: integer("ai_churned_lines_90d").notNull().default(0),
    /** The period's commits that a later commit reverted, all and AI-heavy. */
    revertedCommits: integer("reverted_commits").notNull().default(0),
    aiHeavyRevertedCommits: integer("ai_heavy_reverted_commits").notNull().default(0),
    /** By-tool AI lines, incidents by severity, and the sample counts behind each ratio. */
    breakdown: jsonb("breakdown").$type<MetricsBreakdown>().notNull().default(sql`'{}'::jsonb`),
    computedAt: timestamp("computed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("repo_metrics_repo_date_period_key").on(t.repoId, t.date, t.period),
    index("repo_metrics_repo_date_idx").on(t.repoId, t.date.desc().nullsFirst()),
    index("repo_metrics_org_period_date_idx").on(t.orgId, t.period, t.date),
  ],
);
