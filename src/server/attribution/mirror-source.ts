import { existsSync } from "node:fs";
import { runGit } from "../../git/run-git.ts";
import type { GithubApp } from "../github/app-client.ts";
import { MirrorUnavailableError } from "../mirror/errors.ts";
import type { RepositoryMirrors } from "../mirror/repository-mirrors.ts";
import type { MirrorTarget } from "./attribute-commit.ts";

// Where the attribute-commit job reads a commit from: the repository's mirror, fetched with the
// installation's token when the commit is not in it yet. A push of 50 commits fetches once: the
// first job brings the mirror up to date, the others find their commit there (or wait on the
// first job's fetch and coalesce). Anything that keeps the mirror from answering is a reason, and
// the job falls back to REST and records it.

const TOUCH_EVERY_MS = 60_000;

export type MirrorAnswer = { gitDir: string } | { unavailable: string };

export function mirrorSource(
  github: GithubApp,
  mirrors: RepositoryMirrors,
  webUrl: string,
): (request: MirrorTarget) => Promise<MirrorAnswer> {
  const touched = new Map<string, number>();
  return async (request) => {
    try {
      const gitDir = mirrors.gitDirFor(request.repoId);
      if (await hasCommit(gitDir, request.commitSha)) {
        // Last use only orders eviction: once a minute per repository is enough, not once a commit.
        const now = Date.now();
        if (now - (touched.get(request.repoId) ?? 0) > TOUCH_EVERY_MS) {
          touched.set(request.repoId, now);
          await mirrors.touch(request.repoId);
        }
        return { gitDir };
      }
      const octokit = await github.getInstallationOctokit(request.installationId);
      const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
      const synced = await mirrors.sync(
        {
          id: request.repoId,
          cloneUrl: `${webUrl}/${request.fullName}.git`,
          defaultBranch: request.defaultBranch,
        },
        token,
      );
      if (synced.status === "too_large") return { unavailable: synced.reason };
      return { gitDir: synced.gitDir };
    } catch (error) {
      if (error instanceof MirrorUnavailableError)
        return { unavailable: `${error.reason}: ${error.message}` };
      return { unavailable: error instanceof Error ? error.message.slice(0, 300) : String(error) };
    }
  };
}

async function hasCommit(gitDir: string, sha: string): Promise<boolean> {
  if (!/^[0-9a-f]{40}$/.test(sha) || !existsSync(gitDir)) return false;
  const result = await runGit(gitDir, ["cat-file", "-e", `${sha}^{commit}`]);
  return result.code === 0;
}
