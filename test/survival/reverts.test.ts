import { describe, expect, it } from "vitest";
import type { FileDiff, LineDigest } from "../../src/core/survival/history.ts";
import { diffKeys, RevertFinder, revertRates } from "../../src/core/survival/reverts.ts";

// Revert links from messages, titles and diffs, on hand-made commits.

const digest = (count: number, h: number): LineDigest => ({ count, h1: h, h2: h * 7 });
const change = (path: string, removed: LineDigest, added: LineDigest): FileDiff => ({
  status: "M",
  oldPath: path,
  newPath: path,
  oldBlob: "a".repeat(40),
  newBlob: "b".repeat(40),
  binary: false,
  hunks: [1, removed.count, 1, added.count],
  removed,
  added,
});
const sha = (n: number) => n.toString(16).padStart(40, "0");
const plain = (n: number, message: string, diff: FileDiff[] | null = null) => ({
  sha: sha(n),
  message,
  parentCount: 1,
  diff,
});

describe("RevertFinder", () => {
  it("links git's message, a GitHub title and an inverse diff, and a revert of a revert", () => {
    const finder = new RevertFinder();
    const x = digest(2, 11);
    const y = digest(1, 13);
    finder.add(plain(1, "Add cache (#7)"));
    finder.add(plain(2, "Tune timeouts", [change("a.ts", x, y)]));
    finder.add(plain(3, `Revert "Add cache (#7)"\n\nThis reverts commit ${sha(1)}.\n`));
    finder.add(plain(4, `Revert "Revert "Add cache (#7)""\n\nThis reverts commit ${sha(3).slice(0, 12)}.\n`));
    finder.add(plain(5, 'Revert "Add cache" (#9)'));
    finder.add(plain(6, "Put the timeout back", [change("a.ts", y, x)]));
    finder.add({ ...plain(7, "Merge the inverse", [change("a.ts", x, y)]), parentCount: 2 });
    expect(finder.links).toEqual([
      { sha: sha(3), reverted: sha(1), inWalk: true, method: "message" },
      { sha: sha(4), reverted: sha(3), inWalk: true, method: "message" },
      { sha: sha(5), reverted: sha(1), inWalk: true, method: "title" },
      { sha: sha(6), reverted: sha(2), inWalk: true, method: "inverse-diff" },
    ]);
  });

  it("keeps a sha it has not read, unless the title finds the commit", () => {
    const finder = new RevertFinder();
    finder.add(plain(1, "Add cache"));
    finder.add(plain(2, `Revert "Add cache"\n\nThis reverts commit ${"f".repeat(40)}.`));
    finder.add(plain(3, `Revert "Something older"\n\nThis reverts commit ${"e".repeat(40)}.`));
    expect(finder.links).toEqual([
      { sha: sha(2), reverted: sha(1), inWalk: true, method: "title" },
      { sha: sha(3), reverted: "e".repeat(40), inWalk: false, method: "message" },
    ]);
  });
});

describe("RevertFinder and generated files", () => {
  it("does not take a lockfile or dist/ flip-flop for a revert, but still sees a real one beside it", () => {
    const finder = new RevertFinder();
    const v1 = digest(40, 17);
    const v2 = digest(41, 19);
    const x = digest(3, 23);
    const y = digest(2, 29);
    finder.add(plain(1, "Bump deps", [change("package-lock.json", v1, v2)]));
    finder.add(plain(2, "Rebuild", [change("dist/app.js", v2, v1)]));
    finder.add(plain(3, "Unrelated: lockfile back", [change("package-lock.json", v2, v1)]));
    finder.add(plain(4, "Rebuild again", [change("dist/app.js", v1, v2)]));
    finder.add(plain(5, "Tune retry", [change("src/retry.ts", x, y), change("yarn.lock", v1, v2)]));
    finder.add(plain(6, "Undo retry tuning", [change("src/retry.ts", y, x), change("yarn.lock", v1, v1)]));
    expect(finder.links).toEqual([{ sha: sha(6), reverted: sha(5), inWalk: true, method: "inverse-diff" }]);
  });

  it("counts the flip-flop as a revert when nothing is left out (the filter is what stops it)", () => {
    const finder = new RevertFinder({ ignorePath: () => false });
    const v1 = digest(40, 17);
    const v2 = digest(41, 19);
    finder.add(plain(1, "Bump deps", [change("package-lock.json", v1, v2)]));
    finder.add(plain(2, "Unrelated: lockfile back", [change("package-lock.json", v2, v1)]));
    expect(finder.links).toHaveLength(1);
  });
});

describe("diffKeys", () => {
  it("matches a diff with its inverse whatever the file order, and ignores whitespace-only files", () => {
    const a = change("a.ts", digest(1, 1), digest(2, 2));
    const b = { ...change("b.ts", digest(0, 0), digest(3, 3)), oldPath: null, status: "A" };
    const ws = change("c.ts", digest(0, 0), digest(0, 0));
    ws.hunks = [];
    const forward = diffKeys([a, b, ws]);
    const back = diffKeys([
      { ...b, oldPath: "b.ts", newPath: null, removed: b.added, added: b.removed },
      change("a.ts", digest(2, 2), digest(1, 1)),
    ]);
    expect(forward?.inverse).toBe(back?.forward);
    expect(diffKeys([ws])).toBeNull();
  });
});

describe("revertRates", () => {
  it("splits non-merge commits at the AI-heavy threshold", () => {
    const rates = revertRates(
      [
        { sha: "a", merge: false, aiShare: 0.9 },
        { sha: "b", merge: false, aiShare: 0.5 },
        { sha: "c", merge: false, aiShare: 0.2 },
        { sha: "d", merge: false, aiShare: null },
        { sha: "m", merge: true, aiShare: 1 },
      ],
      [
        { sha: "r1", reverted: "a", inWalk: true, method: "message" },
        { sha: "r2", reverted: "d", inWalk: true, method: "title" },
        { sha: "r3", reverted: "m", inWalk: true, method: "message" },
      ],
      0.5,
    );
    expect(rates).toEqual({ aiHeavy: { commits: 2, reverted: 1 }, other: { commits: 2, reverted: 1 } });
  });
});
