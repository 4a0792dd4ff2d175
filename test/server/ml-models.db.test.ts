import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import type { TrainingExample } from "../../src/core/attribution/model/labels.ts";
import { AppError } from "../../src/core/errors.ts";
import {
  attributionOverrides,
  auditLog,
  codeAttribution,
  mlModels,
  organizations,
  repositories,
} from "../../src/server/db/schema/index.ts";
import { validateRow } from "../../src/server/db/validate.ts";
import { noQueue } from "../../src/server/jobs/queue.ts";
import type { ServiceContext } from "../../src/server/services/context.ts";
import {
  describeActiveModel,
  describeLatestModel,
  getActiveModel,
  loadStoredLabels,
  trainModel,
} from "../../src/server/services/ml-models.ts";
import { handleTrainModel } from "../../src/server/workers/train-model.ts";
import { generateCorpus } from "../core/attribution/model/corpus.ts";
import { useTestDatabase } from "../helpers/db.ts";

const database = useTestDatabase();
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

async function newOrg(): Promise<ServiceContext> {
  const slug = `org-${randomUUID().slice(0, 8)}`;
  const [org] = await database().db.insert(organizations).values({ name: slug, slug }).returning();
  if (!org) throw new Error("no org");
  return { db: database().db, orgId: org.id, actor: { kind: "cli" } };
}

function examples(perClass: number, seed: number): TrainingExample[] {
  return generateCorpus({ seed, perClass, repositories: 2 }).map((c) => ({
    addedLines: c.file.lines,
    path: c.file.path,
    label: c.label,
    repoId: c.repoId,
    committedAt: c.committedAt,
    source: c.label === "ai" ? "heuristic" : "beforeAiEra",
  }));
}

const now = new Date("2026-11-26T12:00:00Z");

const trainDeps = () => ({
  handle: database(),
  queue: noQueue,
  mirrors: { gitDirFor: (id: string) => join(tmpdir(), "no-mirrors-here", id) },
});

describe("trainModel and getActiveModel", () => {
  it("stay off below 200 labels of each class, storing nothing and giving the counts", async () => {
    const ctx = await newOrg();
    const result = await trainModel(ctx, { examples: examples(150, 1), now });
    expect(result).toMatchObject({
      status: "insufficient_labels",
      counts: { ai: 150, human: 150 },
      required: 200,
    });
    expect(await ctx.db.select().from(mlModels).where(eq(mlModels.orgId, ctx.orgId))).toEqual([]);
    expect(await getActiveModel(ctx)).toBeNull();
  });

  it("store a measured model and serve it to this organization only", async () => {
    const ctx = await newOrg();
    const other = await newOrg();
    const result = await trainModel(ctx, { examples: examples(220, 2), now, activation: "always" });
    if (result.status !== "trained") throw new Error("expected a trained model");
    expect(result.model.version).toMatch(/^lr-20261126-[0-9a-f]{12}$/);
    expect(result.model.active).toBe(true);
    expect(result.model.trainedOn).toMatchObject({ ai: 220, human: 220, repositories: 2 });
    expect(result.model.metrics.heldOut.auroc).toBeGreaterThan(0.7);
    expect(result.model.metrics.splits.map((s) => s.kind)).toEqual([
      "time",
      "repository",
      "repository",
      "repositories-pooled",
    ]);

    const scorer = await getActiveModel(ctx);
    expect(scorer?.version).toBe(result.model.version);
    expect(scorer?.threshold).toBeCloseTo(result.model.threshold, 6);
    const [ai, human] = [
      examples(40, 3).filter((e) => e.label === "ai"),
      examples(40, 3).filter((e) => e.label === "human"),
    ];
    const mean = (list: TrainingExample[]) =>
      list.reduce((s, e) => s + (scorer?.score(e.addedLines, e.path) ?? 0), 0) / list.length;
    expect(mean(ai)).toBeGreaterThan(mean(human));

    expect(await getActiveModel(other)).toBeNull();
    expect(await describeActiveModel(other)).toBeNull();
  });

  it("keep exactly one active model per organization when retrained; the old one stays, inactive", async () => {
    const ctx = await newOrg();
    const first = await trainModel(ctx, { examples: examples(210, 4), now, activation: "always" });
    const second = await trainModel(ctx, { examples: examples(210, 5), now, activation: "always" });
    if (first.status !== "trained" || second.status !== "trained") throw new Error("expected trained models");
    expect(second.model.version).not.toBe(first.model.version);
    const rows = await ctx.db
      .select({ version: mlModels.version, active: mlModels.active })
      .from(mlModels)
      .where(eq(mlModels.orgId, ctx.orgId));
    expect(rows).toHaveLength(2);
    expect(rows.filter((r) => r.active).map((r) => r.version)).toEqual([second.model.version]);
    expect((await getActiveModel(ctx))?.version).toBe(second.model.version);
    // Retraining on the first examples again re-activates the identical model instead of duplicating it.
    const again = await trainModel(ctx, { examples: examples(210, 4), now, activation: "always" });
    expect(again.status === "trained" && again.model.version).toBe(first.model.version);
    expect(await ctx.db.select().from(mlModels).where(eq(mlModels.orgId, ctx.orgId))).toHaveLength(2);
  });

  it("serve a global model to organizations without their own, but never one trained on too few labels", async () => {
    const donor = await newOrg();
    const trained = await trainModel(donor, { examples: examples(200, 6), now, activation: "always" });
    if (trained.status !== "trained") throw new Error("expected a trained model");
    const [stored] = await donor.db.select().from(mlModels).where(eq(mlModels.id, trained.model.id));
    if (!stored) throw new Error("missing row");
    const { id: _id, createdAt: _createdAt, ...copy } = stored;
    const db = database().db;
    await db.delete(mlModels).where(and(isNull(mlModels.orgId), eq(mlModels.active, true)));
    await db
      .insert(mlModels)
      .values(validateRow(mlModels, { ...copy, orgId: null, version: "lr-global-test" }));
    try {
      await expectGlobalServed(copy);
    } finally {
      await db.delete(mlModels).where(isNull(mlModels.orgId));
    }
  });

  async function expectGlobalServed(
    copy: Omit<typeof mlModels.$inferSelect, "id" | "createdAt">,
  ): Promise<void> {
    const db = database().db;
    const ctx = await newOrg();
    expect((await getActiveModel(ctx))?.version).toBe("lr-global-test");
    expect((await describeActiveModel(ctx))?.orgId).toBeNull();

    // A row written with fewer labels than the minimum (by hand, or an older rule) is not served.
    const weak = await newOrg();
    await db.insert(mlModels).values(
      validateRow(mlModels, {
        ...copy,
        orgId: weak.orgId,
        version: "lr-weak",
        trainedOn: { ...copy.trainedOn, examples: 20, ai: 10, human: 10 },
      }),
    );
    expect(await getActiveModel(weak)).toBeNull();
  }

  it("by default store a model whose held-out figures miss the bar inactive, keeping the active one", async () => {
    const ctx = await newOrg();
    const first = await trainModel(ctx, { examples: examples(210, 4), now, activation: "always" });
    // One repository: no held-out repository can show the false-positive rate, so no activation.
    const oneRepository = examples(220, 8).map((e) => ({ ...e, repoId: "only" }));
    const second = await trainModel(ctx, { examples: oneRepository, now });
    if (first.status !== "trained" || second.status !== "trained") throw new Error("expected trained models");
    expect(second.model.active).toBe(false);
    expect(second.model.metrics.activation).toEqual({
      recommended: false,
      reason: expect.stringContaining("held-out repositories"),
    });
    expect(second.previousActiveVersion).toBe(first.model.version);
    expect((await getActiveModel(ctx))?.version).toBe(first.model.version);
    expect((await describeLatestModel(ctx))?.version).toBe(second.model.version);
  });

  it("reject bad metrics JSON with a clear error", () => {
    expect(() =>
      validateRow(mlModels, {
        orgId: null,
        version: "x",
        trainedOn: {},
        metrics: { auroc: 2 },
        weights: {},
        threshold: 0.5,
        active: false,
      }),
    ).toThrow(AppError);
  });
});

describe("loadStoredLabels", () => {
  it("reads the organization's overrides and heuristic verdicts >= 0.9, and nobody else's", async () => {
    const ctx = await newOrg();
    const other = await newOrg();
    const db = database().db;
    const repo = async (orgId: string) => {
      const [row] = await db
        .insert(repositories)
        .values({ orgId, fullName: `o/${randomUUID()}` })
        .returning();
      if (!row) throw new Error("no repo");
      return row.id;
    };
    const repoId = await repo(ctx.orgId);
    const otherRepo = await repo(other.orgId);
    const sha = "c".repeat(40);
    const attribution = (orgId: string, repo: string, filePath: string, aiConfidence: number) => ({
      orgId,
      repoId: repo,
      commitSha: sha,
      filePath,
      aiConfidence,
      detectionMethod: "heuristic" as const,
      riskTier: "T3_core" as const,
      detectionSignals: {
        engineVersion: "t",
        signals: [],
        lines: { ai: 0, human: 0, unknown: 0 },
        tierReason: "t",
        model: null,
        override: null,
      },
      engineVersion: "t",
      committedAt: new Date("2025-01-01T00:00:00Z"),
    });
    await db
      .insert(codeAttribution)
      .values([
        attribution(ctx.orgId, repoId, "src/strong.ts", 0.95),
        attribution(ctx.orgId, repoId, "src/weak.ts", 0.6),
        attribution(other.orgId, otherRepo, "src/theirs.ts", 0.99),
      ]);
    const override = (orgId: string, repo: string, filePath: string | null, verdict: string) => ({
      orgId,
      repoId: repo,
      commitSha: sha,
      filePath,
      verdict,
      actor: "user:1",
      reason: "reviewed",
    });
    await db
      .insert(attributionOverrides)
      .values([
        override(ctx.orgId, repoId, "src/mine.ts", "human"),
        override(ctx.orgId, repoId, null, "ai"),
        override(other.orgId, otherRepo, "src/theirs.ts", "human"),
      ]);

    const labels = await loadStoredLabels(ctx);
    expect(labels.heuristicConfidence(sha, "src/strong.ts")).toBeCloseTo(0.95, 5);
    expect(labels.heuristicConfidence(sha, "src/weak.ts")).toBeNull();
    expect(labels.heuristicConfidence(sha, "src/theirs.ts")).toBeNull();
    expect(labels.override(sha, "src/mine.ts")).toBe("human");
    expect(labels.override(sha, null)).toBe("ai");
    expect(labels.override(sha, "src/theirs.ts")).toBeNull();
  });
});

/** A git repository with one file per commit, written by `git fast-import` (fast, dated commits). */
function buildRepository(commits: Array<{ path: string; lines: string[]; date: string; message: string }>): {
  dir: string;
  shas: string[];
} {
  const dir = mkdtempSync(join(tmpdir(), "sentinel-model-"));
  temporary.push(dir);
  execFileSync("git", ["init", "-q", dir]);
  execFileSync("git", ["-C", dir, "symbolic-ref", "HEAD", "refs/heads/main"]);
  const parts: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  commits.forEach((c, i) => {
    const when = Math.floor(Date.parse(c.date) / 1000);
    parts.push(
      "commit refs/heads/main\n",
      `mark :${i + 1}\n`,
      `author Dana Smith <dana@example.com> ${when} +0000\n`,
      `committer Dana Smith <dana@example.com> ${when} +0000\n`,
      data(c.message),
      i > 0 ? `from :${i}\n` : "",
      `M 100644 inline ${c.path}\n`,
      data(`${c.lines.join("\n")}\n`),
    );
  });
  execFileSync("git", ["-C", dir, "fast-import", "--quiet"], { input: parts.join("") });
  const shas = execFileSync("git", ["-C", dir, "rev-list", "--reverse", "HEAD"], { encoding: "utf8" })
    .trim()
    .split("\n");
  return { dir, shas };
}

describe("the train-model job", () => {
  it("learns from a local git history: trailers label AI, old commits human, stored overrides win", async () => {
    const ctx = await newOrg();
    const corpus = generateCorpus({ seed: 11, perClass: 205, repositories: 1 });
    const commits = corpus.map((c) => ({
      path: c.file.path,
      lines: c.file.lines,
      date: c.committedAt,
      message:
        c.label === "ai"
          ? `Add ${c.file.path}\n\nCo-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>\n`
          : `add ${c.file.path}\n`,
    }));
    const { dir, shas } = buildRepository(commits);
    // A person said the first AI-trailered commit was theirs after all.
    const firstAi = corpus.findIndex((c) => c.label === "ai");
    const [repo] = await ctx.db
      .insert(repositories)
      .values({ orgId: ctx.orgId, fullName: "o/model" })
      .returning();
    if (!repo || shas[firstAi] === undefined) throw new Error("setup failed");
    await ctx.db.insert(attributionOverrides).values({
      orgId: ctx.orgId,
      repoId: repo.id,
      commitSha: shas[firstAi],
      filePath: null,
      verdict: "human",
      actor: "user:1",
      reason: "written by hand",
    });

    await handleTrainModel(trainDeps(), { orgId: ctx.orgId, repositoryPaths: [dir] });

    // One repository cannot show how the model does on code it never saw: stored, but left off.
    expect(await describeActiveModel(ctx)).toBeNull();
    const model = await describeLatestModel(ctx);
    expect(model?.trainedOn).toMatchObject({
      examples: 410,
      ai: 204,
      human: 206,
      labelSources: { heuristic: 204, beforeAiEra: 205, overrideHuman: 1, overrideAi: 0 },
      repositories: 1,
    });
    expect(model?.metrics.heldOut.auroc).toBeGreaterThan(0.7);
    expect(model?.active).toBe(false);
    expect(await getActiveModel(ctx)).toBeNull();
    const [audit] = await ctx.db
      .select({ action: auditLog.action, details: auditLog.details })
      .from(auditLog)
      .where(eq(auditLog.orgId, ctx.orgId));
    expect(audit).toMatchObject({
      action: "ml_model.trained",
      details: { version: model?.version, active: false },
    });
  });

  it("trains nothing, without failing, when the history has too few labels", async () => {
    const ctx = await newOrg();
    const corpus = generateCorpus({ seed: 12, perClass: 20, repositories: 1 });
    const { dir } = buildRepository(
      corpus.map((c) => ({
        path: c.file.path,
        lines: c.file.lines,
        date: c.committedAt,
        message: "change\n",
      })),
    );
    await handleTrainModel(trainDeps(), { orgId: ctx.orgId, repositoryPaths: [dir] });
    expect(await describeActiveModel(ctx)).toBeNull();
    expect(await describeLatestModel(ctx)).toBeNull();
  });
});
