import { type FileFate, fileFates } from "../core/survival/file-fates.ts";
import { LineLedger, OLDER } from "../core/survival/ledger.ts";
import { RevertFinder } from "../core/survival/reverts.ts";
import { BlobLineCounter, countTreeLines, type LineHistoryRange, openLineHistory } from "./line-history.ts";

// One walk of a repository's history through the line ledger, oldest first, with its reverts:
// what `sentinel analyze` reports and what the server stores (line_survival) both start here.

/** The walk, done: the ledger (not yet classified) and the reverts it found. */
export interface LineWalk {
  ledger: LineLedger;
  reverts: RevertFinder;
  /** Some parent lies outside the walk: the end revision may hold lines older than it. */
  bounded: boolean;
}

/** Walks the range; stops early (null) when `signal` aborts. Null for an empty range. */
export async function walkLineHistory(request: {
  root: string;
  range: LineHistoryRange;
  /** Commits of a shallow clone's boundary. */
  shallow: ReadonlySet<string>;
  /** Commits whose added lines keep their line numbers (line-level verdicts). */
  lineNumbersFor?: (sha: string) => boolean;
  signal?: AbortSignal;
}): Promise<LineWalk | null> {
  const walk = await openLineHistory(request.root, request.range, request.shallow);
  if (walk.size === 0) return null;
  const ledger = new LineLedger(request.lineNumbersFor ? { lineNumbersFor: request.lineNumbersFor } : {});
  const reverts = new RevertFinder();
  const blobs = new BlobLineCounter(request.root);
  try {
    for await (const commit of walk.commits()) {
      if (request.signal?.aborted) return null;
      const needs = ledger.needs(commit);
      ledger.apply(commit, needs.length > 0 ? await blobs.count(needs) : undefined);
      reverts.add({
        sha: commit.sha,
        message: commit.message,
        parentCount: commit.parentCount,
        diff: commit.diffs[0] ?? null,
      });
    }
  } finally {
    blobs.close();
  }
  return { ledger, reverts, bounded: walk.bounded };
}

/** The tip a walk is counted at: `preferred` when it is one of the walk's tips, else the last. */
export function walkTip(ledger: LineLedger, preferred: string | null): string | undefined {
  return preferred !== null && ledger.tips.includes(preferred)
    ? preferred
    : (ledger.tips[ledger.tips.length - 1] ?? ledger.shas[ledger.shas.length - 1]);
}

export interface TipLines {
  /** Lines of the tip's text files. */
  lines: number;
  /** Of those, lines older than the walk (blame's boundary lines). */
  older: number;
}

/**
 * Lines at the tip, and how many are older than the walk. Files the walk never touched are not in
 * the ledger: when it is bounded, their lines are counted from the tip's tree, all older.
 */
export async function tipLines(root: string, walk: LineWalk, tip: string): Promise<TipLines> {
  const tree = walk.ledger.tree(tip);
  if (tree === undefined) throw new Error(`revision ${tip} is not held by the ledger`);
  let lines = 0;
  let older = 0;
  for (const ids of tree.values()) {
    lines += ids.length;
    for (let i = 0; i < ids.length; i++) if (ids[i] === OLDER) older++;
  }
  if (!walk.bounded) return { lines, older };
  const total = await countTreeLines(root, tip);
  return { lines: Math.max(lines, total), older: older + Math.max(0, total - lines) };
}

/** What line_survival stores of a walk, as of `tip`: classifies the ledger (see fileFates). */
export function walkFates(walk: LineWalk, tip: string): FileFate[] {
  return fileFates(walk.ledger, tip);
}
