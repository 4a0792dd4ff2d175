import { existsSync } from "node:fs";
import { runGit } from "../../git/run-git.ts";
import type { Database } from "../db/client.ts";
import type { GithubApp } from "../github-app/app-client.ts";
import { logger } from "../logger.ts";
import { MirrorUnavailableError } from "../mirror/errors.ts";
import type { RepositoryMirrors } from "../mirror/repository-mirrors.ts";
import { mirrorFetchErrors } from "../observability/metrics.ts";
import {
  type MirrorState,
  mirrorStateOf,
  recordMirrorState,
  recordMirrorsEvicted,
} from "../services/github/repository-sync.ts";

// Where the App reads a repository's history from: its mirror, fetched with the installation's
// token. A push of 50 commits fetches once: the first attribute-commit job brings the mirror up to
// date, the others find their commit there (or wait on the first job's fetch and coalesce). A
// backfill fetches once, then reads the whole window. Anything that keeps the mirror from answering
// is a reason: the caller falls back to REST and records it. Each fetch's outcome (size on disk,
// or why there is no mirror) is recorded for the repository's settings and `sentinel backfills`.

const TOUCH_EVERY_MS = 60_000;
const TOO_LARGE_RECHECK_MS = 24 * 3600_000;

export interface MirrorRequest {
  orgId: string;
  repoId: string;
  /** `owner/name`. */
  fullName: string;
  installationId: number;
  defaultBranch: string;
}

export type MirrorAnswer = { gitDir: string } | { unavailable: string };

export interface MirrorSource {
  /** The mirror holding every one of `commitShas`: fetched only when one is not there yet. */
  forCommit(request: MirrorRequest & { commitShas: string[] }): Promise<MirrorAnswer>;
  /** The mirror, fetched up to date now. */
  sync(request: MirrorRequest): Promise<MirrorAnswer>;
}

export function mirrorSource(
  db: Database,
  github: GithubApp,
  mirrors: RepositoryMirrors,
  webUrl: string,
): MirrorSource {
  const touched = new Map<string, number>();

  const ctxOf = (request: MirrorRequest) => ({
    db,
    orgId: request.orgId,
    actor: { kind: "job" as const, name: "mirror" },
  });
  const record = async (request: MirrorRequest, state: MirrorState, evicted: string[] = []) => {
    try {
      await recordMirrorState(ctxOf(request), request.repoId, state);
      await recordMirrorsEvicted(db, evicted);
    } catch (err) {
      // Bookkeeping for the settings page must not cost a verdict.
      logger.warn({ err, repoId: request.repoId }, "could not record the mirror's state");
    }
  };

  const sync = async (request: MirrorRequest): Promise<MirrorAnswer> => {
    try {
      // A repository found over the size cap is read through REST for a day before cloning again.
      if (!existsSync(mirrors.gitDirFor(request.repoId))) {
        const last = await mirrorStateOf(ctxOf(request), request.repoId);
        if (
          last?.status === "too_large" &&
          last.checkedAt &&
          Date.now() - last.checkedAt.getTime() < TOO_LARGE_RECHECK_MS
        )
          return { unavailable: last.reason ?? "repository over the mirror size limit" };
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
      if (synced.status === "too_large") {
        await record(request, { status: "too_large", reason: synced.reason });
        return { unavailable: synced.reason };
      }
      await record(request, { status: "ready", bytes: synced.bytes, fetchedAt: new Date() }, synced.evicted);
      return { gitDir: synced.gitDir };
    } catch (error) {
      mirrorFetchErrors.inc({ reason: error instanceof MirrorUnavailableError ? error.reason : "other" });
      const reason =
        error instanceof MirrorUnavailableError
          ? `${error.reason}: ${error.message}`
          : error instanceof Error
            ? error.message.slice(0, 300)
            : String(error);
      await record(request, { status: "unavailable", reason });
      return { unavailable: reason };
    }
  };

  return {
    sync,
    async forCommit(request) {
      let gitDir: string;
      try {
        gitDir = mirrors.gitDirFor(request.repoId);
      } catch (error) {
        return { unavailable: error instanceof Error ? error.message : String(error) };
      }
      if (!(await hasCommits(gitDir, request.commitShas))) return sync(request);
      // Last use only orders eviction: once a minute per repository is enough, not once a commit.
      const now = Date.now();
      if (now - (touched.get(request.repoId) ?? 0) > TOUCH_EVERY_MS) {
        touched.set(request.repoId, now);
        await mirrors.touch(request.repoId).catch(() => {});
      }
      return { gitDir };
    },
  };
}

/** Whether the mirror has every commit: one `git cat-file --batch-check` for all of them. */
async function hasCommits(gitDir: string, shas: readonly string[]): Promise<boolean> {
  if (shas.length === 0 || !shas.every((sha) => /^[0-9a-f]{40}$/.test(sha)) || !existsSync(gitDir))
    return false;
  const result = await runGit(gitDir, ["cat-file", "--batch-check=%(objecttype)"], {
    input: shas.map((sha) => `${sha}\n`).join(""),
  });
  if (result.code !== 0) return false;
  const types = result.stdout.toString("utf8").trim().split("\n");
  return types.length === shas.length && types.every((t) => t === "commit");
}
