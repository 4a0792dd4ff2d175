import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import type { FileDiff, HistoryCommit, LineDigest } from "../core/survival/history.ts";
import { BIG_FILE_THRESHOLD, gitLogRecords } from "./log-stream.ts";
import { GitError, gitEnv, gitMessage, NEUTRAL_CONFIG, runGit, spawnError } from "./run-git.ts";

// The history the line ledger reads (src/core/survival/), from ONE `git log` process, oldest first
// (`--reverse --topo-order`: parents before children), with the diff `git blame -w` would compute:
// zero context, whitespace ignored, renames followed, Myers with the indent heuristic. Merges come
// with their diff against every parent (`--diff-merges=separate`), or against the first only when
// the walk follows first parents. Patch text is hashed on the fly and never kept.

export interface LineHistoryRange {
  /** Revisions or ranges as git takes them. */
  revisions: string[];
  since?: string | undefined;
  /** Follow first parents only; each merge then carries its diff against its first parent. */
  firstParent: boolean;
}

interface Planned {
  tree: string;
  /** Followed parents. */
  parents: string[];
  parentCount: number;
  children: number;
}

export interface LineHistoryWalk {
  /** Commits the walk holds. */
  size: number;
  /** Some followed parent lies outside the walk (a range, --since, a shallow clone). */
  bounded: boolean;
  commits(): AsyncGenerator<HistoryCommit>;
}

function rangeArgs(range: LineHistoryRange): string[] {
  return [
    ...(range.firstParent ? ["--first-parent"] : []),
    ...(range.since !== undefined ? [`--since=${range.since}`] : []),
    ...range.revisions,
    "--",
  ];
}

/** Lists the walk (commit, tree, parents), so each tree can be dropped after its last child. */
export async function openLineHistory(
  root: string,
  range: LineHistoryRange,
  shallow: ReadonlySet<string>,
): Promise<LineHistoryWalk> {
  const listed = await runGit(root, ["log", "--format=%H %T %P", ...rangeArgs(range)]);
  if (listed.code !== 0) throw new GitError(gitMessage(listed.stderr));
  const plan = new Map<string, Planned>();
  for (const line of listed.stdout.toString("latin1").split("\n")) {
    if (line === "") continue;
    const [sha = "", tree = "", ...parents] = line.split(" ").filter((s) => s !== "");
    plan.set(sha, {
      tree,
      parents: range.firstParent ? parents.slice(0, 1) : parents,
      parentCount: parents.length,
      children: 0,
    });
  }
  const outside = new Set<string>();
  for (const [sha, c] of plan) {
    for (const p of c.parents) {
      const parent = plan.get(p);
      if (parent) parent.children++;
      else outside.add(p);
    }
    if (shallow.has(sha)) outside.add(sha);
  }
  // A merge's diffs skip parents whose tree equals its own; outside parents' trees say which.
  const trees = new Map<string, string>();
  const merged = [...outside].filter((p) => !shallow.has(p));
  if (!range.firstParent && merged.length > 0) {
    const result = await runGit(root, ["cat-file", "--batch-check=%(objectname)"], {
      input: merged.map((p) => `${p}^{tree}\n`).join(""),
    });
    const lines = result.stdout.toString("latin1").split("\n");
    merged.forEach((p, i) => {
      const tree = lines[i]?.trim() ?? "";
      if (/^[0-9a-f]{40,64}$/.test(tree)) trees.set(p, tree);
    });
  }
  const treeOf = (sha: string) => plan.get(sha)?.tree ?? trees.get(sha) ?? null;
  return {
    size: plan.size,
    bounded: outside.size > 0,
    commits: () => streamCommits(root, range, plan, treeOf, shallow),
  };
}

/** Arguments of the history `git log` (exported for tests). */
export function lineHistoryArgs(nonce: string, range: LineHistoryRange): string[] {
  return [
    ...NEUTRAL_CONFIG,
    "-c",
    `core.bigFileThreshold=${BIG_FILE_THRESHOLD}`,
    "log",
    "-z",
    "--raw",
    "-p",
    "-U0",
    "-M",
    "-w",
    "--no-abbrev",
    // Pinned whatever the user's configuration: unmerged hunks, the header prefixes, root diffs.
    "--inter-hunk-context=0",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--root",
    "--diff-algorithm=myers",
    "--indent-heuristic",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--encoding=UTF-8",
    "--no-notes",
    `--diff-merges=${range.firstParent ? "first-parent" : "separate"}`,
    "--reverse",
    "--topo-order",
    `--format=%x01${nonce}%x00%H%x00%ct%x00%B%x00%x02`,
    ...rangeArgs(range),
  ];
}

interface ParsedRecord {
  sha: string;
  time: number;
  message: string;
  /** Raw entries were present: the trees differ. */
  changed: boolean;
  files: FileDiff[];
}

async function* streamCommits(
  root: string,
  range: LineHistoryRange,
  plan: Map<string, Planned>,
  treeOf: (sha: string) => string | null,
  shallow: ReadonlySet<string>,
): AsyncGenerator<HistoryCommit> {
  let group: ParsedRecord[] = [];
  const finish = (): HistoryCommit | null => {
    const first = group[0];
    if (first === undefined) return null;
    const records = group;
    group = [];
    return toCommit(first, records, plan, treeOf, shallow);
  };
  // A merge comes as one record per parent it differs from: they are grouped into one commit.
  for await (const { record, markerLength } of gitLogRecords(root, (nonce) =>
    lineHistoryArgs(nonce, range),
  )) {
    const parsed = parseHistoryRecord(record, markerLength);
    if (group.length > 0 && group[0]?.sha !== parsed.sha) {
      const done = finish();
      if (done) yield done;
    }
    group.push(parsed);
  }
  const last = finish();
  if (last) yield last;
}

/** Pairs a merge's records with the parents whose trees differ from its own (git skips the others). */
function toCommit(
  first: ParsedRecord,
  records: ParsedRecord[],
  plan: Map<string, Planned>,
  treeOf: (sha: string) => string | null,
  shallow: ReadonlySet<string>,
): HistoryCommit {
  const planned = plan.get(first.sha);
  const parents = planned?.parents ?? [];
  let diffs: Array<FileDiff[] | null>;
  if (parents.length <= 1) {
    diffs = [records.flatMap((r) => r.files)];
  } else {
    const own = planned?.tree ?? null;
    const differing = parents.map((p, i) => ({ i, differs: own === null || treeOf(p) !== own }));
    const changed = records.filter((r) => r.changed);
    diffs = parents.map(() => null);
    const targets = differing.filter((d) => d.differs);
    // Both lists are in parent order; if the trees could not say, assume the first parents.
    const slots = targets.length === changed.length ? targets : differing.slice(0, changed.length);
    changed.forEach((r, k) => {
      const slot = slots[k];
      if (slot) diffs[slot.i] = r.files;
    });
  }
  return {
    sha: first.sha,
    parents,
    parentCount: planned?.parentCount ?? parents.length,
    time: first.time,
    message: first.message,
    diffs,
    children: planned?.children ?? 0,
    shallow: shallow.has(first.sha),
  };
}

const DIFF_GIT = Buffer.from("diff --git ");
const BINARY_FILES = Buffer.from("Binary files ");

interface RawEntry {
  status: string;
  oldPath: Buffer | null;
  newPath: Buffer | null;
  oldBlob: string | null;
  newBlob: string | null;
  submodule: boolean;
  /** The `diff --git` line git prints for it; built when first compared. */
  header: Buffer | null;
  file: FileDiff;
  sections: number;
}

const NULL_BLOB = /^0+$/;

/** Parses one record of the history log (exported for tests). */
export function parseHistoryRecord(record: Buffer, markerLength: number): ParsedRecord {
  let pos = markerLength;
  const fields: string[] = [];
  for (let i = 0; i < 3; i++) {
    const nul = record.indexOf(0, pos);
    if (nul === -1) throw new Error("unexpected git log output: truncated commit header");
    fields.push(record.toString("utf8", pos, nul));
    pos = nul + 1;
  }
  if (record[pos] !== 0x02) throw new Error("unexpected git log output: commit header not terminated");
  pos += 2;
  const [sha = "", time = "0", message = ""] = fields;
  const entries: RawEntry[] = [];
  if (record[pos] === 0x0a) {
    pos += 1;
    while (pos < record.length && record[pos] === 0x3a /* : */) {
      const metaEnd = record.indexOf(0, pos);
      const meta = record.toString("latin1", pos + 1, metaEnd).split(" ");
      const status = (meta[4] ?? "M").charAt(0);
      const pathEnd = record.indexOf(0, metaEnd + 1);
      const firstPath = record.subarray(metaEnd + 1, pathEnd);
      pos = pathEnd + 1;
      let secondPath: Buffer | null = null;
      if (status === "R" || status === "C") {
        const secondEnd = record.indexOf(0, pos);
        secondPath = record.subarray(pos, secondEnd);
        pos = secondEnd + 1;
      }
      const oldBlob = meta[2] && !NULL_BLOB.test(meta[2]) ? meta[2] : null;
      const newBlob = meta[3] && !NULL_BLOB.test(meta[3]) ? meta[3] : null;
      const oldPath = status === "A" ? null : firstPath;
      const newPath = status === "D" ? null : (secondPath ?? firstPath);
      entries.push({
        status,
        oldPath,
        newPath,
        oldBlob,
        newBlob,
        submodule: meta[0] === "160000" || meta[1] === "160000",
        header: null,
        file: {
          status,
          oldPath: oldPath === null ? null : oldPath.toString("utf8"),
          newPath: newPath === null ? null : newPath.toString("utf8"),
          oldBlob,
          newBlob,
          binary: meta[0] === "160000" || meta[1] === "160000",
          hunks: [],
          removed: { count: 0, h1: 0, h2: 0 },
          added: { count: 0, h1: 0, h2: 0 },
        },
        sections: 0,
      });
    }
    if (record[pos] === 0) pos += 1;
    readPatch(record, pos, entries);
  }
  return {
    sha,
    time: Number.parseInt(time, 10) || 0,
    message,
    changed: entries.length > 0,
    files: entries.map((e) => e.file),
  };
}

/**
 * Walks the patch text: sections are matched to raw entries by their `diff --git` line (with `-w`
 * git prints no section for a file whose changes are all whitespace), hunks parsed, lines hashed.
 */
function readPatch(buf: Buffer, from: number, entries: RawEntry[]): void {
  let next = 0;
  let current: RawEntry | null = null;
  let inHunk = false;
  let pos = from;
  const end = buf.length;
  while (pos < end) {
    let lineEnd = buf.indexOf(0x0a, pos);
    if (lineEnd === -1) lineEnd = end;
    const c = buf[pos];
    if (c === 0x64 /* d */ && startsWith(buf, pos, DIFF_GIT)) {
      const line = buf.subarray(pos, lineEnd);
      let found: RawEntry | null = null;
      if (current !== null && headerOf(current).equals(line)) found = current; // a type change: two sections
      for (let i = next; found === null && i < entries.length; i++) {
        const candidate = entries[i] as RawEntry;
        if (headerOf(candidate).equals(line)) {
          found = candidate;
          next = i + 1;
        }
      }
      if (found === null) throw new Error(`unexpected git log output: no raw entry for ${line.toString()}`);
      current = found;
      current.sections++;
      inHunk = false;
    } else if (current !== null) {
      if (c === 0x40 /* @ */ && buf[pos + 1] === 0x40) {
        inHunk = true;
        addHunk(current, buf, pos, lineEnd);
      } else if (inHunk && c === 0x2b /* + */) {
        digest(current.file.added, buf, pos + 1, lineEnd);
      } else if (inHunk && c === 0x2d /* - */) {
        digest(current.file.removed, buf, pos + 1, lineEnd);
      } else if (!inHunk && c === 0x42 /* B */ && startsWith(buf, pos, BINARY_FILES)) {
        current.file.binary = true;
      }
    }
    pos = lineEnd + 1;
  }
  for (const e of entries) if (e.submodule) e.file.binary = true;
}

function headerOf(entry: RawEntry): Buffer {
  if (entry.header === null) {
    const a = entry.oldPath ?? (entry.newPath as Buffer);
    const b = entry.newPath ?? (entry.oldPath as Buffer);
    entry.header = Buffer.concat([DIFF_GIT, quotePath("a/", a), SPACE, quotePath("b/", b)]);
  }
  return entry.header;
}

const SPACE = Buffer.from(" ");

function startsWith(buf: Buffer, pos: number, prefix: Buffer): boolean {
  return buf.compare(prefix, 0, prefix.length, pos, pos + prefix.length) === 0;
}

/** Reads `@@ -a[,b] +c[,d] @@`; a type change's second section folds into one whole-file hunk. */
function addHunk(entry: RawEntry, buf: Buffer, pos: number, end: number): void {
  let p = pos + 3; // "@@ -"
  const num = () => {
    let n = 0;
    while (p < end) {
      const d = (buf[p] as number) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
      p++;
    }
    return n;
  };
  if (buf[p] === 0x2d) p++;
  const os = num();
  let oc = 1;
  if (buf[p] === 0x2c) {
    p++;
    oc = num();
  }
  while (p < end && buf[p] !== 0x2b) p++;
  p++;
  const ns = num();
  let nc = 1;
  if (buf[p] === 0x2c) {
    p++;
    nc = num();
  }
  const hunks = entry.file.hunks;
  if (entry.sections > 1 && hunks.length === 4) {
    const ocAll = (hunks[1] as number) + oc;
    const ncAll = (hunks[3] as number) + nc;
    hunks.splice(0, 4, ocAll > 0 ? 1 : 0, ocAll, ncAll > 0 ? 1 : 0, ncAll);
    return;
  }
  hunks.push(os, oc, ns, nc);
}

/** Adds one line, whitespace removed (as `-w` compares), to an order-independent digest. */
function digest(target: LineDigest, buf: Buffer, from: number, to: number): void {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = from; i < to; i++) {
    const b = buf[i] as number;
    if (b === 0x20 || (b >= 0x09 && b <= 0x0d)) continue;
    h1 = Math.imul(h1 ^ b, 0x01000193);
    h2 = Math.imul(h2 ^ b, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  target.count++;
  target.h1 = (target.h1 + mix(h1)) >>> 0;
  target.h2 = (target.h2 + mix(h2 ^ 0x5f356495)) >>> 0;
}

function mix(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

const ESCAPES: Record<number, string> = {
  7: "a",
  8: "b",
  9: "t",
  10: "n",
  11: "v",
  12: "f",
  13: "r",
  34: '"',
  92: "\\",
};

/** `prefix + path` as git prints it in a `diff --git` line with core.quotePath=true. */
export function quotePath(prefix: string, path: Buffer): Buffer {
  let needs = false;
  for (const b of path) {
    if (b < 0x20 || b === 0x22 || b === 0x5c || b >= 0x7f) {
      needs = true;
      break;
    }
  }
  if (!needs) return Buffer.concat([Buffer.from(prefix), path]);
  let out = `"${prefix}`;
  for (const b of path) {
    const named = ESCAPES[b];
    if (named !== undefined) out += `\\${named}`;
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(8).padStart(3, "0")}`;
    else out += String.fromCharCode(b);
  }
  return Buffer.from(`${out}"`, "latin1");
}

/**
 * Line counts of blobs, from one long-lived `git cat-file --batch`: lines as git's diff counts them
 * (a last line without a newline counts). Content streams through and is never kept.
 */
export class BlobLineCounter {
  readonly #root: string;
  #child: ChildProcessWithoutNullStreams | null = null;
  #queue: Array<(lines: number) => void> = [];
  #header: Buffer[] = [];
  #remaining = -1;
  #newlines = 0;
  #last = 0x0a;
  #failure: Error | null = null;

  constructor(root: string) {
    this.#root = root;
  }

  async count(blobs: readonly string[]): Promise<Map<string, number>> {
    const child = this.#start();
    const out = new Map<string, number>();
    const pending = blobs.map(
      (blob) =>
        new Promise<void>((resolve, reject) => {
          if (this.#failure) reject(this.#failure);
          this.#queue.push((lines) => {
            out.set(blob, lines);
            resolve();
          });
        }),
    );
    child.stdin.write(blobs.map((b) => `${b}\n`).join(""));
    await Promise.all(pending);
    return out;
  }

  close(): void {
    this.#child?.stdin.end();
    this.#child = null;
  }

  #start(): ChildProcessWithoutNullStreams {
    if (this.#child) return this.#child;
    const child = spawn("git", [...NEUTRAL_CONFIG, "cat-file", "--batch"], {
      cwd: this.#root,
      env: gitEnv(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stdin.on("error", () => undefined);
    child.stderr.resume();
    child.stdout.on("data", (chunk: Buffer) => this.#read(chunk));
    child.once("error", (error: NodeJS.ErrnoException) => this.#fail(spawnError(error)));
    child.once("close", () => this.#fail(new GitError("git cat-file stopped")));
    this.#child = child;
    return child;
  }

  #fail(error: Error): void {
    this.#failure = error;
    // Whatever is still waiting gets no lines rather than hanging.
    for (const resolve of this.#queue.splice(0)) resolve(0);
  }

  #read(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#remaining < 0) {
        const nl = chunk.indexOf(0x0a, pos);
        if (nl === -1) {
          this.#header.push(chunk.subarray(pos));
          return;
        }
        this.#header.push(chunk.subarray(pos, nl));
        const header = Buffer.concat(this.#header).toString("latin1");
        this.#header = [];
        pos = nl + 1;
        const size = Number(header.split(" ")[2]);
        if (header.endsWith(" missing") || !Number.isFinite(size)) {
          this.#queue.shift()?.(0);
          continue;
        }
        this.#remaining = size + 1; // the content, then a newline
        this.#newlines = 0;
        this.#last = 0x0a;
        continue;
      }
      const take = Math.min(this.#remaining, chunk.length - pos);
      const content = Math.min(take, this.#remaining - 1);
      for (let i = pos; i < pos + content; i++) if (chunk[i] === 0x0a) this.#newlines++;
      if (content > 0) this.#last = chunk[pos + content - 1] as number;
      this.#remaining -= take;
      pos += take;
      if (this.#remaining === 0) {
        this.#remaining = -1;
        this.#queue.shift()?.(this.#newlines + (this.#last === 0x0a ? 0 : 1));
      }
    }
  }
}

/** Lines of every text file of `revision` (what `git diff --numstat` counts against the empty tree). */
export async function countTreeLines(root: string, revision: string): Promise<number> {
  const empty = await runGit(root, ["hash-object", "-t", "tree", "--stdin"], { input: "" });
  if (empty.code !== 0) throw new GitError(gitMessage(empty.stderr));
  const result = await runGit(root, [
    "-c",
    `core.bigFileThreshold=${BIG_FILE_THRESHOLD}`,
    "diff",
    "--numstat",
    "-z",
    "--no-renames",
    "--no-ext-diff",
    "--no-textconv",
    empty.stdout.toString("latin1").trim(),
    revision,
  ]);
  if (result.code !== 0) throw new GitError(gitMessage(result.stderr));
  let total = 0;
  for (const entry of result.stdout.toString("latin1").split("\0")) {
    const added = Number.parseInt(entry, 10);
    if (Number.isFinite(added)) total += added;
  }
  return total;
}
