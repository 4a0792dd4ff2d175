import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalysisDocument } from "../../src/cli/analyze/json-document.ts";
import { runAnalysis } from "../../src/cli/analyze/run-analysis.ts";
import { inspectRepository } from "../../src/git/repository.ts";
import { GitFixture, lines, type Person } from "./helpers/git-fixture.ts";

// A history committed the way aider commits (aider/repo.py, docs/git.md), read by `sentinel
// analyze`: the person's own dirty edits committed with ` (aider)` on the committer only, aider's
// edits with the author mark (older default) or its co-author trailer (2025+ default), and commits
// made without aider. The engine must count aider's lines, not the person's.

const DANA: Person = { name: "Dana Lee", email: "dana@example.org" };
const DANA_AIDER: Person = { name: "Dana Lee (aider)", email: "dana@example.org" };
const SESSIONS = 6;
const HUMAN_LINES = 14;
const AIDER_LINES = 22;
const PLAIN_LINES = 8;

let repo: GitFixture;
let doc: AnalysisDocument;
const dirty: string[] = [];

beforeAll(async () => {
  repo = GitFixture.create("sentinel-aider-");
  let files: Record<string, string> = {};
  const add = (path: string, text: string) => {
    files = { ...files, [path]: (files[path] ?? "") + text };
    repo.write(path, files[path] ?? "");
  };
  for (let s = 1; s <= SESSIONS; s++) {
    const day = String(s).padStart(2, "0");
    add(`src/mod_${s % 3}.py`, lines(HUMAN_LINES, `human_${s} =`));
    dirty.push(
      repo.commit(`feat: add human_${s} helper`, {
        author: DANA,
        committer: DANA_AIDER,
        date: `2025-03-${day}T10:00:00Z`,
      }),
    );
    add(`src/mod_${s % 3}.py`, lines(AIDER_LINES, `ai_${s} =`));
    if (s % 2 === 0) {
      repo.commit(`refactor: add ai_${s}`, {
        author: DANA_AIDER,
        committer: DANA_AIDER,
        date: `2025-03-${day}T11:00:00Z`,
      });
    } else {
      repo.commit(
        `refactor: add ai_${s}\n\nCo-authored-by: aider (anthropic/claude-sonnet-4-5) <aider@aider.chat>\n`,
        {
          author: DANA,
          date: `2025-03-${day}T11:00:00Z`,
        },
      );
    }
    add("src/plain.py", lines(PLAIN_LINES, `plain_${s} =`));
    repo.commit(`chore: plain_${s}`, { author: DANA, date: `2025-03-${day}T12:00:00Z` });
  }
  const inspected = await inspectRepository(repo.dir, { revGiven: false });
  ({ document: doc } = await runAnalysis({ repo: inspected, revisions: null, firstParent: false }));
}, 180_000);

afterAll(() => repo.remove());

describe("sentinel analyze on an aider history", () => {
  it("counts aider's own edits as AI and leaves the person's dirty edits unknown", () => {
    const total = SESSIONS * (HUMAN_LINES + AIDER_LINES + PLAIN_LINES);
    expect(doc.summary).toMatchObject({
      commits: SESSIONS * 3,
      aiCommits: SESSIONS,
      linesAdded: total,
      aiLines: SESSIONS * AIDER_LINES,
      humanLines: 0,
      unknownLines: SESSIONS * (HUMAN_LINES + PLAIN_LINES),
    });
    // 22 / 44 of the lines: the true share. Engine 2026.12.1 read (14 + 22) / 44.
    expect(doc.summary.aiShare).toBe(0.5);
  });

  it("keeps the committer-only mark as weak, visible evidence on the dirty commits", () => {
    for (const sha of dirty) {
      const c = doc.commits.find((x) => x.sha === sha);
      expect(c, sha).toBeDefined();
      expect(c?.aiConfidence).toBe(0.25);
      expect(c?.signals.map((x) => x.detector)).toEqual(["aider-committer"]);
      expect([c?.aiLines, c?.humanLines, c?.unknownLines]).toEqual([0, 0, HUMAN_LINES]);
    }
  });
});
