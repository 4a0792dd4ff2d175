import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { id, updatedAt } from "./columns.ts";
import { repositories } from "./github.ts";
import { organizations } from "./organizations.ts";

// Line survival (issue #15, docs/metrics.md "Stored survival, churn and reverts"): what became of
// the lines each commit added to each file. Who wrote them is code_attribution's verdict, joined
// when read, so re-attribution and overrides need no new walk of the history.

/** One commit's added lines in one file, as the line history tracks them, and their fate. */
export const lineSurvival = pgTable(
  "line_survival",
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
    committedAt: timestamp("committed_at", { withTimezone: true }).notNull(),
    /** Lines the commit added (whitespace-only changes and moves git detects as renames excluded). */
    linesAdded: integer("lines_added").notNull(),
    /** Of those, still present at the history's tip (line_survival_state.tip_sha). */
    linesPresent: integer("lines_present").notNull(),
    /** Deleted or rewritten by a commit at most 14 / 30 / 90 days after this one. */
    churned14d: integer("churned_14d").notNull(),
    churned30d: integer("churned_30d").notNull(),
    churned90d: integer("churned_90d").notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("line_survival_repo_commit_file_key").on(t.repoId, t.commitSha, t.filePath),
    index("line_survival_repo_committed_idx").on(t.repoId, t.committedAt),
    index("line_survival_org_idx").on(t.orgId),
    check(
      "line_survival_counts_check",
      sql`${t.linesAdded} > 0 AND ${t.linesPresent} >= 0 AND ${t.linesPresent} <= ${t.linesAdded} AND ${t.churned14d} >= 0 AND ${t.churned14d} <= ${t.churned30d} AND ${t.churned30d} <= ${t.churned90d} AND ${t.churned90d} + ${t.linesPresent} <= ${t.linesAdded}`,
    ),
  ],
);

/** The history line_survival was computed from, per repository. */
export const lineSurvivalState = pgTable(
  "line_survival_state",
  {
    repoId: uuid("repo_id")
      .primaryKey()
      .references(() => repositories.id, { onDelete: "cascade" }),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** `mirror` (the App's copy of the repository), `local` (`sentinel analyze --store`) or `seed` (the demo). */
    source: text("source").notNull(),
    tipSha: text("tip_sha").notNull(),
    /** Latest committer time of the history: a churn window counts a line once it has fully passed. */
    historyEnd: timestamp("history_end", { withTimezone: true }).notNull(),
    commits: integer("commits").notNull(),
    /** Lines of the tip's text files (blame view). */
    linesAtTip: integer("lines_at_tip").notNull(),
    /** Of those, lines older than the walked history (blame's boundary lines). */
    olderLines: integer("older_lines").notNull(),
    computedAt: timestamp("computed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("line_survival_state_org_idx").on(t.orgId),
    check("line_survival_state_source_check", sql`${t.source} IN ('mirror', 'local', 'seed')`),
    check(
      "line_survival_state_counts_check",
      sql`${t.commits} >= 0 AND ${t.olderLines} >= 0 AND ${t.linesAtTip} >= ${t.olderLines}`,
    ),
  ],
);

/** A commit that reverts an earlier one (git's message, GitHub's title, or an inverse diff). */
export const commitReverts = pgTable(
  "commit_reverts",
  {
    id: id(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    repoId: uuid("repo_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    commitSha: text("commit_sha").notNull(),
    revertedSha: text("reverted_sha").notNull(),
    /** `message`, `title` or `inverse-diff`. */
    method: text("method").notNull(),
    /** False when git's message names a commit the history does not hold. */
    inHistory: boolean("in_history").notNull(),
    committedAt: timestamp("committed_at", { withTimezone: true }).notNull(),
    revertedCommittedAt: timestamp("reverted_committed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("commit_reverts_repo_commit_key").on(t.repoId, t.commitSha),
    index("commit_reverts_repo_reverted_idx").on(t.repoId, t.revertedSha),
    index("commit_reverts_org_idx").on(t.orgId),
    check("commit_reverts_method_check", sql`${t.method} IN ('message', 'title', 'inverse-diff')`),
  ],
);
