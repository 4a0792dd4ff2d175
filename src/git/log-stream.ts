import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { type LogCommit, logFormat, parseCommitRecord, RecordSplitter, recordMarker } from "./log-parser.ts";
import { GitError, gitEnv, gitMessage, NEUTRAL_CONFIG, runGit, spawnError } from "./run-git.ts";

export interface LogRange {
  /** Revisions or ranges as git takes them (`main`, `v1..v2`, `abc123..HEAD`). */
  revisions: string[];
  /** Passed to `--since`. */
  since?: string | undefined;
  /**
   * Follow only first parents and attribute each merge's diff against its first parent. Off by
   * default: every commit is read with its own diff and merges carry none, so each line is
   * attributed once, to the commit (and trailers) that wrote it.
   */
  firstParent: boolean;
  /** Read exactly the commits named, not their ancestors (`--no-walk`). */
  noWalk?: boolean;
  /** Leave out the first n commits (`--skip`): a resumed import continues where it stopped. */
  skip?: number;
}

/** Files larger than this are diffed as binary by git: no line counts, bounded memory. */
export const BIG_FILE_THRESHOLD = "32m";

function rangeArgs(range: LogRange): string[] {
  const args: string[] = [];
  if (range.firstParent) args.push("--first-parent");
  if (range.noWalk) args.push("--no-walk=unsorted");
  if (range.since !== undefined) args.push(`--since=${range.since}`);
  if (range.skip) args.push(`--skip=${range.skip}`);
  return [...args, ...range.revisions, "--"];
}

/** How many commits the range holds (for the progress bar); cheap, reads no diffs. */
export async function countCommits(root: string, range: LogRange): Promise<number> {
  const result = await runGit(root, ["rev-list", "--count", ...rangeArgs(range)]);
  if (result.code !== 0) throw new GitError(gitMessage(result.stderr));
  return Number.parseInt(result.stdout.toString("utf8").trim(), 10) || 0;
}

export interface LogOptions {
  /** Read `refs/notes/ai` (git-ai authorship notes) along with each commit. */
  gitAiNotes: boolean;
  /** False: headers only, every commit with no files (cheap; for PR commits' trailers). */
  diffs?: boolean;
}

/** Arguments of the one `git log` process (exported for the parser's tests). */
export function gitLogArgs(nonce: string, range: LogRange, options: LogOptions): string[] {
  return [
    ...NEUTRAL_CONFIG,
    "-c",
    `core.bigFileThreshold=${BIG_FILE_THRESHOLD}`,
    "log",
    "-z",
    ...(options.diffs === false ? [] : ["--raw", "-p"]),
    "-M",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--encoding=UTF-8",
    `--diff-merges=${range.firstParent ? "first-parent" : "off"}`,
    "--no-notes",
    ...(options.gitAiNotes ? ["--notes=refs/notes/ai"] : []),
    logFormat(nonce),
    ...rangeArgs(range),
  ];
}

/**
 * Streams the commits of `range`, newest first, from a single `git log -p` process, parsing as the
 * bytes arrive. Stops git when the caller stops iterating.
 */
export async function* readGitLog(
  root: string,
  range: LogRange,
  options: LogOptions,
): AsyncGenerator<LogCommit> {
  for await (const { record, markerLength } of gitLogRecords(root, (nonce) =>
    gitLogArgs(nonce, range, options),
  ))
    yield parseCommitRecord(record, markerLength);
}

/**
 * The raw records of one `git log` process whose format starts each commit with `recordMarker`
 * (`argsFor` gets the random nonce to put in its format), cut as the bytes arrive. Throws git's own
 * message when it fails; stops git when the caller stops iterating.
 */
export async function* gitLogRecords(
  root: string,
  argsFor: (nonce: string) => string[],
): AsyncGenerator<{ record: Buffer; markerLength: number }> {
  const nonce = randomBytes(8).toString("hex");
  const marker = recordMarker(nonce);
  const child = spawn("git", argsFor(nonce), { cwd: root, env: gitEnv(), stdio: ["ignore", "pipe", "pipe"] });
  const stderr: Buffer[] = [];
  child.stderr.on("data", (c: Buffer) => {
    if (stderr.length < 64) stderr.push(c);
  });
  const closed = new Promise<number>((resolve, reject) => {
    child.once("error", (error: NodeJS.ErrnoException) => reject(spawnError(error)));
    child.once("close", (code) => resolve(code ?? 1));
  });
  // Reported after the loop; this keeps an early spawn failure from being an unhandled rejection.
  closed.catch(() => {});

  const splitter = new RecordSplitter(marker);
  let finished = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      for (const record of splitter.push(chunk)) yield { record, markerLength: marker.length };
    }
    const code = await closed;
    if (code !== 0) throw new GitError(gitMessage(Buffer.concat(stderr).toString("utf8")));
    for (const record of splitter.end()) yield { record, markerLength: marker.length };
    finished = true;
  } finally {
    if (!finished && child.exitCode === null) child.kill();
  }
}
