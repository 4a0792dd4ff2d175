// A commit message parsed once per commit, so every detector reads the same lines and trailers.

export interface Trailer {
  /** Lower-cased key: `co-authored-by`. */
  key: string;
  value: string;
  /** The whole line as written. */
  line: string;
}

export interface ParsedMessage {
  subject: string;
  /** Lines after the subject. */
  body: string[];
  /** `Key: value` lines that start at column 0, anywhere after the subject. */
  trailers: Trailer[];
}

/**
 * Longest line read as a trailer. Messages come from anyone who can push to a tracked repository;
 * a real trailer is a few dozen characters, and a longer line is still in `body`.
 */
export const MAX_TRAILER_LINE = 1000;

const TRAILER_KEY = /^[A-Za-z][A-Za-z0-9-]*$/;
// What `.` in a regular expression does not match: a value containing one is not a trailer.
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;
const LEADING_SPACE = /^\s/;

const isBlank = (code: number) => code === 32 || code === 9;

/**
 * `Key: value` at the start of the line ("see Co-authored-by: …" in prose is not a trailer), the
 * value trimmed of spaces and tabs. Plain string operations, linear in the line: the regular
 * expression this replaces (`:[ \t]*(\S.*?)[ \t]*$`) took seconds on a line of spaces.
 */
function parseTrailer(line: string): Trailer | null {
  if (line.length > MAX_TRAILER_LINE) return null;
  const colon = line.indexOf(":");
  if (colon < 1 || !TRAILER_KEY.test(line.slice(0, colon))) return null;
  let start = colon + 1;
  let end = line.length;
  while (start < end && isBlank(line.charCodeAt(start))) start++;
  while (end > start && isBlank(line.charCodeAt(end - 1))) end--;
  const value = line.slice(start, end);
  if (value === "" || LEADING_SPACE.test(value) || LINE_TERMINATOR.test(value)) return null;
  return { key: line.slice(0, colon).toLowerCase(), value, line };
}

export function parseMessage(message: string): ParsedMessage {
  const lines = message.split(/\r?\n/);
  const subject = lines[0] ?? "";
  const body = lines.slice(1);
  const trailers: Trailer[] = [];
  for (const line of body) {
    const trailer = parseTrailer(line);
    if (trailer !== null) trailers.push(trailer);
  }
  return { subject, body, trailers };
}

/** Trailers with this (lower-case) key. */
export function trailersNamed(message: ParsedMessage, key: string): Trailer[] {
  return message.trailers.filter((t) => t.key === key);
}

// `git revert` writes `Revert "<subject>"` and `This reverts commit <sha>.`; GitHub's revert
// button writes `Reverts <owner>/<repo>#<n>`.
const REVERT_SUBJECT = /^Revert "/;
const REVERTS_COMMIT = /^This reverts commit [0-9a-f]{7,40}\b/;
const REVERTS_PR = /^Reverts [\w.-]+\/[\w.-]+#\d+\b/;

/** A revert: its subject quotes the reverted commit and its body names it. */
export function isRevertMessage(message: ParsedMessage): boolean {
  if (!REVERT_SUBJECT.test(message.subject)) return false;
  return message.body.some((line) => REVERTS_COMMIT.test(line) || REVERTS_PR.test(line));
}
