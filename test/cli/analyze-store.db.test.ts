import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalysisDocument } from "../../src/cli/analyze/json-document.ts";
import { storeAnalysis } from "../../src/cli/analyze/store-analysis.ts";
import { inspectRepository } from "../../src/git/repository.ts";
import {
  attributionOverrides,
  codeAttribution,
  codeEvents,
  organizations,
  repositories,
} from "../../src/server/db/schema/index.ts";
import { TEST_ENGINE, useTestDatabase } from "../helpers/db.ts";
import { lines, runCli } from "./helpers/git-fixture.ts";
import { buildToolHistory, type ToolHistory } from "./helpers/tool-history.ts";

// `analyze --store`: what lands in the database, and that a second run reads only new commits.

const db = useTestDatabase();
let history: ToolHistory;

beforeAll(() => {
  history = buildToolHistory();
});
afterAll(() => history.repo.remove());

async function store(options: { full?: boolean; organization?: string } = {}): Promise<AnalysisDocument> {
  const repo = await inspectRepository(history.repo.dir, { revGiven: false });
  return storeAnalysis(db().db, {
    repo,
    revisions: null,
    firstParent: false,
    full: options.full ?? false,
    organization: options.organization ?? null,
  });
}

async function counts(repoId: string) {
  const [events] = await db().db.select({ n: count() }).from(codeEvents).where(eq(codeEvents.repoId, repoId));
  const [files] = await db()
    .db.select({ n: count() })
    .from(codeAttribution)
    .where(eq(codeAttribution.repoId, repoId));
  return { events: events?.n, files: files?.n };
}

describe("sentinel analyze --store", () => {
  it("stores every commit and file under the local organization, then only new commits", async () => {
    const first = await store();
    expect(first.stored).toMatchObject({
      organization: "local",
      repository: "local/repo",
      commitsStored: 15,
      filesStored: 15,
    });
    const repoId = first.stored?.repositoryId ?? "";
    expect(await counts(repoId)).toEqual({ events: 15, files: 15 });
    // Line survival of the whole history, as the server stores it for a mirror.
    expect(first.stored?.lineSurvivalRowsWritten).toBeGreaterThan(0);

    const [org] = await db().db.select().from(organizations).where(eq(organizations.slug, "local"));
    const [repo] = await db().db.select().from(repositories).where(eq(repositories.id, repoId));
    expect(repo).toMatchObject({
      orgId: org?.id,
      localPath: history.repo.dir,
      lastAnalyzedSha: history.sha.agentTrace,
      githubId: null,
    });

    const [claude] = await db()
      .db.select()
      .from(codeAttribution)
      .where(and(eq(codeAttribution.repoId, repoId), eq(codeAttribution.commitSha, history.sha.claude)));
    expect(claude).toMatchObject({
      filePath: "src/app.ts",
      tool: "claude-code",
      aiLines: 5,
      linesAdded: 5,
      riskTier: "T3_core",
    });
    expect(claude?.detectionSignals.signals.map((s) => s.detector)).toContain("co-author-trailer");
    const [event] = await db()
      .db.select()
      .from(codeEvents)
      .where(and(eq(codeEvents.repoId, repoId), eq(codeEvents.sourceKey, history.sha.merge)));
    expect(event?.metadata).toMatchObject({
      source: "cli",
      branch: "main",
      filesChanged: 0,
      parents: [history.sha.mainHuman, history.sha.branchClaude],
    });

    // Nothing new: nothing read, nothing written.
    const again = await store();
    expect(again.range.incrementalFrom).toBe(history.sha.agentTrace);
    expect(again.summary.commits).toBe(0);
    expect(again.stored?.lineSurvivalRowsWritten).toBe(0);

    // `git add -A` also commits the Agent Trace file the fixture left in the working tree: 2 files.
    history.repo.write("src/later.ts", lines(7, "later"));
    const later = history.repo.commit("Later work\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", {
      date: "2024-05-01T10:00:00Z",
    });
    const third = await store();
    expect(third.commits.map((c) => c.sha)).toEqual([later]);
    expect(third.stored).toMatchObject({ commitsStored: 1, filesStored: 2 });
    expect(third.stored?.lineSurvivalRowsWritten).toBeGreaterThanOrEqual(1);
    expect(await counts(repoId)).toEqual({ events: 16, files: 17 });

    // A full re-run rewrites the same rows: no duplicates.
    const full = await store({ full: true });
    expect(full.summary.commits).toBe(16);
    expect(await counts(repoId)).toEqual({ events: 16, files: 17 });
    const [repoAfter] = await db().db.select().from(repositories).where(eq(repositories.id, repoId));
    expect(repoAfter?.lastAnalyzedSha).toBe(later);
  });

  it("applies the organization's manual overrides, as the server would, when it re-analyses", async () => {
    const first = await store({ full: true });
    const repoId = first.stored?.repositoryId ?? "";
    const [target] = await db()
      .db.select()
      .from(codeAttribution)
      .where(
        and(
          eq(codeAttribution.repoId, repoId),
          sql`${codeAttribution.detectionMethod} IS DISTINCT FROM 'manual_override'`,
        ),
      )
      .limit(1);
    if (!target) throw new Error("no attributed file to override");
    const [repo] = await db().db.select().from(repositories).where(eq(repositories.id, repoId));
    await db()
      .db.insert(attributionOverrides)
      .values({
        orgId: repo?.orgId ?? "",
        repoId,
        commitSha: target.commitSha,
        filePath: target.filePath,
        verdict: "human",
        actor: "user:reviewer",
        reason: "pair-programmed by hand",
      });
    await store({ full: true });
    const [after] = await db()
      .db.select()
      .from(codeAttribution)
      .where(and(eq(codeAttribution.id, target.id)));
    expect(after).toMatchObject({ detectionMethod: "manual_override", aiLines: 0, aiConfidence: 0 });
  });

  it("stores into a named organization, so its members see it; an unknown one is refused", async () => {
    const [org] = await db()
      .db.insert(organizations)
      .values({ name: "Dashboard org", slug: "analyze-into-me" })
      .returning();
    const doc = await store({ organization: "analyze-into-me" });
    expect(doc.stored).toMatchObject({ organization: "analyze-into-me", commitsStored: doc.summary.commits });
    const [repo] = await db()
      .db.select()
      .from(repositories)
      .where(eq(repositories.id, doc.stored?.repositoryId ?? ""));
    expect(repo?.orgId).toBe(org?.id);
    expect(await counts(repo?.id ?? "")).toMatchObject({ events: doc.summary.commits });

    await expect(store({ organization: "no-such-org" })).rejects.toMatchObject({ code: "not_found" });
  });

  it.runIf(TEST_ENGINE === "pglite")(
    "stores through the CLI into the embedded database under SENTINEL_DATA_DIR",
    { timeout: 300_000 },
    () => {
      const dataDir = mkdtempSync(join(tmpdir(), "sentinel-data-"));
      try {
        const env = { SENTINEL_DATA_DIR: dataDir };
        const first = runCli(["analyze", history.repo.dir, "--json"], { env });
        expect(first.stderr).toBe("");
        expect(first.code).toBe(0);
        const doc = JSON.parse(first.stdout) as AnalysisDocument;
        expect(doc.stored).toMatchObject({ organization: "local", commitsStored: doc.summary.commits });

        const second = runCli(["analyze", history.repo.dir], { env });
        expect(second.code).toBe(0);
        expect(second.stdout).toContain("Up to date: no new commits since the last analysis.");
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
