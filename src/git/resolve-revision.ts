import { GitError, gitMessage, runGit } from "./run-git.ts";

/** The commit a revision names, as a full sha; GitError naming the revision when git knows none. */
export async function resolveCommit(root: string, revision: string): Promise<string> {
  if (revision === "" || revision.startsWith("-")) throw new GitError(`invalid revision: ${revision}`);
  const result = await runGit(root, [
    "rev-parse",
    "-q",
    "--verify",
    "--end-of-options",
    `${revision}^{commit}`,
  ]);
  const sha = result.stdout.toString("utf8").trim();
  if (result.code !== 0 || sha === "") {
    const why = gitMessage(result.stderr);
    throw new GitError(`no commit named ${revision} in this repository${why ? ` (${why})` : ""}`);
  }
  return sha;
}
