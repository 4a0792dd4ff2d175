import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalysisDocument } from "../../src/cli/analyze/json-document.ts";
import { runAnalysis } from "../../src/cli/analyze/run-analysis.ts";
import { inspectRepository } from "../../src/git/repository.ts";
import { GitFixture, lines, runCli } from "./helpers/git-fixture.ts";
import { buildToolHistory, type ToolHistory } from "./helpers/tool-history.ts";

// `sentinel analyze` run as a user runs it, on repositories built with git, asserting the numbers.

let history: ToolHistory;
let doc: AnalysisDocument;

const analyze = (args: string[]) => runCli(["analyze", ...args, "--no-store"]);
const json = (args: string[]) => {
  const result = analyze([...args, "--json"]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as AnalysisDocument;
};
/** The same analysis in-process (no CLI start-up): for the cases that only vary the range or the repository. */
async function analyzeInProcess(
  path: string,
  options: { rev?: string[]; since?: string; firstParent?: boolean } = {},
): Promise<AnalysisDocument> {
  const repo = await inspectRepository(path, { revGiven: options.rev !== undefined });
  const { document } = await runAnalysis({
    repo,
    revisions: options.rev ?? null,
    since: options.since,
    firstParent: options.firstParent ?? false,
  });
  return document;
}

const commit = (d: AnalysisDocument, sha: string) => {
  const found = d.commits.find((c) => c.sha === sha);
  if (!found) throw new Error(`commit ${sha} not in the report`);
  return found;
};

beforeAll(() => {
  history = buildToolHistory();
  doc = json([history.repo.dir]);
}, 180_000);

afterAll(() => history.repo.remove());

describe("sentinel analyze --json", () => {
  it("summarises the whole history with exact line counts", () => {
    expect(doc.schemaVersion).toBe(1);
    expect(doc.summary).toEqual({
      commits: 15,
      mergeCommits: 1,
      commitsWithEvidence: 8,
      aiCommits: 8,
      filesChanged: 15,
      linesAdded: 58,
      linesDeleted: 1,
      aiLines: 35,
      humanLines: 0,
      unknownLines: 23,
      aiShare: 0.6034,
      coverage: 0.6034,
      firstCommitAt: "2024-01-10T10:00:00+00:00",
      lastCommitAt: "2024-04-15T10:00:00+00:00",
    });
    expect(doc.repository).toMatchObject({
      head: history.sha.agentTrace,
      branch: "main",
      detached: false,
      shallow: false,
      gitAiNotes: true,
      agentTraceRecords: 1,
    });
  });

  it("attributes each tool's commit from its real trailer, author or record", () => {
    const row = (sha: string) => {
      const c = commit(doc, sha);
      return [c.tool, c.model, c.linesAdded, c.aiLines, c.humanLines, c.unknownLines];
    };
    const { sha } = history;
    expect(row(sha.human)).toEqual([null, null, 14, 0, 0, 14]);
    expect(row(sha.claude)).toEqual(["claude-code", null, 5, 5, 0, 0]);
    expect(row(sha.copilot)).toEqual(["copilot-agent", null, 8, 8, 0, 0]);
    expect(row(sha.cursor)).toEqual(["cursor", null, 4, 4, 0, 0]);
    expect(row(sha.aider)).toEqual(["aider", null, 3, 3, 0, 0]);
    // Automation is not AI, and says nothing about who wrote the line: unknown.
    expect(row(sha.dependabot)).toEqual([null, null, 1, 0, 0, 1]);
    expect(row(sha.branchClaude)).toEqual(["claude-code", "claude-sonnet-4.5", 2, 2, 0, 0]);
    // The squash merge keeps the PR's co-author trailer.
    expect(row(sha.squash)).toEqual(["cursor", null, 6, 6, 0, 0]);
    // Line-level records: git-ai note marks lines 1–4 of 6, Agent Trace lines 1–3 of 5.
    expect(row(sha.gitAi)).toEqual(["cursor", "gpt-5", 6, 4, 0, 2]);
    expect(row(sha.agentTrace)).toEqual(["claude-code", "anthropic/claude-sonnet-4", 5, 3, 0, 2]);
    expect(commit(doc, sha.claude).aiConfidence).toBeGreaterThanOrEqual(0.9);
    expect(commit(doc, sha.human).aiConfidence).toBeNull();
    expect(commit(doc, sha.human).method).toBeNull();
    expect(commit(doc, sha.claude).method).toBe("heuristic");
  });

  it("reports merges without a diff, renames, binaries and bytes that are not UTF-8", () => {
    const { sha } = history;
    const merge = commit(doc, sha.merge);
    expect(merge).toMatchObject({ merge: true, files: [], linesAdded: 0, aiConfidence: null });
    expect(merge.parents).toEqual([sha.mainHuman, sha.branchClaude]);
    expect(commit(doc, sha.rename).files).toEqual([
      expect.objectContaining({
        path: "src/view.ts",
        previousPath: "src/ui.ts",
        status: "renamed",
        linesAdded: 1,
        linesDeleted: 0,
      }),
    ]);
    expect(commit(doc, sha.binary).files).toEqual([
      expect.objectContaining({ path: "assets/logo.png", binary: true, linesAdded: 0, aiLines: 0 }),
    ]);
    const latin1 = commit(doc, sha.latin1);
    expect(latin1.subject).toMatch(/^Caf(\u00e9|\uFFFD) menu$/);
    expect(latin1.files.map((f) => [f.path, f.linesAdded])).toEqual([["caf\uFFFD.txt", 2]]);
  });

  it("breaks the AI lines down by tool, model, tier, month and file", () => {
    expect(doc.byTool.map((t) => [t.tool, t.aiLines, t.commits])).toEqual([
      ["cursor", 14, 3],
      ["claude-code", 10, 3],
      ["copilot-agent", 8, 1],
      ["aider", 3, 1],
    ]);
    expect(doc.byModel.find((m) => m.model === "gpt-5")).toMatchObject({
      tool: "cursor",
      aiLines: 4,
      commits: 1,
    });
    expect(doc.byTier.map((t) => [t.tier, t.linesAdded, t.aiLines])).toEqual([
      ["T1_boilerplate", 8, 0],
      ["T2_glue", 0, 0],
      ["T3_core", 50, 35],
      ["T4_novel", 0, 0],
    ]);
    expect(doc.byMonth.map((m) => [m.month, m.commits, m.linesAdded, m.aiLines])).toEqual([
      ["2024-01", 2, 19, 5],
      ["2024-02", 3, 15, 15],
      ["2024-03", 7, 11, 8],
      ["2024-04", 3, 13, 7],
    ]);
    expect(doc.topFiles[0]).toEqual({ path: "src/feature.ts", aiLines: 8, linesAdded: 8, commits: 1 });
    expect(doc.strongestCommits[0]).toMatchObject({ sha: history.sha.copilot, detector: expect.any(String) });
    expect(doc.strongestCommits).toHaveLength(8);
  });

  it("reads only the range asked for", async () => {
    const { sha } = history;
    const range = await analyzeInProcess(history.repo.dir, { rev: [`${sha.binary}..${sha.squash}`] });
    expect(range.commits.map((c) => c.sha)).toEqual([
      sha.squash,
      sha.merge,
      sha.mainHuman,
      sha.branchClaude,
      sha.rename,
    ]);
    expect(range.summary).toMatchObject({ commits: 5, linesAdded: 10, aiLines: 8 });
    const since = await analyzeInProcess(history.repo.dir, { since: "2024-04-01T00:00:00Z" });
    expect(since.summary).toMatchObject({ commits: 3, linesAdded: 13, aiLines: 7 });
  });

  it("attributes a merge's first-parent diff with --first-parent", async () => {
    const fp = await analyzeInProcess(history.repo.dir, { firstParent: true });
    expect(fp.summary.commits).toBe(14);
    expect(fp.commits.some((c) => c.sha === history.sha.branchClaude)).toBe(false);
    // The merge brings the branch's two lines, without the branch commit's trailer: unknown.
    expect(commit(fp, history.sha.merge)).toMatchObject({ linesAdded: 2, aiLines: 0, unknownLines: 2 });
    expect(fp.summary.linesAdded).toBe(58);
  });
});

describe("sentinel analyze (text)", { timeout: 120_000 }, () => {
  it("prints a summary a person can read, with no progress bar when piped", () => {
    const result = analyze([history.repo.dir]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("15 commits (1 merge) · 2024-01-10 → 2024-04-15");
    expect(result.stdout).toMatch(/AI share of added lines\s+60\.3%\s+35 of 58 lines/);
    expect(result.stdout).toMatch(/Coverage \(any evidence\)\s+60\.3%\s+35 AI · 0 human · 23 unknown/);
    expect(result.stdout).toMatch(/\n {2}cursor\s+14\s+40\.0%/);
    expect(result.stdout).toMatch(/\n {2}T3 core\s+50\s+35\s+70\.0%/);
    expect(result.stdout).toMatch(/\n {2}2024-02\s+3\s+15\s+15\s+100\.0%\s+100\.0%/);
    expect(result.stdout).toMatch(
      /Strongest evidence\n {2}581f112|Strongest evidence\n {2}[0-9a-f]{7} {2}0\.99/,
    );
    expect(result.stdout).not.toContain("\r");
  });
});

describe("sentinel analyze on awkward repositories", { timeout: 120_000 }, () => {
  it("refuses a directory that is not a git repository, in one line, exit 5", () => {
    const dir = history.repo.sibling("not-a-repo");
    const result = analyze([dir]);
    expect(result).toMatchObject({ code: 5, stdout: "" });
    expect(result.stderr).toBe(`sentinel: not a git repository: ${dir}\n`);
  });

  it("refuses a path that does not exist, exit 3", () => {
    const result = analyze([`${history.repo.dir}/missing`]);
    expect(result).toMatchObject({
      code: 3,
      stderr: `sentinel: no such directory: ${history.repo.dir}/missing\n`,
    });
  });

  it("refuses an empty repository", async () => {
    const empty = GitFixture.create("sentinel-empty-");
    try {
      await expect(analyzeInProcess(empty.dir)).rejects.toThrow(
        `${empty.dir} is an empty repository: no commits to analyse`,
      );
    } finally {
      empty.remove();
    }
  });

  it("names a revision git does not know, exit 5, and a bad option, exit 2", () => {
    expect(analyze([history.repo.dir, "--rev", "no-such-branch"])).toMatchObject({
      code: 5,
      stderr: "sentinel: bad revision 'no-such-branch'\n",
    });
    expect(analyze([history.repo.dir, "--rev", "--output=/tmp/x"])).toMatchObject({
      code: 2,
      stderr: "sentinel: invalid revision or date: --output=/tmp/x\n",
    });
    expect(analyze([history.repo.dir, "--org", "acme"])).toMatchObject({
      code: 2,
      stderr: "sentinel: --org names where to store: drop --no-store\n",
    });
  });

  it("analyses a shallow clone without counting the whole tree as the oldest commit's work", async () => {
    const clone = history.repo.sibling("shallow");
    history.repo.git(["clone", "-q", "--depth", "2", `file://${history.repo.dir}`, clone], {
      cwd: history.repo.home,
    });
    const shallow = await analyzeInProcess(clone);
    expect(shallow.repository.shallow).toBe(true);
    expect(shallow.summary.commits).toBe(2);
    expect(shallow.warnings[0]).toMatch(/^shallow clone/);
    expect(commit(shallow, history.sha.agentTrace)).toMatchObject({ linesAdded: 5, shallowBoundary: false });
    expect(commit(shallow, history.sha.gitAi)).toMatchObject({
      files: [],
      linesAdded: 0,
      shallowBoundary: true,
    });
  });

  it("analyses a detached HEAD's history and says so", () => {
    const clone = history.repo.sibling("detached");
    history.repo.git(["clone", "-q", history.repo.dir, clone], { cwd: history.repo.home });
    history.repo.git(["checkout", "-q", "--detach", history.sha.squash], { cwd: clone });
    const result = analyze([clone, "--json"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `sentinel: HEAD is detached at ${history.sha.squash.slice(0, 7)}; analysing its history (--rev <branch> picks a branch)\n`,
    );
    const detached = JSON.parse(result.stdout) as AnalysisDocument;
    expect(detached.repository).toMatchObject({ detached: true, branch: null, head: history.sha.squash });
    expect(detached.summary.commits).toBe(12);
  });

  it("counts a commit of many files and lines exactly", async () => {
    const big = GitFixture.create("sentinel-big-");
    try {
      for (let i = 0; i < 300; i++) big.write(`gen/file-${i}.ts`, lines(100, `export const v${i}`));
      big.commit("Generate 300 files\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\n", {
        date: "2024-05-01T00:00:00Z",
      });
      const result = await analyzeInProcess(big.dir);
      expect(result.summary).toMatchObject({
        commits: 1,
        filesChanged: 300,
        linesAdded: 30_000,
        aiLines: 30_000,
      });
    } finally {
      big.remove();
    }
  });

  it("documents itself in --help", () => {
    const result = runCli(["analyze", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--no-store");
    expect(result.stdout).toContain("Exit codes: 0 ok");
  });
});
