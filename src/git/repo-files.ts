import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { RepositoryInfo } from "./repository.ts";
import { runGit } from "./run-git.ts";

/** Larger context files are skipped with a warning rather than read into memory. */
export const MAX_CONTEXT_FILE_BYTES = 64 * 1024 * 1024;

export type RepoFile = { text: string; source: "worktree" | "HEAD" } | { tooLarge: true } | null;

/**
 * A file of the repository the engine reads for context (`.gitattributes`, CODEOWNERS, Agent Trace
 * records): the working tree's copy (Agent Trace writers append to it before a commit), or HEAD's
 * in a bare repository.
 */
export async function readRepoFile(repo: RepositoryInfo, path: string): Promise<RepoFile> {
  if (!repo.bare) {
    const full = join(repo.root, path);
    const info = await stat(full).catch(() => null);
    if (!info?.isFile()) return null;
    if (info.size > MAX_CONTEXT_FILE_BYTES) return { tooLarge: true };
    return { text: await readFile(full, "utf8"), source: "worktree" };
  }
  if (!repo.head) return null;
  const size = await runGit(repo.root, ["cat-file", "-s", `${repo.head}:${path}`]);
  if (size.code !== 0) return null;
  if (Number(size.stdout.toString("utf8").trim()) > MAX_CONTEXT_FILE_BYTES) return { tooLarge: true };
  const blob = await runGit(repo.root, ["cat-file", "blob", `${repo.head}:${path}`]);
  return blob.code === 0 ? { text: blob.stdout.toString("utf8"), source: "HEAD" } : null;
}

/** The first of `paths` that exists. */
export async function readFirstRepoFile(repo: RepositoryInfo, paths: string[]): Promise<RepoFile> {
  for (const path of paths) {
    const file = await readRepoFile(repo, path);
    if (file) return file;
  }
  return null;
}

/** Whether `ancestor` is reachable from `descendant` (so `ancestor..descendant` are the new commits). */
export async function isAncestor(root: string, ancestor: string, descendant: string): Promise<boolean> {
  const result = await runGit(root, ["merge-base", "--is-ancestor", ancestor, descendant]);
  return result.code === 0;
}
