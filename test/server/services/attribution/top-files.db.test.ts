import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { RiskTier } from "../../../../src/core/enums.ts";
import { codeAttribution, organizations } from "../../../../src/server/db/schema/index.ts";
import { withTenantTransaction } from "../../../../src/server/http/middleware/tenant.ts";
import {
  type TopFilesInput,
  topAiFiles,
} from "../../../../src/server/services/attribution-reads/top-files.ts";
import type { ServiceContext } from "../../../../src/server/services/context.ts";
import { bearer, buildApp, call, makeOrg as makeApiOrg, makeKey } from "../../../api/helpers.ts";
import { seedTelemetry } from "../../../api/tenants.ts";
import { useTestDatabase } from "../../../helpers/db.ts";
import { makeOrg, makeRepo, sha } from "../fixtures.ts";

// topAiFiles sums a repository's file changes per file in the database. A small hand-made history
// with the answers worked out by hand: filters and the window change them, ties go by path in byte
// order, and nothing of another repository or organization is ever counted.

vi.setConfig({ hookTimeout: 240_000, testTimeout: 120_000 });

const database = useTestDatabase();
const DAY_MS = 86_400_000;

interface Change {
  path: string;
  tier: RiskTier;
  confidence: number | null;
  ai: number;
  added: number;
  tool: string | null;
}

async function addChanges(
  ctx: ServiceContext,
  repoId: string,
  commit: string,
  at: string,
  changes: Change[],
): Promise<void> {
  await ctx.db.insert(codeAttribution).values(
    changes.map((c) => ({
      orgId: ctx.orgId,
      repoId,
      commitSha: sha(commit),
      filePath: c.path,
      aiConfidence: c.confidence,
      detectionMethod: c.confidence === null ? null : ("heuristic" as const),
      riskTier: c.tier,
      detectionSignals: {
        engineVersion: "test",
        signals: [],
        lines: { ai: c.ai, human: c.added - c.ai, unknown: 0 },
        tierReason: "test",
        model: null,
        override: null,
      },
      linesAdded: c.added,
      aiLines: c.ai,
      humanLines: c.added - c.ai,
      tool: c.tool,
      engineVersion: "test",
      committedAt: new Date(at),
    })),
  );
}

const CHARGE = "src/pay/charge.ts";
const REFUND = "src/pay/refund.ts";
const LEGACY = "src/pay-old/legacy.ts";
const ROUTES = "src/api/routes.ts";
const GUIDE = "docs/guide.md";
const README = "README.md";

let ctx: ServiceContext;
let repoId: string;
let otherCtx: ServiceContext;
let otherRepoId: string;

/** As the API runs it: inside the tenant transaction, under row-level security. */
function top(input: Partial<TopFilesInput> = {}, as: ServiceContext = ctx, repo = repoId) {
  return withTenantTransaction(database().db, as.orgId, (tx) =>
    topAiFiles({ ...as, db: tx }, repo, { limit: 12, ...input }),
  );
}

const ranked = (r: Awaited<ReturnType<typeof top>>) => r.items.map((f) => [f.path, f.aiLines]);

beforeAll(async () => {
  const db = database().db;
  ctx = await makeOrg(db);
  // Unlimited history: the fixed dates below are all counted.
  await db.update(organizations).set({ plan: "enterprise" }).where(eq(organizations.id, ctx.orgId));
  repoId = await makeRepo(ctx, "acme/pay");
  const sibling = await makeRepo(ctx, "acme/sibling");
  otherCtx = await makeOrg(db);
  await db.update(organizations).set({ plan: "enterprise" }).where(eq(organizations.id, otherCtx.orgId));
  otherRepoId = await makeRepo(otherCtx, "other/pay");

  await addChanges(ctx, repoId, "c0", "2025-12-31T23:59:00Z", [
    { path: CHARGE, tier: "T3_core", confidence: 0.99, ai: 100, added: 100, tool: "claude-code" },
  ]);
  await addChanges(ctx, repoId, "c1", "2026-03-01T10:00:00Z", [
    { path: CHARGE, tier: "T3_core", confidence: 0.9, ai: 30, added: 40, tool: "claude-code" },
    { path: REFUND, tier: "T3_core", confidence: 0.6, ai: 10, added: 20, tool: "copilot" },
    { path: README, tier: "T1_boilerplate", confidence: 0.1, ai: 0, added: 5, tool: null },
  ]);
  await addChanges(ctx, repoId, "c2", "2026-03-05T12:00:00Z", [
    { path: CHARGE, tier: "T4_novel", confidence: 0.95, ai: 20, added: 25, tool: "copilot" },
    { path: ROUTES, tier: "T2_glue", confidence: 0.8, ai: 40, added: 50, tool: "claude-code" },
    { path: REFUND, tier: "T3_core", confidence: 0.3, ai: 5, added: 30, tool: null },
  ]);
  await addChanges(ctx, repoId, "c3", "2026-03-10T23:30:00Z", [
    { path: ROUTES, tier: "T2_glue", confidence: 0.7, ai: 10, added: 10, tool: "claude-code" },
    { path: LEGACY, tier: "T3_core", confidence: 0.9, ai: 50, added: 50, tool: "cursor" },
  ]);
  await addChanges(ctx, repoId, "c4", "2026-03-11T00:30:00Z", [
    { path: GUIDE, tier: "T1_boilerplate", confidence: 0.9, ai: 50, added: 60, tool: "claude-code" },
  ]);

  // Never counted: the same files in another repository of the organization, in another
  // organization's repository, and rows of another organization naming this repository.
  const loud: Change = { path: CHARGE, tier: "T3_core", confidence: 1, ai: 1000, added: 1000, tool: "x" };
  await addChanges(ctx, sibling, "s1", "2026-03-02T00:00:00Z", [loud, { ...loud, path: "src/sibling.ts" }]);
  await addChanges(otherCtx, otherRepoId, "o1", "2026-03-02T00:00:00Z", [
    loud,
    { ...loud, path: "other.ts" },
  ]);
  await addChanges(otherCtx, repoId, "o2", "2026-03-03T00:00:00Z", [loud, { ...loud, path: "intruder.ts" }]);
});

describe("topAiFiles", () => {
  it("ranks every change of the repository by AI lines, ties by path in byte order", async () => {
    const all = await top();
    expect(all).toEqual({
      window: { from: null, to: null },
      fileChanges: 10,
      files: 5,
      items: [
        {
          path: CHARGE,
          aiLines: 150,
          linesAdded: 165,
          changes: 3,
          latestRiskTier: "T4_novel",
          tools: ["claude-code", "copilot"],
        },
        // Three files at 50: '-' (0x2d) sorts before '/' (0x2f), whatever the database's locale.
        {
          path: GUIDE,
          aiLines: 50,
          linesAdded: 60,
          changes: 1,
          latestRiskTier: "T1_boilerplate",
          tools: ["claude-code"],
        },
        {
          path: ROUTES,
          aiLines: 50,
          linesAdded: 60,
          changes: 2,
          latestRiskTier: "T2_glue",
          tools: ["claude-code"],
        },
        {
          path: LEGACY,
          aiLines: 50,
          linesAdded: 50,
          changes: 1,
          latestRiskTier: "T3_core",
          tools: ["cursor"],
        },
        // One of its changes names no tool.
        {
          path: REFUND,
          aiLines: 15,
          linesAdded: 50,
          changes: 2,
          latestRiskTier: "T3_core",
          tools: ["copilot"],
        },
      ],
    });
    // README.md has changes but no AI-written lines: counted in fileChanges, not listed.
    expect(all.items.map((f) => f.path)).not.toContain(README);
  });

  it("keeps the first `limit` files and the totals of all of them", async () => {
    const two = await top({ limit: 2 });
    expect(ranked(two)).toEqual([
      [CHARGE, 150],
      [GUIDE, 50],
    ]);
    expect(two).toMatchObject({ fileChanges: 10, files: 5 });
    expect(ranked(await top({ limit: 4 }))).toEqual([
      [CHARGE, 150],
      [GUIDE, 50],
      [ROUTES, 50],
      [LEGACY, 50],
    ]);
  });

  it("counts only the days of the window, both included (UTC)", async () => {
    const march = await top({ from: "2026-03-01", to: "2026-03-10" });
    expect(march.window).toEqual({ from: "2026-03-01", to: "2026-03-10" });
    // c1, c2 and c3 (23:30 on the 10th); not c0 (31 Dec) nor c4 (00:30 on the 11th).
    expect(march).toMatchObject({ fileChanges: 8, files: 4 });
    expect(march.items).toEqual([
      {
        path: ROUTES,
        aiLines: 50,
        linesAdded: 60,
        changes: 2,
        latestRiskTier: "T2_glue",
        tools: ["claude-code"],
      },
      { path: LEGACY, aiLines: 50, linesAdded: 50, changes: 1, latestRiskTier: "T3_core", tools: ["cursor"] },
      {
        path: CHARGE,
        aiLines: 50,
        linesAdded: 65,
        changes: 2,
        latestRiskTier: "T4_novel",
        tools: ["claude-code", "copilot"],
      },
      {
        path: REFUND,
        aiLines: 15,
        linesAdded: 50,
        changes: 2,
        latestRiskTier: "T3_core",
        tools: ["copilot"],
      },
    ]);

    const untilFourth = await top({ to: "2026-03-04" });
    expect(untilFourth.window).toEqual({ from: null, to: "2026-03-04" });
    expect(untilFourth).toMatchObject({ fileChanges: 4, files: 2 });
    expect(untilFourth.items).toEqual([
      {
        path: CHARGE,
        aiLines: 130,
        linesAdded: 140,
        changes: 2,
        latestRiskTier: "T3_core",
        tools: ["claude-code"],
      },
      {
        path: REFUND,
        aiLines: 10,
        linesAdded: 20,
        changes: 1,
        latestRiskTier: "T3_core",
        tools: ["copilot"],
      },
    ]);

    const eleventh = await top({ from: "2026-03-11" });
    expect(eleventh).toMatchObject({ window: { from: "2026-03-11", to: null }, fileChanges: 1, files: 1 });
    expect(ranked(eleventh)).toEqual([[GUIDE, 50]]);
  });

  it("applies the tier, tool, confidence and path filters", async () => {
    const core = await top({ tier: "T3_core" });
    expect(core).toMatchObject({ fileChanges: 5, files: 3 });
    expect(core.items).toEqual([
      {
        path: CHARGE,
        aiLines: 130,
        linesAdded: 140,
        changes: 2,
        latestRiskTier: "T3_core",
        tools: ["claude-code"],
      },
      { path: LEGACY, aiLines: 50, linesAdded: 50, changes: 1, latestRiskTier: "T3_core", tools: ["cursor"] },
      {
        path: REFUND,
        aiLines: 15,
        linesAdded: 50,
        changes: 2,
        latestRiskTier: "T3_core",
        tools: ["copilot"],
      },
    ]);

    const copilot = await top({ tool: "copilot" });
    expect(copilot).toMatchObject({ fileChanges: 2, files: 2 });
    expect(copilot.items).toEqual([
      {
        path: CHARGE,
        aiLines: 20,
        linesAdded: 25,
        changes: 1,
        latestRiskTier: "T4_novel",
        tools: ["copilot"],
      },
      {
        path: REFUND,
        aiLines: 10,
        linesAdded: 20,
        changes: 1,
        latestRiskTier: "T3_core",
        tools: ["copilot"],
      },
    ]);

    // ≥ 0.7 includes a confidence of exactly 0.7 (c3's routes.ts), leaves out 0.6, 0.3 and 0.1.
    const confident = await top({ minConfidence: 0.7 });
    expect(confident).toMatchObject({ fileChanges: 7, files: 4 });
    expect(ranked(confident)).toEqual([
      [CHARGE, 150],
      [GUIDE, 50],
      [ROUTES, 50],
      [LEGACY, 50],
    ]);
    expect(confident.items.find((f) => f.path === ROUTES)?.changes).toBe(2);

    // A directory matches what is under it, not its namesakes (src/pay-old); a trailing slash is the same.
    for (const path of ["src/pay", "src/pay/"]) {
      const pay = await top({ path });
      expect(pay, path).toMatchObject({ fileChanges: 5, files: 2 });
      expect(ranked(pay), path).toEqual([
        [CHARGE, 150],
        [REFUND, 15],
      ]);
    }
    const oneFile = await top({ path: CHARGE });
    expect(oneFile).toMatchObject({ fileChanges: 3, files: 1 });
    expect(ranked(oneFile)).toEqual([[CHARGE, 150]]);

    const combined = await top({ tier: "T3_core", path: "src/pay", from: "2026-03-01" });
    expect(combined).toMatchObject({ fileChanges: 3, files: 2 });
    expect(combined.items).toEqual([
      {
        path: CHARGE,
        aiLines: 30,
        linesAdded: 40,
        changes: 1,
        latestRiskTier: "T3_core",
        tools: ["claude-code"],
      },
      {
        path: REFUND,
        aiLines: 15,
        linesAdded: 50,
        changes: 2,
        latestRiskTier: "T3_core",
        tools: ["copilot"],
      },
    ]);
  });

  it("answers empty lists with the totals when nothing, or nothing AI-written, matches", async () => {
    expect(await top({ tool: "nobody" })).toEqual({
      window: { from: null, to: null },
      fileChanges: 0,
      files: 0,
      items: [],
    });
    expect(await top({ path: README })).toEqual({
      window: { from: null, to: null },
      fileChanges: 1,
      files: 0,
      items: [],
    });
  });

  it("counts another organization's repository for that organization only", async () => {
    // The service filters by organization itself, not only through row-level security: run as
    // the connection's own role (as the CLI does), rows of the other organization naming this
    // repository stay out.
    expect(await topAiFiles(ctx, repoId, { limit: 12 })).toEqual(await top());
    const theirs = await top({}, otherCtx, otherRepoId);
    expect(theirs).toMatchObject({ fileChanges: 2, files: 2 });
    expect(ranked(theirs)).toEqual([
      ["other.ts", 1000],
      [CHARGE, 1000],
    ]);
    await expect(top({}, otherCtx, repoId)).rejects.toMatchObject({ code: "not_found" });
    await expect(top({}, ctx, otherRepoId)).rejects.toMatchObject({ code: "not_found" });
  });

  it("rejects dates that are not days, and a window that ends before it starts, naming the field", async () => {
    await expect(top({ from: "2026-02-30" })).rejects.toMatchObject({
      code: "bad_request",
      details: { field: "from" },
    });
    await expect(top({ from: "2026-03-10", to: "2026-03-09" })).rejects.toMatchObject({
      code: "bad_request",
      details: { field: "to" },
    });
  });

  it("starts the window no earlier than the day the plan's history starts", async () => {
    const free = await makeOrg(database().db, {}, "free");
    const repo = await makeRepo(free, "free/app");
    const ago = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
    await addChanges(free, repo, "old", ago(40), [
      { path: "a.ts", tier: "T2_glue", confidence: 0.9, ai: 7, added: 7, tool: null },
    ]);
    await addChanges(free, repo, "new", ago(2), [
      { path: "a.ts", tier: "T3_core", confidence: 0.9, ai: 3, added: 4, tool: "claude-code" },
    ]);
    const historyDay = ago(30).slice(0, 10);
    for (const from of [undefined, ago(90).slice(0, 10)]) {
      const answer = await top({ from }, free, repo);
      expect(answer, String(from)).toEqual({
        window: { from: historyDay, to: null },
        fileChanges: 1,
        files: 1,
        items: [
          {
            path: "a.ts",
            aiLines: 3,
            linesAdded: 4,
            changes: 1,
            latestRiskTier: "T3_core",
            tools: ["claude-code"],
          },
        ],
      });
    }
    // A later `from` is kept as asked.
    const recent = ago(5).slice(0, 10);
    expect((await top({ from: recent }, free, repo)).window).toEqual({ from: recent, to: null });
  });
});

describe("GET /api/v1/repositories/{id}/top-files", () => {
  it("answers the top files as JSON, 404 for another organization's repository, 400 naming the field", async () => {
    const db = database().db;
    const app = buildApp(database());
    const org = await makeApiOrg(db);
    // One file change committed a day ago: src/service/handler.ts, T3, 8 AI lines of 10, claude-code.
    const { repoId: repo } = await seedTelemetry(db, org.id);
    const other = await seedTelemetry(db, (await makeApiOrg(db)).id);
    const auth = { headers: bearer((await makeKey(db, org.id, ["attributions:read"])).key) };
    const url = (id: string, query = "") => `/api/v1/repositories/${id}/top-files${query}`;
    const handler = {
      path: "src/service/handler.ts",
      aiLines: 8,
      linesAdded: 10,
      changes: 1,
      latestRiskTier: "T3_core",
      tools: ["claude-code"],
    };

    const all = await call(app, "GET", url(repo), auth);
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body).toEqual({
      window: { from: null, to: null },
      fileChanges: 1,
      files: 1,
      items: [handler],
    });

    const from = new Date(Date.now() - 2 * DAY_MS).toISOString().slice(0, 10);
    const to = new Date().toISOString().slice(0, 10);
    const windowed = await call(
      app,
      "GET",
      url(
        repo,
        `?from=${from}&to=${to}&tier=T3_core&minConfidence=0.8&path=src/service/&tool=claude-code&limit=1`,
      ),
      auth,
    );
    expect(windowed.status, JSON.stringify(windowed.body)).toBe(200);
    expect(windowed.body).toEqual({ window: { from, to }, fileChanges: 1, files: 1, items: [handler] });
    const filtered = await call(app, "GET", url(repo, "?tier=T2_glue"), auth);
    expect(filtered.body).toEqual({ window: { from: null, to: null }, fileChanges: 0, files: 0, items: [] });

    const foreign = await call(app, "GET", url(other.repoId), auth);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ code: "not_found" });

    const malformed: Array<[string, string]> = [
      [url("42"), "id"],
      [url(repo, "?limit=0"), "limit"],
      [url(repo, "?limit=101"), "limit"],
      [url(repo, "?from=yesterday"), "from"],
      [url(repo, "?from=2026-02-30"), "from"],
      [url(repo, "?from=2026-03-10&to=2026-03-09"), "to"],
      [url(repo, "?tier=T9_cosmic"), "tier"],
      [url(repo, "?minConfidence=2"), "minConfidence"],
    ];
    for (const [path, field] of malformed) {
      const res = await call(app, "GET", path, auth);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(400);
      expect((res.body as { message: string }).message, path).toContain(field);
    }
  });
});
