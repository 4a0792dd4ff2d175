import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { RepoSettings } from "../../../core/settings.ts";
import { createdAt, id, updatedAt } from "./columns.ts";
import { githubAccountType } from "./enums.ts";
import { organizations } from "./organizations.ts";

export const githubInstallations = pgTable(
  "github_installations",
  {
    id: id(),
    /** Null until an admin links the installation to an organization; deliveries wait meanwhile. */
    orgId: uuid("org_id").references(() => organizations.id, { onDelete: "cascade" }),
    installationId: bigint("installation_id", { mode: "number" })
      .notNull()
      .unique("github_installations_installation_id_key"),
    accountLogin: text("account_login").notNull(),
    accountId: bigint("account_id", { mode: "number" }).notNull(),
    accountType: githubAccountType("account_type").notNull(),
    repositorySelection: text("repository_selection").notNull().default("selected"),
    suspendedAt: timestamp("suspended_at", { withTimezone: true }),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("github_installations_org_idx").on(t.orgId)],
);

export const repositories = pgTable(
  "repositories",
  {
    id: id(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** The spec's link to the installation (not its row id): webhooks carry `installation.id`. */
    installationId: bigint("installation_id", { mode: "number" }).references(
      () => githubInstallations.installationId,
      { onDelete: "set null" },
    ),
    /** GitHub's repository id; null for repositories analysed locally by the CLI. */
    githubId: bigint("github_id", { mode: "number" }),
    /** `owner/name`. */
    fullName: text("full_name").notNull(),
    defaultBranch: text("default_branch").notNull().default("main"),
    isPrivate: boolean("is_private").notNull().default(true),
    /** False once removed from the installation: history stays, new events stop. */
    tracked: boolean("tracked").notNull().default(true),
    archivedAt: timestamp("archived_at", { withTimezone: true }),
    settings: jsonb("settings").$type<RepoSettings>().notNull().default(sql`'{}'::jsonb`),
    /** Local path for CLI-analysed repositories. */
    localPath: text("local_path"),
    /** Newest commit analysed, so re-analysis and backfill can resume. */
    lastAnalyzedSha: text("last_analyzed_sha"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("repositories_org_full_name_key").on(t.orgId, t.fullName),
    uniqueIndex("repositories_github_id_key").on(t.githubId).where(sql`${t.githubId} IS NOT NULL`),
    index("repositories_installation_idx").on(t.installationId),
  ],
);

/**
 * Every GitHub delivery we acknowledged, deduplicated on its delivery id and on its body's hash.
 * Kept apart from code_events so that table can be partitioned by time (a unique key there must
 * include time).
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: id(),
    deliveryId: text("delivery_id").notNull(),
    event: text("event").notNull(),
    action: text("action"),
    installationId: bigint("installation_id", { mode: "number" }),
    orgId: uuid("org_id").references(() => organizations.id, { onDelete: "cascade" }),
    /** `processed`, `ignored`, `pending_link` (installation not linked yet), `failed`. */
    outcome: text("outcome").notNull(),
    /** Raw payload kept only while it still has to be processed (pending link or failed). */
    payload: jsonb("payload").$type<Record<string, unknown>>(),
    /**
     * SHA-256 (hex) of the raw signed body. The delivery id is not signed: a body already stored
     * under another id is a replay. Null for deliveries stored before it was recorded.
     */
    bodySha256: text("body_sha256"),
    eventsCreated: integer("events_created").notNull().default(0),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_delivery_id_key").on(t.deliveryId),
    uniqueIndex("webhook_deliveries_body_sha256_key").on(t.bodySha256),
    index("webhook_deliveries_received_idx").on(t.receivedAt),
    index("webhook_deliveries_installation_idx").on(t.installationId, t.outcome),
  ],
);

/**
 * How a repository's history reaches Sentinel: its git mirror (size on disk, last fetch) and the
 * import of its history (progress, where it was read from). One row per repository, written by
 * the workers, read by the dashboard and `sentinel backfills`. Kept apart from `repositories`
 * because it changes every few seconds while a backfill runs.
 */
export const repositorySync = pgTable(
  "repository_sync",
  {
    repoId: uuid("repo_id")
      .primaryKey()
      .references(() => repositories.id, { onDelete: "cascade" }),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** `ready`, `too_large` or `unavailable` (the reason says why); null before the first fetch. */
    mirrorStatus: text("mirror_status"),
    mirrorReason: text("mirror_reason"),
    mirrorBytes: bigint("mirror_bytes", { mode: "number" }),
    mirrorFetchedAt: timestamp("mirror_fetched_at", { withTimezone: true }),
    /** `queued`, `running`, `done`, `failed`; null when no import was ever asked for. */
    backfillStatus: text("backfill_status"),
    /** `pulls`, `commits`, `deployments`: the phase running now. */
    backfillPhase: text("backfill_phase"),
    /** `git` (the mirror) or `rest` (GitHub's API, with the reason in backfill_reason). */
    backfillSource: text("backfill_source"),
    backfillReason: text("backfill_reason"),
    backfillSince: timestamp("backfill_since", { withTimezone: true }),
    /** The branch tip the commit phase reads from: a retry with the same tip resumes where it stopped. */
    backfillTip: text("backfill_tip"),
    commitsTotal: integer("commits_total"),
    commitsDone: integer("commits_done").notNull().default(0),
    /** When the commit phase started reading (time left is estimated from the rate since). */
    commitsStartedAt: timestamp("commits_started_at", { withTimezone: true }),
    backfillQueuedAt: timestamp("backfill_queued_at", { withTimezone: true }),
    backfillFinishedAt: timestamp("backfill_finished_at", { withTimezone: true }),
    backfillError: text("backfill_error"),
    updatedAt: updatedAt(),
  },
  (t) => [index("repository_sync_org_idx").on(t.orgId)],
);
