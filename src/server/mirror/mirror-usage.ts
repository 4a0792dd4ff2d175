import { readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

// What a mirror records about itself, in a small JSON file inside its bare repository (git ignores
// unknown files there): when its last fetch started and ended, and when anyone last used it.

export const STAMP_FILE = "sentinel-mirror.json";

export interface MirrorStamp {
  /** Epoch ms when the last successful fetch started: it has every ref pushed before this instant. */
  fetchStartedAt: number;
  fetchedAt: number;
  usedAt: number;
}

export async function readStamp(gitDir: string): Promise<MirrorStamp | null> {
  try {
    const value = JSON.parse(await readFile(join(gitDir, STAMP_FILE), "utf8")) as Partial<MirrorStamp>;
    if (typeof value.fetchStartedAt !== "number" || typeof value.usedAt !== "number") return null;
    return { fetchStartedAt: value.fetchStartedAt, fetchedAt: value.fetchedAt ?? 0, usedAt: value.usedAt };
  } catch {
    return null;
  }
}

export async function writeStamp(gitDir: string, stamp: MirrorStamp): Promise<void> {
  const path = join(gitDir, STAMP_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(stamp));
  await rename(temporary, path);
}

/** Bytes on disk under `dir` (file sizes, not blocks), 0 when it is gone. */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path);
    else if (entry.isFile())
      total += await stat(path).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}
