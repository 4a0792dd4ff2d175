import { makeSignal } from "../make-signal.ts";
import type { Signal } from "../signals.ts";
import { normaliseModel } from "../tools.ts";
import type { CommitView } from "./commit-view.ts";

export const CLAUDE_CODE_FOOTER_WEIGHT = 0.9;
/** Reported by users rather than documented by Cursor, so a little weaker. */
export const MADE_WITH_CURSOR_WEIGHT = 0.8;
/** Crush's and Codebuff's own default footers. */
export const TOOL_FOOTER_WEIGHT = 0.9;

// The robot emoji, or the literal escape a script that failed to render it leaves behind.
const ROBOT = String.raw`(?:🤖|\\U0001F916)`;

// `🤖 Generated with [Claude Code](https://claude.ai/code)` (older) or `(https://claude.com/claude-code)`.
// Anchored at the line start (the emoji is optional) so a quotation in prose does not fire.
export const CLAUDE_CODE_FOOTER = new RegExp(
  String.raw`^(?:${ROBOT}\s*)?Generated with \[Claude Code\]\(https?:\/\/[^)\s]+\)`,
  "u",
);
// The same footer without the link syntax, as plain-text settings and hand-written footers have
// it: `Generated with Claude Code`, optionally with its URL on the same line. The whole line must
// be the footer ("Generated with Claude Code is not allowed here" is prose); a URL on the next
// line is simply another line.
export const CLAUDE_CODE_PLAIN_FOOTER = new RegExp(
  String.raw`^(?:${ROBOT}\s*)?Generated with Claude Code(?: ?[-–—:]? ?\(?<?https?:\/\/[^\s()<>]+>?\)?)?\.?$`,
  "u",
);
// `💘 Generated with Crush` (Charm's Crush; optionally naming the model) and `Generated with Codebuff`.
const CRUSH_FOOTER = /^(?:💘\s*)?Generated with Crush(?: \(([^()]{1,100})\))?$/u;
const CODEBUFF_FOOTER = /^(?:🤖\s*)?Generated with Codebuff\.?$/u;

/** True when the line is one of the footers this module reads (another detector then skips it). */
export function isProductFooter(line: string): boolean {
  const l = line.trim();
  return (
    CLAUDE_CODE_FOOTER.test(l) ||
    CLAUDE_CODE_PLAIN_FOOTER.test(l) ||
    CRUSH_FOOTER.test(l) ||
    CODEBUFF_FOOTER.test(l)
  );
}

/** The footer a tool appends to a commit message; `Made-with: Cursor`. */
export function detectToolFooter(view: CommitView): Signal[] {
  const out: Signal[] = [];
  let claude = false;
  let crush = false;
  let codebuff = false;
  for (const raw of view.message.body) {
    const line = raw.trimEnd();
    if (!claude && (CLAUDE_CODE_FOOTER.test(line) || CLAUDE_CODE_PLAIN_FOOTER.test(line))) {
      out.push(makeSignal("tool-footer", "claude-code", null, line, CLAUDE_CODE_FOOTER_WEIGHT));
      claude = true;
      continue;
    }
    const crushMatch = crush ? null : CRUSH_FOOTER.exec(line);
    if (crushMatch !== null) {
      const model = crushMatch[1] === undefined ? null : normaliseModel(crushMatch[1]);
      out.push(makeSignal("tool-footer", "crush", model, line, TOOL_FOOTER_WEIGHT));
      crush = true;
      continue;
    }
    if (!codebuff && CODEBUFF_FOOTER.test(line)) {
      out.push(makeSignal("tool-footer", "codebuff", null, line, TOOL_FOOTER_WEIGHT));
      codebuff = true;
    }
  }
  for (const t of view.message.trailers) {
    if (t.key === "made-with" && /^cursor\b/i.test(t.value)) {
      out.push(makeSignal("tool-footer", "cursor", null, t.line, MADE_WITH_CURSOR_WEIGHT));
    }
  }
  return out;
}
