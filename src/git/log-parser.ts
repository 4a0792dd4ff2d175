import type { CommitInput, FileChange, FileStatus } from "../core/attribution/types.ts";

// Parses the byte stream of ONE `git log -z --raw -p` process (format from `logFormat`) into
// commits. Works on Buffers so that bytes which are not UTF-8 (paths, messages) never throw: they
// are decoded lossily (U+FFFD) at the very end. Each commit's record starts with a marker carrying a
// random nonce, so no commit message or file content can forge a record boundary.

/** Largest patch kept for one file, and for one commit; past these only the line counts are kept. */
export const MAX_FILE_PATCH_BYTES = 1024 * 1024;
export const MAX_COMMIT_PATCH_BYTES = 16 * 1024 * 1024;

const FIELDS = ["%H", "%P", "%an", "%ae", "%cn", "%ce", "%cI", "%aI", "%B", "%N"] as const;

/** `--format` for `git log`: marker, then the fields above separated by NUL, then \x02. */
export function logFormat(nonce: string): string {
  return `--format=%x01${nonce}%x00${FIELDS.join("%x00")}%x00%x02`;
}

export function recordMarker(nonce: string): Buffer {
  return Buffer.from(`\x01${nonce}\x00`, "latin1");
}

export interface LogCommit {
  input: CommitInput;
  /** Author date (ISO 8601): what GitHub's push payload and commits API call a commit's time. */
  authoredAt: string;
  /** Raw text of the commit's note under refs/notes/ai, when git-ai left one. */
  gitAiNote: string | null;
}

/**
 * Cuts the stream into one Buffer per commit record. Keeps the pieces of the current record in a
 * list and concatenates once per record, so a huge commit costs linear time.
 */
export class RecordSplitter {
  readonly #marker: Buffer;
  #parts: Buffer[] = [];
  #size = 0;

  constructor(marker: Buffer) {
    this.#marker = marker;
  }

  /** Returns the records completed by this chunk (each starting with the marker). */
  push(chunk: Buffer): Buffer[] {
    const records: Buffer[] = [];
    const m = this.#marker.length;
    // A marker that straddles the previous chunk and this one.
    const overlap = Math.min(m - 1, this.#size);
    if (overlap > 0) {
      const window = Buffer.concat([this.#tail(overlap), chunk.subarray(0, m - 1)]);
      const j = window.indexOf(this.#marker);
      if (j !== -1 && j < overlap) {
        const all = Buffer.concat(this.#parts, this.#size);
        const cut = this.#size - overlap + j;
        if (cut > 0) records.push(all.subarray(0, cut));
        this.#parts = [all.subarray(cut)];
        this.#size = this.#size - cut;
        // Search this chunk past the straddling marker's last byte.
        return this.#scan(chunk, m - (overlap - j), records);
      }
    }
    return this.#scan(chunk, 0, records);
  }

  /** The last, unterminated record. */
  end(): Buffer[] {
    if (this.#size === 0) return [];
    const last = Buffer.concat(this.#parts, this.#size);
    this.#parts = [];
    this.#size = 0;
    return [last];
  }

  #scan(chunk: Buffer, from: number, records: Buffer[]): Buffer[] {
    let recordStart = 0;
    let at = chunk.indexOf(this.#marker, from);
    while (at !== -1) {
      if (at > recordStart || this.#size > 0) {
        this.#parts.push(chunk.subarray(recordStart, at));
        this.#size += at - recordStart;
        if (this.#size > 0) records.push(Buffer.concat(this.#parts, this.#size));
      }
      this.#parts = [];
      this.#size = 0;
      recordStart = at;
      at = chunk.indexOf(this.#marker, at + 1);
    }
    if (recordStart < chunk.length) {
      this.#parts.push(chunk.subarray(recordStart));
      this.#size += chunk.length - recordStart;
    }
    return records;
  }

  /** The last `n` bytes of the pending record, copying only those. */
  #tail(n: number): Buffer {
    const pieces: Buffer[] = [];
    let need = n;
    for (let i = this.#parts.length - 1; i >= 0 && need > 0; i--) {
      const part = this.#parts[i] as Buffer;
      const take = Math.min(need, part.length);
      pieces.unshift(part.subarray(part.length - take));
      need -= take;
    }
    return pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
  }
}

const decode = (buf: Buffer, start: number, end: number) => buf.toString("utf8", start, end);

const STATUS: Record<string, FileStatus> = {
  A: "added",
  D: "removed",
  M: "modified",
  R: "renamed",
  C: "copied",
  T: "changed",
};

interface RawEntry {
  status: string;
  path: string;
  previousPath?: string;
  submodule: boolean;
}

interface Section {
  hunkStart: number;
  end: number;
  additions: number;
  deletions: number;
  binary: boolean;
  deletedFile: boolean;
}

/** Parses one record produced by `RecordSplitter`. Throws only on output that is not git's. */
export function parseCommitRecord(record: Buffer, markerLength: number): LogCommit {
  let pos = markerLength;
  const fields: string[] = [];
  for (let i = 0; i < FIELDS.length; i++) {
    const nul = record.indexOf(0, pos);
    if (nul === -1) throw new Error("unexpected git log output: truncated commit header");
    fields.push(decode(record, pos, nul));
    pos = nul + 1;
  }
  if (record[pos] !== 0x02) throw new Error("unexpected git log output: commit header not terminated");
  pos += 2; // \x02 and the NUL that -z puts after each formatted header
  const [
    sha = "",
    parents = "",
    an = "",
    ae = "",
    cn = "",
    ce = "",
    committedAt = "",
    authoredAt = "",
    message = "",
    note = "",
  ] = fields;

  const files: FileChange[] = [];
  if (record[pos] === 0x0a) {
    pos += 1;
    const raw: RawEntry[] = [];
    while (pos < record.length && record[pos] === 0x3a /* : */) {
      const metaEnd = record.indexOf(0, pos);
      const meta = decode(record, pos + 1, metaEnd).split(" ");
      const status = (meta[4] ?? "M").charAt(0);
      const submodule = meta[0] === "160000" || meta[1] === "160000";
      const pathEnd = record.indexOf(0, metaEnd + 1);
      const first = decode(record, metaEnd + 1, pathEnd);
      pos = pathEnd + 1;
      if (status === "R" || status === "C") {
        const secondEnd = record.indexOf(0, pos);
        raw.push({ status, path: decode(record, pos, secondEnd), previousPath: first, submodule });
        pos = secondEnd + 1;
      } else {
        raw.push({ status, path: first, submodule });
      }
    }
    if (record[pos] === 0) pos += 1;
    const sections = parseSections(record, pos);
    files.push(...pairFiles(record, raw, sections));
  }

  return {
    input: {
      sha,
      message: withoutTrailingNewlines(message),
      author: { name: an, email: ae },
      committer: { name: cn, email: ce },
      parents: parents === "" ? [] : parents.split(" "),
      branch: null,
      committedAt,
      files,
    },
    authoredAt,
    gitAiNote: note.trim() === "" ? null : note,
  };
}

/** `/\n+$/` without the regular expression, which is quadratic on a message of newlines. */
function withoutTrailingNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x0a) end--;
  return text.slice(0, end);
}

const DIFF_GIT = Buffer.from("diff --git ");
const BINARY_FILES = Buffer.from("Binary files ");
const DELETED_FILE = Buffer.from("deleted file mode");

function startsWith(buf: Buffer, pos: number, prefix: Buffer): boolean {
  return buf.compare(prefix, 0, prefix.length, pos, pos + prefix.length) === 0;
}

/** Splits the patch text into per-file sections, counting added and deleted lines as it goes. */
function parseSections(buf: Buffer, from: number): Section[] {
  const sections: Section[] = [];
  let current: Section | null = null;
  let pos = from;
  const end = buf.length;
  while (pos < end) {
    const nl = buf.indexOf(0x0a, pos);
    const lineEnd = nl === -1 ? end : nl;
    const c = buf[pos];
    if (c === 0x64 /* d */ && startsWith(buf, pos, DIFF_GIT)) {
      if (current) current.end = pos;
      current = { hunkStart: -1, end, additions: 0, deletions: 0, binary: false, deletedFile: false };
      sections.push(current);
    } else if (current) {
      if (current.hunkStart === -1) {
        if (c === 0x40 /* @ */ && buf[pos + 1] === 0x40) current.hunkStart = pos;
        else if (c === 0x42 /* B */ && startsWith(buf, pos, BINARY_FILES)) current.binary = true;
        else if (c === 0x64 && startsWith(buf, pos, DELETED_FILE)) current.deletedFile = true;
      } else if (c === 0x2b /* + */) current.additions++;
      else if (c === 0x2d /* - */) current.deletions++;
    }
    pos = lineEnd + 1;
  }
  return sections;
}

/** Matches raw entries to patch sections, which git emits in the same order. */
function pairFiles(buf: Buffer, raw: RawEntry[], sections: Section[]): FileChange[] {
  const files: FileChange[] = [];
  let budget = MAX_COMMIT_PATCH_BYTES;
  let s = 0;
  for (const entry of raw) {
    let section = sections[s++];
    let additions = section?.additions ?? 0;
    let deletions = section?.deletions ?? 0;
    // A file that becomes a symlink (or back) is one raw entry but two patches: deletion, creation.
    if (entry.status === "T" && section?.deletedFile && sections[s]) {
      const creation = sections[s++];
      if (creation) {
        additions += creation.additions;
        deletions += creation.deletions;
        section = creation;
      }
    }
    const binary = entry.submodule || (section?.binary ?? false);
    const change: FileChange = {
      path: entry.path,
      status: STATUS[entry.status] ?? "changed",
      additions: binary ? 0 : additions,
      deletions: binary ? 0 : deletions,
    };
    if (entry.previousPath !== undefined) change.previousPath = entry.previousPath;
    if (binary) change.binary = true;
    if (section && !binary && section.hunkStart !== -1) {
      // Hunks only, like GitHub's `patch` field; the header is git's, not the author's.
      const length = section.end - section.hunkStart;
      if (length <= MAX_FILE_PATCH_BYTES && length <= budget) {
        budget -= length;
        const patchEnd = buf[section.end - 1] === 0x0a ? section.end - 1 : section.end;
        change.patch = decode(buf, section.hunkStart, patchEnd);
      }
    }
    files.push(change);
  }
  return files;
}
