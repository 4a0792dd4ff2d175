import { describe, expect, it } from "vitest";
import { churnWindows, groupFates, survivalAt } from "../../src/core/survival/figures.ts";
import { EMPTY_DIGEST, type FileDiff, type HistoryCommit } from "../../src/core/survival/history.ts";
import { type FileVerdict, LineLedger } from "../../src/core/survival/ledger.ts";

// Churn windows and survival on a hand-written history, every answer computed by hand below.

const DAY = 86_400;

function file(path: string | null, hunks: number[], oldPath: string | null = path): FileDiff {
  return {
    status: oldPath === null ? "A" : path === null ? "D" : "M",
    oldPath,
    newPath: path,
    oldBlob: oldPath === null ? null : "1".repeat(40),
    newBlob: path === null ? null : "2".repeat(40),
    binary: false,
    hunks,
    removed: EMPTY_DIGEST,
    added: EMPTY_DIGEST,
  };
}

function commit(
  sha: string,
  day: number,
  parents: string[],
  diffs: Array<FileDiff[] | null>,
  children = 1,
): HistoryCommit {
  return {
    sha,
    parents,
    parentCount: parents.length,
    time: day * DAY,
    message: sha,
    diffs,
    children,
    shallow: false,
  };
}

const VERDICTS: Record<string, FileVerdict> = {
  c1: { lineClass: "ai", tool: "claude-code", tier: "T3_core" },
  c2: { lineClass: "human", tool: null, tier: "T1_boilerplate" },
  c4: { lineClass: "unknown", tool: null, tier: "T3_core" },
  c6: { lineClass: "unknown", tool: null, tier: "T2_glue" },
};
const verdict = (sha: string): FileVerdict =>
  VERDICTS[sha] ?? { lineClass: "unknown", tool: null, tier: null };

/*
 * day 0   c1 adds a.txt: 10 AI lines (claude-code, T3)
 * day 0   c2 adds b.txt: 4 human lines (T1)
 * day 5   c3 deletes a.txt lines 1–2          → 2 AI lines churned at age 5
 * day 20  c4 rewrites a.txt line 1 (was 3)     → 1 AI line churned at age 20, 1 unknown line added
 * day 60  c5 deletes b.txt                     → 4 human lines churned at age 60
 * day 100 c6 adds c.txt: 3 unknown lines       → too young for every window
 * The range ends on day 100.
 */
function linearHistory(): LineLedger {
  const ledger = new LineLedger();
  ledger.apply(commit("c1", 0, [], [[file("a.txt", [0, 0, 1, 10], null)]]));
  ledger.apply(commit("c2", 0, ["c1"], [[file("b.txt", [0, 0, 1, 4], null)]]));
  ledger.apply(commit("c3", 5, ["c2"], [[file("a.txt", [1, 2, 0, 0])]]));
  ledger.apply(commit("c4", 20, ["c3"], [[file("a.txt", [1, 1, 1, 1])]]));
  ledger.apply(commit("c5", 60, ["c4"], [[file(null, [1, 4, 0, 0], "b.txt")]]));
  ledger.apply(commit("c6", 100, ["c5"], [[file("c.txt", [0, 0, 1, 3], null)]], 0));
  ledger.classify(verdict);
  return ledger;
}

describe("churn windows", () => {
  const ledger = linearHistory();
  const [w14, w30, w90] = churnWindows(groupFates(ledger, "c6"), 100 * DAY);

  it("counts deletions within 14 days, leaving out lines too young", () => {
    // Eligible: born by day 86 — c1, c2, c4 (not c6).
    expect(w14?.byClass).toEqual({
      ai: { lines: 10, churned: 2 },
      human: { lines: 4, churned: 0 },
      unknown: { lines: 1, churned: 0 },
    });
  });

  it("counts deletions within 30 days", () => {
    expect(w30?.byClass).toEqual({
      ai: { lines: 10, churned: 3 },
      human: { lines: 4, churned: 0 },
      unknown: { lines: 1, churned: 0 },
    });
  });

  it("counts deletions within 90 days, where c4 (day 20) is too young", () => {
    expect(w90?.byClass).toEqual({
      ai: { lines: 10, churned: 3 },
      human: { lines: 4, churned: 4 },
      unknown: { lines: 0, churned: 0 },
    });
  });

  it("splits AI lines by tool and every line by tier", () => {
    expect([...(w30?.byTool ?? [])]).toEqual([["claude-code", { lines: 10, churned: 3 }]]);
    expect(w30?.byTier.get("T3_core")).toEqual({
      ai: { lines: 10, churned: 3 },
      human: { lines: 0, churned: 0 },
      unknown: { lines: 1, churned: 0 },
    });
    expect(w30?.byTier.get("T1_boilerplate")?.human).toEqual({ lines: 4, churned: 0 });
    expect(w30?.byTier.has("T2_glue")).toBe(false);
  });

  it("says which commit deleted each group's lines", () => {
    const fates = [...groupFates(ledger, "c6")];
    const ai = fates.find((f) => f.sha === "c1");
    expect(ai).toMatchObject({ path: "a.txt", added: 10, present: 7 });
    expect(ai?.deaths).toEqual([
      { sha: "c3", time: 5 * DAY, lines: 2 },
      { sha: "c4", time: 20 * DAY, lines: 1 },
    ]);
    expect(fates.find((f) => f.sha === "c2")?.deaths).toEqual([{ sha: "c5", time: 60 * DAY, lines: 4 }]);
  });
});

describe("survival at a revision", () => {
  it("tallies the end revision's lines by verdict, and the lines the walk added", () => {
    expect(survivalAt(linearHistory(), "c6")).toEqual({
      revision: "c6",
      present: { ai: 7, human: 0, unknown: 4 },
      older: 0,
      added: { ai: 10, human: 4, unknown: 4 },
    });
  });

  it("classifies line by line when the verdict is per line (line-level records)", () => {
    const ledger = new LineLedger({ lineNumbersFor: (sha) => sha === "m1" });
    ledger.apply(commit("m1", 0, [], [[file("m.txt", [0, 0, 1, 5], null)]], 0));
    ledger.classify(() => ({
      lineClass: (line) => (line <= 2 ? "ai" : line === 3 ? "human" : "unknown"),
      tool: "cursor",
      tier: null,
    }));
    expect(survivalAt(ledger, "m1").present).toEqual({ ai: 2, human: 1, unknown: 2 });
  });
});

describe("deaths across branches", () => {
  /*
   * day 0 r adds f: x1 x2 x3.  day 2 the branch (b) deletes x2.  day 3 main (m) appends y.
   * day 4 the merge takes main's f as is: x2 lives on, so it is not churned.
   */
  function branchy(keep: boolean): LineLedger {
    const ledger = new LineLedger();
    ledger.apply(commit("r", 0, [], [[file("f", [0, 0, 1, 3], null)]], 2));
    ledger.apply(commit("b", 2, ["r"], [[file("f", [2, 1, 1, 0])]]));
    ledger.apply(commit("m", 3, ["r"], [[file("f", [3, 0, 4, 1])]]));
    const merge = keep
      ? // identical to main; against the branch, x2 and y come back
        commit("M", 4, ["m", "b"], [null, [file("f", [1, 0, 2, 1, 2, 0, 4, 1])]], 0)
      : // the branch's f plus y; against main, x2 goes
        commit("M", 4, ["m", "b"], [[file("f", [2, 1, 1, 0])], [file("f", [2, 0, 3, 1])]], 0);
    ledger.apply(merge);
    ledger.classify(() => ({ lineClass: "ai", tool: null, tier: null }));
    return ledger;
  }

  it("a line one branch deleted but the merge kept is alive, not churned", () => {
    const ledger = branchy(true);
    expect(survivalAt(ledger, "M").present.ai).toBe(4);
    const [w14] = churnWindows(groupFates(ledger, "M"), 30 * DAY, [14]);
    expect(w14?.byClass.ai).toEqual({ lines: 4, churned: 0 });
  });

  it("a line the merge kept dies when a later commit deletes it", () => {
    const ledger = new LineLedger();
    ledger.apply(commit("r", 0, [], [[file("f", [0, 0, 1, 3], null)]], 2));
    ledger.apply(commit("b", 2, ["r"], [[file("f", [2, 1, 1, 0])]]));
    ledger.apply(commit("m", 3, ["r"], [[file("f", [3, 0, 4, 1])]]));
    ledger.apply(commit("M", 4, ["m", "b"], [null, [file("f", [1, 0, 2, 1, 2, 0, 4, 1])]]));
    ledger.apply(commit("d", 20, ["M"], [[file("f", [2, 1, 1, 0])]], 0));
    ledger.classify(() => ({ lineClass: "ai", tool: null, tier: null }));
    const fate = [...groupFates(ledger, "d")].find((f) => f.sha === "r");
    expect(fate?.deaths).toEqual([{ sha: "d", time: 20 * DAY, lines: 1 }]);
  });

  it("a line deleted on a branch and dropped by the merge dies when the branch deleted it", () => {
    const ledger = branchy(false);
    expect(survivalAt(ledger, "M").present.ai).toBe(3);
    const fate = [...groupFates(ledger, "M")].find((f) => f.sha === "r");
    expect(fate?.deaths).toEqual([{ sha: "b", time: 2 * DAY, lines: 1 }]);
  });
});
