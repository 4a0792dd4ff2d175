import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lineHistoryFromGit } from "../../src/server/services/survival/from-git.ts";
import { buildHistory } from "./helpers.ts";

// The server walks a repository's bare mirror; `sentinel analyze --store` a working clone. Same
// history, same result; a revision the repository lacks is a clear error.

const DAY = 86_400;
const T0 = 1_767_225_600;

describe("lineHistoryFromGit", () => {
  it("reads a bare mirror of the default branch exactly as the working clone", async () => {
    const built = buildHistory([
      { id: "a", parents: [], time: T0, files: { "a.ts": "1\n2\n3\n" } },
      { id: "b", parents: ["a"], time: T0 + DAY, files: { "a.ts": "1\nx\n3\n", "b.ts": "b\n" } },
      { id: "c", parents: ["a"], time: T0 + 2 * DAY, files: { "a.ts": "1\n2\n3\n4\n" } },
      { id: "m", parents: ["b", "c"], time: T0 + 3 * DAY, files: { "a.ts": "1\nx\n3\n4\n", "b.ts": "b\n" } },
    ]);
    const mirror = join(built.repo.home, "mirror.git");
    execFileSync("git", ["clone", "-q", "--bare", built.repo.dir, mirror]);
    const clone = await lineHistoryFromGit({ root: built.repo.dir, revision: "HEAD", source: "local" });
    const bare = await lineHistoryFromGit({ root: mirror, revision: "refs/heads/main", source: "mirror" });
    expect(bare).toEqual({ ...clone, source: "mirror" });
    expect(bare).toMatchObject({ tip: built.sha("m"), commits: 4, linesAtTip: 5, olderLines: 0 });
    // The merge's branch lines stay their authors' (as blame has them): c's "4", b's "x" and b.ts.
    const present = Object.fromEntries(
      (bare?.fates ?? []).map((f) => [`${f.sha.slice(0, 7)} ${f.path}`, f.present]),
    );
    expect(present).toEqual({
      [`${built.sha("a").slice(0, 7)} a.ts`]: 2,
      [`${built.sha("b").slice(0, 7)} a.ts`]: 1,
      [`${built.sha("b").slice(0, 7)} b.ts`]: 1,
      [`${built.sha("c").slice(0, 7)} a.ts`]: 1,
    });
  });

  it("refuses a revision the repository does not have", async () => {
    const built = buildHistory([{ id: "a", parents: [], time: T0, files: { "a.ts": "1\n" } }]);
    await expect(
      lineHistoryFromGit({ root: built.repo.dir, revision: "refs/heads/nope", source: "local" }),
    ).rejects.toThrow(/refs\/heads\/nope is not a commit/);
  });
});
