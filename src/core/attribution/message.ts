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

// Anchored at the start of the line: "see Co-authored-by: …" in prose is not a trailer.
const TRAILER_LINE = /^([A-Za-z][A-Za-z0-9-]*):[ \t]*(\S.*?)[ \t]*$/;

export function parseMessage(message: string): ParsedMessage {
  const lines = message.split(/\r?\n/);
  const subject = lines[0] ?? "";
  const body = lines.slice(1);
  const trailers: Trailer[] = [];
  for (const line of body) {
    const m = TRAILER_LINE.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined)
      trailers.push({ key: m[1].toLowerCase(), value: m[2], line });
  }
  return { subject, body, trailers };
}

/** Trailers with this (lower-case) key. */
export function trailersNamed(message: ParsedMessage, key: string): Trailer[] {
  return message.trailers.filter((t) => t.key === key);
}
