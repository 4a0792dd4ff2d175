import { open, readFile, stat, unlink, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { MirrorUnavailableError } from "./errors.ts";

// One fetch per repository at a time across every process on the machine: a lock file created with
// O_EXCL (`wx`), holding the owner's pid and host. The owner touches it while it works, so a lock
// whose owner died (crash, kill -9) is recognised as stale — at once when the pid is gone on this
// host, otherwise when it has not been touched for `staleMs` — and taken over.
// Why not proper-lockfile: it does the same (mkdir + mtime refresh) as a dependency that has not
// been released since 2020; these 80 lines are the part we need.

export interface LockOptions {
  /** Give up waiting after this long (MirrorUnavailableError "busy"). */
  waitMs: number;
  /** A lock not touched for this long belongs to a dead owner. */
  staleMs: number;
}

interface LockOwner {
  pid: number;
  host: string;
}

/** Runs `fn` holding the lock file at `path`, waiting for another holder to finish first. */
export async function withLock<T>(path: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  await acquire(path, options);
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      void utimes(path, now, now).catch(() => undefined);
    },
    Math.max(50, Math.floor(options.staleMs / 3)),
  );
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await unlink(path).catch(() => undefined);
  }
}

/** Takes the lock only if nobody holds it; returns whether it ran `fn`. */
export async function withLockIfFree(
  path: string,
  options: LockOptions,
  fn: () => Promise<void>,
): Promise<boolean> {
  let held = await tryCreate(path);
  if (!held && (await removeIfStale(path, options.staleMs))) held = await tryCreate(path);
  if (!held) return false;
  try {
    await fn();
  } finally {
    await unlink(path).catch(() => undefined);
  }
  return true;
}

async function acquire(path: string, options: LockOptions): Promise<void> {
  const deadline = Date.now() + options.waitMs;
  let pause = 25;
  for (;;) {
    if (await tryCreate(path)) return;
    if (await removeIfStale(path, options.staleMs)) continue;
    if (Date.now() > deadline) {
      throw new MirrorUnavailableError(
        "busy",
        `another process has held the mirror lock ${path} for over ${Math.round(options.waitMs / 1000)} s`,
      );
    }
    await sleep(pause);
    pause = Math.min(500, pause * 2);
  }
}

async function tryCreate(path: string): Promise<boolean> {
  try {
    const handle = await open(path, "wx");
    try {
      const owner: LockOwner = { pid: process.pid, host: hostname() };
      await handle.writeFile(JSON.stringify(owner));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

/** Deletes the lock when its owner is gone; true when the caller should try again at once. */
async function removeIfStale(path: string, staleMs: number): Promise<boolean> {
  try {
    const [info, text] = await Promise.all([stat(path), readFile(path, "utf8")]);
    const owner = parseOwner(text);
    const deadOwner = owner !== null && owner.host === hostname() && !alive(owner.pid);
    // An empty file is a lock being written this instant: only age makes it stale.
    const untouched = Date.now() - info.mtimeMs > staleMs;
    if (!deadOwner && !untouched) return false;
    await unlink(path);
    return true;
  } catch (error) {
    // Released between our attempts: try again.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    return typeof value.pid === "number" && typeof value.host === "string"
      ? { pid: value.pid, host: value.host }
      : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
