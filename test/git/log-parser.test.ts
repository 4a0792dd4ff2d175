import { execFileSync } from "node:child_process";
import { symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type LogCommit,
  MAX_FILE_PATCH_BYTES,
  parseCommitRecord,
  RecordSplitter,
  recordMarker,
} from "../../src/git/log-parser.ts";
import { gitLogArgs, readGitLog } from "../../src/git/log-stream.ts";
import { GitFixture, lines } from "../cli/helpers/git-fixture.ts";

// The reader against the real bytes of `git log -z --raw -p`, from a repository built with git.

const NONCE = "0123456789abcdef";
const HUGE_LINES = Math.ceil(MAX_FILE_PATCH_BYTES / 30);
let repo: GitFixture;
let stream: Buffer;

beforeAll(() => {
  repo = GitFixture.create("sentinel-logparser-");
  repo.write("a.txt", lines(3));
  repo.write("bin.dat", Buffer.from([0, 1, 2, 3, 0, 255]));
  repo.commit("first\n\nwith a body\n", { date: "2024-01-01T00:00:00Z" });
  repo.git(["mv", "a.txt", "b.txt"]);
  repo.write("b.txt", lines(4));
  repo.commit("rename a to b", { date: "2024-01-02T00:00:00Z" });
  symlinkSync("b.txt", join(repo.dir, "link"));
  repo.commit("add link", { date: "2024-01-03T00:00:00Z" });
  unlinkSync(join(repo.dir, "link"));
  writeFileSync(join(repo.dir, "link"), "now a file\nwith two lines\n");
  repo.commit("link becomes a file", { date: "2024-01-04T00:00:00Z" });
  // A message line that starts with the record marker's first byte, and a patch line too.
  repo.write("ctrl.txt", "\u0001 not a marker\n");
  repo.commit("\u0001 control bytes\n", { date: "2024-01-05T00:00:00Z" });
  // Past the per-file patch limit: counted, patch withheld.
  repo.write("huge.txt", lines(HUGE_LINES, "a line long enough to pass the limit"));
  repo.commit("huge file", { date: "2024-01-06T00:00:00Z" });
  repo.writeRawName(Buffer.from([0x6e, 0xe4, 0x6d, 0x65]), "one\n");
  repo.commit(Buffer.from([0x4c, 0xe4, 0x74, 0x69, 0x6e, 0x0a]), { date: "2024-01-07T00:00:00Z" });
  repo.commit("empty", { date: "2024-01-08T00:00:00Z", allowEmpty: true });

  stream = execFileSync(
    "git",
    gitLogArgs(NONCE, { revisions: ["HEAD"], firstParent: false }, { gitAiNotes: false }),
    {
      cwd: repo.dir,
      env: repo.env(),
      maxBuffer: 64 * 1024 * 1024,
    },
  );
});

afterAll(() => repo.remove());

function parseInChunks(sizes: number[]): LogCommit[] {
  const marker = recordMarker(NONCE);
  const splitter = new RecordSplitter(marker);
  const records: Buffer[] = [];
  let pos = 0;
  let i = 0;
  while (pos < stream.length) {
    const size = sizes.length > 0 ? (sizes[i++ % sizes.length] ?? 1) : stream.length;
    records.push(...splitter.push(stream.subarray(pos, pos + size)));
    pos += size;
  }
  records.push(...splitter.end());
  return records.map((r) => parseCommitRecord(r, marker.length));
}

describe("git log parser", () => {
  it("reads every commit with its files, line counts and status", () => {
    const commits = parseInChunks([]);
    // git re-encodes a message that is not UTF-8 (as Latin-1) or we replace its bad bytes: never a crash.
    expect(commits[1]?.input.message).toMatch(/^L(\u00e4|\uFFFD)tin$/);
    expect(commits.map((c) => c.input.message)).toEqual([
      "empty",
      commits[1]?.input.message,
      "huge file",
      "\u0001 control bytes",
      "link becomes a file",
      "add link",
      "rename a to b",
      "first\n\nwith a body",
    ]);
    const files = (n: number) =>
      commits[n]?.input.files.map(({ patch, ...f }) => ({ ...f, hasPatch: patch !== undefined }));
    expect(files(0)).toEqual([]);
    expect(files(1)).toEqual([
      { path: "n\uFFFDme", status: "added", additions: 1, deletions: 0, hasPatch: true },
    ]);
    expect(files(3)).toEqual([
      { path: "ctrl.txt", status: "added", additions: 1, deletions: 0, hasPatch: true },
    ]);
    // One raw entry, two patches (symlink deleted, file created): one file, both counted.
    expect(files(4)).toEqual([
      { path: "link", status: "changed", additions: 2, deletions: 1, hasPatch: true },
    ]);
    expect(files(6)).toEqual([
      { path: "b.txt", previousPath: "a.txt", status: "renamed", additions: 1, deletions: 0, hasPatch: true },
    ]);
    expect(files(7)).toEqual([
      { path: "a.txt", status: "added", additions: 3, deletions: 0, hasPatch: true },
      { path: "bin.dat", status: "added", additions: 0, deletions: 0, binary: true, hasPatch: false },
    ]);
    expect(commits[6]?.input.files[0]?.patch).toBe("@@ -1,3 +1,4 @@\n line 1\n line 2\n line 3\n+line 4");
    expect(commits[7]?.input.parents).toEqual([]);
    expect(commits[6]?.input.parents).toEqual([commits[7]?.input.sha]);
    expect(commits[7]?.input.committedAt).toBe("2024-01-01T00:00:00+00:00");
  });

  it("keeps the counts but not the patch of a file past the patch limit", () => {
    const huge = parseInChunks([])[2]?.input.files[0];
    expect(huge?.additions).toBe(HUGE_LINES);
    expect(huge?.patch).toBeUndefined();
  });

  it("gives the same commits however the stream is cut into chunks", () => {
    const whole = parseInChunks([]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 8 }), (sizes) => {
        expect(parseInChunks(sizes)).toEqual(whole);
      }),
      { numRuns: 6 },
    );
    // Tiny chunks: every marker straddles chunk boundaries.
    expect(parseInChunks([1, 2, 3, 5, 7, 11, 4096])).toEqual(whole);
  });

  it("streams the same commits through a git process", async () => {
    const streamed: LogCommit[] = [];
    for await (const c of readGitLog(
      repo.dir,
      { revisions: ["HEAD"], firstParent: false },
      { gitAiNotes: false },
    )) {
      streamed.push(c);
    }
    expect(streamed.map((c) => c.input.sha)).toEqual(parseInChunks([]).map((c) => c.input.sha));
  });

  it("reports git's own error in one line for a revision that does not exist", async () => {
    const read = async () => {
      for await (const _ of readGitLog(
        repo.dir,
        { revisions: ["no-such-branch"], firstParent: false },
        { gitAiNotes: false },
      )) {
        // drain
      }
    };
    await expect(read()).rejects.toThrow(/^bad revision 'no-such-branch'$/);
  });
});
