import { describe, expect, it } from "vitest";
import { zeroContextHunks } from "../../src/server/seed/survival.ts";

// The demo's patches (with context) become the `-U0` hunks the line ledger reads from `git log`.

describe("zeroContextHunks", () => {
  it("gives a new file one insertion after line 0", () => {
    expect(zeroContextHunks("@@ -0,0 +1,3 @@\n+a\n+b\n+c").hunks).toEqual([0, 0, 1, 3]);
  });

  it("splits runs at context lines, with git's start for an empty side", () => {
    const patch = [
      "@@ -10,4 +10,5 @@",
      " keep",
      "-gone 1",
      "-gone 2",
      "+new 1",
      " keep",
      "+inserted",
      "+inserted too",
      " keep",
    ].join("\n");
    const { hunks, removed, added } = zeroContextHunks(patch);
    // Old lines 11–12 replaced by new line 11; two lines inserted after old line 13 (new 13–14).
    expect(hunks).toEqual([11, 2, 11, 1, 13, 0, 13, 2]);
    expect(removed).toEqual(["gone 1", "gone 2"]);
    expect(added).toEqual(["new 1", "inserted", "inserted too"]);
  });

  it("reads a pure deletion as a hunk with an empty new side", () => {
    expect(zeroContextHunks("@@ -5,3 +5,2 @@\n a\n-b\n c").hunks).toEqual([6, 1, 5, 0]);
  });
});
