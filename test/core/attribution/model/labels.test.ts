import { describe, expect, it } from "vitest";
import { attributeCommit } from "../../../../src/core/attribution/engine.ts";
import { examplesFromCommit } from "../../../../src/core/attribution/model/examples.ts";
import { isModelEligiblePath, labelFile } from "../../../../src/core/attribution/model/labels.ts";
import type { CommitInput, FileChange } from "../../../../src/core/attribution/types.ts";

const person = { name: "Dana Smith", email: "dana@example.com" };

function commit(message: string, committedAt: string, files: FileChange[]): CommitInput {
  return { sha: "a".repeat(40), message, author: person, committer: person, parents: [], committedAt, files };
}

function added(path: string, lines: string[], status: FileChange["status"] = "added"): FileChange {
  return {
    path,
    status,
    additions: lines.length,
    deletions: 0,
    patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`,
  };
}

describe("labelFile", () => {
  it("applies the rules in order: override, heuristic >= 0.9, before 2022-11-30, else no label", () => {
    const old = "2021-05-01T10:00:00Z";
    const recent = "2024-05-01T10:00:00Z";
    expect(labelFile({ committedAt: recent, heuristicConfidence: 0.95, override: "human" })).toEqual({
      label: "human",
      source: "overrideHuman",
    });
    expect(labelFile({ committedAt: old, heuristicConfidence: null, override: "ai" })).toEqual({
      label: "ai",
      source: "overrideAi",
    });
    expect(labelFile({ committedAt: recent, heuristicConfidence: 0.9, override: null })).toEqual({
      label: "ai",
      source: "heuristic",
    });
    expect(labelFile({ committedAt: old, heuristicConfidence: null, override: null })).toEqual({
      label: "human",
      source: "beforeAiEra",
    });
    // Weak heuristic evidence and recent code without evidence are not labels: unknown is not human.
    expect(labelFile({ committedAt: recent, heuristicConfidence: 0.89, override: null })).toBeNull();
    expect(labelFile({ committedAt: recent, heuristicConfidence: null, override: null })).toBeNull();
    expect(
      labelFile({ committedAt: "2022-11-30T00:00:00Z", heuristicConfidence: null, override: null }),
    ).toBeNull();
  });
});

describe("isModelEligiblePath", () => {
  it.each([
    ["src/server/app.ts", true],
    ["lib/payments/charge.py", true],
    ["cmd/main.go", true],
    ["package-lock.json", false],
    ["README.md", false],
    ["vendor/github.com/x/y.go", false],
    ["node_modules/left-pad/index.js", false],
    ["public/app.min.js", false],
    ["src/types/api.d.ts", false],
    ["drizzle/migrations/0001.sql", false],
    ["proto/user_pb2.py", false],
  ])("%s → %s", (path, eligible) => {
    expect(isModelEligiblePath(path)).toBe(eligible);
  });
});

describe("examplesFromCommit", () => {
  const code = ["export function total(items) {", "  return items.reduce((a, b) => a + b, 0)", "}"];

  it("labels the files of a commit with an AI co-author trailer as AI, through the heuristic engine", () => {
    const input = commit(
      "Add totals\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
      "2025-03-01T12:00:00Z",
      [added("src/total.ts", code), added("README.md", ["# Totals"])],
    );
    const examples = examplesFromCommit(input, attributeCommit(input, {}), "repo-1");
    expect(examples).toEqual([
      {
        addedLines: code,
        path: "src/total.ts",
        label: "ai",
        source: "heuristic",
        repoId: "repo-1",
        committedAt: "2025-03-01T12:00:00Z",
      },
    ]);
  });

  it("labels old commits human, skips recent commits without evidence, removed files and empty additions", () => {
    const old = commit("Add totals", "2020-01-01T00:00:00Z", [
      added("src/total.ts", code),
      added("src/gone.ts", [], "removed"),
      added("src/blank.ts", ["", "   "]),
    ]);
    expect(examplesFromCommit(old, attributeCommit(old, {}), "r").map((e) => [e.path, e.label])).toEqual([
      ["src/total.ts", "human"],
    ]);
    const recent = commit("Add totals", "2025-01-01T00:00:00Z", [added("src/total.ts", code)]);
    expect(examplesFromCommit(recent, attributeCommit(recent, {}), "r")).toEqual([]);
  });

  it("never labels a bot's commit human, and moves the human cutoff when asked", () => {
    const bot = { name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com" };
    const bump: CommitInput = {
      ...commit("Bump lib", "2020-01-01T00:00:00Z", [added("src/total.ts", code)]),
      author: bot,
    };
    expect(examplesFromCommit(bump, attributeCommit(bump, {}), "r")).toEqual([]);
    // Copilot's preview began 2021-06-29: a stricter cutoff leaves a 2022 commit unlabelled.
    const early2022 = commit("Add totals", "2022-03-01T00:00:00Z", [added("src/total.ts", code)]);
    expect(examplesFromCommit(early2022, attributeCommit(early2022, {}), "r")).toHaveLength(1);
    const strict = { humanBefore: "2021-06-29T00:00:00Z" };
    expect(examplesFromCommit(early2022, attributeCommit(early2022, {}), "r", undefined, strict)).toEqual([]);
  });

  it("does not take a bare display name or a prose mention as evidence", () => {
    const input = commit(
      "Ask Claude about copilot later\n\nCo-authored-by: Claude Shannon <claude@example.org>",
      "2025-01-01T00:00:00Z",
      [added("src/total.ts", code)],
    );
    expect(examplesFromCommit(input, attributeCommit(input, {}), "r")).toEqual([]);
  });

  it("lets stored overrides and stored heuristic verdicts label files the local history cannot", () => {
    const input = commit("Squash-merged PR", "2025-01-01T00:00:00Z", [
      added("src/a.ts", code),
      added("src/b.ts", code),
      added("src/c.ts", code),
    ]);
    const examples = examplesFromCommit(input, attributeCommit(input, {}), "r", {
      override: (_sha, path) => (path === "src/a.ts" ? "human" : null),
      heuristicConfidence: (_sha, path) => (path === "src/b.ts" ? 0.95 : null),
    });
    expect(examples.map((e) => [e.path, e.label, e.source])).toEqual([
      ["src/a.ts", "human", "overrideHuman"],
      ["src/b.ts", "ai", "heuristic"],
    ]);
    // A whole-commit override labels every eligible file.
    const all = examplesFromCommit(input, attributeCommit(input, {}), "r", {
      override: (_sha, path) => (path === null ? "ai" : null),
      heuristicConfidence: () => null,
    });
    expect(all.map((e) => e.label)).toEqual(["ai", "ai", "ai"]);
  });
});
