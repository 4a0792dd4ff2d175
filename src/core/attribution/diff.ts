// Unified-diff hunks → the added lines and their line numbers in the new file, in one pass.

export interface AddedLines {
  /** Text of each added line, without the leading `+`. */
  text: string[];
  /** New-file line number of each added line (1-based), parallel to `text`. */
  lineNumbers: number[];
}

const HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

export function parseAddedLines(patch: string): AddedLines {
  const text: string[] = [];
  const lineNumbers: number[] = [];
  let newLine = 0;
  let inHunk = false;
  for (const line of patch.split("\n")) {
    const first = line.charCodeAt(0);
    if (first === 64 /* @ */ && line.startsWith("@@")) {
      const m = HUNK_HEADER.exec(line);
      inHunk = m?.[1] !== undefined;
      newLine = m?.[1] !== undefined ? Number(m[1]) : 0;
      continue;
    }
    if (!inHunk) continue;
    if (first === 43 /* + */) {
      text.push(line.endsWith("\r") ? line.slice(1, -1) : line.slice(1));
      lineNumbers.push(newLine);
      newLine++;
    } else if (first === 32 /* space */ || line === "") {
      // Context line (an empty line is a context line whose leading space was trimmed).
      newLine++;
    }
    // `-` removed lines and `\ No newline at end of file` do not advance the new file.
  }
  // A trailing newline in the patch text yields one spurious empty "context" line; harmless.
  return { text, lineNumbers };
}

/** Lines 1..n: an added file without a patch (too large, or binary-free text GitHub withheld). */
export function wholeFile(additions: number): AddedLines {
  const lineNumbers = Array.from({ length: additions }, (_, i) => i + 1);
  return { text: [], lineNumbers };
}
