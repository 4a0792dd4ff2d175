/** One mirror's disk use, as `RepositoryMirrors.list()` reports it. */
export interface MirrorEntry {
  repoId: string;
  gitDir: string;
  bytes: number;
  /** Last sync or read (epoch ms). */
  lastUsedAt: Date;
}

/**
 * The mirrors to delete so the total fits in `maxBytes`: least recently used first, never the
 * ones in `keep` (the mirror a sync just brought up to date). May not reach the cap when the kept
 * mirrors alone exceed it.
 */
export function chooseEvictions(
  entries: MirrorEntry[],
  maxBytes: number,
  keep: ReadonlySet<string>,
): MirrorEntry[] {
  let total = entries.reduce((sum, e) => sum + e.bytes, 0);
  const victims: MirrorEntry[] = [];
  const oldestFirst = [...entries].sort((a, b) => a.lastUsedAt.getTime() - b.lastUsedAt.getTime());
  for (const entry of oldestFirst) {
    if (total <= maxBytes) break;
    if (keep.has(entry.repoId)) continue;
    victims.push(entry);
    total -= entry.bytes;
  }
  return victims;
}
