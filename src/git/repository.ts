import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { GitError, gitMessage, runGit } from "./run-git.ts";

/** The path given does not exist (or is not a directory). */
export class PathNotFoundError extends Error {
  override name = "PathNotFoundError";
}

export interface RepositoryInfo {
  /** Working tree root, or the git directory of a bare repository. */
  root: string;
  gitDir: string;
  bare: boolean;
  /** Commit HEAD points to; null only when HEAD is unborn and the caller named another revision. */
  head: string | null;
  /** Checked-out branch (`main`), or null when HEAD is detached. */
  branch: string | null;
  detached: boolean;
  /** Boundary commits of a shallow clone: git shows them as if they added the whole tree. */
  shallowCommits: Set<string>;
  /** `refs/notes/ai` exists (git-ai authorship notes). */
  hasGitAiNotes: boolean;
}

const line = (b: Buffer) => b.toString("utf8").trim();

/**
 * Checks that `path` is a git repository git can read, and gathers what the log reader needs.
 * Throws PathNotFoundError or GitError with one line saying what is wrong.
 */
export async function inspectRepository(
  path: string,
  options: { revGiven: boolean },
): Promise<RepositoryInfo> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => null);
  if (!info) throw new PathNotFoundError(`no such directory: ${absolute}`);
  if (!info.isDirectory()) throw new PathNotFoundError(`not a directory: ${absolute}`);

  // One process for all three; in a bare repository (or inside .git) the last one fails alone.
  const probe = await runGit(absolute, [
    "rev-parse",
    "--absolute-git-dir",
    "--is-bare-repository",
    "--show-toplevel",
  ]);
  const [gitDir, bareFlag, toplevel] = line(probe.stdout)
    .split("\n")
    .map((l) => l.trim());
  if (gitDir === undefined || bareFlag === undefined || gitDir === "") {
    const message = gitMessage(probe.stderr);
    if (/not a git repository/i.test(message)) throw new GitError(`not a git repository: ${absolute}`);
    throw new GitError(`cannot read the git repository at ${absolute}: ${message}`);
  }
  const bare = bareFlag === "true";
  const root = toplevel || (bare ? gitDir : absolute);

  // HEAD's own file says whether it names a branch; reading it saves a git process per run.
  const [headFile, headSha, notes, shallowText] = await Promise.all([
    readFile(join(gitDir, "HEAD"), "utf8").catch(() => ""),
    runGit(root, ["rev-parse", "-q", "--verify", "HEAD^{commit}"]),
    runGit(root, ["for-each-ref", "--count=1", "--format=%(objectname)", "refs/notes/ai"]),
    readFile(join(gitDir, "shallow"), "utf8").catch(() => ""),
  ]);
  const symbolic = headFile.startsWith("ref: ") ? headFile.slice(5).trim() : null;
  const branch = symbolic?.startsWith("refs/heads/") ? symbolic.slice("refs/heads/".length) : null;
  const head = headSha.code === 0 ? line(headSha.stdout) : null;

  if (!head && !options.revGiven) {
    const anyRef = await runGit(root, [
      "for-each-ref",
      "--count=1",
      "--format=%(refname)",
      "refs/heads",
      "refs/tags",
    ]);
    if (line(anyRef.stdout) === "")
      throw new GitError(`${root} is an empty repository: no commits to analyse`);
    throw new GitError(
      `HEAD of ${root} is an unborn branch (${branch ?? "unknown"}); pass --rev <branch> to pick one`,
    );
  }

  return {
    root,
    gitDir,
    bare,
    head,
    branch,
    detached: symbolic === null,
    shallowCommits: new Set(
      shallowText
        .split("\n")
        .map((s) => s.trim())
        .filter((s) => /^[0-9a-f]{40,64}$/.test(s)),
    ),
    hasGitAiNotes: line(notes.stdout) !== "",
  };
}
