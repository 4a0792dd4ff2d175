import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { ServiceContext } from "../../src/server/services/context.ts";
import { markMetricsStale, rollUpPending } from "../../src/server/services/metrics/pending.ts";
import { rebuildAll } from "../../src/server/services/metrics/roll-up.ts";
import { lineHistoryFromGit } from "../../src/server/services/survival/from-git.ts";
import { storeLineSurvival } from "../../src/server/services/survival/store-line-survival.ts";
import {
  codeBaseToday,
  commitSurvival,
  survivalSummary,
} from "../../src/server/services/survival/survival-reads.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { addCommit, makeOrg, makeRepo, metricRows } from "../server/services/fixtures.ts";
import { type BuiltRepo, buildHistory, type PlannedCommit } from "./helpers.ts";

// line_survival, commit_reverts and the churn / revert columns of repo_metrics, stored from a real
// git history: hand-computed numbers, and the same rows whether the history arrived push by push
// (stored by difference, rolled up incrementally) or all at once (stored, then rebuilt).

const database = useTestDatabase();
const DAY = 86_400;
const T0 = Date.parse("2026-01-05T12:00:00Z") / 1000;
const block = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`);
const text = (lines: string[]) => `${lines.join("\n")}\n`;

// a.ts: 10 AI lines on day 0; day 10 rewrites 4 of them (human); day 40 deletes 3 more; a lockfile
// flips back and forth (not a revert); day 60 adds b.ts, day 61 reverts it (git's message).
const A = block("ai line", 10);
const afterB = [...A.slice(0, 6), ...block("human line", 4)];
const afterC = [...afterB.slice(0, 3), ...afterB.slice(6)];
const PLAN: PlannedCommit[] = [
  { id: "a", parents: [], time: T0, files: { "a.ts": text(A), "package-lock.json": "v1\n" } },
  {
    id: "b",
    parents: ["a"],
    time: T0 + 10 * DAY,
    files: { "a.ts": text(afterB), "package-lock.json": "v1\n" },
  },
  // A lockfile changed and changed back: the second is the first's inverse, and no revert.
  {
    id: "l1",
    parents: ["b"],
    time: T0 + 20 * DAY,
    files: { "a.ts": text(afterB), "package-lock.json": "v2\n" },
  },
  {
    id: "l2",
    parents: ["l1"],
    time: T0 + 25 * DAY,
    files: { "a.ts": text(afterB), "package-lock.json": "v1\n" },
  },
  {
    id: "c",
    parents: ["l2"],
    time: T0 + 40 * DAY,
    files: { "a.ts": text(afterC), "package-lock.json": "v1\n" },
  },
  {
    id: "d",
    parents: ["c"],
    time: T0 + 60 * DAY,
    message: "Add b",
    files: { "a.ts": text(afterC), "b.ts": text(block("b", 5)), "package-lock.json": "v1\n" },
  },
  {
    id: "e",
    parents: ["d"],
    time: T0 + 61 * DAY,
    message: 'Revert "Add b"\n\nThis reverts commit REVERTED.',
    files: { "a.ts": text(afterC), "package-lock.json": "v1\n" },
  },
  {
    id: "f",
    parents: ["e"],
    time: T0 + 120 * DAY,
    files: { "a.ts": text([...afterC, "tail"]), "package-lock.json": "v1\n" },
  },
];

function build(): BuiltRepo {
  // The revert names d's real sha: build once to learn it (fast-import is deterministic), then again.
  const first = buildHistory(PLAN);
  const d = first.sha("d");
  return buildHistory(PLAN.map((c) => ({ ...c, message: c.message?.replace("REVERTED", d) })));
}

const ALL = PLAN.map((c) => c.id);
const iso = (t: number) => new Date(t * 1000).toISOString();

/** The commits' events and verdicts: a is AI (claude), the rest human. */
async function attribute(ctx: ServiceContext, repoId: string, repo: BuiltRepo, ids: string[]) {
  const at = new Map(PLAN.map((c) => [c.id, c.time]));
  const verdicts: Record<string, Parameters<typeof addCommit>[4]> = {
    a: [{ path: "a.ts", tier: "T3_core", added: 10, ai: 10, tool: "claude" }],
    b: [{ path: "a.ts", tier: "T3_core", added: 4, human: 4 }],
    l1: [],
    l2: [],
    c: [],
    d: [{ path: "b.ts", tier: "T2_glue", added: 5, human: 5 }],
    e: [],
    f: [{ path: "a.ts", tier: "T3_core", added: 1, human: 1 }],
  };
  for (const id of ids) await addCommit(ctx, repoId, repo.sha(id), iso(at.get(id) ?? 0), verdicts[id] ?? []);
  // As ingestion does in the transaction that stores them.
  await markMetricsStale(ctx.db, {
    orgId: ctx.orgId,
    repoId,
    timestamps: ids.map((id) => iso(at.get(id) ?? 0)),
  });
}

async function survivalRows(ctx: ServiceContext, repoId: string) {
  const found = await ctx.db.execute(sql`
    SELECT commit_sha, file_path, committed_at, lines_added, lines_present, churned_14d, churned_30d, churned_90d
    FROM line_survival WHERE org_id = ${ctx.orgId} AND repo_id = ${repoId} ORDER BY committed_at, file_path`);
  return found.rows.map((r) => ({
    ...r,
    commit_sha: String(r.commit_sha),
    file_path: String(r.file_path),
    committed_at: new Date(String(r.committed_at)).toISOString(),
  }));
}

async function store(ctx: ServiceContext, repoId: string, repo: BuiltRepo, revision: string) {
  const result = await lineHistoryFromGit({ root: repo.repo.dir, revision, source: "local" });
  if (!result) throw new Error("empty history");
  return storeLineSurvival(ctx, { repoId, result });
}

describe("stored line survival", () => {
  it("stores each commit-file's fate, hand-computed, and links the revert but not the lockfile flip-flop", async () => {
    const repo = build();
    const ctx = await makeOrg(database().db);
    const repoId = await makeRepo(ctx, "acme/survival");
    await attribute(ctx, repoId, repo, ALL);
    await store(ctx, repoId, repo, "HEAD");
    const rows = await survivalRows(ctx, repoId);
    const of = (id: string, path: string) =>
      rows.find((r) => r.commit_sha === repo.sha(id) && r.file_path === path);
    // a: 10 added; 4 rewritten on day 10, 3 deleted on day 40; 3 left.
    expect(of("a", "a.ts")).toMatchObject({
      lines_added: 10,
      lines_present: 3,
      churned_14d: 4,
      churned_30d: 4,
      churned_90d: 7,
    });
    expect(of("b", "a.ts")).toMatchObject({ lines_added: 4, lines_present: 4, churned_90d: 0 });
    expect(of("d", "b.ts")).toMatchObject({ lines_added: 5, lines_present: 0, churned_14d: 5 });
    const reverts = await ctx.db.execute(
      sql`SELECT commit_sha, reverted_sha, method FROM commit_reverts WHERE repo_id = ${repoId}`,
    );
    // l2 restores the lockfile l1 changed, which is not a revert; e reverts d.
    expect(reverts.rows).toEqual([
      { commit_sha: repo.sha("e"), reverted_sha: repo.sha("d"), method: "message" },
    ]);

    await rebuildAll(ctx);
    const day = (await metricRows(ctx, repoId)).find((r) => r.period === "day" && r.date === "2026-01-05");
    // The history ends on day 120: a's lines are old enough for every window.
    // a.ts's 10 AI lines, and the lockfile's line (no verdict: unknown), replaced on day 20.
    expect(day).toMatchObject({
      churnLines14d: 11,
      churnedLines14d: 4,
      aiChurnLines14d: 10,
      aiChurnedLines14d: 4,
      churnedLines30d: 5,
      churnedLines90d: 8,
      aiChurnedLines90d: 7,
    });
    expect(day?.breakdown.churn?.["14d"]?.["tool:claude"]).toEqual([10, 4]);
    expect(day?.breakdown.churn?.["90d"]?.["tier:T3_core:ai"]).toEqual([10, 7]);
    const dDay = (await metricRows(ctx, repoId)).find((r) => r.period === "day" && r.date === "2026-03-06");
    expect(dDay).toMatchObject({ revertedCommits: 1, aiHeavyRevertedCommits: 0, churnedLines14d: 5 });
    // f (day 120) is too young for any window.
    const fDay = (await metricRows(ctx, repoId)).find((r) => r.period === "day" && r.date === "2026-05-05");
    expect(fDay).toMatchObject({ churnLines14d: 0, churnLines90d: 0 });

    const today = await codeBaseToday(ctx, { repoId });
    // a.ts: 3 of a's AI lines, b's 4 and f's 1 (human); the lockfile's line (no verdict).
    expect(today).toMatchObject({ lines: 9, ai: 3, human: 5, unknown: 1, olderThanHistory: 0 });
    const commit = await commitSurvival(ctx, { repoId, sha: repo.sha("a") });
    expect(commit).toEqual([
      expect.objectContaining({
        path: "a.ts",
        linesAdded: 10,
        linesPresent: 3,
        lineClass: "ai",
        aiLinesPresent: 3,
      }),
      expect.objectContaining({
        path: "package-lock.json",
        linesAdded: 1,
        linesPresent: 0,
        lineClass: "unknown",
      }),
    ]);
    const summary = await survivalSummary(ctx, { from: "2026-01-01", to: "2026-06-30", repoId });
    expect(summary.churn.find((w) => w.days === 14)?.ai).toEqual({ lines: 10, churned: 4, rate: 0.4 });
    expect(summary.reverts.aiHeavy).toEqual({ commits: 1, reverted: 0, rate: 0 });
    expect(summary.reverts.other).toEqual({ commits: 7, reverted: 1, rate: 1 / 7 });
  });

  it("gives the same rows push by push (by difference, rolled up incrementally) as all at once (rebuilt)", async () => {
    const repo = build();
    const pushed = await makeOrg(database().db);
    const pushedRepo = await makeRepo(pushed, "acme/pushed");
    const steps: Array<[string, string[]]> = [
      ["b", ["a", "b"]],
      ["d", ["l1", "l2", "c", "d"]],
      ["f", ["e", "f"]],
    ];
    for (const [tip, ids] of steps) {
      await attribute(pushed, pushedRepo, repo, ids);
      await store(pushed, pushedRepo, repo, repo.sha(tip));
      await rollUpPending(pushed, pushedRepo);
    }
    // The same history stored again changes nothing.
    const again = await store(pushed, pushedRepo, repo, "HEAD");
    expect(again).toMatchObject({ written: 0, deleted: 0, revertsWritten: 0, staleInstants: [] });

    const whole = await makeOrg(database().db);
    const wholeRepo = await makeRepo(whole, "acme/whole");
    await attribute(whole, wholeRepo, repo, ALL);
    await store(whole, wholeRepo, repo, "HEAD");
    await rebuildAll(whole);

    expect(await survivalRows(pushed, pushedRepo)).toEqual(await survivalRows(whole, wholeRepo));
    const strip = (rows: Awaited<ReturnType<typeof metricRows>>) =>
      rows.map(({ orgId: _o, repoId: _r, ...rest }) => rest);
    const incremental = strip(await metricRows(pushed, pushedRepo));
    expect(incremental).toEqual(strip(await metricRows(whole, wholeRepo)));
    expect(incremental.some((r) => r.churnedLines90d > 0 && r.revertedCommits === 0)).toBe(true);
  });

  it("refuses inconsistent numbers and writes nothing", async () => {
    const ctx = await makeOrg(database().db);
    const repoId = await makeRepo(ctx, "acme/bad");
    const result = {
      source: "local" as const,
      tip: "a".repeat(40),
      historyEnd: new Date(),
      commits: 1,
      linesAtTip: 1,
      olderLines: 0,
      fates: [
        {
          sha: "b".repeat(40),
          path: "x",
          time: 0,
          added: 2,
          present: 2,
          churned: [1, 1, 1] as [number, number, number],
        },
      ],
      reverts: [],
    };
    await expect(storeLineSurvival(ctx, { repoId, result })).rejects.toThrow(
      /more lines churned and present/,
    );
    expect(await survivalRows(ctx, repoId)).toEqual([]);
  });
});
