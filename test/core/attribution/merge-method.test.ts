import { describe, expect, it } from "vitest";
import { inferMergeMethod } from "../../../src/core/attribution/merge-method.ts";

const pr = [
  { sha: "a1", message: "Add the coupon model\n\nCo-authored-by: Claude <noreply@anthropic.com>" },
  { sha: "a2", message: "Wire coupons into checkout" },
];

describe("inferMergeMethod", () => {
  it("reads a commit with two parents as a merge commit", () => {
    expect(inferMergeMethod({ sha: "m", parents: ["p", "a2"], message: "Merge pull request #12" }, pr)).toBe(
      "merge",
    );
  });

  it("reads GitHub's squash title, or any subject the PR's last commit does not have, as a squash", () => {
    expect(
      inferMergeMethod(
        { sha: "s", parents: ["p"], message: "Add coupons (#12)\n\n* Add the coupon model" },
        pr,
      ),
    ).toBe("squash");
    expect(
      inferMergeMethod({ sha: "s", parents: ["p"], message: "Wire coupons into checkout (#12)" }, pr),
    ).toBe("squash");
  });

  it("reads a replayed last commit, or one of the PR's own commits landing as is, as a rebase", () => {
    expect(inferMergeMethod({ sha: "r2", parents: ["r1"], message: "Wire coupons into checkout" }, pr)).toBe(
      "rebase",
    );
    expect(inferMergeMethod({ sha: "a2", parents: ["a1"], message: "Wire coupons into checkout" }, pr)).toBe(
      "rebase",
    );
  });

  it("says unknown without the evidence: a root commit, or a PR whose commits were not read", () => {
    expect(inferMergeMethod({ sha: "x", parents: [], message: "Initial" }, pr)).toBe("unknown");
    expect(inferMergeMethod({ sha: "x", parents: ["p"], message: "Anything" }, [])).toBe("unknown");
  });
});
