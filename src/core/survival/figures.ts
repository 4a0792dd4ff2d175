import type { RiskTier } from "../enums.ts";
import { type Bucket, type LineClass, type LineLedger, OLDER } from "./ledger.ts";

// The figures read off a finished ledger: what the end revision holds (blame view), what became
// of every group of added lines (alive at the end, or deleted by which commit), and churn windows.

export type ClassCounts = Record<LineClass, number>;

const zero = (): ClassCounts => ({ ai: 0, human: 0, unknown: 0 });

export interface SurvivalFigures {
  revision: string;
  /** Lines of the revision's text files by the verdict of the commit blame names. */
  present: ClassCounts;
  /** Lines of the revision older than the walk (blame's boundary lines). */
  older: number;
  /** Lines the walk added, whitespace-only changes not counted, by verdict. */
  added: ClassCounts;
}

/** The end revision's lines by verdict, and the walk's added lines; the ledger must be classified. */
export function survivalAt(ledger: LineLedger, revision: string): SurvivalFigures {
  const tree = ledger.tree(revision);
  if (tree === undefined) throw new Error(`revision ${revision} is not held by the ledger`);
  const present = zero();
  let older = 0;
  for (const lines of tree.values()) {
    for (let i = 0; i < lines.length; i++) {
      const id = lines[i] as number;
      if (id === OLDER) older++;
      else present[(ledger.buckets[ledger.bucketOf(id)] as Bucket).lineClass]++;
    }
  }
  const added = zero();
  for (let g = 0; g < ledger.groupCount; g++) {
    const { start, end, bucket } = ledger.group(g);
    if (!ledger.splitGroup(g)) {
      added[(ledger.buckets[bucket] as Bucket).lineClass] += end - start;
      continue;
    }
    for (let id = start; id < end; id++)
      added[(ledger.buckets[ledger.bucketOf(id, g)] as Bucket).lineClass]++;
  }
  return { revision, present, older, added };
}

/** What became of one commit's added lines in one file (one verdict). */
export interface GroupFate {
  sha: string;
  /** Committer time of the commit that added them, Unix seconds. */
  time: number;
  path: string;
  bucket: Bucket;
  added: number;
  /** Still in the end revision. */
  present: number;
  /** Deleted or rewritten (and not present at the end), by the commit that did it. */
  deaths: Array<{ sha: string; time: number; lines: number }>;
}

/** Every group of added lines (split by verdict) and its fate as of `revision`. */
export function* groupFates(ledger: LineLedger, revision: string): Generator<GroupFate> {
  const alive = new Uint8Array(ledger.idLimit);
  for (const lines of ledger.tree(revision)?.values() ?? []) {
    for (let i = 0; i < lines.length; i++) alive[lines[i] as number] = 1;
  }
  for (let g = 0; g < ledger.groupCount; g++) {
    const { start, end, commit, bucket, path } = ledger.group(g);
    const split = ledger.splitGroup(g);
    const byBucket = new Map<number, { added: number; present: number; killers: Map<number, number> }>();
    for (let id = start; id < end; id++) {
      const b = split ? ledger.bucketOf(id, g) : bucket;
      let fate = byBucket.get(b);
      if (fate === undefined) {
        fate = { added: 0, present: 0, killers: new Map() };
        byBucket.set(b, fate);
      }
      fate.added++;
      if (alive[id] === 1) {
        fate.present++;
        continue;
      }
      const k = ledger.killerOf(id);
      if (k >= 0) fate.killers.set(k, (fate.killers.get(k) ?? 0) + 1);
    }
    for (const [b, fate] of byBucket) {
      yield {
        sha: ledger.shas[commit] as string,
        time: ledger.times[commit] as number,
        path: ledger.paths[path] as string,
        bucket: ledger.buckets[b] as Bucket,
        added: fate.added,
        present: fate.present,
        deaths: [...fate.killers].map(([k, lines]) => ({
          sha: ledger.shas[k] as string,
          time: ledger.times[k] as number,
          lines,
        })),
      };
    }
  }
}

export const CHURN_WINDOWS_DAYS = [14, 30, 90] as const;
const DAY = 86_400;

/** Of `lines` added lines old enough for the window, `churned` were deleted or rewritten within it. */
export interface ChurnCell {
  lines: number;
  churned: number;
}

export interface ChurnWindow {
  days: number;
  byClass: Record<LineClass, ChurnCell>;
  /** AI lines only, by the tool their verdict names (null: none named). */
  byTool: Map<string | null, ChurnCell>;
  /** By risk tier (null: the commit's verdict named none), split by verdict. */
  byTier: Map<RiskTier | null, Record<LineClass, ChurnCell>>;
}

const cells = (): Record<LineClass, ChurnCell> => ({
  ai: { lines: 0, churned: 0 },
  human: { lines: 0, churned: 0 },
  unknown: { lines: 0, churned: 0 },
});

/**
 * Churn within each window: a line counts only when `endTime − its commit time ≥ window` (it had
 * the whole window to be changed), and is churned when the commit that deleted it came at most
 * `window` after it (a negative gap, from skewed clocks, counts as zero).
 */
export function churnWindows(
  fates: Iterable<GroupFate>,
  endTime: number,
  windows: readonly number[] = CHURN_WINDOWS_DAYS,
): ChurnWindow[] {
  const out: ChurnWindow[] = windows.map((days) => ({
    days,
    byClass: cells(),
    byTool: new Map(),
    byTier: new Map(),
  }));
  for (const fate of fates) {
    const { lineClass, tool, tier } = fate.bucket;
    for (const w of out) {
      const span = w.days * DAY;
      if (endTime - fate.time < span) continue;
      let churned = 0;
      for (const d of fate.deaths) if (d.time - fate.time <= span) churned += d.lines;
      const add = (cell: ChurnCell) => {
        cell.lines += fate.added;
        cell.churned += churned;
      };
      add(w.byClass[lineClass]);
      if (lineClass === "ai") {
        const cell = w.byTool.get(tool) ?? { lines: 0, churned: 0 };
        w.byTool.set(tool, cell);
        add(cell);
      }
      const tierCells = w.byTier.get(tier) ?? cells();
      w.byTier.set(tier, tierCells);
      add(tierCells[lineClass]);
    }
  }
  return out;
}
