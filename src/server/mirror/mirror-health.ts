import { runGit } from "../../git/run-git.ts";

// Two checks of a mirror's integrity: a cheap one before every fetch (is it a bare repository,
// does every ref point at an object we have), and git fsck's connectivity walk after a fetch fails
// for a reason that is not the network or the token.

/** A bare repository whose refs all resolve: safe to fetch into. */
export async function looksUsable(cwd: string, gitDir: string): Promise<boolean> {
  const bare = await runGit(cwd, [`--git-dir=${gitDir}`, "rev-parse", "--is-bare-repository"]);
  if (bare.code !== 0 || bare.stdout.toString("utf8").trim() !== "true") return false;
  const refs = await runGit(cwd, [`--git-dir=${gitDir}`, "for-each-ref", "--format=%(objectname)"]);
  if (refs.code !== 0 || /broken ref|bad object|invalid sha1/i.test(refs.stderr)) return false;
  const tips = refs.stdout.toString("utf8").trim();
  if (tips === "") return true;
  const check = await runGit(cwd, [`--git-dir=${gitDir}`, "cat-file", "--batch-check"], {
    input: `${tips}\n`,
  });
  return check.code === 0 && !/ missing$/m.test(check.stdout.toString("utf8"));
}

/** Every object reachable from every ref is present (`git fsck --connectivity-only`). */
export async function isIntact(cwd: string, gitDir: string): Promise<boolean> {
  const fsck = await runGit(cwd, [
    `--git-dir=${gitDir}`,
    "fsck",
    "--connectivity-only",
    "--no-dangling",
    "--no-progress",
  ]);
  return fsck.code === 0;
}
