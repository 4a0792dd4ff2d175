// What the line ledger reads: each commit of the walk, parents before children, with git's
// whitespace-ignoring (`-w`), zero-context (`-U0`), rename-following (`-M`) diff against each parent
// it follows. Pure data: src/git/line-history.ts fills it from one `git log` process.

/** Order-independent digest of a set of lines (whitespace removed), for the inverse-diff revert test. */
export interface LineDigest {
  count: number;
  /** Sums (mod 2^32) of two independent 32-bit hashes of each line. */
  h1: number;
  h2: number;
}

export interface FileDiff {
  /** Raw status letter: A, D, M, R, T (type change), C, U, X. */
  status: string;
  /** Null when the file is added. */
  oldPath: string | null;
  /** Null when the file is deleted. */
  newPath: string | null;
  /** Blob ids; null on the missing side. */
  oldBlob: string | null;
  newBlob: string | null;
  /** Binary content or a submodule: no lines are tracked. */
  binary: boolean;
  /** `[oldStart, oldCount, newStart, newCount]` per hunk, as git prints them with `-U0`. */
  hunks: number[];
  removed: LineDigest;
  added: LineDigest;
}

export interface HistoryCommit {
  sha: string;
  /** The parents the walk follows (only the first with --first-parent), in git's order. */
  parents: string[];
  /** All parents, followed or not: more than one is a merge. */
  parentCount: number;
  /** Committer time, Unix seconds. */
  time: number;
  message: string;
  /**
   * One entry per followed parent: the diff against it, or null when the trees are identical. A
   * root commit has one entry, its diff against the empty tree.
   */
  diffs: Array<FileDiff[] | null>;
  /** Commits of the walk that follow this one as a parent; 0 for a tip. */
  children: number;
  /** Oldest commit of a shallow clone: git shows its whole tree as added, so those lines are older than the walk. */
  shallow: boolean;
}

export const EMPTY_DIGEST: LineDigest = { count: 0, h1: 0, h2: 0 };
