import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { PolicySet } from "../../../core/policies/schema.ts";
import {
  orgSettingsSchema,
  readStoredSettings,
  repoSettingsSchema,
  type TierRule,
} from "../../../core/settings.ts";
import { organizations, pullRequestChecks, repositories } from "../../db/schema/index.ts";
import type { ServiceContext } from "../context.ts";

// The check runs Sentinel keeps on pull request heads (table pull_request_checks): claimed once
// per (repository, PR, head), so a re-delivered webhook or a retried job finds the check already
// made; and what the check needs to know of its repository and the policies that apply to it.

export type PullRequestCheckRow = typeof pullRequestChecks.$inferSelect;

export interface CheckKey {
  repoId: string;
  number: number;
  headSha: string;
  baseRef: string;
}

/** The row of this PR head, created when it is the first time the head is seen. */
export async function claimPullRequestCheck(
  ctx: ServiceContext,
  key: CheckKey,
): Promise<PullRequestCheckRow> {
  const values = {
    orgId: ctx.orgId,
    repoId: key.repoId,
    prNumber: key.number,
    headSha: key.headSha,
    baseRef: key.baseRef,
  };
  const [inserted] = await ctx.db.insert(pullRequestChecks).values(values).onConflictDoNothing().returning();
  if (inserted) return inserted;
  const [existing] = await ctx.db
    .select()
    .from(pullRequestChecks)
    .where(
      and(
        eq(pullRequestChecks.orgId, ctx.orgId),
        eq(pullRequestChecks.repoId, key.repoId),
        eq(pullRequestChecks.prNumber, key.number),
        eq(pullRequestChecks.headSha, key.headSha),
      ),
    );
  if (!existing) throw new Error("pull request check row vanished after its insert conflicted");
  return existing;
}

/** A claim to create a head's check run that made no run for this long is taken over (its job died). */
const STALE_CLAIM_SECONDS = 120;

export type CreationClaim =
  | { kind: "create" }
  | { kind: "exists"; checkRunId: number }
  /** Another job is creating the run right now: try again shortly. */
  | { kind: "busy" };

/**
 * Decides, in one statement, which job creates the check run of a head: the first to move the row
 * out of `queued` (or, for a re-evaluation, out of `completed`). No connection is held while GitHub
 * answers, so fifty PRs at once do not drain the pool.
 */
export async function claimCheckRunCreation(
  ctx: ServiceContext,
  rowId: string,
  options: { reevaluate: boolean },
): Promise<CreationClaim> {
  const claimable = or(
    eq(pullRequestChecks.status, "queued"),
    and(
      isNull(pullRequestChecks.checkRunId),
      lt(pullRequestChecks.updatedAt, sql`now() - make_interval(secs => ${STALE_CLAIM_SECONDS})`),
    ),
    options.reevaluate ? eq(pullRequestChecks.status, "completed") : undefined,
  );
  const [won] = await ctx.db
    .update(pullRequestChecks)
    .set({ status: "in_progress" })
    .where(and(eq(pullRequestChecks.orgId, ctx.orgId), eq(pullRequestChecks.id, rowId), claimable))
    .returning({ id: pullRequestChecks.id });
  if (won) return { kind: "create" };
  const [row] = await ctx.db
    .select({ checkRunId: pullRequestChecks.checkRunId })
    .from(pullRequestChecks)
    .where(and(eq(pullRequestChecks.orgId, ctx.orgId), eq(pullRequestChecks.id, rowId)));
  return row?.checkRunId == null ? { kind: "busy" } : { kind: "exists", checkRunId: Number(row.checkRunId) };
}

/** Records the check run GitHub created for the head (a re-evaluation replaces the previous one). */
export async function recordCheckRunCreated(
  ctx: ServiceContext,
  rowId: string,
  checkRunId: number,
): Promise<void> {
  await ctx.db
    .update(pullRequestChecks)
    .set({ checkRunId, status: "in_progress", conclusion: null, completedAt: null })
    .where(and(eq(pullRequestChecks.orgId, ctx.orgId), eq(pullRequestChecks.id, rowId)));
}

export async function recordCheckCompleted(
  ctx: ServiceContext,
  rowId: string,
  outcome: { conclusion: "success" | "neutral" | "failure"; title: string },
): Promise<void> {
  await ctx.db
    .update(pullRequestChecks)
    .set({
      status: "completed",
      conclusion: outcome.conclusion,
      title: outcome.title.slice(0, 1000),
      completedAt: new Date(),
    })
    .where(and(eq(pullRequestChecks.orgId, ctx.orgId), eq(pullRequestChecks.id, rowId)));
}

/** The PR is closed or merged: its checks are no longer judged again when policies change. */
export async function markPullRequestClosed(
  ctx: ServiceContext,
  repoId: string,
  number: number,
): Promise<void> {
  await ctx.db
    .update(pullRequestChecks)
    .set({ prState: "closed" })
    .where(
      and(
        eq(pullRequestChecks.orgId, ctx.orgId),
        eq(pullRequestChecks.repoId, repoId),
        eq(pullRequestChecks.prNumber, number),
      ),
    );
}

/** The newest check of each open PR of the organization (or of one repository). */
export async function openPullRequestHeads(
  ctx: ServiceContext,
  filter: { repoId?: string } = {},
): Promise<PullRequestCheckRow[]> {
  const rows = await ctx.db
    .select()
    .from(pullRequestChecks)
    .where(
      and(
        eq(pullRequestChecks.orgId, ctx.orgId),
        eq(pullRequestChecks.prState, "open"),
        filter.repoId ? eq(pullRequestChecks.repoId, filter.repoId) : undefined,
      ),
    )
    .orderBy(desc(pullRequestChecks.createdAt));
  const newest = new Map<string, PullRequestCheckRow>();
  for (const row of rows) {
    const key = `${row.repoId}#${row.prNumber}`;
    if (!newest.has(key)) newest.set(key, row);
  }
  return [...newest.values()];
}

export interface CheckTarget {
  fullName: string;
  installationId: number | null;
  defaultBranch: string;
  orgSlug: string;
  /** The repository's override when set, else the organization's; null: none set. */
  policies: PolicySet | null;
  /** Where the policies came from, for the check's text. */
  policySource: "repository" | "organization" | null;
  /** The organization's then the repository's tier rules, as attribution applies them. */
  tierRules: TierRule[];
}

/** What the check of a repository's PR needs: where it lives on GitHub and the policies that apply. */
export async function findCheckTarget(ctx: ServiceContext, repoId: string): Promise<CheckTarget | null> {
  const [row] = await ctx.db
    .select({
      fullName: repositories.fullName,
      installationId: repositories.installationId,
      defaultBranch: repositories.defaultBranch,
      tracked: repositories.tracked,
      settings: repositories.settings,
      orgSettings: organizations.settings,
      orgSlug: organizations.slug,
    })
    .from(repositories)
    .innerJoin(organizations, eq(organizations.id, repositories.orgId))
    .where(and(eq(repositories.id, repoId), eq(repositories.orgId, ctx.orgId)));
  if (!row?.tracked) return null;
  const repoSettings = readStoredSettings(repoSettingsSchema, row.settings);
  const orgSettings = readStoredSettings(orgSettingsSchema, row.orgSettings);
  const repoPolicies = repoSettings?.pullRequestPolicies ?? null;
  const orgPolicies = orgSettings?.pullRequestPolicies ?? null;
  return {
    fullName: row.fullName,
    installationId: row.installationId,
    defaultBranch: row.defaultBranch,
    orgSlug: row.orgSlug,
    policies: repoPolicies ?? orgPolicies,
    policySource: repoPolicies ? "repository" : orgPolicies ? "organization" : null,
    tierRules: [...(orgSettings?.tierRules ?? []), ...(repoSettings?.tierRules ?? [])],
  };
}
