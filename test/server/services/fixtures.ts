import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import type { OrgPlan, RiskTier } from "../../../src/core/enums.ts";
import type { OrgSettings } from "../../../src/core/settings.ts";
import type { Database } from "../../../src/server/db/client.ts";
import {
  codeAttribution,
  codeEvents,
  incidents,
  organizations,
  repoMetrics,
  repositories,
} from "../../../src/server/db/schema/index.ts";
import type { ServiceContext } from "../../../src/server/services/context.ts";

// Hand-made rows for metrics and incident tests: each test builds its own organization.

export const sha = (label: string) => createHash("sha1").update(label).digest("hex");

/** On enterprise unless asked: fixed dates must not fall out of a plan's history (tested on its own). */
export async function makeOrg(
  db: Database,
  settings: Partial<OrgSettings> = {},
  plan: OrgPlan = "enterprise",
): Promise<ServiceContext> {
  const slug = `org-${randomBytes(5).toString("hex")}`;
  const [org] = await db
    .insert(organizations)
    .values({ name: slug, slug, plan, settings: settings as OrgSettings })
    .returning();
  if (!org) throw new Error("no org");
  return { db, orgId: org.id, actor: { kind: "system" } };
}

export async function makeRepo(ctx: ServiceContext, fullName: string): Promise<string> {
  const [repo] = await ctx.db.insert(repositories).values({ orgId: ctx.orgId, fullName }).returning();
  if (!repo) throw new Error("no repo");
  return repo.id;
}

export interface FileLines {
  path?: string;
  tier?: RiskTier;
  added?: number;
  deleted?: number;
  ai?: number;
  human?: number;
  unknown?: number;
  tool?: string | null;
}

const person = { name: "Dev", email: "dev@example.com", login: "dev" };

/** A commit event and its attribution rows (one per file). */
export async function addCommit(
  ctx: ServiceContext,
  repoId: string,
  commit: string,
  at: string,
  files: FileLines[] = [],
  options: { withEvent?: boolean } = {},
): Promise<void> {
  if (options.withEvent !== false) {
    await ctx.db.insert(codeEvents).values({
      orgId: ctx.orgId,
      repoId,
      eventType: "commit",
      commitSha: commit,
      timestamp: new Date(at),
      actor: "dev",
      sourceKey: commit,
      metadata: {
        message: `commit ${commit.slice(0, 7)}`,
        author: person,
        committer: person,
        parents: [],
        branch: "main",
        additions: null,
        deletions: null,
        filesChanged: null,
        url: null,
        source: "seed",
      },
    });
  }
  if (files.length === 0) return;
  await ctx.db.insert(codeAttribution).values(
    files.map((f, i) => {
      const ai = f.ai ?? 0;
      return {
        orgId: ctx.orgId,
        repoId,
        commitSha: commit,
        filePath: f.path ?? `src/file${i}.ts`,
        aiConfidence: ai > 0 ? 0.9 : f.unknown ? null : 0.1,
        detectionMethod: ai > 0 ? ("heuristic" as const) : null,
        riskTier: f.tier ?? ("T2_glue" as const),
        detectionSignals: {
          engineVersion: "test",
          signals: [],
          lines: { ai, human: f.human ?? 0, unknown: f.unknown ?? 0 },
          tierReason: "test",
          model: null,
          override: null,
        },
        linesAdded: f.added ?? ai + (f.human ?? 0) + (f.unknown ?? 0),
        linesDeleted: f.deleted ?? 0,
        aiLines: ai,
        humanLines: f.human ?? 0,
        unknownLines: f.unknown ?? 0,
        tool: f.tool ?? null,
        model: null,
        engineVersion: "test",
        committedAt: new Date(at),
      };
    }),
  );
}

export async function addDeploy(
  ctx: ServiceContext,
  repoId: string,
  commit: string,
  at: string,
  options: { production?: boolean; state?: "success" | "failure"; id?: number } = {},
): Promise<string> {
  const deploymentId = options.id ?? Math.floor(Math.random() * 1e9);
  const state = options.state ?? "success";
  const [row] = await ctx.db
    .insert(codeEvents)
    .values({
      orgId: ctx.orgId,
      repoId,
      eventType: "deploy",
      commitSha: commit,
      timestamp: new Date(at),
      actor: "deployer",
      sourceKey: `deploy:${deploymentId}:${state}`,
      metadata: {
        environment: options.production === false ? "staging" : "production",
        state,
        production: options.production !== false,
        deploymentId,
        ref: "main",
        url: null,
      },
    })
    .returning({ id: codeEvents.id });
  if (!row) throw new Error("no deploy");
  return row.id;
}

export async function addPullRequest(
  ctx: ServiceContext,
  repoId: string,
  pr: {
    kind: "opened" | "merged" | "reviewed";
    number: number;
    at: string;
    openedAt?: string;
    mergeCommitSha?: string;
    reopened?: boolean;
  },
): Promise<void> {
  const base = {
    number: pr.number,
    title: `PR ${pr.number}`,
    author: "dev",
    authorIsBot: false,
    headBranch: "feature",
    baseBranch: "main",
    labels: [],
    url: null,
  };
  const values =
    pr.kind === "opened"
      ? { eventType: "pr_opened" as const, metadata: { ...base, body: null, reopened: pr.reopened ?? false } }
      : pr.kind === "merged"
        ? {
            eventType: "pr_merged" as const,
            metadata: {
              ...base,
              mergeMethod: "squash" as const,
              mergeCommitSha: pr.mergeCommitSha ?? null,
              openedAt: pr.openedAt ?? null,
              commits: 1,
            },
          }
        : {
            eventType: "pr_reviewed" as const,
            metadata: { number: pr.number, reviewer: "rev", state: "approved" as const, url: null },
          };
  await ctx.db.insert(codeEvents).values({
    orgId: ctx.orgId,
    repoId,
    commitSha: null,
    timestamp: new Date(pr.at),
    actor: "dev",
    sourceKey: `pr:${pr.number}:${pr.kind}:${pr.at}`,
    ...values,
  });
}

/** An incident row written directly (the incident services have their own tests). */
export async function addIncidentRow(
  ctx: ServiceContext,
  repoId: string,
  x: {
    severity: "sev1" | "sev2" | "sev3" | "sev4";
    startedAt: string;
    resolvedAt?: string;
    deployEventId?: string;
    suspectAiShare?: number;
  },
): Promise<string> {
  const [row] = await ctx.db
    .insert(incidents)
    .values({
      orgId: ctx.orgId,
      repoId,
      title: "test incident",
      severity: x.severity,
      status: x.resolvedAt ? "resolved" : "investigating",
      source: "seed",
      startedAt: new Date(x.startedAt),
      resolvedAt: x.resolvedAt ? new Date(x.resolvedAt) : null,
      deployEventId: x.deployEventId ?? null,
      suspectAiShare: x.suspectAiShare ?? null,
      metadata: { source: "seed", externalUrl: null, service: null, history: [] },
    })
    .returning({ id: incidents.id });
  if (!row) throw new Error("no incident");
  return row.id;
}

/** Every repo_metrics row of the organization without ids and computation times, in a stable order. */
export async function metricRows(ctx: ServiceContext, repoId?: string) {
  const rows = await ctx.db
    .select()
    .from(repoMetrics)
    .where(
      repoId
        ? and(eq(repoMetrics.orgId, ctx.orgId), eq(repoMetrics.repoId, repoId))
        : eq(repoMetrics.orgId, ctx.orgId),
    )
    .orderBy(asc(repoMetrics.repoId), asc(repoMetrics.period), asc(repoMetrics.date));
  return rows.map(({ id: _id, computedAt: _computedAt, ...rest }) => rest);
}
