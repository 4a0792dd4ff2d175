import { randomBytes } from "node:crypto";
import { access, constants, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { formatBytes } from "../../core/format-bytes.ts";
import { runGit } from "../../git/run-git.ts";
import type { Env } from "../env.ts";
import { MirrorUnavailableError } from "./errors.ts";
import { chooseEvictions, type MirrorEntry } from "./eviction.ts";
import { fetchOverHttps } from "./fetch-over-https.ts";
import { isIntact, looksUsable } from "./mirror-health.ts";
import { directoryBytes, readStamp, writeStamp } from "./mirror-usage.ts";
import { type LockOptions, withLock, withLockIfFree } from "./repo-lock.ts";

// A bare git mirror per repository at `<root>/<repoId>.git`, fetched over HTTPS with the
// installation token. See docs/mirrors.md for the layout, token handling, locking and eviction.

export interface MirrorRepository {
  /** Sentinel's repository id (a uuid): names the mirror's directory. */
  id: string;
  /** The repository's `clone_url` from GitHub's REST API (GitHub Enterprise Server included). */
  cloneUrl: string;
  /** GitHub's `size` field (KB), to skip repositories over the per-repository cap. */
  sizeKb?: number;
  /** Points the mirror's HEAD at this branch, so `HEAD` means what it means on GitHub. */
  defaultBranch?: string;
}

export type MirrorSync =
  | {
      /** `cloned`: the mirror was created (or re-created after corruption); `fetched`: brought up to date. */
      status: "cloned" | "fetched";
      gitDir: string;
      ms: number;
      /** The mirror's size on disk after the sync. */
      bytes: number;
      /** Other repositories' mirrors deleted to stay under the total cap. */
      evicted: string[];
      /** True when another caller's fetch, started after this call, already brought it up to date. */
      coalesced: boolean;
    }
  | {
      /** Over SENTINEL_MIRROR_MAX_REPO_BYTES: attribute through REST and say so. */
      status: "too_large";
      gitDir: null;
      ms: number;
      reason: string;
    };

export interface MirrorOptions {
  root: string;
  /** Total size cap; least recently used mirrors are deleted after a sync goes over it. */
  maxBytes: number;
  /** A repository whose GitHub `size` exceeds this is not mirrored. */
  maxRepoBytes: number;
  lock?: Partial<LockOptions>;
}

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export class RepositoryMirrors {
  readonly root: string;
  private readonly maxBytes: number;
  private readonly maxRepoBytes: number;
  private readonly lock: LockOptions;

  constructor(options: MirrorOptions) {
    this.root = resolve(options.root);
    this.maxBytes = options.maxBytes;
    this.maxRepoBytes = options.maxRepoBytes;
    this.lock = { waitMs: 30 * 60_000, staleMs: 60_000, ...options.lock };
  }

  /** The mirrors configured by SENTINEL_MIRROR_DIR (default `<SENTINEL_DATA_DIR>/mirrors`) and the caps. */
  static fromEnv(config: Env): RepositoryMirrors {
    return new RepositoryMirrors({
      root: config.SENTINEL_MIRROR_DIR ?? join(config.SENTINEL_DATA_DIR, "mirrors"),
      maxBytes: config.SENTINEL_MIRROR_MAX_BYTES,
      maxRepoBytes: config.SENTINEL_MIRROR_MAX_REPO_BYTES,
    });
  }

  /** Where a repository's bare mirror lives (whether or not it exists yet). */
  gitDirFor(repoId: string): string {
    if (!REPO_ID.test(repoId)) throw new Error(`not a repository id usable as a directory name: "${repoId}"`);
    return join(this.root, `${repoId}.git`);
  }

  /**
   * Brings the repository's mirror up to date: clones it when missing or corrupted, fetches only new
   * objects otherwise. One fetch per repository at a time on this machine; a caller that waited for
   * another's fetch, started after it asked, returns without fetching again. Throws
   * MirrorUnavailableError (token refused, network, unwritable directory…): fall back to REST.
   */
  async sync(repo: MirrorRepository, token: string): Promise<MirrorSync> {
    const started = performance.now();
    const askedAt = Date.now();
    const gitDir = this.gitDirFor(repo.id);
    const elapsed = () => Math.round(performance.now() - started);
    if (repo.sizeKb !== undefined && repo.sizeKb * 1024 > this.maxRepoBytes) {
      await this.ensureRoot();
      await withLock(this.lockPath(repo.id), this.lock, () => this.discard(gitDir));
      return {
        status: "too_large",
        gitDir: null,
        ms: elapsed(),
        reason: `repository is ${formatBytes(repo.sizeKb * 1024)}, over the mirror limit of ${formatBytes(this.maxRepoBytes)}`,
      };
    }
    await this.ensureRoot();
    const result = await withLock(this.lockPath(repo.id), this.lock, async () => {
      const stamp = await readStamp(gitDir);
      const usable = (await this.exists(gitDir)) && (await looksUsable(this.root, gitDir));
      if (usable && stamp && stamp.fetchStartedAt >= askedAt) {
        await writeStamp(gitDir, { ...stamp, usedAt: Date.now() });
        return { status: "fetched" as const, coalesced: true };
      }
      if (!usable) {
        await this.discard(gitDir);
        await this.clone(gitDir, repo, token);
        return this.checkCloneSize(gitDir);
      }
      const fetchStartedAt = Date.now();
      try {
        await fetchOverHttps(this.root, gitDir, repo.cloneUrl, token);
      } catch (error) {
        const transport = error instanceof MirrorUnavailableError && error.reason !== "git";
        if (transport || (await isIntact(this.root, gitDir))) throw error;
        // Missing or broken objects: start again from nothing, once.
        await this.discard(gitDir);
        await this.clone(gitDir, repo, token);
        return this.checkCloneSize(gitDir);
      }
      await this.setHead(gitDir, repo.defaultBranch);
      const now = Date.now();
      await writeStamp(gitDir, { fetchStartedAt, fetchedAt: now, usedAt: now });
      return { status: "fetched" as const, coalesced: false };
    });
    if (result.status === "too_large")
      return { status: "too_large", gitDir: null, ms: elapsed(), reason: result.reason };
    const evicted = await this.evict(new Set([repo.id]));
    return { ...result, gitDir, ms: elapsed(), bytes: await directoryBytes(gitDir), evicted };
  }

  /**
   * A clone over the per-repository cap is deleted again: GitHub's `size` is not always known
   * before cloning, and a mirror that large would push every other one out.
   */
  private async checkCloneSize(
    gitDir: string,
  ): Promise<{ status: "cloned"; coalesced: false } | { status: "too_large"; reason: string }> {
    const bytes = await directoryBytes(gitDir);
    if (bytes <= this.maxRepoBytes) return { status: "cloned", coalesced: false };
    await this.discard(gitDir);
    return {
      status: "too_large",
      reason: `repository is ${formatBytes(bytes)}, over the mirror limit of ${formatBytes(this.maxRepoBytes)}`,
    };
  }

  /** Records that a reader used the mirror, so eviction keeps it longer. */
  async touch(repoId: string): Promise<void> {
    const gitDir = this.gitDirFor(repoId);
    const stamp = await readStamp(gitDir);
    if (stamp) await writeStamp(gitDir, { ...stamp, usedAt: Date.now() });
  }

  /** Every mirror on disk with its size and last use, largest first. */
  async list(): Promise<MirrorEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return [];
    }
    const entries: MirrorEntry[] = [];
    for (const name of names) {
      const repoId = name.endsWith(".git") ? name.slice(0, -4) : "";
      if (!REPO_ID.test(repoId)) continue;
      const gitDir = join(this.root, name);
      const info = await stat(gitDir).catch(() => null);
      if (!info?.isDirectory()) continue;
      const stamp = await readStamp(gitDir);
      entries.push({
        repoId,
        gitDir,
        bytes: await directoryBytes(gitDir),
        lastUsedAt: new Date(stamp?.usedAt ?? info.mtimeMs),
      });
    }
    return entries.sort((a, b) => b.bytes - a.bytes);
  }

  /** Deletes a repository's mirror (waits for a fetch in progress). */
  async remove(repoId: string): Promise<void> {
    const gitDir = this.gitDirFor(repoId);
    if (!(await this.exists(gitDir))) return;
    await withLock(this.lockPath(repoId), this.lock, () => this.discard(gitDir));
  }

  /** Deletes least recently used mirrors while the total is over the cap; skips any being fetched. */
  async evict(keep: ReadonlySet<string> = new Set()): Promise<string[]> {
    const entries = await this.list();
    const evicted: string[] = [];
    for (const victim of chooseEvictions(entries, this.maxBytes, keep)) {
      const removed = await withLockIfFree(this.lockPath(victim.repoId), this.lock, () =>
        this.discard(victim.gitDir),
      );
      if (removed) evicted.push(victim.repoId);
    }
    return evicted;
  }

  private lockPath(repoId: string): string {
    return join(this.root, `${repoId}.lock`);
  }

  /** Creates the root, or explains why it cannot be used. */
  private async ensureRoot(): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true });
      await access(this.root, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "error";
      throw new MirrorUnavailableError(
        "unwritable",
        `mirror directory ${this.root} is not writable (${code}); set SENTINEL_MIRROR_DIR to a writable directory`,
      );
    }
  }

  private async exists(path: string): Promise<boolean> {
    return stat(path).then(
      () => true,
      () => false,
    );
  }

  /** A fresh bare repository, filled by one fetch, moved into place only when complete. */
  private async clone(gitDir: string, repo: MirrorRepository, token: string): Promise<void> {
    const building = `${gitDir}.new-${randomBytes(4).toString("hex")}`;
    try {
      const init = await runGit(this.root, ["init", "--bare", "--quiet", building]);
      if (init.code !== 0) {
        throw new MirrorUnavailableError(
          "unwritable",
          `cannot create a mirror in ${this.root}: ${init.stderr.trim()}`,
        );
      }
      // gc in the foreground, under our lock, so eviction never deletes a repository being packed.
      await runGit(this.root, [`--git-dir=${building}`, "config", "gc.autoDetach", "false"]);
      const fetchStartedAt = Date.now();
      await fetchOverHttps(this.root, building, repo.cloneUrl, token);
      await this.setHead(building, repo.defaultBranch);
      const now = Date.now();
      await writeStamp(building, { fetchStartedAt, fetchedAt: now, usedAt: now });
      await rename(building, gitDir);
    } catch (error) {
      await rm(building, { recursive: true, force: true });
      throw error;
    }
  }

  private async setHead(gitDir: string, branch: string | undefined): Promise<void> {
    if (branch)
      await runGit(this.root, [`--git-dir=${gitDir}`, "symbolic-ref", "HEAD", `refs/heads/${branch}`]);
  }

  /** Moves the mirror aside, then deletes it: readers never see a half-deleted repository at its path. */
  private async discard(gitDir: string): Promise<void> {
    const trash = `${gitDir}.trash-${randomBytes(4).toString("hex")}`;
    try {
      await rename(gitDir, trash);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    await rm(trash, { recursive: true, force: true });
  }
}
