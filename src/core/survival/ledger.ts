import type { RiskTier } from "../enums.ts";
import type { FileDiff, HistoryCommit } from "./history.ts";

// Line provenance through history, the way `git blame -w` assigns it. Every line a commit adds gets
// a numeric id; each file of each live revision is an Int32Array of the ids of its lines, so memory
// is four bytes a line of the trees still needed plus four bytes a line ever added (who deleted it),
// never the text. Commits arrive parents first; a tree is dropped as soon as its last child is done.
//
// Per commit and file (the diff against each followed parent, whitespace ignored, renames followed):
// - lines the diff keeps carry their id over; lines it removes die by this commit;
// - a merge passes lines on as blame does: a file identical to a parent (first such parent in
//   order) is that parent's, whole; otherwise lines unchanged against the first parent are the first
//   parent's, the remaining ones unchanged against the second are the second's, and so on; only lines
//   new against every parent are the merge's own;
// - a line dies at the earliest (committer time) commit that drops it; a merge that keeps a line one
//   branch had dropped brings it back.
// Who wrote the lines (the attribution verdicts) is not needed while walking: `classify` applies
// it at the end, so the walk can run while the attribution pass is still going.

export type LineClass = "ai" | "human" | "unknown";
export const LINE_CLASSES: readonly LineClass[] = ["ai", "human", "unknown"];

/** Who wrote a commit's added lines in one file, as the attribution engine decided. */
export interface FileVerdict {
  /** One class for every added line, or one per line number in the new file (line-level records). */
  lineClass: LineClass | ((line: number) => LineClass);
  /** Tool named for the AI lines. */
  tool: string | null;
  tier: RiskTier | null;
}

export type VerdictLookup = (sha: string, path: string) => FileVerdict;

/** Lines whose origin is older than the walk: git blame's boundary (`^`) lines. */
export const OLDER = 0;
const PLACEHOLDER = -1;
const EMPTY = new Int32Array(0);
const NO_BLOBS: ReadonlyMap<string, number> = new Map();

export interface Bucket {
  lineClass: LineClass;
  tool: string | null;
  tier: RiskTier | null;
}

type Tree = Map<string, Int32Array>;

/** A growable Int32Array. */
class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  push(value: number): void {
    if (this.length === this.data.length) this.#grow(this.length * 2);
    this.data[this.length++] = value;
  }
  at(i: number): number {
    return this.data[i] ?? 0;
  }
  #grow(capacity: number): void {
    const next = new Int32Array(capacity);
    next.set(this.data);
    this.data = next;
  }
}

function pushAll(target: number[], ids: Int32Array): void {
  for (let i = 0; i < ids.length; i++) target.push(ids[i] as number);
}

/** True when the diff entry leaves the content as it was (a pure rename, a mode change). */
function sameContent(f: FileDiff): boolean {
  return f.oldBlob !== null && f.oldBlob === f.newBlob && f.hunks.length === 0;
}

function byNewPath(diff: FileDiff[] | null | undefined): Map<string, FileDiff> | null {
  if (diff == null) return null;
  const map = new Map<string, FileDiff>();
  for (const f of diff) if (f.newPath !== null) map.set(f.newPath, f);
  return map;
}

export class LineLedger {
  /** Commits in the order applied, and their committer times (Unix seconds). */
  readonly shas: string[] = [];
  readonly times: number[] = [];
  /** Commits without a child in the walk: its tips, in the order applied. */
  readonly tips: string[] = [];
  readonly buckets: Bucket[] = [];
  readonly paths: string[] = [];
  /** Diff hunks that did not fit the tracked lines (zero unless the input is inconsistent). */
  mismatches = 0;

  readonly #lineNumbersFor: (sha: string) => boolean;
  readonly #states = new Map<string, Tree>();
  readonly #pending = new Map<string, number>();
  readonly #bucketIds = new Map<string, number>();
  readonly #pathIds = new Map<string, number>();
  /** Per line id: index of the commit that deleted it, or -1. Id 0 is OLDER. */
  #killer = new Int32Array(1 << 16).fill(-1);
  #nextId = 1;
  readonly #groupStart = new IntList();
  readonly #groupCommit = new IntList();
  readonly #groupPath = new IntList();

  /** Per group, its bucket once classified (-1 before). */
  readonly #groupBucket = new IntList();
  /** New-file line numbers of groups whose verdict may differ line by line. */
  readonly #lineNumbers = new Map<number, Int32Array>();
  /** Ids whose bucket differs from their group's (line-level verdicts), and their groups. */
  readonly #idBucket = new Map<number, number>();
  readonly #splitGroups = new Set<number>();
  #classified = false;

  /**
   * `lineNumbersFor(sha)`: whether the commit may carry line-level evidence (a git-ai note, an
   * Agent Trace record), so the line numbers of its added lines are kept for `classify`.
   */
  constructor(options: { lineNumbersFor?: (sha: string) => boolean } = {}) {
    this.#lineNumbersFor = options.lineNumbersFor ?? (() => false);
  }

  /** Line ids handed out so far (ids run from 1 to this minus one). */
  get idLimit(): number {
    return this.#nextId;
  }

  get groupCount(): number {
    return this.#groupStart.length;
  }

  /** The file trees of a revision still held (a tip, or a commit with children to come). */
  tree(sha: string): ReadonlyMap<string, Int32Array> | undefined {
    return this.#states.get(sha);
  }

  /** Index of the commit that deleted line `id`, or -1 when nothing did. */
  killerOf(id: number): number {
    return this.#killer[id] ?? -1;
  }

  /** Group `g`: the run of ids one commit added to one file (bucket -1 until classified). */
  group(g: number): { start: number; end: number; commit: number; bucket: number; path: number } {
    return {
      start: this.#groupStart.at(g),
      end: g + 1 < this.#groupStart.length ? this.#groupStart.at(g + 1) : this.#nextId,
      commit: this.#groupCommit.at(g),
      bucket: this.#groupBucket.at(g),
      path: this.#groupPath.at(g),
    };
  }

  /** The group holding line `id` (> 0), by binary search: groups are allocated in id order. */
  groupOf(id: number): number {
    const starts = this.#groupStart.data;
    let lo = 0;
    let hi = this.#groupStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= id) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Blobs whose line counts `apply` needs: files of parents outside the walk (a range's boundary, a
   * shallow clone), which it has never seen added. Their lines are OLDER.
   */
  needs(commit: HistoryCommit): string[] {
    const out = new Set<string>();
    const trees = commit.parents.map((p) => this.#states.get(p));
    const d1 = commit.diffs[0] ?? null;
    const want = (tree: Tree | undefined, path: string, blob: string | null) => {
      if (blob !== null && !tree?.has(path)) out.add(blob);
    };
    for (const f of d1 ?? []) {
      if (f.oldPath !== null && !f.binary && !sameContent(f)) want(trees[0], f.oldPath, f.oldBlob);
    }
    if (commit.diffs.length > 1) {
      const mine = byNewPath(d1);
      for (let k = 1; k < commit.diffs.length; k++) {
        const theirs = byNewPath(commit.diffs[k]);
        for (const [path, f] of mine ?? []) {
          if (f.binary || sameContent(f)) continue;
          const entry = theirs?.get(path);
          if (entry === undefined || sameContent(entry)) want(trees[k], entry?.oldPath ?? path, f.newBlob);
        }
        for (const g of commit.diffs[k] ?? []) {
          if (g.oldPath !== null && !g.binary && !sameContent(g)) want(trees[k], g.oldPath, g.oldBlob);
        }
      }
    }
    return [...out];
  }

  /** Applies one commit; `blobLines` holds the line counts `needs` asked for. */
  apply(commit: HistoryCommit, blobLines: ReadonlyMap<string, number> = NO_BLOBS): void {
    const c = this.shas.length;
    this.shas.push(commit.sha);
    this.times.push(commit.time);
    const trees = commit.parents.map((p) => this.#states.get(p));
    const base = this.#baseTree(commit);
    const kills: number[] = [];
    const touched = new Map<string, Int32Array>();
    const removed = new Set<string>();
    const d1 = commit.diffs[0] ?? null;
    for (const f of d1 ?? []) {
      if (f.oldPath !== null) removed.add(f.oldPath);
      // A file never tracked (binary, or older than the walk) renamed as is stays untracked.
      if (f.oldPath !== null && sameContent(f) && !trees[0]?.has(f.oldPath)) continue;
      const old =
        f.oldPath === null ? EMPTY : this.#lines(trees[0], f.oldPath, f.oldBlob, f.binary, blobLines);
      if (f.binary || f.newPath === null) {
        pushAll(kills, old);
        continue;
      }
      touched.set(f.newPath, this.#patch(old, f.hunks, kills));
    }
    const merge = commit.diffs.length > 1;
    const named = new Set<string>(touched.keys());
    if (merge) this.#resolveMerge(commit, trees, touched, kills, named, blobLines);

    for (const path of removed) base.delete(path);
    for (const [path, lines] of touched) base.set(path, this.#assign(c, commit, path, lines));

    if (merge) {
      // A line dropped against one parent may live on through another; one a branch had dropped
      // and the merge kept is alive again.
      const candidates = new Set<number>();
      for (const id of kills) if (id > 0) candidates.add(id);
      for (const path of named) {
        const lines = base.get(path);
        if (lines === undefined) continue;
        for (let i = 0; i < lines.length; i++) {
          const id = lines[i] as number;
          if (id <= 0) continue;
          this.#killer[id] = -1;
          if (candidates.size > 0) candidates.delete(id);
        }
      }
      for (const id of candidates) this.#kill(id, c);
    } else {
      for (const id of kills) if (id > 0) this.#kill(id, c);
    }

    for (const p of new Set(commit.parents)) {
      const left = (this.#pending.get(p) ?? 0) - 1;
      if (left > 0) {
        this.#pending.set(p, left);
      } else if (this.#pending.has(p)) {
        this.#pending.delete(p);
        this.#states.delete(p);
      }
    }
    this.#states.set(commit.sha, base);
    this.#pending.set(commit.sha, commit.children);
    if (commit.children === 0) this.tips.push(commit.sha);
  }

  /** The first parent's tree, taken over when this is its last child, copied otherwise. */
  #baseTree(commit: HistoryCommit): Tree {
    const first = commit.parents[0];
    if (first === undefined) return new Map();
    const tree = this.#states.get(first);
    if (tree === undefined) return new Map();
    const lastChild = this.#pending.get(first) === 1 && !commit.parents.slice(1).includes(first);
    return lastChild ? tree : new Map(tree);
  }

  #lines(
    tree: Tree | undefined,
    path: string,
    blob: string | null,
    binary: boolean,
    blobLines: ReadonlyMap<string, number>,
  ): Int32Array {
    const known = tree?.get(path);
    if (known !== undefined) return known;
    if (binary || blob === null) return EMPTY;
    // Zero-filled: every line OLDER.
    return new Int32Array(blobLines.get(blob) ?? 0);
  }

  /** Applies `-U0` hunks: kept ids carried over, removed ones pushed to `kills`, new lines PLACEHOLDER. */
  #patch(old: Int32Array, hunks: readonly number[], kills: number[]): Int32Array {
    if (hunks.length === 0) return old;
    let source = old;
    let needed = 0;
    let delta = 0;
    for (let i = 0; i < hunks.length; i += 4) {
      const os = hunks[i] as number;
      const oc = hunks[i + 1] as number;
      needed = Math.max(needed, (oc > 0 ? os - 1 : os) + oc);
      delta += (hunks[i + 3] as number) - oc;
    }
    if (needed > old.length) {
      // The tracked file is shorter than the diff says; never on consistent input. Pad with OLDER.
      this.mismatches++;
      source = new Int32Array(needed);
      source.set(old);
    }
    const out = new Int32Array(Math.max(0, source.length + delta));
    let o = 0;
    let n = 0;
    for (let i = 0; i < hunks.length; i += 4) {
      const os = hunks[i] as number;
      const oc = hunks[i + 1] as number;
      const nc = hunks[i + 3] as number;
      const keep = Math.max(o, oc > 0 ? os - 1 : os);
      out.set(source.subarray(o, keep), n);
      n += keep - o;
      for (let j = keep; j < keep + oc; j++) kills.push(source[j] as number);
      o = keep + oc;
      out.fill(PLACEHOLDER, n, n + nc);
      n += nc;
    }
    out.set(source.subarray(o), n);
    return out;
  }

  #resolveMerge(
    commit: HistoryCommit,
    trees: Array<Tree | undefined>,
    touched: Map<string, Int32Array>,
    kills: number[],
    named: Set<string>,
    blobLines: ReadonlyMap<string, number>,
  ): void {
    const mine = byNewPath(commit.diffs[0]);
    const resolved = new Set<string>();
    // A file the first parent already had as is stays the first parent's.
    for (const [path, f] of mine ?? []) if (f.binary || sameContent(f)) resolved.add(path);
    const theirs = commit.diffs.map((d, k) => (k === 0 ? null : byNewPath(d)));

    // Blame gives a file identical to another parent's wholly to the first such parent.
    for (const [path, lines] of touched) {
      if (resolved.has(path)) continue;
      for (let k = 1; k < commit.diffs.length; k++) {
        const entry = theirs[k]?.get(path);
        if (commit.diffs[k] !== null && entry !== undefined && !sameContent(entry)) continue;
        const blob = mine?.get(path)?.newBlob ?? null;
        const whole = this.#lines(trees[k], entry?.oldPath ?? path, blob, false, blobLines);
        pushAll(kills, lines);
        touched.set(path, whole);
        resolved.add(path);
        break;
      }
    }

    // Then line by line: what is still new takes the ids of the next parent that has it.
    for (let k = 1; k < commit.diffs.length; k++) {
      for (const g of commit.diffs[k] ?? []) {
        if (g.oldPath !== null && sameContent(g) && !trees[k]?.has(g.oldPath)) continue;
        const old =
          g.oldPath === null ? EMPTY : this.#lines(trees[k], g.oldPath, g.oldBlob, g.binary, blobLines);
        if (g.newPath === null || g.binary) {
          pushAll(kills, old);
          continue;
        }
        named.add(g.newPath);
        const lines = touched.get(g.newPath);
        const theirLines = this.#patch(old, g.hunks, kills);
        if (lines === undefined || resolved.has(g.newPath)) continue;
        if (theirLines.length !== lines.length) {
          this.mismatches++;
          continue;
        }
        for (let i = 0; i < lines.length; i++) {
          if (lines[i] === PLACEHOLDER) lines[i] = theirLines[i] as number;
        }
      }
    }
  }

  /** Gives the PLACEHOLDER lines of `lines` new ids: one group for the commit and file. */
  #assign(c: number, commit: HistoryCommit, path: string, lines: Int32Array): Int32Array {
    let count = 0;
    for (let i = 0; i < lines.length; i++) if (lines[i] === PLACEHOLDER) count++;
    if (count === 0) return lines;
    if (commit.shallow) {
      // git shows a shallow clone's oldest commit as adding its whole tree; blame calls it a boundary.
      for (let i = 0; i < lines.length; i++) if (lines[i] === PLACEHOLDER) lines[i] = OLDER;
      return lines;
    }
    const pathId = this.#intern(this.#pathIds, this.paths, path, path);
    const g = this.#groupStart.length;
    const start = this.#group(c, pathId, count);
    const numbers = this.#lineNumbersFor(commit.sha) ? new Int32Array(count) : null;
    let id = start;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] !== PLACEHOLDER) continue;
      if (numbers) numbers[id - start] = i + 1;
      lines[i] = id++;
    }
    if (numbers) this.#lineNumbers.set(g, numbers);
    return lines;
  }

  /** Gives every group its verdict (by the commit and path that added it); once, after the walk. */
  classify(verdict: VerdictLookup): void {
    for (let g = 0; g < this.#groupStart.length; g++) {
      const { start, commit, path } = this.group(g);
      const v = verdict(this.shas[commit] as string, this.paths[path] as string);
      const { lineClass } = v;
      if (typeof lineClass === "string") {
        this.#groupBucket.data[g] = this.#bucket(lineClass, v);
        continue;
      }
      const numbers = this.#lineNumbers.get(g);
      const first = this.#bucket(lineClass(numbers?.[0] ?? 1), v);
      this.#groupBucket.data[g] = first;
      if (numbers === undefined) continue;
      for (let k = 1; k < numbers.length; k++) {
        const b = this.#bucket(lineClass(numbers[k] as number), v);
        if (b === first) continue;
        this.#idBucket.set(start + k, b);
        this.#splitGroups.add(g);
      }
    }
    this.#lineNumbers.clear();
    this.#classified = true;
  }

  /** Bucket of line `id` (> 0); `classify` must have run. */
  bucketOf(id: number, group = this.groupOf(id)): number {
    if (!this.#classified) throw new Error("the ledger is not classified yet");
    return this.#idBucket.get(id) ?? this.#groupBucket.at(group);
  }

  /** Whether some lines of group `g` have another bucket than the group's. */
  splitGroup(g: number): boolean {
    return this.#splitGroups.has(g);
  }

  #bucket(lineClass: LineClass, verdict: FileVerdict): number {
    const tool = lineClass === "ai" ? verdict.tool : null;
    const key = `${lineClass}\u0000${tool ?? ""}\u0000${tool === null ? 0 : 1}\u0000${verdict.tier ?? ""}`;
    return this.#intern(this.#bucketIds, this.buckets, key, { lineClass, tool, tier: verdict.tier });
  }

  #intern<T>(ids: Map<string, number>, list: T[], key: string, value: T): number {
    let id = ids.get(key);
    if (id === undefined) {
      id = list.length;
      list.push(value);
      ids.set(key, id);
    }
    return id;
  }

  #group(c: number, path: number, count: number): number {
    const start = this.#nextId;
    this.#groupStart.push(start);
    this.#groupCommit.push(c);
    this.#groupBucket.push(-1);
    this.#groupPath.push(path);
    this.#nextId += count;
    if (this.#nextId > this.#killer.length) {
      const next = new Int32Array(Math.max(this.#nextId, this.#killer.length * 2)).fill(-1);
      next.set(this.#killer);
      this.#killer = next;
    }
    return start;
  }

  #kill(id: number, c: number): void {
    const k = this.#killer[id] as number;
    if (k === -1 || (this.times[c] as number) < (this.times[k] as number)) this.#killer[id] = c;
  }
}
