import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalysisDocument } from "../../src/cli/analyze/json-document.ts";
import { runAnalysis } from "../../src/cli/analyze/run-analysis.ts";
import { inspectRepository } from "../../src/git/repository.ts";
import { GitFixture, HUMAN, lines, runCli } from "../cli/helpers/git-fixture.ts";

// `sentinel analyze`'s survival, churn and reverts on one repository built with git: renames, a
// moved block, a whitespace-only edit, a merge, a revert and its re-revert, a GitHub-style revert,
// an inverse diff, and a git-ai note splitting a file line by line.

const CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>";
let repo: GitFixture;
const sha: Record<string, string> = {};
let doc: AnalysisDocument;

const day = (n: number) => `2024-01-${String(n).padStart(2, "0")}T10:00:00Z`;
const env = (date: string) => ({
  GIT_AUTHOR_NAME: HUMAN.name,
  GIT_AUTHOR_EMAIL: HUMAN.email,
  GIT_AUTHOR_DATE: date,
  GIT_COMMITTER_NAME: HUMAN.name,
  GIT_COMMITTER_EMAIL: HUMAN.email,
  GIT_COMMITTER_DATE: date,
});
const revert = (target: string, date: string) => {
  repo.git(["revert", "--no-edit", target], { env: env(date) });
  return repo.head();
};
const appLines = (n: number) => lines(n, "app");

async function analyse(rev?: string[]): Promise<AnalysisDocument> {
  const repository = await inspectRepository(repo.dir, { revGiven: rev !== undefined });
  return (await runAnalysis({ repo: repository, revisions: rev ?? null, firstParent: false })).document;
}

beforeAll(async () => {
  repo = GitFixture.create("sentinel-survival-cli-");
  repo.write("src/app.ts", appLines(20));
  repo.write("README.md", lines(3, "readme"));
  sha.initial = repo.commit("Initial app", { date: day(1) });

  repo.write("src/app.ts", appLines(20) + lines(6, "retry"));
  repo.write("src/util.ts", lines(8, "util"));
  sha.retry = repo.commit(`Add retry\n\n${CLAUDE}\n`, { date: day(2) });

  repo.git(["rm", "-q", "src/util.ts"]);
  repo.write("lib/util.ts", `${lines(7, "util")}util changed\n`);
  sha.rename = repo.commit("Move util to lib", { date: day(3) });

  // Lines 1–5 moved to the end: git blame (without -M) names the mover for them.
  const moved = `${lines(20, "app").split("\n").slice(5, 20).join("\n")}\n`;
  repo.write("src/app.ts", moved + lines(6, "retry") + lines(5, "app"));
  sha.move = repo.commit(`Move the header down\n\n${CLAUDE}\n`, { date: day(4) });

  // Whitespace only: re-indented, never a rewrite.
  repo.write("src/app.ts", moved.replace(/^app/gm, "  app") + lines(6, "retry") + lines(5, "app"));
  sha.indent = repo.commit("Indent", { date: day(5) });

  repo.git(["checkout", "-q", "-b", "feature"]);
  repo.write("lib/feature.ts", lines(5, "feature"));
  sha.feature = repo.commit(`Add feature\n\n${CLAUDE}\n`, { date: day(6) });
  repo.git(["checkout", "-q", "main"]);
  repo.write("README.md", `${lines(3, "readme")}more readme\n`);
  sha.readme = repo.commit("Readme", { date: day(7) });
  sha.merge = repo.merge("feature", "Merge branch 'feature'", day(8));

  repo.write("src/cache.ts", lines(4, "cache"));
  sha.cache = repo.commit(`Add cache\n\n${CLAUDE}\n`, { date: day(9) });
  sha.revert = revert(sha.cache, day(10));
  sha.reRevert = revert(sha.revert, day(11));

  repo.write("src/search.ts", lines(3, "search"));
  sha.search = repo.commit(`Add search (#12)\n\n${CLAUDE}\n`, { date: day(12) });
  repo.git(["rm", "-q", "src/search.ts"]);
  sha.searchRevert = repo.commit('Revert "Add search (#12)" (#13)\n\nReverts acme/demo#12\n', {
    date: day(13),
  });

  repo.write("lib/util.ts", `${lines(6, "util")}timeout = 5\nutil changed\n`);
  sha.tune = repo.commit("Tune timeouts", { date: day(14) });
  repo.write("lib/util.ts", `${lines(7, "util")}util changed\n`);
  sha.restore = repo.commit("Put the timeout back", { date: day(15) });

  repo.write("src/notes.ts", lines(6, "noted"));
  sha.notes = repo.commit("Add notes module", { date: day(16) });
  repo.git(["notes", "--ref=ai", "add", "-F", "-", sha.notes], {
    input: [
      "src/notes.ts",
      "  a1b2c3d4e5f60718 1-4",
      "---",
      JSON.stringify({
        schema_version: "authorship/3.0.0",
        base_commit_sha: sha.notes,
        prompts: { a1b2c3d4e5f60718: { agent_id: { tool: "cursor", id: "p1", model: "gpt-5" } } },
      }),
      "",
    ].join("\n"),
  });
  doc = await analyse();
}, 60_000);

afterAll(() => repo.remove());

/**
 * git blame -w at HEAD, each line attributed by the verdict of the commit blame names for the file
 * as that commit had it (a git-ai note splits src/notes.ts: its lines 1–4 are AI).
 */
function blameTally(): { ai: number; human: number; unknown: number } {
  const out = { ai: 0, human: 0, unknown: 0 };
  const paths = repo.git(["ls-tree", "-r", "-z", "--name-only", "HEAD"]).split("\0").filter(Boolean);
  for (const path of paths) {
    let current = "";
    let origLine = 0;
    const names = new Map<string, string>();
    const rows: Array<{ sha: string; line: number }> = [];
    for (const line of repo.git(["blame", "-w", "--root", "--porcelain", "HEAD", "--", path]).split("\n")) {
      const header = /^([0-9a-f]{40}) (\d+) \d+/.exec(line);
      if (header) {
        current = header[1] as string;
        origLine = Number(header[2]);
        rows.push({ sha: current, line: origLine });
      } else if (line.startsWith("filename ")) names.set(current, line.slice("filename ".length));
    }
    for (const row of rows) {
      const report = doc.commits.find((c) => c.sha === row.sha);
      const file = report?.files.find((f) => f.path === names.get(row.sha));
      let cls: "ai" | "human" | "unknown" = "unknown";
      if (row.sha === sha.notes) cls = row.line <= 4 ? "ai" : "unknown";
      else if (file && file.aiLines > 0) cls = "ai";
      else if (file && file.humanLines > 0) cls = "human";
      out[cls]++;
    }
  }
  return out;
}

describe("survival at the end revision", () => {
  it("equals a git blame -w tally attributed by each blamed commit's verdict", () => {
    const tally = blameTally();
    expect(doc.survival?.atRevision).toMatchObject({ ...tally, olderThanRange: 0 });
    expect(doc.survival?.atRevision.lines).toBe(tally.ai + tally.human + tally.unknown);
    expect(doc.survival?.revision).toBe(repo.head());
    expect(doc.survival?.blame).toBe("git blame -w");
  });

  it("counts by hand: what is in the code, and what the range added", () => {
    // At HEAD — src/app.ts: app 6–20 initial (15 unknown; re-indenting changed no owner), retry 1–6
    // (6 AI), app 1–5 moved down by "move" (5 AI). README: 4 unknown. lib/util.ts: util 1–6 from
    // "retry" through the rename (6 AI), util 7 put back by "restore" and "util changed" (2 unknown).
    // lib/feature.ts 5 AI. src/cache.ts: the re-revert's (4 unknown). src/notes.ts: 4 AI, 2 unknown.
    expect(doc.survival?.atRevision).toMatchObject({ lines: 53, ai: 26, human: 0, unknown: 27 });
    // Added: initial 23, retry 14, rename 1, move 5, feature 5, readme 1, cache 4, re-revert 4,
    // search 3, tune 1, restore 1, notes 6 (4 AI); the indent, the merge and the reverts add none.
    expect(doc.survival?.addedInRange.added).toEqual({ lines: 68, ai: 35, human: 0, unknown: 33 });
    expect(doc.survival?.addedInRange.aiShare).toBe(0.4906);
    expect(doc.survival?.addedInRange.survivalRate).toEqual({
      all: 0.7794,
      ai: 0.7429,
      human: null,
      unknown: 0.8182,
    });
  });

  it("puts lines older than a range apart, as blame's boundary", async () => {
    const ranged = await analyse([`${sha.merge}..HEAD`]);
    // After the merge: the re-revert's 4 cache lines, "restore"'s line, notes' 4 AI and 2 unknown.
    expect(ranged.survival?.atRevision).toMatchObject({ lines: 53, ai: 4, unknown: 7, olderThanRange: 42 });
  });
});

describe("reverts", () => {
  const link = (revertSha: string | undefined) => doc.reverts?.list.find((r) => r.sha === revertSha);

  it("finds git's message, GitHub's title and an inverse diff, and a revert of a revert", () => {
    expect(link(sha.revert)).toMatchObject({ reverted: sha.cache, method: "message", revertOfRevert: false });
    expect(link(sha.reRevert)).toMatchObject({
      reverted: sha.revert,
      method: "message",
      revertOfRevert: true,
    });
    expect(link(sha.searchRevert)).toMatchObject({ reverted: sha.search, method: "title", inRange: true });
    expect(link(sha.restore)).toMatchObject({ reverted: sha.tune, method: "inverse-diff" });
    expect(doc.reverts?.list.map((r) => r.sha)).toEqual([
      sha.restore,
      sha.searchRevert,
      sha.reRevert,
      sha.revert,
    ]);
  });

  it("compares the revert rate of AI-heavy commits with the others", () => {
    // AI-heavy: retry, move, feature, cache, search, notes (4 of 6 lines) — cache and search reverted.
    // Others (non-merge): initial, rename, indent, readme, revert, re-revert, search revert, tune,
    // restore — the revert and tune reverted.
    expect(doc.reverts?.aiHeavy).toEqual({ commits: 6, reverted: 2, rate: 0.3333 });
    expect(doc.reverts?.other).toEqual({ commits: 9, reverted: 2, rate: 0.2222 });
  });

  it("names a reverted commit outside the range by its sha", async () => {
    const ranged = await analyse([`${sha.cache}..HEAD`]);
    expect(ranged.reverts?.list.find((r) => r.sha === sha.revert)).toMatchObject({
      reverted: sha.cache,
      inRange: false,
      method: "message",
    });
  });
});

describe("sentinel analyze output", () => {
  it("prints a survival and churn section, and --no-survival leaves it out", () => {
    const text = runCli(["analyze", repo.dir, "--no-store"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Survival and churn (git blame -w at ${repo.head().slice(0, 7)})`);
    expect(text.stdout).toMatch(/Reverts {2}4 · AI-heavy commits 2 of 6 reverted/);
    const json = runCli(["analyze", repo.dir, "--no-store", "--json", "--no-survival"]);
    const parsed = JSON.parse(json.stdout) as AnalysisDocument;
    expect([parsed.survival, parsed.churn, parsed.reverts]).toEqual([null, null, null]);
  });

  it("leaves every line out of the churn windows when the history is younger than them", () => {
    // The history spans 15 days: only the 14-day window holds lines (those of the first day).
    const [w14, w30, w90] = doc.churn?.windows ?? [];
    expect(w14?.all.lines).toBeGreaterThan(0);
    expect(w30?.all).toEqual({ lines: 0, churned: 0, rate: null });
    expect(w90?.all).toEqual({ lines: 0, churned: 0, rate: null });
  });
});
