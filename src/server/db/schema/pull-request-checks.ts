import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns.ts";
import { repositories } from "./github.ts";
import { organizations } from "./organizations.ts";

/**
 * The GitHub check run Sentinel keeps on a pull request's head commit: one row per (repository,
 * PR, head sha), so a re-delivered webhook finds the check it already created instead of making a
 * second one, and a policy change can find the open PRs to judge again.
 */
export const pullRequestChecks = pgTable(
  "pull_request_checks",
  {
    id: id(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    repoId: uuid("repo_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    prNumber: integer("pr_number").notNull(),
    headSha: text("head_sha").notNull(),
    baseRef: text("base_ref").notNull(),
    /** GitHub's id of the check run; null until it is created. */
    checkRunId: bigint("check_run_id", { mode: "number" }),
    /** `queued`, `in_progress`, `completed`, as GitHub names a check run's status. */
    status: text("status").notNull().default("queued"),
    /** `success`, `neutral` or `failure` once completed. */
    conclusion: text("conclusion"),
    title: text("title"),
    /** `closed` once the PR is closed or merged: no longer judged again when policies change. */
    prState: text("pr_state").notNull().default("open"),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("pull_request_checks_repo_pr_head_key").on(t.repoId, t.prNumber, t.headSha),
    index("pull_request_checks_org_state_idx").on(t.orgId, t.prState),
    check("pull_request_checks_status_check", sql`${t.status} IN ('queued', 'in_progress', 'completed')`),
    check(
      "pull_request_checks_conclusion_check",
      sql`${t.conclusion} IS NULL OR ${t.conclusion} IN ('success', 'neutral', 'failure')`,
    ),
    check("pull_request_checks_pr_state_check", sql`${t.prState} IN ('open', 'closed')`),
  ],
);
